"""Turn the data settings of a Config into a train/valid/test split, with statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import datasets
from core.config import Config, DataConfig
from core.errors import ConfigError
from core.sessions import filter_and_sessionize
from core.split import Split, split_by_time, split_presplit
from core.stats import DataStats, compute_stats

# Setting sections that prepare_data reads. Errors in other sections (model, training)
# are left to the code that uses those settings.
DATA_SECTIONS = ("data", "sessions", "split")

# Share of the progress bar given to loading the file, the slowest step.
LOAD_SHARE = 0.7

ProgressCallback = Callable[[str, float], None]


@dataclass
class PreparedData:
    """A split ready for training, with item metadata and statistics of the log."""

    split: Split | None  # None only when `allow_split_failure` was set and the split failed
    items: pd.DataFrame | None  # metadata indexed by original item id, or None when the format has none
    stats: DataStats  # of the filtered, sessionised log before the split (pre-split: all files together)
    raw_stats: DataStats | None  # of the raw log before any filter, or None for pre-split files
    split_error: str | None = None  # why the split failed, when it was allowed to
    warnings: list[str] = field(default_factory=list)  # load problems that did not stop the load


def _check_data_settings(config: Config) -> None:
    errors = {
        name: message
        for name, message in config.field_errors().items()
        if name.split(".", 1)[0] in DATA_SECTIONS
    }
    if errors:
        raise ConfigError(errors)


def _report(progress: ProgressCallback | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, fraction)


def _presplit_log(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate pre-split parts for statistics, keeping equal session ids in different parts apart."""
    parts = [frame.assign(part=number) for number, frame in enumerate(frames)]
    log = pd.concat(parts, ignore_index=True)
    keys = log.groupby(["part", "session_id"], sort=False).ngroup()
    return log.assign(session_id=keys.to_numpy(dtype=np.int64)).drop(columns="part")


def _dropped_event_warnings(
    split: Split, data: DataConfig, valid: pd.DataFrame | None, test: pd.DataFrame | None
) -> list[str]:
    """Return one warning per pre-split valid or test file that lost events in the split, with the count and the reason."""
    warnings = []
    for path, frame, part in ((data.valid_path, valid, split.valid), (data.test_path, test, split.test)):
        if frame is None or len(frame) == part.n_events:
            continue
        warnings.append(
            f"{path}: {len(frame) - part.n_events:,} of {len(frame):,} events are left out, because their "
            "items do not occur in the training file or their sessions keep fewer than 2 events."
        )
    return warnings


def set_data_source(config: Config, path: str, data_format: str = "auto") -> None:
    """Point `config.data` at `path` in `data_format`, clearing the other kind of source.

    With "auto", a folder that contains pre-split GRU4Rec TSV files (see
    `core.datasets.find_presplit_files`) becomes the train/valid/test paths.
    Anything else is a raw log for the session filters and the time split.
    """
    data = config.data
    data.format = data_format
    files = datasets.find_presplit_files(path) if data_format == "auto" else None
    if files is None:
        data.path = path
        data.train_path = data.valid_path = data.test_path = None
        return
    data.path = None
    data.train_path = str(files.train)
    data.valid_path = None if files.valid is None else str(files.valid)
    data.test_path = str(files.test)


def prepare_data(
    config: Config, progress: ProgressCallback | None = None, allow_split_failure: bool = False
) -> PreparedData:
    """Load, filter, sessionise and split the data that `config.data` names.

    A raw log (`config.data.path`) goes through the session filters and the time
    split. Pre-split GRU4Rec TSV files (`config.data.train_path` with a valid and/or
    test path) are taken as they are, apart from the unseen-item and length
    filters. `progress`, when given, is called with a stage name ("load", "filter",
    "split", "stats") and the overall fraction done, from 0 to 1.
    Raises ConfigError for invalid data settings or filters that leave nothing,
    and DataError for input files that cannot be read. With `allow_split_failure`,
    a split that the settings make impossible is reported in `split_error`
    instead, so the statistics of the log can still be shown.
    """
    _check_data_settings(config)
    data = config.data

    if data.train_path is not None:
        _report(progress, "load", 0.0)
        train = datasets.load_tsv(data.train_path).interactions
        valid = None if data.valid_path is None else datasets.load_tsv(data.valid_path).interactions
        test = None if data.test_path is None else datasets.load_tsv(data.test_path).interactions
        _report(progress, "split", LOAD_SHARE)
        split = None
        split_error = None
        try:
            split = split_presplit(train, valid, test)
        except ConfigError as exc:
            if not allow_split_failure:
                raise
            split_error = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
        _report(progress, "stats", 0.9)
        frames = [frame for frame in (train, valid, test) if frame is not None]
        stats = compute_stats(_presplit_log(frames))
        _report(progress, "stats", 1.0)
        warnings = [] if split is None else _dropped_event_warnings(split, data, valid, test)
        return PreparedData(
            split=split, items=None, stats=stats, raw_stats=None, split_error=split_error, warnings=warnings,
        )

    def load_progress(fraction: float) -> None:
        _report(progress, "load", LOAD_SHARE * fraction)

    _report(progress, "load", 0.0)
    dataset = datasets.load_dataset(data.path, data.format, progress=load_progress if progress else None)
    _report(progress, "filter", LOAD_SHARE)
    sessions = filter_and_sessionize(dataset.interactions, config.sessions)
    _report(progress, "split", 0.8)
    split = None
    split_error = None
    try:
        split = split_by_time(sessions, config.split)
    except ConfigError as exc:
        if not allow_split_failure:
            raise
        split_error = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
    _report(progress, "stats", 0.9)
    stats = compute_stats(sessions)
    raw_stats = compute_stats(dataset.interactions)
    _report(progress, "stats", 1.0)
    return PreparedData(
        split=split, items=dataset.items, stats=stats, raw_stats=raw_stats, split_error=split_error,
        warnings=list(dataset.warnings),
    )
