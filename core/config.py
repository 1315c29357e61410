"""The one settings object shared by the CLI, the app and every run directory."""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SESSION_MODES = ("user", "gap")
LOSSES = ("cross-entropy", "bpr-max", "top1-max")
OPTIMIZERS = ("adam", "adagrad")
FORMATS = ("auto", "ml-dat", "ml-100k", "ml-csv", "tsv", "demo")


@dataclass
class DataConfig:
    """Data source: a raw log, or pre-split GRU4Rec TSV files."""

    path: str | None = None  # a raw log: file or folder
    format: str = "auto"  # one of FORMATS; "auto" detects it from the path
    train_path: str | None = None  # pre-split GRU4Rec TSV files
    valid_path: str | None = None
    test_path: str | None = None


@dataclass
class SessionConfig:
    """Filters and sessionisation, applied in the order the fields are listed."""

    min_rating: float | None = 3.0  # keep rating >= min_rating; None keeps all
    recent_days: float | None = 730.0  # keep the last N days of the log; None keeps all
    mode: str = "user"  # "user": one session per user; "gap": split on idle gaps
    gap_minutes: float = 30.0  # idle gap that starts a new session in "gap" mode
    min_item_support: int = 1  # drop items with fewer events
    min_session_length: int = 1  # drop sessions with fewer events


@dataclass
class SplitConfig:
    """Time-based split by the time of each session's last event."""

    test_days: float = 30.0
    valid_days: float = 30.0


@dataclass
class ModelConfig:
    """GRU4Rec network and loss."""

    embedding_size: int = 100  # 0 feeds one-hot vectors instead of an embedding
    hidden_size: int = 100  # units per GRU layer
    num_layers: int = 1
    dropout_embedding: float = 0.1  # drop probability on the input embedding
    dropout_hidden: float = 0.1  # drop probability on the GRU output
    loss: str = "cross-entropy"
    n_sample: int = 0  # extra negatives shared by the mini-batch
    sample_alpha: float = 0.75  # negatives drawn with probability ~ support**alpha
    logq: float = 0.0  # weight of the logQ correction for sampled cross-entropy
    bpreg: float = 1.0  # score regularisation of BPR-max
    constrained_embedding: bool = False  # share the output embedding with the input


@dataclass
class TrainConfig:
    """Optimisation settings."""

    epochs: int = 10
    batch_size: int = 64  # parallel sessions per mini-batch
    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.0  # Adagrad momentum as in the reference GRU4Rec
    shuffle_sessions: bool = False  # shuffle session order every epoch
    seed: int = 42
    memory_limit_mb: int | None = None  # reject jobs estimated above this; None: 90% of available memory


@dataclass
class EvalConfig:
    """Evaluation settings."""

    cutoffs: list[int] = field(default_factory=lambda: [1, 5, 10, 20])
    batch_size: int = 512  # parallel sessions per evaluation step
    memory_limit_mb: int = 2048  # score matrix budget; larger catalogs are scored in chunks


@dataclass
class Config:
    """Every setting of one run."""

    data: DataConfig = field(default_factory=DataConfig)
    sessions: SessionConfig = field(default_factory=SessionConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    preset: str | None = None
    runs_dir: str | None = None  # None: the user data directory

    # ---- conversion -------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as plain nested dicts (JSON-compatible)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Config":
        """Build a config from nested dicts; unknown keys raise ConfigError."""
        config = cls()
        config.update(data)
        return config

    def update(self, data: dict[str, Any]) -> None:
        """Overwrite the settings named in nested dicts, leaving the others as they are."""
        errors: dict[str, str] = {}
        sections = {f.name for f in fields(self)}
        for key, value in data.items():
            if key not in sections:
                errors[key] = f"unknown setting {key!r}; known: {', '.join(sorted(sections))}"
                continue
            current = getattr(self, key)
            if not dataclasses.is_dataclass(current):
                setattr(self, key, value)
                continue
            if not isinstance(value, dict):
                errors[key] = f"expected a table of settings, got {value!r}"
                continue
            known = {f.name for f in fields(current)}
            for name, item in value.items():
                if name not in known:
                    errors[f"{key}.{name}"] = (
                        f"unknown setting {name!r}; known in [{key}]: {', '.join(sorted(known))}"
                    )
                    continue
                setattr(current, name, item)
        if errors:
            raise ConfigError(errors)

    def set(self, dotted: str, value: Any) -> None:
        """Set one setting by its dotted name, such as `train.batch_size`."""
        section, _, name = dotted.partition(".")
        if not name:
            self.update({section: value})
        else:
            self.update({section: {name: value}})

    def get(self, dotted: str) -> Any:
        """Return one setting by its dotted name."""
        section, _, name = dotted.partition(".")
        value = getattr(self, section)
        return getattr(value, name) if name else value

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def to_toml(self) -> str:
        """Return the settings as TOML; unset (None) values are left out."""
        import tomli_w

        def drop_none(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: drop_none(v) for k, v in value.items() if v is not None}
            return value

        return tomli_w.dumps(drop_none(self.to_dict()))

    @classmethod
    def from_toml_file(cls, path: str | Path) -> "Config":
        """Read a TOML file written by `to_toml` or by hand."""
        config = cls()
        config.update_from_toml_file(path)
        return config

    def update_from_toml_file(self, path: str | Path) -> None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError({"config": f"config file {path} not found"}) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError({"config": f"cannot read config file {path}: {exc}"}) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError({"config": f"{path} is not valid TOML: {exc}"}) from None
        self.update(data)

    # ---- validation -------------------------------------------------

    def field_errors(self, n_train_sessions: int | None = None) -> dict[str, str]:
        """Check every setting and return {dotted field: message} for the invalid ones.

        `n_train_sessions`, when known, adds the cross-field rule that a batch
        cannot have more parallel sessions than the training data has.
        """
        errors: dict[str, str] = {}

        def check(dotted: str, ok: bool, message: str) -> None:
            if not ok and dotted not in errors:
                errors[dotted] = message

        def is_int(value: Any) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        def is_number(value: Any) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value

        d, s, sp, m, t, e = self.data, self.sessions, self.split, self.model, self.train, self.eval

        check("data.format", d.format in FORMATS, f"unknown format {d.format!r}; use one of {', '.join(FORMATS)}")
        if d.path is None and d.train_path is None:
            errors["data.path"] = "no data given; set a data path or pre-split train/test files"
        if d.path is not None and d.train_path is not None:
            errors["data.path"] = "give either a data path or pre-split files, not both"
        if d.train_path is not None and d.test_path is None and d.valid_path is None:
            errors["data.test_path"] = "pre-split data needs a test (or valid) file besides train"

        check("sessions.mode", s.mode in SESSION_MODES, f"unknown session mode {s.mode!r}; use 'user' or 'gap'")
        if s.min_rating is not None:
            check("sessions.min_rating", is_number(s.min_rating), f"min rating must be a number, got {s.min_rating!r}")
        if s.recent_days is not None:
            check(
                "sessions.recent_days",
                is_number(s.recent_days) and s.recent_days > 0,
                f"recent window must be a positive number of days, got {s.recent_days!r}",
            )
        check(
            "sessions.gap_minutes",
            is_number(s.gap_minutes) and s.gap_minutes > 0,
            f"idle gap must be a positive number of minutes, got {s.gap_minutes!r}",
        )
        check(
            "sessions.min_item_support",
            is_int(s.min_item_support) and s.min_item_support >= 1,
            f"min item support must be a whole number >= 1, got {s.min_item_support!r}",
        )
        check(
            "sessions.min_session_length",
            is_int(s.min_session_length) and s.min_session_length >= 1,
            f"min session length must be a whole number >= 1, got {s.min_session_length!r}",
        )

        for name in ("test_days", "valid_days"):
            value = getattr(sp, name)
            check(f"split.{name}", is_number(value) and value >= 0, f"{name} must be a number of days >= 0, got {value!r}")
        if d.train_path is None:
            check(
                "split.test_days",
                is_number(sp.test_days) and sp.test_days > 0,
                f"test_days must be > 0 to have a test set, got {sp.test_days!r}",
            )

        check(
            "model.embedding_size",
            is_int(m.embedding_size) and m.embedding_size >= 0,
            f"embedding size must be a whole number >= 0 (0 means one-hot input), got {m.embedding_size!r}",
        )
        check("model.hidden_size", is_int(m.hidden_size) and m.hidden_size >= 1, f"hidden size must be a whole number >= 1, got {m.hidden_size!r}")
        check("model.num_layers", is_int(m.num_layers) and 1 <= m.num_layers <= 8, f"GRU layers must be a whole number from 1 to 8, got {m.num_layers!r}")
        for name in ("dropout_embedding", "dropout_hidden"):
            value = getattr(m, name)
            check(f"model.{name}", is_number(value) and 0 <= value < 1, f"dropout is a drop probability in [0, 1), got {value!r}")
        check("model.loss", m.loss in LOSSES, f"unknown loss {m.loss!r}; use one of {', '.join(LOSSES)}")
        check("model.n_sample", is_int(m.n_sample) and m.n_sample >= 0, f"extra negative samples must be a whole number >= 0, got {m.n_sample!r}")
        check("model.sample_alpha", is_number(m.sample_alpha) and 0 <= m.sample_alpha <= 1, f"sample alpha must be in [0, 1], got {m.sample_alpha!r}")
        check("model.logq", is_number(m.logq) and m.logq >= 0, f"logQ weight must be >= 0, got {m.logq!r}")
        check("model.bpreg", is_number(m.bpreg) and m.bpreg >= 0, f"BPR-max regularisation must be >= 0, got {m.bpreg!r}")
        check("model.constrained_embedding", isinstance(m.constrained_embedding, bool), "constrained embedding is true or false")
        if m.constrained_embedding and is_int(m.embedding_size):
            check(
                "model.constrained_embedding",
                m.embedding_size in (0, m.hidden_size),
                "a shared input/output embedding has the hidden size; set embedding size to 0 or to the hidden size",
            )

        check("train.epochs", is_int(t.epochs) and t.epochs >= 1, f"epochs must be a whole number >= 1, got {t.epochs!r}")
        check("train.batch_size", is_int(t.batch_size) and t.batch_size >= 1, f"batch size must be a whole number >= 1, got {t.batch_size!r}")
        check("train.optimizer", t.optimizer in OPTIMIZERS, f"unknown optimizer {t.optimizer!r}; use 'adam' or 'adagrad'")
        check(
            "train.learning_rate",
            is_number(t.learning_rate) and 0 < t.learning_rate <= 10,
            f"learning rate must be a number in (0, 10], got {t.learning_rate!r}",
        )
        check("train.momentum", is_number(t.momentum) and 0 <= t.momentum < 1, f"momentum must be in [0, 1), got {t.momentum!r}")
        check("train.shuffle_sessions", isinstance(t.shuffle_sessions, bool), "shuffle sessions is true or false")
        if t.memory_limit_mb is not None:
            check(
                "train.memory_limit_mb",
                is_int(t.memory_limit_mb) and t.memory_limit_mb >= 16,
                f"training memory limit must be a whole number of MB >= 16, got {t.memory_limit_mb!r}",
            )
        check("train.seed", is_int(t.seed) and 0 <= t.seed < 2**31, f"seed must be a whole number in [0, 2**31), got {t.seed!r}")
        if n_train_sessions is not None and is_int(t.batch_size) and t.batch_size > n_train_sessions:
            errors.setdefault(
                "train.batch_size",
                f"batch size {t.batch_size} is larger than the {n_train_sessions} training sessions; "
                f"use at most {n_train_sessions}",
            )

        cutoffs_ok = isinstance(e.cutoffs, (list, tuple)) and len(e.cutoffs) > 0 and all(is_int(k) and k >= 1 for k in e.cutoffs)
        check("eval.cutoffs", cutoffs_ok, f"cutoffs must be a non-empty list of whole numbers >= 1, got {e.cutoffs!r}")
        check("eval.batch_size", is_int(e.batch_size) and e.batch_size >= 1, f"evaluation batch size must be a whole number >= 1, got {e.batch_size!r}")
        check(
            "eval.memory_limit_mb",
            is_int(e.memory_limit_mb) and e.memory_limit_mb >= 16,
            f"memory limit must be a whole number of MB >= 16, got {e.memory_limit_mb!r}",
        )
        return errors

    def validate(self, n_train_sessions: int | None = None) -> None:
        """Raise ConfigError listing every invalid setting, or return None."""
        errors = self.field_errors(n_train_sessions)
        if errors:
            raise ConfigError(errors)
