"""Filter an interaction log and cut it into sessions.

The steps run in a fixed order: rating threshold, recent window, sessionise,
then the item-support and session-length filters repeated until neither
removes anything. Every step is vectorised with numpy and pandas.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from core.config import SESSION_MODES, SessionConfig
from core.errors import ConfigError, DataError
from core.stats import DataStats, compute_stats

__all__ = [
    "DataStats",
    "assign_sessions",
    "compute_stats",
    "filter_and_sessionize",
    "filter_min_rating",
    "filter_recent",
    "filter_support_and_length",
    "order_sessions",
    "sort_by_time",
]

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86400
REQUIRED_COLUMNS = ("user_id", "item_id", "time")
OUTPUT_COLUMNS = ("session_id", "user_id", "item_id", "time", "rating")


def sort_by_time(df: pd.DataFrame) -> pd.DataFrame:
    """Return the events ordered by time. Events with equal timestamps keep their row order."""
    order = np.argsort(df["time"].to_numpy(), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def filter_min_rating(df: pd.DataFrame, min_rating: float | None) -> pd.DataFrame:
    """Keep events rated at least `min_rating`.

    Nothing is dropped when `min_rating` is None or the log has no rating column.
    Raises ConfigError when no event reaches the threshold.
    """
    if min_rating is None or "rating" not in df.columns:
        return df

    ratings = df["rating"].to_numpy()
    keep = ratings >= min_rating
    if not keep.any():
        raise ConfigError(
            {
                "sessions.min_rating": (
                    f"no events left after min_rating {min_rating:g}: ratings range from "
                    f"{ratings.min():g} to {ratings.max():g}; lower min_rating to {ratings.max():g} or less"
                )
            }
        )
    return df[keep].reset_index(drop=True)


def filter_recent(df: pd.DataFrame, recent_days: float | None) -> pd.DataFrame:
    """Keep events at or after `latest - recent_days` days, where `latest` is the newest event time.

    Nothing is dropped when `recent_days` is None. The newest event always stays.
    Raises ConfigError for a negative window.
    """
    if recent_days is None or df.empty:
        return df
    if recent_days < 0:
        raise ConfigError(
            {"sessions.recent_days": f"recent window must be a positive number of days, got {recent_days!r}"}
        )

    times = df["time"].to_numpy()
    start = times.max() - recent_days * SECONDS_PER_DAY
    keep = times >= start
    return df[keep].reset_index(drop=True)


def assign_sessions(df: pd.DataFrame, mode: str, gap_minutes: float = 30.0) -> pd.DataFrame:
    """Add an int64 `session_id` column to time-ordered events.

    In "user" mode the session id is the user id. In "gap" mode a user's next event
    starts a new session when it comes more than `gap_minutes` after the previous one
    (a gap of exactly `gap_minutes` does not split). Gap-mode sessions are numbered
    from 0 in order of their first event in `df`, so the ids follow the start times.
    """
    if mode not in SESSION_MODES:
        raise ConfigError({"sessions.mode": f"unknown session mode {mode!r}; use 'user' or 'gap'"})

    out = df.copy()
    if mode == "user":
        out["session_id"] = out["user_id"].to_numpy(dtype=np.int64)
        return out
    if out.empty:
        out["session_id"] = np.zeros(0, dtype=np.int64)
        return out

    # Group each user's events together while keeping their time order, then mark
    # the rows where a new user begins or the idle gap is exceeded.
    users = out["user_id"].to_numpy()
    times = out["time"].to_numpy()
    by_user = np.argsort(users, kind="stable")
    users_sorted = users[by_user]
    times_sorted = times[by_user]

    starts = np.ones(len(out), dtype=bool)
    starts[1:] = (users_sorted[1:] != users_sorted[:-1]) | (
        (times_sorted[1:] - times_sorted[:-1]) > gap_minutes * 60
    )
    session_in_user_order = np.cumsum(starts) - 1

    session_of_row = np.empty(len(out), dtype=np.int64)
    session_of_row[by_user] = session_in_user_order

    # Renumber by the row where each session first occurs in the time-ordered log.
    _, first_rows = np.unique(session_of_row, return_index=True)
    rank = np.empty(len(first_rows), dtype=np.int64)
    rank[np.argsort(first_rows, kind="stable")] = np.arange(len(first_rows), dtype=np.int64)
    out["session_id"] = rank[session_of_row]
    return out


def filter_support_and_length(
    df: pd.DataFrame, min_item_support: int = 1, min_session_length: int = 1
) -> pd.DataFrame:
    """Drop rare items and short sessions, repeating both filters until neither drops anything.

    One pass can leave a session too short (after its rare items went) or an item
    too rare (after its short sessions went), hence the loop. Raises ConfigError
    when nothing is left.
    """
    if (min_item_support <= 1 and min_session_length <= 1) or df.empty:
        return df

    item_codes, item_uniques = pd.factorize(df["item_id"].to_numpy())
    session_codes, session_uniques = pd.factorize(df["session_id"].to_numpy())
    keep = np.ones(len(df), dtype=bool)
    longest_before = int(np.bincount(session_codes).max())

    passes = 0
    while True:
        passes += 1
        removed = 0

        item_counts = np.bincount(item_codes[keep], minlength=len(item_uniques))
        drop = keep & (item_counts[item_codes] < min_item_support)
        removed += int(drop.sum())
        keep &= ~drop

        session_counts = np.bincount(session_codes[keep], minlength=len(session_uniques))
        drop = keep & (session_counts[session_codes] < min_session_length)
        removed += int(drop.sum())
        keep &= ~drop

        if removed == 0 or not keep.any():
            break

    logger.debug("support and length filters were stable after %d passes", passes)
    if not keep.any():
        if min_session_length > longest_before:
            message = (
                f"no sessions left after min_session_length {min_session_length}: the longest "
                f"session has {longest_before} events; lower min_session_length"
            )
            raise ConfigError({"sessions.min_session_length": message})
        message = (
            f"no events left after min_item_support {min_item_support} and min_session_length "
            f"{min_session_length}: removing rare items shortens sessions until none remain; "
            "lower one of them"
        )
        raise ConfigError({"sessions.min_item_support": message})
    return df[keep].reset_index(drop=True)


def order_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """Return the events grouped by session, sessions ordered by start time, then by session id.

    Events within a session are ordered by time, and events with equal times keep
    their row order in `df`, so this is idempotent.
    """
    times = df["time"].to_numpy()
    session_ids = df["session_id"].to_numpy()
    within = np.argsort(times, kind="stable")
    position = np.empty(len(df), dtype=np.int64)
    position[within] = np.arange(len(df), dtype=np.int64)

    start = df.groupby("session_id", sort=False)["time"].transform("min").to_numpy()
    order = np.lexsort((position, session_ids, start))
    return df.iloc[order].reset_index(drop=True)


def filter_and_sessionize(df: pd.DataFrame, cfg: SessionConfig) -> pd.DataFrame:
    """Apply the session settings to a raw log and return its sessions.

    Returns the columns session_id (int64), user_id, item_id, time and, when the
    log has it, rating. Sessions are ordered by start time and then by id.
    Events within a session are ordered by time, and equal times keep file order.
    Raises DataError for an empty log and ConfigError when a filter leaves nothing.
    """
    missing = [name for name in REQUIRED_COLUMNS if name not in df.columns]
    if missing:
        raise ValueError(f"interactions lack the column(s) {', '.join(missing)}; got {list(df.columns)}")
    if df.empty:
        raise DataError(None, "the log has no events", fix="Check the data path and format.")

    columns = [name for name in REQUIRED_COLUMNS + ("rating",) if name in df.columns]
    events = sort_by_time(df[columns])
    events = filter_min_rating(events, cfg.min_rating)
    events = filter_recent(events, cfg.recent_days)
    events = assign_sessions(events, cfg.mode, cfg.gap_minutes)
    events = filter_support_and_length(events, cfg.min_item_support, cfg.min_session_length)
    events = order_sessions(events)

    output = [name for name in OUTPUT_COLUMNS if name in events.columns]
    return events[output]
