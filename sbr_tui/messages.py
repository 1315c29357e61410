"""Messages that workers and the app post to the screens."""

from __future__ import annotations

from textual.message import Message


class LoadProgress(Message):
    """Stage and fraction done of a data load; a newer message replaces an unhandled older one."""

    def __init__(self, stage: str, fraction: float) -> None:
        super().__init__()
        self.stage = stage
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LoadProgress)


class DataChanged(Message):
    """The prepared data was replaced, or loading it failed (`error` set)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error
