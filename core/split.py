"""Time-based train/valid/test split, the item index and the array form of sessions."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config import SplitConfig
from core.errors import ConfigError, DataError
from core.sessions import SECONDS_PER_DAY, order_sessions

logger = logging.getLogger(__name__)

# Evaluated sessions need one event to feed the model and one to predict.
MIN_EVAL_SESSION_LENGTH = 2


@dataclass
class ItemIndex:
    """Mapping between original item ids and the contiguous indices the model uses."""

    item_ids: np.ndarray  # int64 original id of each index

    def __post_init__(self) -> None:
        self.item_ids = np.asarray(self.item_ids, dtype=np.int64)
        self._sorted_order = np.argsort(self.item_ids, kind="stable")
        self._sorted_ids = self.item_ids[self._sorted_order]
        if self._sorted_ids.size > 1 and (self._sorted_ids[1:] == self._sorted_ids[:-1]).any():
            raise ValueError("item ids in an ItemIndex must be unique")

    @classmethod
    def from_first_appearance(cls, item_ids: np.ndarray) -> "ItemIndex":
        """Index the distinct ids of `item_ids` in order of their first appearance."""
        return cls(pd.unique(np.asarray(item_ids, dtype=np.int64)))

    @property
    def n_items(self) -> int:
        """Number of indexed items."""
        return int(self.item_ids.size)

    def to_index(self, ids: np.ndarray) -> np.ndarray:
        """Map original ids to int32 indices, with -1 for ids not in the index."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.n_items == 0:
            return np.full(ids.shape, -1, dtype=np.int32)
        position = np.searchsorted(self._sorted_ids, ids)
        position = np.minimum(position, self.n_items - 1)
        found = self._sorted_ids[position] == ids
        return np.where(found, self._sorted_order[position], -1).astype(np.int32)

    def to_ids(self, indices: np.ndarray) -> np.ndarray:
        """Map indices back to original int64 item ids."""
        return self.item_ids[np.asarray(indices)]


@dataclass
class SessionData:
    """Sessions as flat arrays: the events of session i are items[offsets[i]:offsets[i + 1]]."""

    items: np.ndarray  # int32 item indices, sessions concatenated
    offsets: np.ndarray  # int64, n_sessions + 1 entries, starting at 0
    times: np.ndarray  # int64 or float64 unix seconds, per event
    session_ids: np.ndarray  # int64 original session id, per session
    user_ids: np.ndarray  # int64, per session (the session id for GRU4Rec TSV data)
    ratings: np.ndarray | None = None  # float64 per event, or None when the log has no ratings

    def __post_init__(self) -> None:
        self.items = np.asarray(self.items, dtype=np.int32)
        self.offsets = np.asarray(self.offsets, dtype=np.int64)
        self.session_ids = np.asarray(self.session_ids, dtype=np.int64)
        self.user_ids = np.asarray(self.user_ids, dtype=np.int64)
        n_sessions = self.offsets.size - 1
        if n_sessions < 0 or self.offsets[0] != 0 or self.offsets[-1] != self.items.size:
            raise ValueError(f"offsets must run from 0 to {self.items.size}, got {self.offsets[:1]}...{self.offsets[-1:]}")
        if (np.diff(self.offsets) < 1).any():
            raise ValueError("every session needs at least one event")
        if self.times.size != self.items.size:
            raise ValueError(f"{self.times.size} times for {self.items.size} events")
        if self.session_ids.size != n_sessions or self.user_ids.size != n_sessions:
            raise ValueError(f"session_ids and user_ids need {n_sessions} entries")
        if self.ratings is not None and self.ratings.size != self.items.size:
            raise ValueError(f"{self.ratings.size} ratings for {self.items.size} events")

    @classmethod
    def empty(cls, time_dtype: np.dtype | type = np.int64, with_ratings: bool = False) -> "SessionData":
        """Return data with no sessions, used for a missing validation set."""
        return cls(
            items=np.zeros(0, dtype=np.int32),
            offsets=np.zeros(1, dtype=np.int64),
            times=np.zeros(0, dtype=time_dtype),
            session_ids=np.zeros(0, dtype=np.int64),
            user_ids=np.zeros(0, dtype=np.int64),
            ratings=np.zeros(0, dtype=np.float64) if with_ratings else None,
        )

    @property
    def n_sessions(self) -> int:
        """Number of sessions."""
        return int(self.offsets.size - 1)

    @property
    def n_events(self) -> int:
        """Number of events over all sessions."""
        return int(self.items.size)

    @property
    def n_predictions(self) -> int:
        """Number of next-event predictions: the sum of (length - 1) over sessions."""
        return self.n_events - self.n_sessions

    @property
    def lengths(self) -> np.ndarray:
        """Events per session (int64)."""
        return np.diff(self.offsets)

    def session(self, i: int) -> slice:
        """Return the slice of the event arrays that contains session `i`."""
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))

    def to_frame(self, item_index: ItemIndex) -> pd.DataFrame:
        """Return one row per event with session_id, user_id, item_id (original id), time and rating."""
        lengths = self.lengths
        frame = pd.DataFrame(
            {
                "session_id": np.repeat(self.session_ids, lengths),
                "user_id": np.repeat(self.user_ids, lengths),
                "item_id": item_index.to_ids(self.items),
                "time": self.times,
            }
        )
        if self.ratings is not None:
            frame["rating"] = self.ratings
        return frame


@dataclass
class Split:
    """Train, validation and test sessions with the item index built from train."""

    train: SessionData
    valid: SessionData  # may have no sessions
    test: SessionData
    item_index: ItemIndex

    def summary(self) -> dict[str, dict[str, int]]:
        """Return events, sessions, distinct items and predictions of each part."""
        parts = {"train": self.train, "valid": self.valid, "test": self.test}
        return {
            name: {
                "events": data.n_events,
                "sessions": data.n_sessions,
                "items": int(np.unique(data.items).size),
                "predictions": data.n_predictions,
            }
            for name, data in parts.items()
        }


def _session_data(events: pd.DataFrame, items: np.ndarray) -> SessionData:
    """Build SessionData from events grouped by session and their int32 item indices."""
    if events.empty:
        time_dtype = events["time"].dtype if "time" in events.columns else np.int64
        return SessionData.empty(time_dtype, with_ratings="rating" in events.columns)

    session_ids = events["session_id"].to_numpy(dtype=np.int64)
    starts = np.ones(len(events), dtype=bool)
    starts[1:] = session_ids[1:] != session_ids[:-1]
    first_rows = np.flatnonzero(starts)
    ratings = events["rating"].to_numpy(dtype=np.float64) if "rating" in events.columns else None
    return SessionData(
        items=items,
        offsets=np.append(first_rows, len(events)).astype(np.int64),
        times=events["time"].to_numpy(),
        session_ids=session_ids[first_rows],
        user_ids=events["user_id"].to_numpy(dtype=np.int64)[first_rows],
        ratings=ratings,
    )


def _keep_known_items(events: pd.DataFrame, item_index: ItemIndex) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop events whose item is not in the index, then sessions left with fewer than 2 events.

    Returns the remaining events, ordered by session start, and their int32 item indices.
    """
    indices = item_index.to_index(events["item_id"].to_numpy())
    known = indices >= 0
    session_ids = events["session_id"].to_numpy()
    codes, uniques = pd.factorize(session_ids)
    lengths = np.bincount(codes[known], minlength=len(uniques))
    keep = known & (lengths[codes] >= MIN_EVAL_SESSION_LENGTH)

    # Dropping a session's first events can move its start, so order the sessions again.
    kept = events[keep].assign(item_index=indices[keep])
    kept = order_sessions(kept)
    return kept.drop(columns="item_index"), kept["item_index"].to_numpy(dtype=np.int32)


def _with_user_ids(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with a user_id column, copied from session_id when absent (GRU4Rec TSV)."""
    if "user_id" in df.columns:
        return df
    return df.assign(user_id=df["session_id"].to_numpy())


def split_by_time(sessions_df: pd.DataFrame, cfg: SplitConfig) -> Split:
    """Split sessions by the time of their last event.

    With `latest` the newest event time: test contains the sessions whose last event
    is at or after `latest - test_days`. Of the other sessions, valid contains those
    whose last event is at or after `newest remaining event - valid_days`, and train the
    rest. A valid_days of 0 leaves valid empty. Items are indexed from train in
    order of first appearance. Valid and test keep only events with items seen in
    train, and then only sessions with 2 or more events.
    Raises ConfigError when train or test ends up empty.
    """
    if cfg.test_days <= 0:
        raise ConfigError({"split.test_days": f"test_days must be > 0 to have a test set, got {cfg.test_days!r}"})
    if cfg.valid_days < 0:
        raise ConfigError({"split.valid_days": f"valid_days must be a number of days >= 0, got {cfg.valid_days!r}"})
    if sessions_df.empty:
        raise DataError(None, "there are no sessions to split", fix="Check the data and the session filters.")

    events = order_sessions(_with_user_ids(sessions_df))
    times = events["time"].to_numpy()
    session_codes, session_uniques = pd.factorize(events["session_id"].to_numpy())
    n_sessions = len(session_uniques)
    # Sessions are contiguous and time-ordered, so each block's last row is its last event.
    block_ends = np.append(np.flatnonzero(np.diff(session_codes)), len(events) - 1)
    last_time = times[block_ends]

    latest = times.max()
    is_test = last_time >= latest - cfg.test_days * SECONDS_PER_DAY
    remaining = ~is_test[session_codes]
    if not remaining.any():
        raise ConfigError(
            {
                "split.test_days": (
                    f"no training sessions left: all {n_sessions} sessions end in the last "
                    f"{cfg.test_days:g} days, which go to the test set; lower test_days"
                )
            }
        )

    is_valid = np.zeros(n_sessions, dtype=bool)
    if cfg.valid_days > 0:
        newest_remaining = times[remaining].max()
        is_valid = ~is_test & (last_time >= newest_remaining - cfg.valid_days * SECONDS_PER_DAY)
    is_train = ~is_test & ~is_valid
    if not is_train.any():
        raise ConfigError(
            {
                "split.valid_days": (
                    f"no training sessions left: the {int(is_valid.sum())} sessions before the test "
                    f"period all end within {cfg.valid_days:g} days of its start; lower valid_days"
                )
            }
        )

    train_events = events[is_train[session_codes]].reset_index(drop=True)
    item_index = ItemIndex.from_first_appearance(train_events["item_id"].to_numpy())
    train = _session_data(train_events, item_index.to_index(train_events["item_id"].to_numpy()))

    valid_events, valid_items = _keep_known_items(events[is_valid[session_codes]], item_index)
    test_events, test_items = _keep_known_items(events[is_test[session_codes]], item_index)
    if test_events.empty:
        raise ConfigError(
            {
                "split.test_days": (
                    f"test set is empty: none of the {int(is_test.sum())} sessions ending in the last "
                    f"{cfg.test_days:g} days keeps 2 or more events with items seen in training; "
                    "raise test_days"
                )
            }
        )
    if cfg.valid_days > 0 and valid_events.empty:
        logger.warning(
            "validation set is empty: no session ending within %g days before the test period "
            "keeps 2 or more events with items seen in training",
            cfg.valid_days,
        )

    return Split(
        train=train,
        valid=_session_data(valid_events, valid_items),
        test=_session_data(test_events, test_items),
        item_index=item_index,
    )


def split_presplit(
    train_df: pd.DataFrame, valid_df: pd.DataFrame | None, test_df: pd.DataFrame | None
) -> Split:
    """Build a split from pre-split sessions such as GRU4Rec TSV files.

    The sessions are taken as they are, ordered by start time. Items are indexed
    from train in order of first appearance. Valid and test keep only events with
    items seen in train, and then only sessions with 2 or more events.
    A missing valid or test frame gives an empty part.
    Raises ConfigError when both are missing or the test set ends up empty.
    """
    if valid_df is None and test_df is None:
        raise ConfigError({"data.test_path": "pre-split data needs a test (or valid) file besides train"})
    if train_df.empty:
        raise DataError(None, "the training data has no events", fix="Check the train file.")

    train_events = order_sessions(_with_user_ids(train_df))
    item_index = ItemIndex.from_first_appearance(train_events["item_id"].to_numpy())
    train = _session_data(train_events, item_index.to_index(train_events["item_id"].to_numpy()))
    empty = SessionData.empty(train.times.dtype, with_ratings=train.ratings is not None)

    def evaluation_part(df: pd.DataFrame | None, name: str) -> SessionData:
        if df is None:
            return empty
        if df.empty:
            logger.warning("the %s data has no events", name)
            return empty
        events, items = _keep_known_items(order_sessions(_with_user_ids(df)), item_index)
        if events.empty:
            logger.warning(
                "the %s set is empty: no session keeps 2 or more events with items seen in training", name
            )
        return _session_data(events, items)

    valid = evaluation_part(valid_df, "validation")
    test = evaluation_part(test_df, "test")
    if test_df is not None and test.n_sessions == 0:
        raise ConfigError(
            {
                "data.test_path": (
                    "test set is empty: no test session keeps 2 or more events with items seen "
                    "in training; check that the test file belongs to the train file"
                )
            }
        )
    return Split(train=train, valid=valid, test=test, item_index=item_index)
