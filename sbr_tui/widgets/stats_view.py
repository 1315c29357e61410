"""Data analysis panel: counts, ratings, session lengths and times of a prepared log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from sbr_tui.formatting import format_count, format_number, part_name
from sbr_tui.i18n import _
from sbr_tui.stats_view import format_duration as compact_duration
from sbr_tui.stats_view import format_number as compact_number

if TYPE_CHECKING:
    from core.split import Split
    from core.stats import DataStats, Distribution

BAR_WIDTH = 30

# Attributes of core.stats.Distribution in the rows of the distribution table, with their labels.
STATISTICS = ("mean", "min", "p25", "median", "p75", "p90", "p99", "max")
STATISTIC_NAMES = {
    "mean": _("mean"), "min": _("min"), "p25": _("p25"), "median": _("median"),
    "p75": _("p75"), "p90": _("p90"), "p99": _("p99"), "max": _("max"),
}


def bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """Return a horizontal bar of block characters, `width` long for `largest`."""
    if largest <= 0 or count <= 0:
        return ""
    cells = max(1, round(width * count / largest))
    return "█" * cells


def counts_table(stats: DataStats, raw: DataStats | None) -> Table:
    """Return the size and time range of the raw log and of the sessions after filters.

    Without `raw` (pre-split files, which no filter touches) the one column covers all files.
    """
    table = Table(title=_("Log"), title_justify="left", expand=False)
    table.add_column("")
    if raw is not None:
        table.add_column(_("raw log"), justify="right")
        table.add_column(_("after filters"), justify="right")
    else:
        table.add_column(_("all files"), justify="right")
    parts = [raw, stats] if raw is not None else [stats]
    rows = [
        (_("events"), lambda s: format_count(s.events)),
        (_("users"), lambda s: format_count(s.users)),
        (_("sessions"), lambda s: format_count(s.sessions)),
        (_("items"), lambda s: format_count(s.items)),
        (_("first day"), lambda s: s.date_min or "-"),
        (_("last day"), lambda s: s.date_max or "-"),
        (_("span (days)"), lambda s: format_number(s.span_days)),
        (_("time ties"), lambda s: f"{s.time_ties:,} ({s.time_tie_share:.1%})"),
    ]
    for label, value in rows:
        table.add_row(label, *(value(part) for part in parts))
    return table


def distribution_table(title: str, columns: list[tuple[str, Distribution, bool]]) -> Table:
    """Return one row per statistic (mean, min, quartiles, p90, p99, max) and one column per distribution.

    Each column is (label, distribution, is_duration). Durations are in seconds and shown in the
    largest fitting unit, such as `8.6 d` or `17.6 min`, so the table fits 80 terminal columns.
    """
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for label, _dist, _is_duration in columns:
        table.add_column(label, justify="right")
    for name in STATISTICS:
        cells = []
        for _label, dist, is_duration in columns:
            show = compact_duration if is_duration else compact_number
            cells.append(show(getattr(dist, name)))
        table.add_row(STATISTIC_NAMES[name], *cells)
    return table


def histogram_text(title: str, labels: list[str], counts: list[int]) -> Text:
    """Return a labelled bar chart, one line per bin."""
    text = Text(title + "\n", style="bold")
    largest = max(counts, default=0)
    width = max((len(label) for label in labels), default=1)
    for label, count in zip(labels, counts):
        text.append(f"{label:>{width}} ")
        text.append(f"{bar(count, largest):<{BAR_WIDTH}}", style="green")
        text.append(f" {count:,}\n")
    return text


def length_labels(edges: list[int]) -> list[str]:
    """Return bin labels such as `3` or `10-19` for histogram edges."""
    labels = []
    for low, high in zip(edges[:-1], edges[1:]):
        labels.append(str(low) if high - low == 1 else f"{low}-{high - 1}")
    return labels


def split_table(summary: dict[str, dict[str, int]]) -> Table:
    """Return events, sessions, items and predictions of the train, valid and test parts."""
    table = Table(title=_("Split"), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    table.add_column(_("part"))
    for column in (_("events"), _("sessions"), _("items"), _("predictions")):
        table.add_column(column, justify="right")
    for part in ("train", "valid", "test"):
        row = summary.get(part, {})
        keys = ("events", "sessions", "items", "predictions")
        table.add_row(part_name(part), *(format_count(row.get(key, 0)) for key in keys))
    return table


class StatsView(VerticalScroll):
    """The analysis of a loaded log, scrolled as one column."""

    DEFAULT_CSS = """
    StatsView > Static { margin-bottom: 1; }
    StatsView > Sparkline { height: 3; margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(_("No data loaded yet."), id="stats-empty")

    async def show(self, stats: DataStats, raw: DataStats | None, split: Split | None, split_error: str | None = None) -> None:
        """Replace the panel with the analysis of `stats` (and `raw`, the log before filters).

        A missing `split` shows `split_error` in place of the split sizes.
        """
        await self.remove_children()
        if split is not None:
            split_widget = Static(split_table(split.summary()))
        else:
            split_widget = Static(
                Text(_("No split with these settings: {error}. Change the split days in Setup (F3).").format(error=split_error)),
                id="split-error",
            )
        widgets = [Static(counts_table(stats, raw)), split_widget]
        ratings = (raw or stats).rating_counts
        if ratings:
            labels = [f"{value:g}" for value in ratings]
            widgets.append(Static(histogram_text(_("Ratings (raw log)"), labels, list(ratings.values()))))
        widgets.append(
            Static(
                distribution_table(
                    _("Sessions after filters (length in events)") if raw is not None
                    else _("Sessions in all files (length in events)"),
                    [
                        (_("length"), stats.session_length, False),
                        (_("duration"), stats.session_duration, True),
                        (_("events/day"), stats.events_per_day, False),
                    ],
                )
            )
        )
        hist = stats.length_histogram
        widgets.append(Static(histogram_text(_("Session length"), length_labels(hist.edges), hist.counts)))
        daily_title = _("Events per day, {first} to {last}").format(first=stats.date_min or "-", last=stats.date_max or "-")
        widgets.append(Static(Text(daily_title, style="bold")))
        widgets.append(Sparkline(stats.daily_counts, summary_function=max))
        await self.mount_all(widgets)
        # A new analysis starts at its top, not at the previous one's scroll position.
        self.scroll_home(animate=False)
