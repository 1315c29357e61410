"""Summary statistics of an interaction log for the data screen and run records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86400
# Session lengths up to this value get one histogram bin each, and longer logs get wider bins.
INTEGER_BINS_UP_TO = 20


@dataclass
class Distribution:
    """Summary of a set of values. Every statistic but `count` is None when there are no values."""

    count: int = 0
    mean: float | None = None
    min: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: np.ndarray) -> "Distribution":
        """Summarise `values`. Percentiles interpolate linearly between the nearest values."""
        values = np.asarray(values, dtype=np.float64)
        if values.size == 0:
            return cls()
        p25, median, p75, p90, p99 = np.percentile(values, [25, 50, 75, 90, 99])
        return cls(
            count=int(values.size),
            mean=float(values.mean()),
            min=float(values.min()),
            p25=float(p25),
            median=float(median),
            p75=float(p75),
            p90=float(p90),
            p99=float(p99),
            max=float(values.max()),
        )


@dataclass
class Histogram:
    """Counts of whole-number values in bins, where bin i counts the values v with edges[i] <= v < edges[i + 1]."""

    edges: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


@dataclass
class DataStats:
    """Size, time range and session shape of one interaction log."""

    events: int
    users: int
    sessions: int
    items: int
    time_min: float | None  # unix seconds
    time_max: float | None
    date_min: str | None  # ISO 8601 date (UTC) of time_min
    date_max: str | None
    span_days: float
    rating_counts: dict[float, int] | None  # rating value -> events, or None when the log has no ratings
    session_length: Distribution  # events per session
    length_histogram: Histogram
    session_duration: Distribution  # seconds from the first to the last event of a session
    events_per_day: Distribution  # over every UTC day from date_min to date_max, empty days included
    daily_dates: list[str]  # ISO dates, one per day from date_min to date_max
    daily_counts: list[int]
    time_ties: int  # events with the same timestamp as the previous event of their session
    time_tie_share: float  # time_ties / events

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON-compatible nested dicts, with rating keys as strings."""
        data = dataclasses.asdict(self)
        if self.rating_counts is not None:
            data["rating_counts"] = {f"{value:g}": count for value, count in self.rating_counts.items()}
        return data


def length_bin_edges(max_length: int) -> list[int]:
    """Return histogram edges for session lengths from 1 to `max_length`.

    Up to INTEGER_BINS_UP_TO each length gets its own bin. Longer logs get the
    bins 1, 2, 3, 4, 5-9 and then 1-2-5 steps (10-19, 20-49, 50-99, ...), so
    the long tail fits in a few bars.
    """
    if max_length <= INTEGER_BINS_UP_TO:
        return list(range(1, max_length + 2))

    edges = [1, 2, 3, 4, 5]
    step = 10
    while edges[-1] <= max_length:
        for factor in (1, 2, 5):
            edges.append(step * factor)
            if edges[-1] > max_length:
                break
        step *= 10
    return edges


def length_histogram(lengths: np.ndarray) -> Histogram:
    """Count session lengths into the bins of `length_bin_edges`."""
    if lengths.size == 0:
        return Histogram()
    edges = length_bin_edges(int(lengths.max()))
    bins = np.searchsorted(np.asarray(edges), lengths, side="right") - 1
    counts = np.bincount(bins, minlength=len(edges) - 1)
    return Histogram(edges=edges, counts=[int(c) for c in counts])


def _as_number(value: Any) -> float:
    """Convert a numpy scalar to a plain int or float for JSON."""
    return value.item() if hasattr(value, "item") else value


def _iso_date(seconds: float) -> str:
    return str(np.datetime64(int(np.floor(seconds)), "s").astype("datetime64[D]"))


def compute_stats(df: pd.DataFrame) -> DataStats:
    """Compute the statistics of a log with user_id, item_id, time and optional rating and session_id.

    Sessions come from the session_id column. A log without one, such as a raw
    MovieLens file, counts each user as one session.
    """
    n_events = len(df)
    session_column = "session_id" if "session_id" in df.columns else "user_id"
    rating_counts = None
    if "rating" in df.columns:
        counts = df["rating"].value_counts().sort_index()
        rating_counts = {float(value): int(count) for value, count in counts.items()}

    if n_events == 0:
        return DataStats(
            events=0, users=0, sessions=0, items=0,
            time_min=None, time_max=None, date_min=None, date_max=None, span_days=0.0,
            rating_counts=rating_counts,
            session_length=Distribution(), length_histogram=Histogram(),
            session_duration=Distribution(), events_per_day=Distribution(),
            daily_dates=[], daily_counts=[], time_ties=0, time_tie_share=0.0,
        )  # fmt: skip

    times = df["time"].to_numpy()
    sessions = df[session_column].to_numpy()

    # Group events by session, in time order within each session.
    order = np.lexsort((times, sessions))
    sessions_sorted = sessions[order]
    times_sorted = times[order]
    starts = np.ones(n_events, dtype=bool)
    starts[1:] = sessions_sorted[1:] != sessions_sorted[:-1]
    offsets = np.append(np.flatnonzero(starts), n_events)
    lengths = np.diff(offsets)
    durations = times_sorted[offsets[1:] - 1] - times_sorted[offsets[:-1]]

    same_time = np.zeros(n_events, dtype=bool)
    same_time[1:] = ~starts[1:] & (times_sorted[1:] == times_sorted[:-1])
    time_ties = int(same_time.sum())

    time_min = times.min()
    time_max = times.max()
    days = np.floor_divide(times, SECONDS_PER_DAY).astype(np.int64)
    first_day = int(days.min())
    daily_counts = np.bincount(days - first_day)
    daily_dates = np.arange(first_day, first_day + len(daily_counts)).astype("datetime64[D]").astype(str)

    return DataStats(
        events=n_events,
        users=int(df["user_id"].nunique()),
        sessions=int(len(lengths)),
        items=int(df["item_id"].nunique()),
        time_min=_as_number(time_min),
        time_max=_as_number(time_max),
        date_min=_iso_date(time_min),
        date_max=_iso_date(time_max),
        span_days=float(time_max - time_min) / SECONDS_PER_DAY,
        rating_counts=rating_counts,
        session_length=Distribution.of(lengths),
        length_histogram=length_histogram(lengths),
        session_duration=Distribution.of(durations),
        events_per_day=Distribution.of(daily_counts),
        daily_dates=daily_dates.tolist(),
        daily_counts=[int(c) for c in daily_counts],
        time_ties=time_ties,
        time_tie_share=time_ties / n_events,
    )
