"""Tests for the time split, the item index and SessionData."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import SessionConfig, SplitConfig
from core.errors import ConfigError, DataError
from core.sessions import filter_and_sessionize
from core.split import ItemIndex, SessionData, split_by_time, split_presplit

DAY = 86400


def sessions_frame(rows: list[tuple[int, float, int]]) -> pd.DataFrame:
    """Build a sessionised log from (session_id, time in days, item_id) rows; user = 10 * session."""
    df = pd.DataFrame(rows, columns=["session_id", "days", "item_id"])
    return pd.DataFrame(
        {
            "session_id": df["session_id"].astype(np.int64),
            "user_id": (df["session_id"] * 10).astype(np.int64),
            "item_id": df["item_id"].astype(np.int64),
            "time": (df["days"] * DAY).round().astype(np.int64),
        }
    )


def split_log() -> pd.DataFrame:
    # latest = day 100, test_days 10: test sessions end at or after day 90.
    # The newest non-test event is day 85 (session 3), so with valid_days 5 the
    # valid sessions end at or after day 80, not day 85 (latest - test - valid).
    return sessions_frame(
        [
            (4, 0.5, 40), (4, 79.5, 50),            # ends 79.5: train
            (1, 1, 30), (1, 1, 10), (1, 2, 20),     # ends day 2: train; tie at day 1 keeps 30 first
            (2, 3, 10), (2, 80, 20),                # ends day 80 (the boundary): valid
            (3, 84, 99), (3, 85, 30),               # valid; 99 unseen in train, one event left: dropped
            (5, 89, 10), (5, 90, 40),               # ends day 90 (the boundary): test
            (6, 95, 98), (6, 96, 10), (6, 100, 30),  # test; 98 unseen, [10, 30] remain
            (7, 97, 98), (7, 98, 20),               # test; 98 unseen, one event left: dropped
        ]
    )  # fmt: skip


def sessions_of(data: SessionData, item_index: ItemIndex) -> list[list[int]]:
    """Return the original item ids of each session."""
    ids = item_index.to_ids(data.items)
    return [ids[data.session(i)].tolist() for i in range(data.n_sessions)]


# ---- split_by_time ----------------------------------------------------------


def test_split_assigns_sessions_by_last_event():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=5))

    assert split.train.session_ids.tolist() == [4, 1]
    assert split.valid.session_ids.tolist() == [2]
    assert split.test.session_ids.tolist() == [5, 6]


def test_split_item_index_in_train_first_appearance_order():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=5))

    # Session 4 starts first, so its items come before those of session 1 even
    # though item 50 is the last train event in time.
    assert split.item_index.item_ids.tolist() == [40, 50, 30, 10, 20]
    assert split.train.items.tolist() == [0, 1, 2, 3, 4]


def test_split_removes_unseen_items_then_short_sessions():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=5))

    assert sessions_of(split.valid, split.item_index) == [[10, 20]]
    assert sessions_of(split.test, split.item_index) == [[10, 40], [10, 30]]
    assert split.test.times.tolist() == [89 * DAY, 90 * DAY, 96 * DAY, 100 * DAY]
    assert split.test.user_ids.tolist() == [50, 60]


def test_split_summary_counts():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=5))

    summary = split.summary()

    assert summary["train"] == {"events": 5, "sessions": 2, "items": 5, "predictions": 3}
    assert summary["valid"] == {"events": 2, "sessions": 1, "items": 2, "predictions": 1}
    assert summary["test"] == {"events": 4, "sessions": 2, "items": 3, "predictions": 2}


def test_split_array_types():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=5))

    for data in (split.train, split.valid, split.test):
        assert data.items.dtype == np.int32
        assert data.offsets.dtype == np.int64
        assert data.times.dtype == np.int64
        assert data.session_ids.dtype == np.int64
        assert data.ratings is None


def test_split_valid_days_zero_gives_empty_valid():
    split = split_by_time(split_log(), SplitConfig(test_days=10, valid_days=0))

    assert split.valid.n_sessions == 0
    assert split.valid.n_events == 0
    assert split.train.session_ids.tolist() == [4, 1, 2, 3]
    assert split.item_index.item_ids.tolist() == [40, 50, 30, 10, 20, 99]


def test_split_keeps_ratings():
    log = split_log()
    log["rating"] = np.arange(len(log), dtype=np.float64)

    split = split_by_time(log, SplitConfig(test_days=10, valid_days=5))

    assert split.train.ratings.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert split.test.ratings.tolist() == [9.0, 10.0, 12.0, 13.0]


def test_split_reorders_test_sessions_after_unseen_removal():
    # Test session 8 starts before session 9, but its first item is unseen. Once that
    # event goes, session 9 starts first.
    log = sessions_frame([(1, 0, 1), (1, 1, 2), (8, 90, 77), (8, 95, 1), (8, 96, 2), (9, 92, 2), (9, 93, 1)])

    split = split_by_time(log, SplitConfig(test_days=30, valid_days=0))

    assert split.test.session_ids.tolist() == [9, 8]
    assert sessions_of(split.test, split.item_index) == [[2, 1], [1, 2]]


def test_split_everything_in_test_raises():
    with pytest.raises(ConfigError) as caught:
        split_by_time(split_log(), SplitConfig(test_days=200, valid_days=5))

    message = caught.value.errors["split.test_days"]
    assert "no training sessions left" in message
    assert "lower test_days" in message


def test_split_everything_in_valid_raises():
    with pytest.raises(ConfigError) as caught:
        split_by_time(split_log(), SplitConfig(test_days=10, valid_days=100))

    assert "no training sessions left" in caught.value.errors["split.valid_days"]


def test_split_empty_test_after_filters_raises():
    # The only test session uses an item that never occurs in train.
    log = sessions_frame([(1, 0, 1), (1, 1, 2), (2, 95, 3), (2, 96, 4)])

    with pytest.raises(ConfigError) as caught:
        split_by_time(log, SplitConfig(test_days=10, valid_days=0))

    assert "test set is empty" in caught.value.errors["split.test_days"]


def test_split_rejects_zero_test_days():
    with pytest.raises(ConfigError):
        split_by_time(split_log(), SplitConfig(test_days=0, valid_days=5))


def test_split_of_empty_log_raises():
    with pytest.raises(DataError):
        split_by_time(split_log().iloc[:0], SplitConfig())


# ---- split_presplit ---------------------------------------------------------


def tsv_frame(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    """Build what the GRU4Rec TSV reader returns from (session, item, time) rows."""
    df = pd.DataFrame(rows, columns=["session_id", "item_id", "time"])
    return pd.DataFrame(
        {
            "session_id": df["session_id"].astype(np.int64),
            "user_id": df["session_id"].astype(np.int64),
            "item_id": df["item_id"].astype(np.int64),
            "time": df["time"].astype(np.float64),
        }
    )


def test_presplit_filters_valid_and_test():
    train = tsv_frame([(2, 7, 10.5), (2, 8, 11.0), (1, 9, 5.0), (1, 7, 6.0)])
    valid = tsv_frame([(3, 7, 20.0), (3, 55, 21.0), (4, 8, 22.0), (4, 9, 23.0)])
    test = tsv_frame([(5, 7, 30.0), (5, 8, 31.0), (5, 66, 32.0), (6, 66, 33.0), (6, 9, 34.0)])

    split = split_presplit(train, valid, test)

    # Session 1 starts first in train, so item 9 gets index 0.
    assert split.item_index.item_ids.tolist() == [9, 7, 8]
    assert split.train.session_ids.tolist() == [1, 2]
    assert sessions_of(split.valid, split.item_index) == [[8, 9]]
    assert sessions_of(split.test, split.item_index) == [[7, 8]]
    assert split.test.times.dtype == np.float64
    assert split.test.times.tolist() == [30.0, 31.0]


def test_presplit_reorders_after_unseen_removal():
    train = tsv_frame([(1, 1, 0.0), (1, 2, 1.0)])
    test = tsv_frame([(8, 77, 10.0), (8, 1, 15.0), (8, 2, 16.0), (9, 2, 12.0), (9, 1, 13.0)])

    split = split_presplit(train, None, test)

    assert split.test.session_ids.tolist() == [9, 8]


def test_presplit_without_valid():
    train = tsv_frame([(1, 1, 0.0), (1, 2, 1.0)])
    test = tsv_frame([(2, 1, 5.0), (2, 2, 6.0)])

    split = split_presplit(train, None, test)

    assert split.valid.n_sessions == 0
    assert split.valid.times.dtype == np.float64
    assert split.test.n_predictions == 1


def test_presplit_needs_an_evaluation_part():
    train = tsv_frame([(1, 1, 0.0), (1, 2, 1.0)])

    with pytest.raises(ConfigError):
        split_presplit(train, None, None)


def test_presplit_empty_test_raises():
    train = tsv_frame([(1, 1, 0.0), (1, 2, 1.0)])
    test = tsv_frame([(2, 3, 5.0), (2, 4, 6.0)])

    with pytest.raises(ConfigError) as caught:
        split_presplit(train, None, test)

    assert "test set is empty" in caught.value.errors["data.test_path"]


def test_presplit_empty_train_raises():
    train = tsv_frame([])
    test = tsv_frame([(2, 3, 5.0), (2, 4, 6.0)])

    with pytest.raises(DataError, match="training data has no events"):
        split_presplit(train, None, test)


# ---- ItemIndex and SessionData ----------------------------------------------


def test_item_index_maps_unknown_to_minus_one():
    index = ItemIndex.from_first_appearance(np.array([30, 10, 30, 20, 10]))

    assert index.item_ids.tolist() == [30, 10, 20]
    assert index.n_items == 3
    mapped = index.to_index(np.array([20, 99, 30, 10, -5]))
    assert mapped.tolist() == [2, -1, 0, 1, -1]
    assert mapped.dtype == np.int32
    assert index.to_ids(np.array([1, 2])).tolist() == [10, 20]


def test_empty_item_index_maps_all_unknown():
    index = ItemIndex(np.zeros(0, dtype=np.int64))

    assert index.to_index(np.array([1, 2])).tolist() == [-1, -1]


def test_item_index_rejects_duplicates():
    with pytest.raises(ValueError, match="unique"):
        ItemIndex(np.array([1, 2, 1]))


def test_session_data_counts_and_slices():
    data = SessionData(
        items=np.array([0, 1, 2, 1, 0, 3]),
        offsets=np.array([0, 3, 4, 6]),
        times=np.arange(6, dtype=np.int64),
        session_ids=np.array([5, 6, 7]),
        user_ids=np.array([50, 60, 70]),
    )

    assert data.n_sessions == 3
    assert data.n_events == 6
    assert data.n_predictions == 3
    assert data.lengths.tolist() == [3, 1, 2]
    assert data.items[data.session(2)].tolist() == [0, 3]


def test_session_data_to_frame():
    index = ItemIndex(np.array([100, 200, 300]))
    data = SessionData(
        items=np.array([2, 0, 1]),
        offsets=np.array([0, 2, 3]),
        times=np.array([1.5, 2.5, 3.5]),
        session_ids=np.array([8, 9]),
        user_ids=np.array([80, 90]),
        ratings=np.array([4.0, 5.0, 3.0]),
    )

    frame = data.to_frame(index)

    assert frame["session_id"].tolist() == [8, 8, 9]
    assert frame["user_id"].tolist() == [80, 80, 90]
    assert frame["item_id"].tolist() == [300, 100, 200]
    assert frame["time"].tolist() == [1.5, 2.5, 3.5]
    assert frame["rating"].tolist() == [4.0, 5.0, 3.0]


def test_session_data_empty():
    data = SessionData.empty(np.float64)

    assert data.n_sessions == 0
    assert data.n_events == 0
    assert data.n_predictions == 0
    assert data.offsets.tolist() == [0]
    assert data.times.dtype == np.float64


def test_session_data_rejects_bad_offsets():
    with pytest.raises(ValueError):
        SessionData(
            items=np.array([0, 1]),
            offsets=np.array([0, 3]),
            times=np.array([0, 1]),
            session_ids=np.array([1]),
            user_ids=np.array([1]),
        )
    with pytest.raises(ValueError, match="at least one event"):
        SessionData(
            items=np.array([0, 1]),
            offsets=np.array([0, 2, 2]),
            times=np.array([0, 1]),
            session_ids=np.array([1, 2]),
            user_ids=np.array([1, 2]),
        )


# ---- MovieLens 100K course protocol -----------------------------------------


@pytest.fixture
def ml100k_split(shared_data):
    ratings = shared_data / "ml-100k" / "u.data"
    log = pd.read_csv(ratings, sep="\t", names=["user_id", "item_id", "rating", "time"], dtype=np.int64)
    log["rating"] = log["rating"].astype(np.float64)
    sessions = filter_and_sessionize(log, SessionConfig(min_rating=3, recent_days=730, mode="user"))
    return split_by_time(sessions, SplitConfig(test_days=30, valid_days=30))


def test_ml100k_course_figures(ml100k_split):
    summary = ml100k_split.summary()

    assert (summary["train"]["events"], summary["train"]["sessions"]) == (43580, 572)
    assert (summary["valid"]["events"], summary["valid"]["sessions"]) == (12621, 129)
    assert summary["valid"]["predictions"] == 12492
    assert (summary["test"]["events"], summary["test"]["sessions"]) == (25819, 242)
    assert summary["test"]["predictions"] == 25577


@pytest.mark.parametrize("part", ["train", "valid", "test"])
def test_ml100k_matches_reference_split(ml100k_split, shared_data, part):
    reference_path = shared_data / "splits" / "ml100k-course" / f"{part}.tsv"
    reference = pd.read_csv(reference_path, sep="\t")
    ours = getattr(ml100k_split, part).to_frame(ml100k_split.item_index)

    # The reference files list sessions by id; within a session both keep time order.
    ours = ours.sort_values("session_id", kind="stable").reset_index(drop=True)
    reference = reference.sort_values("SessionId", kind="stable").reset_index(drop=True)
    assert ours["session_id"].tolist() == reference["SessionId"].tolist()
    assert ours["item_id"].tolist() == reference["ItemId"].tolist()
    assert ours["time"].tolist() == reference["Time"].tolist()


def test_ml100k_sessions_ordered_by_start(ml100k_split):
    for data in (ml100k_split.train, ml100k_split.valid, ml100k_split.test):
        starts = data.times[data.offsets[:-1]]
        assert (np.diff(starts) >= 0).all()
