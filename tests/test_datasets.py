"""Tests for the dataset readers, format detection, input errors and the demo dataset."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.datasets import Dataset, detect_format, load_dataset, load_tsv, make_demo_dataset
from core.errors import DataError

YOOCHOOSE_ROWS = {
    "yoochoose-clicks-100k_train_full.txt": 70_278,
    "yoochoose-clicks-100k_test.txt": 13_568,
    "yoochoose-clicks-100k_train_tr.txt": 53_254,
    "yoochoose-clicks-100k_train_valid.txt": 16_539,
}
DAY = 86_400


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def u_data_as_dat(shared_data: Path, target: Path, copies: int = 1) -> Path:
    """Write ml-100k's u.data in the MovieLens 1M `::` layout, repeated `copies` times."""
    text = (shared_data / "ml-100k" / "u.data").read_text(encoding="ascii")
    converted = text.replace("\t", "::")
    return write(target, converted * copies)


def load_error(path: Path, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        load_dataset(path, **kwargs)
    return str(caught.value)


def metadata_warning(path: Path) -> str:
    """Load a folder with a broken metadata file, check that the ratings loaded, and return the warning."""
    dataset = load_dataset(path)
    assert len(dataset.interactions) > 0
    assert dataset.items is None
    assert len(dataset.warnings) == 1
    return dataset.warnings[0]


# ---------------------------------------------------------------- real files


def test_ml100k_folder_counts(shared_data):
    dataset = load_dataset(shared_data / "ml-100k")
    frame = dataset.interactions

    assert dataset.format == "ml-100k"
    assert len(frame) == 100_000
    assert frame["user_id"].nunique() == 943
    assert frame["item_id"].nunique() == 1_682
    assert list(frame.columns) == ["user_id", "item_id", "rating", "time"]
    assert frame.dtypes.to_dict() == {
        "user_id": np.dtype("int64"), "item_id": np.dtype("int64"),
        "rating": np.dtype("float64"), "time": np.dtype("int64"),
    }
    assert frame.iloc[0].tolist() == [196, 242, 3.0, 881250949]


def test_ml100k_item_metadata(shared_data):
    items = load_dataset(shared_data / "ml-100k" / "u.data").items

    assert items is not None
    assert len(items) == 1_682
    assert items.index.dtype == np.dtype("int64")
    assert items.index.name == "item_id"
    assert items.loc[1, "title"] == "Toy Story (1995)"
    assert items.loc[1, "genres"] == "Animation|Children's|Comedy"
    assert items.loc[2, "genres"] == "Action|Adventure|Thriller"


def test_ml100k_genres_without_u_genre(shared_data, tmp_path):
    (tmp_path / "u.data").symlink_to(shared_data / "ml-100k" / "u.data")
    (tmp_path / "u.item").symlink_to(shared_data / "ml-100k" / "u.item")

    items = load_dataset(tmp_path).items

    assert items.loc[1, "genres"] == "Animation|Children's|Comedy"


def test_ml_latest_small_counts(shared_data):
    dataset = load_dataset(shared_data / "ml-latest-small")
    frame = dataset.interactions

    assert dataset.format == "ml-csv"
    assert len(frame) == 100_836
    assert frame["user_id"].nunique() == 610
    assert frame["item_id"].nunique() == 9_724
    assert frame["time"].dtype == np.dtype("int64")
    assert (frame["rating"] % 1 == 0.5).sum() > 0
    assert set(frame["rating"].unique()) <= set(np.arange(0.5, 5.01, 0.5))


def test_ml_latest_small_metadata(shared_data):
    items = load_dataset(shared_data / "ml-latest-small" / "ratings.csv").items

    assert len(items) == 9_742
    assert items.loc[11, "title"] == "American President, The (1995)"
    assert items.loc[73, "title"] == "Misérables, Les (1995)"
    assert items.loc[1, "genres"] == "Adventure|Animation|Children|Comedy|Fantasy"


@pytest.mark.parametrize("file_name, rows", sorted(YOOCHOOSE_ROWS.items()))
def test_yoochoose_tsv_rows(shared_data, file_name, rows):
    dataset = load_dataset(shared_data / "yoochoose-100k" / file_name)
    frame = dataset.interactions

    assert dataset.format == "tsv"
    assert dataset.items is None
    assert len(frame) == rows
    assert frame["time"].dtype == np.dtype("float64")
    assert frame["session_id"].dtype == np.dtype("int64")
    assert (frame["session_id"] == frame["user_id"]).all()
    assert "rating" not in frame.columns


def test_tsv_timestamps_exact(shared_data):
    frame = load_tsv(shared_data / "yoochoose-100k" / "yoochoose-clicks-100k_test.txt").interactions

    assert frame["time"].iloc[0] == 1396860669.277
    assert frame["time"].iloc[1] == 1396860886.998
    assert frame[["session_id", "item_id"]].iloc[0].tolist() == [1, 214536502]


def test_ml_dat_matches_u_data(shared_data, tmp_path):
    u_data_as_dat(shared_data, tmp_path / "ratings.dat")
    (tmp_path / "movies.dat").symlink_to(shared_data / "ml-1m" / "movies.dat")

    dat = load_dataset(tmp_path)
    reference = load_dataset(shared_data / "ml-100k" / "u.data")

    assert dat.format == "ml-dat"
    pd.testing.assert_frame_equal(dat.interactions, reference.interactions)
    assert len(dat.items) == 3_883
    assert dat.items.loc[1, "title"] == "Toy Story (1995)"
    assert dat.items.loc[1, "genres"] == "Animation|Children's|Comedy"


def test_ml_dat_million_rows_fast(shared_data, tmp_path):
    path = u_data_as_dat(shared_data, tmp_path / "ratings.dat", copies=10)

    started = time.perf_counter()
    frame = load_dataset(path).interactions
    seconds = time.perf_counter() - started

    assert len(frame) == 1_000_000
    # On the development machine the C parser took about 0.2 s and pandas' python engine 4.7 s for
    # this file. The 3 s bound leaves room for slower CI runners but still fails the python engine.
    assert seconds < 3.0


def test_movies_dat_iso_8859_1(tmp_path):
    write(tmp_path / "ratings.dat", "1::10::4::978300760\n")
    write(tmp_path / "movies.dat", "10::Cit\xe9 des enfants perdus, La (1995)::Adventure|Sci-Fi\n".encode("iso-8859-1"))

    items = load_dataset(tmp_path).items

    assert items.loc[10, "title"] == "Cité des enfants perdus, La (1995)"
    assert items.loc[10, "genres"] == "Adventure|Sci-Fi"


def test_missing_metadata_gives_none(tmp_path):
    path = write(tmp_path / "ratings.dat", "1::10::4::978300760\n2::11::5::978300761\n")

    dataset = load_dataset(path)

    assert dataset.items is None
    assert len(dataset.interactions) == 2


def test_progress_reports_start_and_end(shared_data):
    fractions: list[float] = []

    load_dataset(shared_data / "ml-latest-small", progress=fractions.append)

    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)


@pytest.mark.parametrize(
    "relative, expected_format, expected_file",
    [
        ("ml-100k", "ml-100k", "u.data"),
        ("ml-100k/u.data", "ml-100k", "u.data"),
        ("ml-latest-small", "ml-csv", "ratings.csv"),
        ("yoochoose-100k/yoochoose-clicks-100k_test.txt", "tsv", "yoochoose-clicks-100k_test.txt"),
        ("splits/ml100k-course/train.tsv", "tsv", "train.tsv"),
    ],
)
def test_detect_format_real_paths(shared_data, relative, expected_format, expected_file):
    format_name, ratings_file = detect_format(shared_data / relative)

    assert format_name == expected_format
    assert ratings_file.name == expected_file


def test_detect_format_by_content(tmp_path):
    dat = write(tmp_path / "a.txt", "1::2::3::4\n")
    u_data = write(tmp_path / "u1.base", "1\t2\t3\t4\n")
    csv_file = write(tmp_path / "r.csv", "userId,movieId,rating,timestamp\n1,2,3.5,4\n")

    assert detect_format(dat)[0] == "ml-dat"
    assert detect_format(u_data)[0] == "ml-100k"
    assert detect_format(csv_file)[0] == "ml-csv"


# ---------------------------------------------------------------- TSV variants


def test_tsv_column_order_and_extras(tmp_path):
    path = write(tmp_path / "events.tsv", "Time\tExtra\tItemId\tSessionId\n100.5\tx\t7\t1\n101.25\ty\t8\t1\n")

    frame = load_dataset(path).interactions

    assert frame["item_id"].tolist() == [7, 8]
    assert frame["session_id"].tolist() == [1, 1]
    assert frame["time"].tolist() == [100.5, 101.25]


def test_tsv_integer_times_stay_float64(tmp_path):
    path = write(tmp_path / "events.tsv", "SessionId\tItemId\tTime\n1\t2\t1700000000\n")

    frame = load_dataset(path).interactions

    assert frame["time"].dtype == np.dtype("float64")
    assert frame["time"].iloc[0] == 1_700_000_000


def test_crlf_and_blank_lines(tmp_path):
    path = write(tmp_path / "u.data", "1\t2\t3\t100\r\n\r\n4\t5\t2\t200\r\n")

    frame = load_dataset(path).interactions

    assert frame["user_id"].tolist() == [1, 4]
    assert frame["time"].tolist() == [100, 200]


# ---------------------------------------------------------------- broken input


def test_csv_given_as_ratings_dat(tmp_path):
    path = write(tmp_path / "ratings.dat", "1,2,4.0,964982703\n")

    message = load_error(path)

    assert "ratings.dat" in message
    assert "line 1" in message
    assert "comma-separated" in message
    assert "UserID::MovieID::Rating::Timestamp" in message


def test_comma_file_as_tsv(tmp_path):
    path = write(tmp_path / "clicks.tsv", "SessionId,ItemId,Time\n1,2,3.0\n")

    message = load_error(path, format="tsv")

    assert "clicks.tsv" in message
    assert "line 1" in message
    assert "comma-separated" in message


def test_extra_column_line(tmp_path):
    path = write(tmp_path / "u.data", "1\t2\t3\t100\n1\t3\t4\t101\n1\t4\t5\t102\t9\n")

    message = load_error(path)

    assert "u.data, line 3" in message
    assert "5 tab-separated fields" in message
    assert "more than the 4 expected" in message


def test_missing_column_line(tmp_path):
    path = write(tmp_path / "ratings.dat", "1::2::3::100\n1::3::4\n")

    message = load_error(path)

    assert "ratings.dat, line 2" in message
    assert "3 '::'-separated fields" in message
    assert "'1::3::4'" in message


def test_tsv_row_with_missing_field(tmp_path):
    path = write(tmp_path / "e.tsv", "SessionId\tItemId\tTime\n1\t2\t3.0\n1\t3\n")

    message = load_error(path)

    assert "e.tsv, line 3" in message
    assert "fewer than the 3 expected" in message


def test_non_numeric_id_reports_first_line(tmp_path):
    lines = ["1::2::3::100", "1::3::4::101", "1::4::5::102", "1::abc::5::103", "x::5::5::104"]
    path = write(tmp_path / "ratings.dat", "\n".join(lines) + "\n")

    message = load_error(path)

    assert "ratings.dat, line 4" in message
    assert "MovieID is 'abc'" in message
    assert "not an integer" in message


def test_line_numbers_count_blank_lines(tmp_path):
    path = write(tmp_path / "u.data", "1\t2\t3\t100\n\n\n2\t3\t4\t1.5\n")

    message = load_error(path)

    assert "u.data, line 4" in message
    assert "timestamp is '1.5'" in message


def test_empty_rating_field(tmp_path):
    path = write(tmp_path / "ratings.csv", "userId,movieId,rating,timestamp\n1,2,4.0,100\n1,3,,101\n")

    message = load_error(path)

    assert "ratings.csv, line 3" in message
    assert "rating field is empty" in message


def test_nan_time_in_tsv(tmp_path):
    path = write(tmp_path / "e.tsv", "SessionId\tItemId\tTime\n1\t2\t3.0\n1\t3\tnan\n")

    message = load_error(path)

    assert "e.tsv, line 3" in message
    assert "Time is 'nan'" in message
    assert "not a finite number" in message


def test_empty_item_id_in_tsv(tmp_path):
    path = write(tmp_path / "e.tsv", "SessionId\tItemId\tTime\n1\t\t3.0\n")

    message = load_error(path)

    assert "e.tsv, line 2" in message
    assert "ItemId field is empty" in message


def test_tsv_missing_header_column(tmp_path):
    path = write(tmp_path / "e.tsv", "SessionId\tItemId\n1\t2\n")

    message = load_error(path, format="tsv")

    assert "e.tsv, line 1" in message
    assert "no column Time" in message


def test_header_only_file(tmp_path):
    path = write(tmp_path / "e.tsv", "SessionId\tItemId\tTime\n")

    message = load_error(path)

    assert "e.tsv" in message
    assert "no data lines" in message


def test_empty_file(tmp_path):
    path = write(tmp_path / "ratings.dat", b"")

    message = load_error(path)

    assert "ratings.dat" in message
    assert "empty" in message


def test_binary_file(tmp_path):
    path = write(tmp_path / "ratings.dat", b"PK\x03\x04\x00\x00binary\x00data")

    message = load_error(path)

    assert "ratings.dat" in message
    assert "binary" in message


def test_undecodable_file(tmp_path):
    path = write(tmp_path / "ratings.csv", b"userId,movieId,rating,timestamp\n1,2,\xff\xfe,3\n")

    message = load_error(path)

    assert "ratings.csv, line 2" in message
    assert "not valid utf-8" in message


def test_unknown_format_file(tmp_path):
    path = write(tmp_path / "notes.txt", "hello world\n")

    message = load_error(path)

    assert "notes.txt" in message
    assert "not recognised" in message
    assert "'hello world'" in message


def test_unrecognised_folder(tmp_path):
    write(tmp_path / "readme.txt", "nothing here\n")

    message = load_error(tmp_path)

    assert str(tmp_path) in message
    assert "not a recognised dataset folder" in message


@pytest.mark.parametrize(
    "files,expected",
    [
        (["train.tsv"], "has train.tsv but no test.tsv"),
        (["a_train_full.txt"], "has a_train_full.txt but no a_test.txt"),
        (["a_train_full.txt", "a_test.txt", "b_train_full.txt", "b_test.txt"], "2 pre-split sets"),
    ],
)
def test_incomplete_presplit_folder(tmp_path, files, expected):
    for name in files:
        write(tmp_path / name, "SessionId\tItemId\tTime\n1\t2\t3.0\n")

    message = load_error(tmp_path)

    assert expected in message
    assert "--train" in message


def test_missing_path(tmp_path):
    message = load_error(tmp_path / "absent.dat")

    assert "absent.dat" in message
    assert "not found" in message


def test_forced_format_mismatch(tmp_path):
    path = write(tmp_path / "r.csv", "userId,movieId,rating,timestamp\n1,2,3.5,4\n")

    message = load_error(path, format="ml-dat")

    assert "r.csv, line 1" in message
    assert "comma-separated" in message


def test_unknown_format_name(tmp_path):
    message = load_error(tmp_path, format="parquet")

    assert "unknown format 'parquet'" in message


def test_forced_format_folder_without_file(tmp_path):
    write(tmp_path / "u.data", "1\t2\t3\t4\n")

    message = load_error(tmp_path, format="ml-dat")

    assert "no ratings.dat" in message


# ---------------------------------------------------------------- broken metadata
# A broken metadata file does not stop the load. The ratings load and a warning names the problem.


def test_malformed_movies_dat(tmp_path):
    write(tmp_path / "ratings.dat", "1::10::4::978300760\n")
    write(tmp_path / "movies.dat", "10::Heat (1995)::Action\n11::No genres here\n")

    message = metadata_warning(tmp_path)

    assert "movies.dat, line 2" in message
    assert "2 '::'-separated fields" in message


def test_movies_dat_bad_id(tmp_path):
    write(tmp_path / "ratings.dat", "1::10::4::978300760\n")
    write(tmp_path / "movies.dat", "ten::Heat (1995)::Action\n")

    message = metadata_warning(tmp_path)

    assert "movies.dat, line 1" in message
    assert "'ten' is not an integer" in message


def test_movies_csv_bad_header(tmp_path):
    write(tmp_path / "ratings.csv", "userId,movieId,rating,timestamp\n1,2,3.5,4\n")
    write(tmp_path / "movies.csv", "id;title;genres\n2;Jumanji;Adventure\n")

    message = metadata_warning(tmp_path)

    assert "movies.csv, line 1" in message
    assert "movieId,title,genres" in message


def test_movies_csv_duplicate_id(tmp_path):
    write(tmp_path / "ratings.csv", "userId,movieId,rating,timestamp\n1,2,3.5,4\n")
    write(tmp_path / "movies.csv", "movieId,title,genres\n2,Jumanji (1995),Adventure\n2,Again,Comedy\n")

    message = metadata_warning(tmp_path)

    assert "movies.csv, line 3" in message
    assert "appears twice, first on line 2" in message


def test_u_item_bad_genre_flag(tmp_path):
    write(tmp_path / "u.data", "1\t1\t3\t100\n")
    flags = "|".join(["0"] * 18 + ["x"])
    write(tmp_path / "u.item", f"1|Toy Story (1995)|01-Jan-1995||http://example.org|{flags}\n")

    message = metadata_warning(tmp_path)

    assert "u.item, line 1" in message
    assert "not all 0 or 1" in message


def test_u_item_wrong_field_count(tmp_path):
    write(tmp_path / "u.data", "1\t1\t3\t100\n")
    write(tmp_path / "u.item", "1|Toy Story (1995)|01-Jan-1995\n")

    message = metadata_warning(tmp_path)

    assert "u.item, line 1" in message
    assert "3 pipe-separated fields, not 24" in message


def test_u_genre_malformed(tmp_path):
    write(tmp_path / "u.data", "1\t1\t3\t100\n")
    write(tmp_path / "u.item", "1|Toy Story (1995)|01-Jan-1995||u|" + "|".join(["0"] * 19) + "\n")
    write(tmp_path / "u.genre", "unknown|0\nAction\n")

    message = metadata_warning(tmp_path)

    assert "u.genre, line 2" in message


def test_movies_csv_latin1_keeps_ratings(tmp_path):
    write(tmp_path / "ratings.csv", "userId,movieId,rating,timestamp\n1,2,3.5,4\n1,3,4.0,5\n")
    (tmp_path / "movies.csv").write_bytes("movieId,title,genres\n2,Amélie (2001),Comedy\n".encode("latin-1"))

    message = metadata_warning(tmp_path)

    assert "movies.csv" in message
    assert "not valid utf-8" in message
    assert "titles and genres are not shown" in message


# ---------------------------------------------------------------- demo dataset


def course_split_users(frame: pd.DataFrame) -> tuple[set, set, set]:
    """Assign users to train/valid/test by the time of their last event rated 3 or more, 30 + 30 days."""
    rated = frame[frame["rating"] >= 3]
    recent = rated[rated["time"] >= rated["time"].max() - 730 * DAY]
    last = recent.groupby("user_id")["time"].max()
    test = last[last >= last.max() - 30 * DAY]
    rest = last.drop(test.index)
    valid = rest[rest >= rest.max() - 30 * DAY]
    train = rest.drop(valid.index)
    return set(train.index), set(valid.index), set(test.index)


def test_demo_shape_and_types():
    dataset = make_demo_dataset()
    frame = dataset.interactions

    assert isinstance(dataset, Dataset)
    assert dataset.format == "demo"
    assert frame["user_id"].nunique() == 300
    assert frame["item_id"].between(1, 400).all()
    assert frame.dtypes.to_dict() == {
        "user_id": np.dtype("int64"), "item_id": np.dtype("int64"),
        "time": np.dtype("int64"), "rating": np.dtype("float64"),
    }
    assert frame["time"].is_monotonic_increasing


def test_demo_deterministic_per_seed():
    first = make_demo_dataset(seed=3)
    second = make_demo_dataset(seed=3)
    other = make_demo_dataset(seed=4)

    pd.testing.assert_frame_equal(first.interactions, second.interactions)
    pd.testing.assert_frame_equal(first.items, second.items)
    assert not first.interactions.equals(other.interactions)


def test_demo_ratings_and_time_span():
    frame = make_demo_dataset().interactions
    span_days = (frame["time"].max() - frame["time"].min()) / DAY

    assert set(frame["rating"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert (frame["rating"] >= 3).mean() > 0.8
    assert 100 <= span_days <= 140


def test_demo_items_metadata():
    items = make_demo_dataset(n_items=50).items

    assert len(items) == 50
    assert items.loc[17, "title"] == "Demo item 17"
    genres = set("|".join(items["genres"]).split("|"))
    assert 3 <= len(genres) <= 6


def test_demo_default_split_not_empty():
    train, valid, test = course_split_users(make_demo_dataset().interactions)

    assert len(train) > 50
    assert len(valid) > 20
    assert len(test) > 20


def test_demo_sequences_beat_popularity():
    """Next-item transitions learned on some users predict other users far better than popularity."""
    frame = make_demo_dataset().interactions.sort_values(["user_id", "time"], kind="stable")
    previous = frame.groupby("user_id")["item_id"].shift()
    pairs = pd.DataFrame({"user": frame["user_id"], "previous": previous, "next": frame["item_id"]}).dropna()
    learn = pairs[pairs["user"] <= 200]
    check = pairs[pairs["user"] > 200]

    top_popular = set(learn["next"].value_counts().index[:20])
    popular_hits = check["next"].isin(top_popular).mean()

    transitions = learn.groupby(["previous", "next"]).size().rename("count").reset_index()
    transitions = transitions.sort_values(["previous", "count"], ascending=[True, False])
    top_next = transitions.groupby("previous").head(20)
    candidate_pairs = set(zip(top_next["previous"], top_next["next"]))
    sequential_hits = np.mean([pair in candidate_pairs for pair in zip(check["previous"], check["next"])])

    assert sequential_hits > popular_hits + 0.2


def test_demo_through_load_dataset():
    dataset = load_dataset("ignored", format="demo")

    assert dataset.format == "demo"
    assert len(dataset.interactions) > 0
