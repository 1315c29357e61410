"""Readers for MovieLens and GRU4Rec TSV interaction logs, with item metadata.

Every reader returns a `Dataset`. Every problem with the input raises
`core.errors.DataError` with the file, the line where known, what was expected
and what to do. The demo generator lives in `core.demo` and the downloader in
`core.download`; both are re-exported here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from core.errors import DataError

Progress = Callable[[float], None]

# File name of the ratings file that marks each MovieLens layout in a folder.
RATINGS_FILES = {"ml-dat": "ratings.dat", "ml-100k": "u.data", "ml-csv": "ratings.csv"}
FORMATS = ("ml-dat", "ml-100k", "ml-csv", "tsv", "demo")

# Genre order of the 19 flag columns in MovieLens 100K `u.item`, used when `u.genre` is absent.
ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
)

SNIFF_BYTES = 65536
ROWS_PER_CHUNK = 1_000_000
# Separators that `_guess_separator` recognises, in the order it checks them.
KNOWN_SEPARATORS = (("::", "'::'"), ("\t", "tab"), (",", "comma"), ("|", "pipe"), (";", "semicolon"))


@dataclass
class Dataset:
    """An interaction log with optional item metadata.

    `interactions` has user_id and item_id (int64), time (int64 unix seconds for
    MovieLens, float64 for TSV), rating (float64) where the format has one, and
    session_id (int64, equal to user_id) only for GRU4Rec TSV. Rows are in file
    order. `items` is indexed by item_id with columns title and genres
    ("|"-joined), or None when the format or folder has no metadata or the
    metadata file could not be read. `warnings` lists problems that did not
    stop the load, such as that unreadable metadata file.
    """

    interactions: pd.DataFrame
    items: pd.DataFrame | None
    path: str
    format: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Column:
    header: str  # name in the file header, or a display name for headerless files
    name: str  # column name in the returned DataFrame
    kind: str  # "int" or "float"


@dataclass(frozen=True)
class _TableSpec:
    separator: str  # one character; `::` files are converted to tabs first
    separator_name: str
    columns: tuple[_Column, ...]
    has_header: bool
    layout: str  # the expected line layout, for messages
    fix: str


_ML_DAT = _TableSpec(
    "\t", "'::'",
    (_Column("UserID", "user_id", "int"), _Column("MovieID", "item_id", "int"),
     _Column("Rating", "rating", "float"), _Column("Timestamp", "time", "int")),
    False, "UserID::MovieID::Rating::Timestamp with no header",
    "Give the ratings.dat of MovieLens 1M or 10M, or pick the format that matches the file.",
)
_ML_100K = _TableSpec(
    "\t", "tab",
    (_Column("user id", "user_id", "int"), _Column("item id", "item_id", "int"),
     _Column("rating", "rating", "float"), _Column("timestamp", "time", "int")),
    False, "user<TAB>item<TAB>rating<TAB>timestamp with no header",
    "Give the u.data of MovieLens 100K, or pick the format that matches the file.",
)
_ML_CSV = _TableSpec(
    ",", "comma",
    (_Column("userId", "user_id", "int"), _Column("movieId", "item_id", "int"),
     _Column("rating", "rating", "float"), _Column("timestamp", "time", "int")),
    True, "a header userId,movieId,rating,timestamp and comma-separated numbers",
    "Give the ratings.csv of a MovieLens latest/20M/25M/32M release, or pick the format that matches the file.",
)
_TSV = _TableSpec(
    "\t", "tab",
    (_Column("SessionId", "session_id", "int"), _Column("ItemId", "item_id", "int"),
     _Column("Time", "time", "float")),
    True, "a tab-separated header with SessionId, ItemId and Time (unix seconds), then one event per line",
    "Save the file as GRU4Rec TSV: a header line SessionId<TAB>ItemId<TAB>Time and tab-separated values.",
)


@dataclass(frozen=True)
class PresplitFiles:
    """Pre-split GRU4Rec TSV files found in one folder."""

    train: Path
    valid: Path | None
    test: Path


def find_presplit_files(folder: str | Path) -> PresplitFiles | None:
    """Return the pre-split TSV files in `folder`, or None when it has no complete, unambiguous set.

    Two layouts are recognised: `train.tsv` and `test.tsv` with an optional
    `valid.tsv`, and the session-rec naming `NAME_train_full.txt` with
    `NAME_test.txt`. In the second layout the tuning pair
    (`NAME_train_tr.txt`, `NAME_train_valid.txt`) is not used, so the model
    trains on all training events and is tested as in published results.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    return _scan_presplit(folder)[0]


def _scan_presplit(folder: Path) -> tuple[PresplitFiles | None, str | None]:
    """Return (the pre-split files of `folder`, None), or (None, what is wrong with an incomplete set).

    Both are None when nothing in the folder looks pre-split. Several
    `NAME_train_full.txt` files are ambiguous, so they count as wrong.
    """
    train, test, valid = folder / "train.tsv", folder / "test.tsv", folder / "valid.tsv"
    if train.is_file() and test.is_file():
        return PresplitFiles(train, valid if valid.is_file() else None, test), None
    full = sorted(folder.glob("*_train_full.txt"))
    full_test = folder / (full[0].name[: -len("_train_full.txt")] + "_test.txt") if len(full) == 1 else None
    if full_test is not None and full_test.is_file():
        return PresplitFiles(full[0], None, full_test), None

    if train.is_file():
        return None, "this folder has train.tsv but no test.tsv beside it."
    if len(full) > 1:
        names = ", ".join(path.name for path in full)
        return None, f"this folder has {len(full)} pre-split sets ({names}), so it is not clear which one to use."
    if full_test is not None:
        return None, f"this folder has {full[0].name} but no {full_test.name} beside it."
    return None, None


def detect_format(path: str | Path) -> tuple[str, Path]:
    """Detect the format of a ratings file or dataset folder.

    Returns the format name and the ratings file to read. Raises DataError when
    the path is missing or its format is not recognised.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(path, "not found.", fix="Check the path, or download a dataset or use the demo dataset.")

    if path.is_dir():
        for format_name, file_name in RATINGS_FILES.items():
            if (path / file_name).is_file():
                return format_name, path / file_name
        problem = _scan_presplit(path)[1]
        if problem is not None:
            raise DataError(
                path, problem,
                fix=("Put each set of pre-split files (train, optional valid, test) in its own folder, "
                     "or give the files with --train, --valid and --test on the command line."),
            )
        metadata = [name for name in ("movies.dat", "u.item", "movies.csv") if (path / name).is_file()]
        if metadata:
            raise DataError(
                path, f"this folder has the item file {metadata[0]} but no ratings file.",
                expected="ratings.dat, u.data or ratings.csv beside it",
                fix="Download the complete MovieLens archive (sbr-tui download ml-1m) or copy its ratings file here.",
            )
        raise DataError(
            path, "this folder is not a recognised dataset folder.",
            expected=("a MovieLens folder with ratings.dat (1M/10M), u.data (100K) or ratings.csv "
                      "(latest/20M/25M/32M), or a folder of pre-split GRU4Rec TSV files "
                      "(train.tsv and test.tsv, or NAME_train_full.txt and NAME_test.txt)"),
            fix="Select the folder that contains the ratings file, or select a GRU4Rec TSV file itself.",
        )

    for format_name, file_name in RATINGS_FILES.items():
        if path.name == file_name:
            return format_name, path

    first_line, _ = _first_line(path)
    fields_by_tab = first_line.split("\t")
    if {"sessionid", "itemid", "time"} <= {field.strip().lower() for field in fields_by_tab}:
        return "tsv", path
    if first_line.lower().startswith("userid,movieid"):
        return "ml-csv", path
    if "::" in first_line:
        return "ml-dat", path
    if len(fields_by_tab) == 4 and all(field.strip().isdigit() for field in fields_by_tab):
        return "ml-100k", path
    raise DataError(
        path, f"the format of this file is not recognised from its first line {first_line[:80]!r}.",
        expected=("MovieLens ratings.dat, u.data or ratings.csv, or GRU4Rec TSV with a header "
                  "SessionId<TAB>ItemId<TAB>Time"),
        fix="Pick the format explicitly, or convert the file to one of these.",
    )


def load_dataset(path: str | Path, format: str = "auto", progress: Progress | None = None) -> Dataset:
    """Load a ratings file or dataset folder in any supported format.

    `format` is "auto" (detect from the path), "ml-dat", "ml-100k", "ml-csv",
    "tsv" or "demo" (which ignores `path` and builds the demo dataset).
    `progress` is called with the fraction done, from 0.0 to 1.0.
    """
    if format == "demo":
        from core.demo import make_demo_dataset

        return make_demo_dataset()
    if format == "auto":
        format, ratings_path = detect_format(path)
    elif format in RATINGS_FILES:
        ratings_path = _ratings_file(Path(path), format)
    elif format == "tsv":
        ratings_path = Path(path)
    else:
        raise DataError(path, f"unknown format {format!r}.", expected=f"one of auto, {', '.join(FORMATS)}")

    if format == "tsv":
        return load_tsv(ratings_path, progress=progress)

    spec = {"ml-dat": _ML_DAT, "ml-100k": _ML_100K, "ml-csv": _ML_CSV}[format]
    interactions = _read_table(ratings_path, spec, _scaled(progress, 0.0, 0.9))
    warnings = []
    try:
        items = _read_metadata(ratings_path.parent, format)
    except DataError as error:
        # Training needs only the ratings, so a broken metadata file costs the titles, not the load.
        items = None
        warnings.append(f"{error} The ratings loaded, but item titles and genres are not shown.")
    if progress is not None:
        progress(1.0)
    return Dataset(interactions, items, str(ratings_path), format, warnings)


def load_tsv(path: str | Path, progress: Progress | None = None) -> Dataset:
    """Load a GRU4Rec TSV file with header SessionId, ItemId and Time.

    Columns may come in any order and extra columns are ignored. Time stays
    float64. user_id is a copy of session_id, and items is None.
    """
    path = Path(path)
    table = _read_table(path, _TSV, progress)
    interactions = pd.DataFrame({
        "session_id": table["session_id"],
        "user_id": table["session_id"].copy(),
        "item_id": table["item_id"],
        "time": table["time"],
    })
    return Dataset(interactions, None, str(path), "tsv")


def _ratings_file(path: Path, format: str) -> Path:
    if not path.exists():
        raise DataError(path, "not found.", fix="Check the path, or download a dataset or use the demo dataset.")
    if not path.is_dir():
        return path
    candidate = path / RATINGS_FILES[format]
    if not candidate.is_file():
        raise DataError(path, f"this folder has no {RATINGS_FILES[format]}, which format {format} needs.",
                        fix="Select the folder that contains it, or choose format auto.")
    return candidate


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress(start + (end - start) * fraction)


# ---------------------------------------------------------------- file checks


def _check_file(path: Path) -> int:
    """Return the size in bytes of `path`, raising DataError unless it is a non-empty regular file."""
    if not path.exists():
        raise DataError(path, "not found.", fix="Check the path.")
    if not path.is_file():
        raise DataError(path, "is not a regular file.", fix="Select the data file itself.")
    size = path.stat().st_size
    if size == 0:
        raise DataError(path, "the file is empty.", fix="Check that the download or export finished.")
    return size


def _check_text(path: Path, head: bytes, encoding: str) -> None:
    if b"\0" in head:
        raise DataError(path, "the file contains NUL bytes, so it is binary, not text.",
                        expected="a text file", fix="Unpack the archive first, or select the ratings file itself.")
    try:
        # Cut at the last newline so a multi-byte character split by the sniff window does not count.
        cut = head.rfind(b"\n")
        (head if cut < 0 else head[:cut]).decode(encoding)
    except UnicodeDecodeError as error:
        line = head[: error.start].count(b"\n") + 1
        raise DataError(path, f"byte 0x{head[error.start]:02x} is not valid {encoding} text.", line=line,
                        expected=f"a text file in {encoding}",
                        fix="Check that this is the right file, or convert it to the expected encoding.") from None


def _first_line(path: Path, encoding: str = "utf-8") -> tuple[str, int]:
    """Return the first non-blank line of a text file and its 1-based line number."""
    _check_file(path)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    _check_text(path, head, encoding)
    for number, raw in enumerate(head.split(b"\n"), start=1):
        line = raw.decode(encoding, errors="replace").rstrip("\r")
        if line.strip():
            return line, number
    raise DataError(path, "the file contains only blank lines.", fix="Check that the download or export finished.")


def _guess_separator(line: str) -> str | None:
    for separator, name in KNOWN_SEPARATORS:
        if separator in line:
            return name
    return None


def _check_first_line(path: Path, spec: _TableSpec) -> tuple[list[str] | None, int]:
    """Check the header or first data line.

    Returns the header fields (None for formats without a header) and the line
    number of the header (0 when there is none), which is how many lines to skip.
    """
    line, number = _first_line(path)
    separator = "::" if spec is _ML_DAT else spec.separator
    fields = line.split(separator)

    if spec.has_header:
        names = [field.strip() for field in fields]
        lowered = [name.lower() for name in names]
        missing = [column.header for column in spec.columns if column.header.lower() not in lowered]
        if missing:
            found = _guess_separator(line)
            hint = f" The line looks {found}-separated." if len(fields) == 1 and found else ""
            raise DataError(path, f"the header {line[:80]!r} has no column {', '.join(missing)}.{hint}",
                            line=number, expected=spec.layout, fix=spec.fix)
        return names, number

    if len(fields) != len(spec.columns):
        found = _guess_separator(line)
        hint = f" It looks {found}-separated." if found and found != spec.separator_name else ""
        raise DataError(
            path, f"the line has {len(fields)} {spec.separator_name}-separated fields, not {len(spec.columns)}.{hint}",
            line=number, expected=spec.layout, fix=spec.fix,
        )
    return None, 0


# ---------------------------------------------------------------- numeric tables


class _CountingReader:
    """A binary file wrapper that counts the bytes pandas has read, for progress."""

    def __init__(self, handle: io.BufferedIOBase) -> None:
        self.handle = handle
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.bytes_read += len(data)
        return data

    def __iter__(self):
        return iter(self.handle)


def _read_table(path: Path, spec: _TableSpec, progress: Progress | None) -> pd.DataFrame:
    """Parse a numeric interaction table with pandas' C parser and check every value."""
    size = _check_file(path)
    header, header_line = _check_first_line(path, spec)
    if progress is not None:
        progress(0.0)

    if header is None:
        names = [column.header for column in spec.columns]
        positions = list(range(len(names)))
    else:
        names = header
        lowered = [name.lower() for name in header]
        positions = [lowered.index(column.header.lower()) for column in spec.columns]
    dtypes = {position: ("int64" if column.kind == "int" else "float64")
              for position, column in zip(positions, spec.columns)}

    if spec is _ML_DAT:
        # pandas only has its fast C parser for one-character separators, so turn "::" into tabs first.
        data = path.read_bytes().replace(b"::", b"\t")
        source: io.BufferedIOBase = io.BytesIO(data)
    else:
        data = None
        source = path.open("rb")

    # All columns are parsed, not only `positions`, because with usecols pandas silently drops extra fields.
    reader = _CountingReader(source)
    chunks = []
    try:
        with source:
            parser = pd.read_csv(
                reader, sep=spec.separator, header=None, skiprows=header_line,
                names=list(range(len(names))), dtype=dtypes, engine="c",
                quoting=csv.QUOTE_NONE, chunksize=ROWS_PER_CHUNK,
            )
            for chunk in parser:
                chunks.append(chunk)
                if progress is not None:
                    progress(min(reader.bytes_read / size, 1.0))
    except (ValueError, OverflowError, UnicodeDecodeError, pd.errors.ParserError) as error:
        _raise_first_bad_line(path, spec, data, len(names), positions, header_line)
        raise DataError(path, f"cannot parse the file: {error}.", expected=spec.layout, fix=spec.fix) from None

    if not chunks or sum(len(chunk) for chunk in chunks) == 0:
        raise DataError(path, "the file contains no data lines.", expected=spec.layout, fix=spec.fix)
    table = pd.concat(chunks, ignore_index=True)

    float_positions = [p for p, c in zip(positions, spec.columns) if c.kind == "float"]
    if float_positions and not np.isfinite(table[float_positions].to_numpy()).all():
        _raise_first_bad_line(path, spec, data, len(names), positions, header_line)

    table = table[positions]
    table.columns = [column.name for column in spec.columns]
    if progress is not None:
        progress(1.0)
    return table


def _raise_first_bad_line(
    path: Path, spec: _TableSpec, data: bytes | None, n_fields: int, positions: list[int], header_line: int
) -> None:
    """Find the first malformed line and raise DataError for it; return if none is found."""
    if data is None:
        data = path.read_bytes()
    bytes_array = np.frombuffer(data, dtype=np.uint8)

    # Field counts per line, vectorised: count separators between consecutive newlines.
    newlines = np.flatnonzero(bytes_array == ord("\n"))
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(data)]))
    lengths = ends - starts
    ends_with_cr = (lengths > 0) & (bytes_array[np.maximum(ends - 1, 0)] == ord("\r"))
    blank = (lengths - ends_with_cr) == 0
    separator_lines = np.searchsorted(newlines, np.flatnonzero(bytes_array == ord(spec.separator)))
    field_counts = np.bincount(separator_lines, minlength=len(starts)) + 1

    content_lines = np.flatnonzero(~blank)
    if header_line:
        content_lines = content_lines[content_lines >= header_line]
    wrong = content_lines[field_counts[content_lines] != n_fields]
    if len(wrong):
        index = int(wrong[0])
        text = data[starts[index]: ends[index]].decode("latin-1").rstrip("\r")
        text = text.replace("\t", "::" if spec is _ML_DAT else "<TAB>")
        word = "more" if field_counts[index] > n_fields else "fewer"
        raise DataError(
            path, f"the line has {field_counts[index]} {spec.separator_name}-separated fields, {word} than the "
                  f"{n_fields} expected: {text[:80]!r}.",
            line=index + 1, expected=spec.layout, fix=spec.fix,
        )

    table = pd.read_csv(
        io.BytesIO(data), sep=spec.separator, header=None, skiprows=header_line,
        names=list(range(n_fields)), usecols=positions, dtype=str, keep_default_na=False,
        engine="c", quoting=csv.QUOTE_NONE, encoding="latin-1",
    )
    first_bad: tuple[int, _Column, str] | None = None
    for position, column in zip(positions, spec.columns):
        values = table[position].fillna("").str.strip()
        if column.kind == "int":
            valid = values.str.fullmatch(r"[+-]?\d{1,18}")
        else:
            numbers = pd.to_numeric(values, errors="coerce")
            valid = numbers.notna() & np.isfinite(numbers.fillna(0.0))
        bad_rows = np.flatnonzero(~valid.to_numpy(dtype=bool))
        if len(bad_rows) and (first_bad is None or bad_rows[0] < first_bad[0]):
            first_bad = (int(bad_rows[0]), column, str(table[position].iloc[bad_rows[0]]))
    if first_bad is None:
        return

    row, column, value = first_bad
    line = int(content_lines[row]) + 1
    if value.strip() == "":
        problem = f"the {column.header} field is empty."
    elif column.kind == "int":
        problem = f"{column.header} is {value[:40]!r}, which is not an integer."
    else:
        problem = f"{column.header} is {value[:40]!r}, which is not a finite number."
    raise DataError(path, problem, line=line, expected=spec.layout, fix=spec.fix)


# ---------------------------------------------------------------- item metadata


def _read_metadata(folder: Path, format: str) -> pd.DataFrame | None:
    """Read the item metadata file beside a MovieLens ratings file; None when there is none."""
    if format == "ml-dat":
        path = folder / "movies.dat"
        return _read_movies_dat(path) if path.is_file() else None
    if format == "ml-100k":
        path = folder / "u.item"
        return _read_u_item(path, folder / "u.genre") if path.is_file() else None
    path = folder / "movies.csv"
    return _read_movies_csv(path) if path.is_file() else None


def _read_text(path: Path, encoding: str) -> str:
    _check_file(path)
    data = path.read_bytes()
    _check_text(path, data, encoding)
    return data.decode(encoding)


def _parse_item_id(path: Path, line: int, value: str, layout: str) -> int:
    if not re.fullmatch(r"\s*\d{1,18}\s*", value):
        raise DataError(path, f"the movie id {value[:40]!r} is not an integer.", line=line, expected=layout,
                        fix="Check that this is the metadata file of the same MovieLens release.")
    return int(value)


def _items_frame(path: Path, rows: list[tuple[int, int, str, str]]) -> pd.DataFrame:
    """Build the items DataFrame from (line, item_id, title, genres) rows, rejecting duplicate ids."""
    seen: dict[int, int] = {}
    for line, item_id, _, _ in rows:
        if item_id in seen:
            raise DataError(path, f"movie id {item_id} appears twice, first on line {seen[item_id]}.", line=line,
                            fix="Remove the duplicate line.")
        seen[item_id] = line
    index = pd.Index([row[1] for row in rows], dtype="int64", name="item_id")
    return pd.DataFrame({"title": [row[2] for row in rows], "genres": [row[3] for row in rows]}, index=index)


def _read_movies_dat(path: Path) -> pd.DataFrame:
    layout = "MovieID::Title::Genres (ISO-8859-1)"
    rows = []
    for number, line in enumerate(_read_text(path, "iso-8859-1").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("::")
        if len(fields) != 3:
            raise DataError(path, f"the line has {len(fields)} '::'-separated fields, not 3.", line=number,
                            expected=layout, fix="Check that this is the movies.dat of MovieLens 1M or 10M.")
        rows.append((number, _parse_item_id(path, number, fields[0], layout), fields[1], fields[2]))
    return _items_frame(path, rows)


def _read_movies_csv(path: Path) -> pd.DataFrame:
    layout = "a header movieId,title,genres and UTF-8 text"
    reader = csv.reader(io.StringIO(_read_text(path, "utf-8"), newline=""))
    header = next(reader, None)
    if header is None or [name.strip() for name in header] != ["movieId", "title", "genres"]:
        raise DataError(path, f"the header is {','.join(header or [])!r}.", line=1, expected=layout,
                        fix="Check that this is the movies.csv of a MovieLens latest/20M/25M/32M release.")
    rows = []
    for fields in reader:
        number = reader.line_num
        if not fields:
            continue
        if len(fields) != 3:
            raise DataError(path, f"the line has {len(fields)} fields, not 3.", line=number, expected=layout,
                            fix="Check that titles with commas are quoted.")
        rows.append((number, _parse_item_id(path, number, fields[0], layout), fields[1], fields[2]))
    return _items_frame(path, rows)


def _read_genre_names(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        return ML100K_GENRES
    names: dict[int, str] = {}
    for number, line in enumerate(_read_text(path, "iso-8859-1").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != 2 or not fields[1].strip().isdigit():
            raise DataError(path, f"the line {line[:80]!r} is not a genre name and its index.", line=number,
                            expected="name|index", fix="Restore u.genre from the MovieLens 100K archive, or delete it.")
        names[int(fields[1])] = fields[0]
    if sorted(names) != list(range(len(ML100K_GENRES))):
        raise DataError(path, f"the genre indices are {sorted(names)}.",
                        expected=f"indices 0 to {len(ML100K_GENRES) - 1}, one per line",
                        fix="Restore u.genre from the MovieLens 100K archive, or delete it.")
    return tuple(names[index] for index in range(len(ML100K_GENRES)))


def _read_u_item(path: Path, genre_path: Path) -> pd.DataFrame:
    genre_names = _read_genre_names(genre_path)
    n_fields = 5 + len(genre_names)
    layout = f"{n_fields} pipe-separated fields: id|title|release date|video release date|IMDb URL|19 genre flags"
    rows = []
    for number, line in enumerate(_read_text(path, "iso-8859-1").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != n_fields:
            raise DataError(path, f"the line has {len(fields)} pipe-separated fields, not {n_fields}.", line=number,
                            expected=layout, fix="Check that this is the u.item of MovieLens 100K.")
        flags = fields[5:]
        if any(flag not in ("0", "1") for flag in flags):
            raise DataError(path, f"the genre flags {'|'.join(flags)!r} are not all 0 or 1.", line=number,
                            expected=layout, fix="Check that this is the u.item of MovieLens 100K.")
        genres = "|".join(name for name, flag in zip(genre_names, flags) if flag == "1")
        rows.append((number, _parse_item_id(path, number, fields[0], layout), fields[1], genres))
    return _items_frame(path, rows)


# Re-exported so callers find the whole dataset API in this module. These imports sit at the
# end because core.demo imports Dataset from here.
from core.demo import make_demo_dataset  # noqa: E402
from core.download import default_data_dir, download_movielens  # noqa: E402

__all__ = [
    "Dataset", "FORMATS", "detect_format", "load_dataset", "load_tsv",
    "make_demo_dataset", "download_movielens", "default_data_dir",
]
