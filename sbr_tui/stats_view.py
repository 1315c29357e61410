"""Rich tables of a DataStats, shared by `sbr-tui stats` and the app's data screen."""

from __future__ import annotations

from rich.table import Table

from core.stats import DataStats, Distribution
from sbr_tui.i18n import _


def format_number(value: float | None, digits: int = 1) -> str:
    """Format counts with thousands separators and other values with `digits` decimals."""
    if value is None:
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def format_duration(seconds: float | None) -> str:
    """Format seconds as the largest fitting unit (s, min, h, d)."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.0f} s"


def overview_rows(stats: DataStats) -> list[tuple[str, str]]:
    """Return (label, value) rows for counts, time range and ties."""
    return [
        (_("events"), format_number(stats.events)),
        (_("users"), format_number(stats.users)),
        (_("sessions"), format_number(stats.sessions)),
        (_("items"), format_number(stats.items)),
        (_("first event"), stats.date_min or "-"),
        (_("last event"), stats.date_max or "-"),
        (_("span"), _("{days:,.1f} days").format(days=stats.span_days)),
        (_("time ties"), f"{stats.time_ties:,} ({stats.time_tie_share:.1%})"),
    ]


def distribution_rows(stats: DataStats) -> list[tuple[str, Distribution, bool]]:
    """Return (label, distribution, is_duration) for the distributions on show."""
    return [
        (_("session length (events)"), stats.session_length, False),
        (_("session duration"), stats.session_duration, True),
        (_("events per day"), stats.events_per_day, False),
    ]


def stats_tables(stats: DataStats, title: str) -> list[Table]:
    """Return the rich tables that describe one log."""
    overview = Table(title=title, show_header=False)
    overview.add_column(_("measure"))
    overview.add_column(_("value"), justify="right")
    for label, value in overview_rows(stats):
        overview.add_row(label, value)

    # One column per distribution keeps the table within 80 columns.
    distributions = Table(title=_("{title}: distributions").format(title=title))
    distributions.add_column("")
    rows = distribution_rows(stats)
    for label, _dist, _is_duration in rows:
        distributions.add_column(label, justify="right")
    for name in ("mean", "min", "p25", "median", "p75", "p90", "p99", "max"):
        cells = []
        for _label, dist, is_duration in rows:
            show = format_duration if is_duration else format_number
            cells.append(show(getattr(dist, name)))
        distributions.add_row(name, *cells)

    histogram = Table(title=_("{title}: session lengths").format(title=title))
    histogram.add_column(_("length"))
    histogram.add_column(_("sessions"), justify="right")
    histogram.add_column("")
    edges, counts = stats.length_histogram.edges, stats.length_histogram.counts
    peak = max(counts) if counts else 0
    used = [i for i, count in enumerate(counts) if count]
    shown = range(used[0], used[-1] + 1) if used else range(0)
    for i in shown:
        count = counts[i]
        low, high = edges[i], edges[i + 1] - 1
        label = str(low) if low == high else f"{low}-{high}"
        bar = "#" * (round(30 * count / peak) if peak else 0)
        histogram.add_row(label, f"{count:,}", bar)

    tables = [overview, distributions, histogram]
    if stats.rating_counts:
        ratings = Table(title=_("{title}: ratings").format(title=title))
        ratings.add_column(_("rating"))
        ratings.add_column(_("events"), justify="right")
        for value, count in sorted(stats.rating_counts.items()):
            ratings.add_row(format_number(value), f"{count:,}")
        tables.append(ratings)
    return tables
