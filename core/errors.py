"""Exception types that the core raises for bad input, bad settings and failed runs."""

from __future__ import annotations

from pathlib import Path


class SbrError(Exception):
    """Base class of every error the core raises on purpose.

    The CLI prints the message and exits with status 2; the app shows it as a
    notification. Messages name the value at fault and what to do about it.
    """


class DataError(SbrError):
    """An input file is missing, unreadable or not in the expected format."""

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        line: int | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.problem = problem
        self.expected = expected
        self.fix = fix

        where = self.path or "input"
        if line is not None:
            where = f"{where}, line {line}"
        parts = [f"{where}: {problem}"]
        if expected:
            parts.append(f"Expected {expected}.")
        if fix:
            parts.append(fix)
        super().__init__(" ".join(parts))


class ConfigError(SbrError):
    """One or more settings are invalid.

    `errors` maps a dotted field name (for example `train.batch_size`) to the
    message for that field, so forms can show each message beside its field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        lines = [f"{field}: {message}" for field, message in self.errors.items()]
        super().__init__("Invalid settings:\n  " + "\n  ".join(lines))


class TrainingError(SbrError):
    """Training stopped because it cannot go on (for example a non-finite loss)."""


class CapacityError(SbrError):
    """A job would need more memory than allowed; the message gives the estimate."""
