"""Tests for the session filters, sessionisation and log statistics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.config import SessionConfig
from core.errors import ConfigError, DataError
from core.sessions import (
    assign_sessions,
    filter_and_sessionize,
    filter_min_rating,
    filter_recent,
    filter_support_and_length,
    order_sessions,
    sort_by_time,
)
from core.stats import compute_stats, length_bin_edges

DAY = 86400


def make_log(rows: list[tuple], columns: tuple[str, ...] = ("user_id", "item_id", "time", "rating")) -> pd.DataFrame:
    """Build an interaction log with the dtypes the readers produce."""
    df = pd.DataFrame(rows, columns=list(columns))
    for name in ("user_id", "item_id", "session_id"):
        if name in df.columns:
            df[name] = df[name].astype(np.int64)
    if "rating" in df.columns:
        df["rating"] = df["rating"].astype(np.float64)
    return df


def no_filters(**changes) -> SessionConfig:
    """Return session settings that drop nothing, with `changes` applied."""
    settings = dict(min_rating=None, recent_days=None, mode="user", min_item_support=1, min_session_length=1)
    settings.update(changes)
    return SessionConfig(**settings)


# ---- ordering ---------------------------------------------------------------


def test_sort_by_time_keeps_file_order_of_ties():
    log = make_log([(1, 10, 100, 4), (1, 11, 50, 4), (1, 12, 100, 4), (1, 13, 100, 4), (1, 14, 20, 4)])

    ordered = sort_by_time(log)

    assert ordered["item_id"].tolist() == [14, 11, 10, 12, 13]
    assert ordered.index.tolist() == [0, 1, 2, 3, 4]


def test_sort_by_time_many_ties():
    # Enough rows that an unstable sort algorithm would reorder some ties.
    rows = [(1, row, row % 3, 4) for row in range(300)]

    ordered = sort_by_time(make_log(rows))

    expected = [row for time in range(3) for row in range(300) if row % 3 == time]
    assert ordered["item_id"].tolist() == expected


def test_sessionize_keeps_tie_order_within_session():
    # Equal timestamps must keep file order even after grouping by session.
    log = make_log(
        [(2, 20, 100, 4), (1, 10, 100, 4), (2, 21, 100, 4), (1, 11, 90, 4), (1, 12, 100, 4), (2, 22, 95, 4)]
    )

    out = filter_and_sessionize(log, no_filters())

    assert out["session_id"].tolist() == [1, 1, 1, 2, 2, 2]
    assert out["item_id"].tolist() == [11, 10, 12, 22, 20, 21]


def test_sessions_ordered_by_start_then_id():
    # Users 7 and 3 both start at t=10; user 5 starts first at t=5.
    log = make_log([(7, 1, 10, 4), (3, 2, 10, 4), (7, 3, 12, 4), (5, 4, 5, 4), (3, 5, 30, 4), (5, 6, 40, 4)])

    out = filter_and_sessionize(log, no_filters())

    assert out["session_id"].tolist() == [5, 5, 3, 3, 7, 7]
    assert out["item_id"].tolist() == [4, 6, 2, 5, 1, 3]
    assert out["time"].tolist() == [5, 40, 10, 30, 10, 12]


def test_order_sessions_is_idempotent():
    log = make_log([(7, 1, 10, 4), (3, 2, 10, 4), (7, 3, 10, 4), (3, 4, 5, 4)])
    log = assign_sessions(sort_by_time(log), "user")

    once = order_sessions(log)
    twice = order_sessions(once)

    pd.testing.assert_frame_equal(once, twice)
    assert once["item_id"].tolist() == [4, 2, 1, 3]


def test_output_columns_and_dtypes():
    log = make_log([(1, 10, 100, 4.0), (1, 11, 200, 3.5)])

    out = filter_and_sessionize(log, no_filters())

    assert list(out.columns) == ["session_id", "user_id", "item_id", "time", "rating"]
    assert out["session_id"].dtype == np.int64
    assert out["item_id"].dtype == np.int64
    assert out["time"].dtype == np.int64
    assert out["rating"].dtype == np.float64


def test_output_without_rating_column():
    log = make_log([(1, 10, 100.5), (1, 11, 200.25)], columns=("user_id", "item_id", "time"))

    out = filter_and_sessionize(log, SessionConfig(min_rating=3, recent_days=None))

    assert list(out.columns) == ["session_id", "user_id", "item_id", "time"]
    assert out["time"].dtype == np.float64
    assert out["time"].tolist() == [100.5, 200.25]


# ---- rating and recent-window filters ---------------------------------------


def test_min_rating_keeps_threshold_and_above():
    log = make_log([(1, 10, 1, 1), (1, 11, 2, 3), (1, 12, 3, 2.5), (1, 13, 4, 5), (1, 14, 5, 3)])

    kept = filter_min_rating(log, 3)

    assert kept["item_id"].tolist() == [11, 13, 14]


def test_min_rating_none_keeps_everything():
    log = make_log([(1, 10, 1, 1), (1, 11, 2, 3)])

    assert len(filter_min_rating(log, None)) == 2


def test_min_rating_skipped_without_rating_column():
    log = make_log([(1, 10, 1), (1, 11, 2)], columns=("user_id", "item_id", "time"))

    assert len(filter_min_rating(log, 4)) == 2


def test_min_rating_above_all_ratings_raises():
    log = make_log([(1, 10, 1, 1), (1, 11, 2, 5)])

    with pytest.raises(ConfigError) as caught:
        filter_min_rating(log, 6)

    message = caught.value.errors["sessions.min_rating"]
    assert "min_rating 6" in message
    assert "from 1 to 5" in message
    assert "lower min_rating" in message


def test_recent_window_keeps_boundary_event():
    # latest = day 3; a 2-day window starts exactly at day 1.
    log = make_log([(1, 10, 0, 4), (1, 11, DAY - 1, 4), (1, 12, DAY, 4), (2, 13, 2.5 * DAY, 4), (2, 14, 3 * DAY, 4)])

    kept = filter_recent(log, 2)

    assert kept["item_id"].tolist() == [12, 13, 14]


def test_recent_window_none_keeps_everything():
    log = make_log([(1, 10, 0, 4), (1, 11, 1000 * DAY, 4)])

    assert len(filter_recent(log, None)) == 2


def test_rating_filter_runs_before_recent_window():
    # The newest event is rated 1. Once the rating filter drops it, the newest
    # remaining event (day 10) anchors the window, so day 9 stays.
    log = make_log([(1, 10, 9 * DAY, 4), (1, 11, 10 * DAY, 4), (1, 12, 20 * DAY, 1)])

    out = filter_and_sessionize(log, no_filters(min_rating=3, recent_days=1))

    assert out["item_id"].tolist() == [10, 11]


# ---- sessionisation ---------------------------------------------------------


def test_user_mode_session_is_user():
    log = make_log([(4, 10, 0, 4), (9, 11, 5, 4), (4, 12, 100000, 4)])

    out = filter_and_sessionize(log, no_filters(mode="user"))

    assert out["session_id"].tolist() == [4, 4, 9]
    assert out["user_id"].tolist() == [4, 4, 9]


def test_gap_mode_splits_only_above_threshold():
    # Gap 30 minutes = 1800 s. User 1: 0 -> 1800 is exactly the gap (same session),
    # 1800 -> 3601 exceeds it (new session). User 2: 100 -> 5000 exceeds it.
    log = make_log(
        [(1, 10, 0, 4), (2, 20, 100, 4), (1, 11, 1800, 4), (1, 12, 3601, 4), (1, 13, 3700, 4), (2, 21, 5000, 4)]
    )

    out = filter_and_sessionize(log, no_filters(mode="gap", gap_minutes=30))

    # Sessions are numbered by start: u1@0 -> 0, u2@100 -> 1, u1@3601 -> 2, u2@5000 -> 3.
    assert out["session_id"].tolist() == [0, 0, 1, 2, 2, 3]
    assert out["user_id"].tolist() == [1, 1, 2, 1, 1, 2]
    assert out["item_id"].tolist() == [10, 11, 20, 12, 13, 21]
    assert out["session_id"].dtype == np.int64


def test_gap_mode_with_float_times():
    log = make_log([(1, 10, 0.0), (1, 11, 60.0), (1, 12, 120.5)], columns=("user_id", "item_id", "time"))

    sessions = assign_sessions(log, "gap", gap_minutes=1)

    assert sessions["session_id"].tolist() == [0, 0, 1]


def test_unknown_mode_raises():
    log = make_log([(1, 10, 0, 4)])

    with pytest.raises(ConfigError) as caught:
        filter_and_sessionize(log, no_filters(mode="day"))

    assert "sessions.mode" in caught.value.errors


def test_empty_log_raises_data_error():
    log = make_log([], columns=("user_id", "item_id", "time"))

    with pytest.raises(DataError, match="no events"):
        filter_and_sessionize(log, no_filters())


def test_missing_column_raises():
    log = pd.DataFrame({"user_id": [1], "time": [0]})

    with pytest.raises(ValueError, match="item_id"):
        filter_and_sessionize(log, no_filters())


# ---- item-support and session-length filters --------------------------------


def iterated_filter_log() -> pd.DataFrame:
    # Sessions (user mode): A=[1, 2], B=[2, 3, 3], C=[3, 4], D=[5, 5].
    # Pass 1 drops items 1 and 4, then sessions A=[2] and C=[3]. That leaves item 2
    # with one event, so pass 2 drops it from B. Pass 3 changes nothing.
    return make_log(
        [
            (1, 1, 0, 4), (1, 2, 1, 4),
            (2, 2, 2, 4), (2, 3, 3, 4), (2, 3, 4, 4),
            (3, 3, 5, 4), (3, 4, 6, 4),
            (4, 5, 7, 4), (4, 5, 8, 4),
        ]
    )  # fmt: skip


def test_support_and_length_filters_repeat_until_stable():
    out = filter_and_sessionize(iterated_filter_log(), no_filters(min_item_support=2, min_session_length=2))

    assert out["session_id"].tolist() == [2, 2, 4, 4]
    assert out["item_id"].tolist() == [3, 3, 5, 5]
    assert out["time"].tolist() == [3, 4, 7, 8]


def test_support_filter_alone():
    out = filter_and_sessionize(iterated_filter_log(), no_filters(min_item_support=2))

    assert out["item_id"].tolist() == [2, 2, 3, 3, 3, 5, 5]


def test_length_filter_alone():
    out = filter_and_sessionize(iterated_filter_log(), no_filters(min_session_length=3))

    assert out["session_id"].tolist() == [2, 2, 2]


def test_filtering_moves_session_start():
    # User 1 starts first, but its first item is rare; once that event goes,
    # user 2 starts first.
    log = make_log([(1, 9, 0, 4), (2, 5, 1, 4), (1, 5, 2, 4), (2, 5, 3, 4), (1, 5, 4, 4)])

    out = filter_and_sessionize(log, no_filters(min_item_support=2))

    assert out["session_id"].tolist() == [2, 2, 1, 1]


def test_session_length_above_longest_raises():
    log = make_log([(1, 1, 0, 4), (1, 2, 1, 4), (2, 1, 2, 4)])
    sessions = assign_sessions(log, "user")

    with pytest.raises(ConfigError) as caught:
        filter_support_and_length(sessions, min_item_support=1, min_session_length=5)

    message = caught.value.errors["sessions.min_session_length"]
    assert "longest session has 2 events" in message


def test_support_filter_emptying_log_raises():
    log = make_log([(1, 1, 0, 4), (1, 2, 1, 4), (2, 3, 2, 4)])
    sessions = assign_sessions(log, "user")

    with pytest.raises(ConfigError) as caught:
        filter_support_and_length(sessions, min_item_support=2, min_session_length=1)

    assert "min_item_support 2" in caught.value.errors["sessions.min_item_support"]


# ---- statistics -------------------------------------------------------------


def stats_log() -> pd.DataFrame:
    # Session 1: three events on day 0, two of them at the same second.
    # Session 2: one event on day 2. Session 3: two events, days 0 and 2.
    # Day 1 has no events.
    return make_log(
        [
            (1, 1, 100, 1, 1),
            (1, 10, 200, 5, 1),
            (1, 11, 200, 4, 1),
            (2, 10, 2 * DAY + 50, 4, 2),
            (2, 11, 300, 4, 3),
            (2, 12, 2 * DAY + 10, 3, 3),
        ],
        columns=("user_id", "item_id", "time", "rating", "session_id"),
    )


def test_stats_counts_and_time_range():
    stats = compute_stats(stats_log())

    assert stats.events == 6
    assert stats.users == 2
    assert stats.sessions == 3
    assert stats.items == 4
    assert stats.time_min == 100
    assert stats.time_max == 2 * DAY + 50
    assert stats.date_min == "1970-01-01"
    assert stats.date_max == "1970-01-03"
    assert stats.span_days == pytest.approx((2 * DAY - 50) / DAY)


def test_stats_ratings_and_lengths():
    stats = compute_stats(stats_log())

    assert stats.rating_counts == {1.0: 1, 3.0: 1, 4.0: 3, 5.0: 1}
    assert stats.session_length.count == 3
    assert stats.session_length.mean == pytest.approx(2.0)
    assert stats.session_length.median == 2.0
    assert stats.session_length.min == 1.0
    assert stats.session_length.max == 3.0
    assert stats.length_histogram.edges == [1, 2, 3, 4]
    assert stats.length_histogram.counts == [1, 1, 1]


def test_stats_duration_days_and_ties():
    stats = compute_stats(stats_log())

    # Durations: session 1 = 100 s, session 2 = 0 s, session 3 = 2 days - 290 s.
    assert stats.session_duration.min == 0.0
    assert stats.session_duration.median == 100.0
    assert stats.session_duration.max == float(2 * DAY - 290)
    assert stats.daily_dates == ["1970-01-01", "1970-01-02", "1970-01-03"]
    assert stats.daily_counts == [4, 0, 2]
    assert stats.events_per_day.mean == pytest.approx(2.0)
    assert stats.events_per_day.max == 4.0
    assert stats.time_ties == 1
    assert stats.time_tie_share == pytest.approx(1 / 6)


def test_stats_without_session_column_use_users():
    log = stats_log().drop(columns=["session_id", "rating"])

    stats = compute_stats(log)

    assert stats.sessions == 2
    assert stats.rating_counts is None
    assert stats.session_length.max == 3.0


def test_stats_of_empty_log():
    stats = compute_stats(make_log([], columns=("user_id", "item_id", "time")))

    assert stats.events == 0
    assert stats.session_length.count == 0
    assert stats.session_length.mean is None
    assert json.dumps(stats.to_dict(), allow_nan=False)


def test_stats_to_dict_is_json():
    data = compute_stats(stats_log()).to_dict()

    text = json.dumps(data, allow_nan=False)

    assert json.loads(text)["rating_counts"] == {"1": 1, "3": 1, "4": 3, "5": 1}
    assert data["session_length"]["median"] == 2.0
    assert data["length_histogram"]["counts"] == [1, 1, 1]


def test_length_bin_edges():
    assert length_bin_edges(1) == [1, 2]
    assert length_bin_edges(20) == list(range(1, 22))
    assert length_bin_edges(21) == [1, 2, 3, 4, 5, 10, 20, 50]
    assert length_bin_edges(50) == [1, 2, 3, 4, 5, 10, 20, 50, 100]
    assert length_bin_edges(509) == [1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000]


def test_long_sessions_fall_in_wide_bins():
    lengths = [1, 4, 5, 9, 10, 30, 30, 120]
    rows = [(user, user, t, 4) for user, length in enumerate(lengths) for t in range(length)]

    stats = compute_stats(make_log(rows))

    assert stats.length_histogram.edges == [1, 2, 3, 4, 5, 10, 20, 50, 100, 200]
    assert stats.length_histogram.counts == [1, 0, 0, 1, 2, 1, 2, 0, 1]
    assert sum(stats.length_histogram.counts) == stats.sessions
