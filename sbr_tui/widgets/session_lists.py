"""A session's history and the model's next-item list, for the browse screen."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.widgets import DataTable

from sbr_tui.formatting import format_time
from sbr_tui.i18n import _

# Rows of a history shown at once. Longer histories (a MovieLens user can have
# hundreds of events) are shown as pages, so the table stays fast.
HISTORY_PAGE = 100


class HistoryTable(DataTable):
    """The events of one session, one page of HISTORY_PAGE rows at a time; the cursor picks a position."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.page_start = 0
        self.length = 0

    def on_mount(self) -> None:
        self.add_column("#", key="position")
        self.add_column(_("time (UTC)"), key="time")
        self.add_column(_("title"), key="title", width=28)
        self.add_column(_("genres"), key="genres", width=16)
        self.add_column(_("rating"), key="rating")

    def show_page(self, run, part: str, index: int, position: int) -> None:
        """Show the page of session `index` of `part` that contains `position` (0-based) and put the cursor there."""
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
            self.add_row(
                str(offset + 1),
                format_time(times[offset]),
                str(run.titles[item]) or str(run.item_ids[item]),
                str(run.genres[item]).replace("|", ", "),
                rating,
                key=str(offset),
            )
        self.move_cursor(row=position - self.page_start, animate=False)

    def position_of_row(self, row: int) -> int:
        """Return the 0-based session position of a table row."""
        return self.page_start + row


class RecommendationTable(DataTable):
    """The model's top-k next items, marking the true next item and items already in the session."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)

    def on_mount(self) -> None:
        self.add_column(_("rank"), key="rank")
        self.add_column(_("title"), key="title", width=32)
        self.add_column(_("score"), key="score")
        self.add_column(_("mark"), key="mark")

    def show(self, run, top: np.ndarray, scores: np.ndarray, history: np.ndarray, true_next: int | None) -> None:
        """Show the items `top` with their `scores`; `history` contains the items seen so far in the session."""
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
            title = str(run.titles[item]) or str(run.item_ids[item])
            self.add_row(str(rank), Text(title, style=style), f"{float(score):.3f}", ", ".join(marks), key=str(item))
