"""A session's history and the model's next-item list, for the browse screen."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import DataTable

from sbr_tui.formatting import format_time
from sbr_tui.i18n import _

# Rows of a history shown at once. Longer histories (a MovieLens user can have
# hundreds of events) are shown as pages, so the table stays fast.
HISTORY_PAGE = 100

# The narrowest title column. In a narrower table the rows scroll sideways.
MIN_TITLE_WIDTH = 20

# A MovieLens title ends with its year, such as "Heat (1995)".
YEAR_SUFFIX = re.compile(r" \(\d{4}\)$")


def shorten_title(title: str, width: int) -> str:
    """Return `title` cut to `width` characters with "…", keeping a trailing year such as " (1996)"."""
    if len(title) <= width:
        return title
    match = YEAR_SUFFIX.search(title)
    suffix = match.group(0) if match and width > len(match.group(0)) + 4 else ""
    keep = width - len(suffix) - 1
    return title[: len(title) - len(suffix)][:keep].rstrip() + "…" + suffix


def shorten(text: str, width: int) -> str:
    """Return `text` cut to `width` characters, ending in "…" when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


class FittedTable(DataTable):
    """A table whose title column takes the width that the other columns leave.

    COLUMNS lists (key, label, width), and the column with width 0 is the title. The columns
    are laid out again when the table is resized, and `redraw` then fills the rows again.
    """

    COLUMNS: tuple[tuple[str, str, int], ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title_width = 0

    def fit_columns(self) -> bool:
        """Lay the columns out for the current width and return True when they changed."""
        padding = 2 * self.cell_padding
        fixed = sum(width + padding for _key, _label, width in self.COLUMNS if width)
        # The vertical scrollbar is counted always, so the columns do not jump when it appears.
        available = self.size.width - self.styles.scrollbar_size_vertical
        title_width = max(MIN_TITLE_WIDTH, available - fixed - padding)
        if title_width == self.title_width and self.columns:
            return False
        self.title_width = title_width
        self.clear(columns=True)
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width or title_width)
        return True

    def on_resize(self, event: Resize) -> None:
        cursor_row = self.cursor_row
        if self.fit_columns():
            self.redraw(cursor_row)

    def redraw(self, cursor_row: int) -> None:
        """Fill the rows again after the columns changed, with the cursor on `cursor_row`. Subclasses override it."""


class HistoryTable(FittedTable):
    """The events of one session, one page of HISTORY_PAGE rows at a time; the cursor picks a position."""

    COLUMNS = (
        ("position", "#", 3),
        ("time", _("time (UTC)"), 16),
        ("title", _("title"), 0),
        ("genres", _("genres"), 10),
        ("rating", _("rating"), 6),
    )
    # Home and End move to the first and last position of the session, not to the table's edges.
    BINDINGS = [
        Binding("home", "screen.first_position", _("First position"), show=False),
        Binding("end", "screen.last_position", _("Last position"), show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.page_start = 0
        self.length = 0
        self.shown: tuple[Any, str, int, int] | None = None

    def show_page(self, run, part: str, index: int, position: int) -> None:
        """Show the page of session `index` of `part` that contains `position` (0-based) and put the cursor there."""
        self.shown = (run, part, index, position)
        self.fit_columns()
        data = run.sessions[part]
        span = data.session(index)
        items = data.items[span]
        times = data.times[span]
        ratings = None if data.ratings is None else data.ratings[span]
        self.length = len(items)
        self.page_start = (position // HISTORY_PAGE) * HISTORY_PAGE
        end = min(self.page_start + HISTORY_PAGE, self.length)

        self.clear()
        for offset in range(self.page_start, end):
            item = int(items[offset])
            rating = "" if ratings is None else f"{float(ratings[offset]):g}"
            title = str(run.titles[item]) or str(run.item_ids[item])
            self.add_row(
                str(offset + 1),
                format_time(times[offset]),
                shorten_title(title, self.title_width),
                shorten(str(run.genres[item]).replace("|", ", "), 10),
                rating,
                key=str(offset),
            )
        self.move_cursor(row=position - self.page_start, animate=False)

    def redraw(self, cursor_row: int) -> None:
        if self.shown is not None:
            run, part, index, _position = self.shown
            self.show_page(run, part, index, self.position_of_row(cursor_row))

    def clear_session(self) -> None:
        """Remove the rows and forget the session."""
        self.shown = None
        self.length = 0
        self.page_start = 0
        self.clear()

    def position_of_row(self, row: int) -> int:
        """Return the 0-based session position of a table row."""
        return self.page_start + row


class RecommendationTable(FittedTable):
    """The model's top-k next items, marking the true next item and items already in the session."""

    COLUMNS = (
        ("rank", _("rank"), 4),
        ("title", _("title"), 0),
        ("score", _("score"), 6),
        ("mark", _("mark"), 10),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.shown: tuple[Any, np.ndarray, np.ndarray, np.ndarray, int | None] | None = None

    def show(self, run, top: np.ndarray, scores: np.ndarray, history: np.ndarray, true_next: int | None) -> None:
        """Show the items `top` with their `scores`; `history` contains the items seen so far in the session."""
        self.shown = (run, top, scores, history, true_next)
        self.fit_columns()
        self.clear()
        seen = set(int(i) for i in history)
        for rank, (item, score) in enumerate(zip(top, scores), 1):
            item = int(item)
            marks = []
            style = ""
            if true_next is not None and item == true_next:
                marks.append(_("next"))
                style = "bold green"
            if item in seen:
                marks.append(_("seen"))
            title = shorten_title(str(run.titles[item]) or str(run.item_ids[item]), self.title_width)
            self.add_row(str(rank), Text(title, style=style), f"{float(score):.3f}", ", ".join(marks), key=str(item))

    def redraw(self, cursor_row: int) -> None:
        if self.shown is not None:
            self.show(*self.shown)
            self.move_cursor(row=cursor_row, animate=False)

    def clear_items(self) -> None:
        """Remove the rows and forget the items."""
        self.shown = None
        self.clear()
