"""Tests for prepare_data: from a Config to a split with statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config import Config
from core.errors import ConfigError, DataError
from core.pipeline import prepare_data

DAY = 86400


def write_ratings_csv(path: Path, rows: list[tuple[int, int, float, int]]) -> Path:
    """Write a MovieLens ratings.csv with (user, movie, rating, time) rows."""
    lines = ["userId,movieId,rating,timestamp"] + [f"{u},{m},{r},{t}" for u, m, r, t in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_tsv(path: Path, rows: list[tuple[int, int, float]]) -> Path:
    """Write a GRU4Rec TSV file with (session, item, time) rows."""
    lines = ["SessionId\tItemId\tTime"] + [f"{s}\t{i}\t{t}" for s, i, t in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def small_log_config(tmp_path: Path) -> Config:
    # Users 1-3 end early (train), user 4 ends in the last 10 days (test).
    # User 5's only events are rated 2 and go with the rating filter.
    ratings = write_ratings_csv(
        tmp_path / "ratings.csv",
        [
            (1, 10, 4.0, 1 * DAY), (1, 11, 3.0, 2 * DAY), (1, 12, 5.0, 3 * DAY),
            (2, 11, 4.5, 4 * DAY), (2, 12, 3.5, 5 * DAY),
            (3, 10, 3.0, 60 * DAY), (3, 12, 4.0, 61 * DAY),
            (4, 10, 5.0, 95 * DAY), (4, 13, 4.0, 96 * DAY), (4, 12, 3.0, 97 * DAY), (4, 11, 4.0, 100 * DAY),
            (5, 10, 2.0, 98 * DAY), (5, 11, 2.0, 99 * DAY),
        ],
    )  # fmt: skip
    config = Config()
    config.data.path = str(ratings)
    config.sessions.recent_days = None
    config.split.test_days = 10
    config.split.valid_days = 0
    return config


def test_prepare_small_log(tmp_path):
    prepared = prepare_data(small_log_config(tmp_path))

    split = prepared.split
    assert split.train.session_ids.tolist() == [1, 2, 3]
    assert split.item_index.item_ids.tolist() == [10, 11, 12]
    assert split.test.session_ids.tolist() == [4]
    # Item 13 never occurs in train, so it leaves the test session.
    assert split.item_index.to_ids(split.test.items).tolist() == [10, 12, 11]
    assert split.test.ratings.tolist() == [5.0, 3.0, 4.0]
    assert split.valid.n_sessions == 0


def test_prepare_small_log_stats(tmp_path):
    prepared = prepare_data(small_log_config(tmp_path))

    assert prepared.raw_stats.events == 13
    assert prepared.raw_stats.users == 5
    assert prepared.stats.events == 11
    assert prepared.stats.sessions == 4
    assert prepared.stats.rating_counts == {3.0: 3, 3.5: 1, 4.0: 4, 4.5: 1, 5.0: 2}
    assert prepared.items is None


def test_prepare_reports_progress_in_order(tmp_path):
    calls = []

    prepare_data(small_log_config(tmp_path), progress=lambda stage, fraction: calls.append((stage, fraction)))

    fractions = [fraction for _, fraction in calls]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert [stage for stage, _ in calls][0] == "load"
    assert {"load", "filter", "split", "stats"} <= {stage for stage, _ in calls}


def test_prepare_gap_mode_and_filters(tmp_path):
    config = small_log_config(tmp_path)
    config.sessions.mode = "gap"
    config.sessions.gap_minutes = 1.5 * 24 * 60
    config.sessions.min_session_length = 2

    prepared = prepare_data(config)

    # Users 1-3 have gaps of at most one day and keep one session each. User 4 splits
    # into days 95-97 and day 100; the one-event session on day 100 is dropped, so the
    # newest event is now day 97 and the test period starts at day 87.
    assert prepared.stats.sessions == 4
    assert prepared.stats.time_max == 97 * DAY
    assert prepared.split.test.session_ids.tolist() == [3]
    assert prepared.split.item_index.to_ids(prepared.split.test.items).tolist() == [10, 12]


def test_prepare_filter_error_names_setting(tmp_path):
    config = small_log_config(tmp_path)
    config.sessions.min_rating = 6

    with pytest.raises(ConfigError) as caught:
        prepare_data(config)

    assert "min_rating 6" in caught.value.errors["sessions.min_rating"]


def test_prepare_checks_data_settings_only(tmp_path):
    config = small_log_config(tmp_path)
    config.train.batch_size = 0  # invalid, but not a data setting
    config.split.valid_days = -1

    with pytest.raises(ConfigError) as caught:
        prepare_data(config)

    assert list(caught.value.errors) == ["split.valid_days"]


def test_prepare_without_data_raises():
    with pytest.raises(ConfigError) as caught:
        prepare_data(Config())

    assert "data.path" in caught.value.errors


def test_prepare_missing_file_raises(tmp_path):
    config = Config()
    config.data.path = str(tmp_path / "absent.csv")

    with pytest.raises(DataError, match="not found"):
        prepare_data(config)


def test_prepare_presplit_tsv(tmp_path):
    config = Config()
    config.data.train_path = str(write_tsv(tmp_path / "train.tsv", [(1, 7, 1.5), (1, 8, 2.5), (2, 8, 0.5), (2, 9, 1.0)]))
    config.data.test_path = str(write_tsv(tmp_path / "test.tsv", [(1, 7, 5.0), (1, 9, 6.0), (3, 7, 7.0), (3, 5, 8.0)]))

    prepared = prepare_data(config)

    split = prepared.split
    assert split.item_index.item_ids.tolist() == [8, 9, 7]
    assert split.train.session_ids.tolist() == [2, 1]
    assert split.test.session_ids.tolist() == [1]
    assert split.valid.n_sessions == 0
    assert split.train.times.dtype == np.float64
    assert prepared.raw_stats is None
    assert prepared.items is None
    # Session 1 of train and session 1 of test are different sessions.
    assert prepared.stats.sessions == 4
    assert prepared.stats.events == 8
    # Item 5 is not in train, so session 3 keeps one event and is dropped too.
    # That leaves out 2 of the 4 test events.
    assert len(prepared.warnings) == 1
    assert prepared.warnings[0].startswith(f"{tmp_path / 'test.tsv'}: 2 of 4 events are left out")


# ---- real data --------------------------------------------------------------


def course_config(shared_data: Path) -> Config:
    config = Config()
    config.data.path = str(shared_data / "ml-100k")
    return config


def test_ml100k_course_defaults(shared_data):
    prepared = prepare_data(course_config(shared_data))

    summary = prepared.split.summary()
    assert (summary["train"]["events"], summary["train"]["sessions"]) == (43580, 572)
    assert (summary["valid"]["events"], summary["valid"]["sessions"], summary["valid"]["predictions"]) == (
        12621,
        129,
        12492,
    )
    assert (summary["test"]["events"], summary["test"]["sessions"], summary["test"]["predictions"]) == (
        25819,
        242,
        25577,
    )
    assert prepared.raw_stats.events == 100000
    assert prepared.raw_stats.users == 943
    assert prepared.stats.sessions == 943
    assert prepared.items.loc[1, "title"] == "Toy Story (1995)"


def test_ml100k_presplit_matches_raw_pipeline(shared_data):
    folder = shared_data / "splits" / "ml100k-course"
    config = Config()
    config.data.train_path = str(folder / "train.tsv")
    config.data.valid_path = str(folder / "valid.tsv")
    config.data.test_path = str(folder / "test.tsv")

    presplit = prepare_data(config).split
    raw = prepare_data(course_config(shared_data)).split

    assert presplit.summary() == raw.summary()
    # Both order train sessions by start time, so the item indices agree.
    assert presplit.item_index.item_ids.tolist() == raw.item_index.item_ids.tolist()
    for part in ("train", "valid", "test"):
        ours = getattr(presplit, part)
        reference = getattr(raw, part)
        assert ours.session_ids.tolist() == reference.session_ids.tolist()
        assert ours.items.tolist() == reference.items.tolist()


def test_yoochoose_presplit_against_pandas(shared_data):
    folder = shared_data / "yoochoose-100k"
    paths = {part: folder / f"yoochoose-clicks-100k_{part}.txt" for part in ("train_tr", "train_valid", "test")}
    config = Config()
    config.data.train_path = str(paths["train_tr"])
    config.data.valid_path = str(paths["train_valid"])
    config.data.test_path = str(paths["test"])

    split = prepare_data(config).split

    train = pd.read_csv(paths["train_tr"], sep="\t")
    known = set(train["ItemId"])
    for part, data in (("train_valid", split.valid), ("test", split.test)):
        frame = pd.read_csv(paths[part], sep="\t")
        frame = frame[frame["ItemId"].isin(known)]
        lengths = frame.groupby("SessionId")["ItemId"].transform("size")
        frame = frame[lengths >= 2]
        assert data.n_events == len(frame)
        assert data.n_sessions == frame["SessionId"].nunique()
    assert split.train.n_events == len(train) == 53254
    assert split.item_index.n_items == train["ItemId"].nunique()


# ---------------------------------------------------------------- pre-split folders


def test_course_folder_is_presplit(shared_data):
    from core.pipeline import set_data_source

    folder = shared_data / "splits" / "ml100k-course"
    config = Config()
    set_data_source(config, str(folder))

    assert config.data.path is None
    assert config.data.train_path == str(folder / "train.tsv")
    assert config.data.valid_path == str(folder / "valid.tsv")
    assert config.data.test_path == str(folder / "test.tsv")


def test_session_rec_folder_uses_train_full(shared_data):
    from core.pipeline import set_data_source

    folder = shared_data / "yoochoose-100k"
    config = Config()
    set_data_source(config, str(folder))
    prepared = prepare_data(config)

    assert config.data.train_path == str(folder / "yoochoose-clicks-100k_train_full.txt")
    assert config.data.valid_path is None
    assert prepared.split.train.n_events == 70_278
    assert prepared.split.test.n_predictions == 10_152
    assert prepared.warnings == []  # every test item occurs in train_full


def test_movielens_folder_stays_raw_log(shared_data):
    from core.pipeline import set_data_source

    config = Config()
    config.data.train_path = "old-train.tsv"
    set_data_source(config, str(shared_data / "ml-100k"))

    assert config.data.path == str(shared_data / "ml-100k")
    assert config.data.train_path is None


def test_presplit_detection_cases(tmp_path):
    from core.datasets import find_presplit_files

    header = "SessionId\tItemId\tTime\n"
    (tmp_path / "a_train_full.txt").write_text(header, encoding="utf-8")
    assert find_presplit_files(tmp_path) is None  # no a_test.txt beside it

    (tmp_path / "a_test.txt").write_text(header, encoding="utf-8")
    assert find_presplit_files(tmp_path).train == tmp_path / "a_train_full.txt"

    # Two candidate training files: ambiguous, so not a pre-split folder.
    (tmp_path / "b_train_full.txt").write_text(header, encoding="utf-8")
    (tmp_path / "b_test.txt").write_text(header, encoding="utf-8")
    assert find_presplit_files(tmp_path) is None

    # A forced format keeps the path as a raw log even when the folder looks pre-split.
    from core.pipeline import set_data_source

    config = Config()
    set_data_source(config, str(tmp_path), "tsv")
    assert config.data.path == str(tmp_path)
    assert config.data.train_path is None
