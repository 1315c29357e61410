"""Browse screen: a session's history and the model's next items at a chosen position."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.worker import Worker

from sbr_tui.formatting import part_name
from sbr_tui.i18n import _
from sbr_tui.screens.base import SbrScreen
from sbr_tui.widgets.nav import NavBar
from sbr_tui.widgets.session_lists import HistoryTable, RecommendationTable

if TYPE_CHECKING:
    from core.recommend import LoadedRun

TOP_K = 10


class BrowseScreen(SbrScreen):
    """Pick a valid or test session of a saved run and step through its positions."""

    SCREEN_NAME = _("Browse")
    AUTO_FOCUS = "#history"
    BINDINGS = [
        Binding("n", "next_session", _("Next session"), id="browse.next"),
        Binding("p", "previous_session", _("Previous"), id="browse.previous"),
        Binding("t", "toggle_part", _("Valid/test"), id="browse.part"),
        Binding("slash", "search", _("Find id"), id="browse.search"),
        Binding("pagedown", "page(1)", _("Next page"), show=False, id="browse.page_down"),
        Binding("pageup", "page(-1)", _("Previous page"), show=False, id="browse.page_up"),
        Binding("home", "first_position", _("First position"), show=False, id="browse.first"),
        Binding("end", "last_position", _("Last position"), show=False, id="browse.last"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.run: LoadedRun | None = None
        self.part = "test"
        self.index = 0
        self.position = 0

    def compose(self) -> ComposeResult:
        yield NavBar("browse")
        with Horizontal(id="browse-bar"):
            yield Static(_("No run loaded."), id="run-label")
            yield Label(_("Session/user id:"))
            yield Input(placeholder=_("id, Enter"), type="integer", id="session-search", compact=True)
        yield Static("", id="session-label")
        yield HistoryTable(id="history")
        yield Static("", id="recs-label")
        yield RecommendationTable(id="recs")
        yield Footer()

    def on_screen_resume(self) -> None:
        wanted = self.sbr.browse_run
        if wanted is None:
            wanted = self.newest_run()
        if wanted is not None and (self.run is None or self.run.path != wanted):
            self.query_one("#run-label", Static).update(_("Loading {name}...").format(name=wanted.name))
            self.load(wanted)

    def newest_run(self) -> Path | None:
        """Return the newest run with saved weights in the runs folder, or None."""
        runs_dir = self.sbr.runs_dir
        if not runs_dir.is_dir():
            return None
        candidates = sorted((p for p in runs_dir.iterdir() if (p / "last.weights.h5").exists()), reverse=True)
        return candidates[0] if candidates else None

    @work(thread=True, exclusive=True, group="browse-load", exit_on_error=False)
    def load(self, path: Path) -> LoadedRun:
        """Read the run and build its model (which imports TensorFlow) off the UI thread."""
        from core.recommend import load_run

        run = load_run(path)
        run.model  # noqa: B018 - builds the model and loads the weights here rather than on the UI thread
        return run

    def worker_succeeded(self, worker: Worker) -> None:
        if worker.group == "browse-load":
            self.run = worker.result
            self.sbr.browse_run = self.run.path
            self.query_one("#run-label", Static).update(_("Run: {name}").format(name=self.run.path.name))
            self.part = "test" if self.run.sessions["test"].n_sessions else "valid"
            self.show_session(0, 0)
        elif worker.group == "recommend":
            self.show_recommendations(*worker.result)

    def worker_failed(self, worker: Worker) -> None:
        if worker.group == "browse-load":
            self.clear_run()
            self.query_one("#run-label", Static).update(_("Run could not be loaded."))
        elif worker.group == "recommend":
            self.query_one(RecommendationTable).clear_items()
            self.query_one("#recs-label", Static).update(_("No recommendations: scoring the items failed."))

    def clear_run(self) -> None:
        """Forget the loaded run and empty the history and the recommendations, so no stale run stays on screen."""
        self.run = None
        self.index = 0
        self.position = 0
        self.query_one(HistoryTable).clear_session()
        self.query_one(RecommendationTable).clear_items()
        self.query_one("#session-label", Static).update("")
        self.query_one("#recs-label", Static).update("")

    # ---- choosing a session and position ------------------------------------------

    def show_session(self, index: int, position: int) -> None:
        """Show session `index` of the current part with the cursor at `position`."""
        if self.run is None:
            return
        data = self.run.sessions[self.part]
        if data.n_sessions == 0:
            self.query_one("#session-label", Static).update(_("The {part} data has no sessions.").format(part=part_name(self.part)))
            return
        self.index = index % data.n_sessions
        length = int(data.lengths[self.index])
        self.position = min(max(position, 0), length - 1)
        label = _("{part} session {number}/{count}: id {session}, user {user}, {length} events").format(
            part=part_name(self.part), number=self.index + 1, count=data.n_sessions,
            session=int(data.session_ids[self.index]), user=int(data.user_ids[self.index]), length=length,
        )
        label += _("; ↑/↓ Home/End move")
        self.query_one("#session-label", Static).update(label)
        self.query_one(HistoryTable).show_page(self.run, self.part, self.index, self.position)
        self.request_recommendations()

    @on(DataTable.RowHighlighted, "#history")
    def position_changed(self, event: DataTable.RowHighlighted) -> None:
        if self.run is None:
            return
        position = self.query_one(HistoryTable).position_of_row(event.cursor_row)
        if position != self.position:
            self.position = position
            self.request_recommendations()

    def action_next_session(self) -> None:
        self.show_session(self.index + 1, 0)

    def action_previous_session(self) -> None:
        self.show_session(self.index - 1, 0)

    def action_toggle_part(self) -> None:
        self.part = "valid" if self.part == "test" else "test"
        self.show_session(0, 0)

    def action_first_position(self) -> None:
        """Move to the first event of the session."""
        self.show_session(self.index, 0)

    def action_last_position(self) -> None:
        """Move to the last event of the session."""
        if self.run is not None:
            self.show_session(self.index, int(self.run.sessions[self.part].lengths[self.index]) - 1)

    def action_page(self, direction: int) -> None:
        from sbr_tui.widgets.session_lists import HISTORY_PAGE

        self.show_session(self.index, self.position + direction * HISTORY_PAGE)

    def action_search(self) -> None:
        self.query_one("#session-search", Input).focus()

    @on(Input.Submitted, "#session-search")
    def search(self, event: Input.Submitted) -> None:
        """Jump to the session whose session id or user id is the number typed, in test first, then valid."""
        if self.run is None or not event.value.strip():
            return
        wanted = int(event.value)
        for part in ("test", "valid"):
            data = self.run.sessions[part]
            hits = np.flatnonzero((data.session_ids == wanted) | (data.user_ids == wanted))
            if len(hits):
                self.part = part
                self.show_session(int(hits[0]), 0)
                self.query_one(HistoryTable).focus()
                return
        self.notify(_("No valid or test session has id {id}.").format(id=wanted), severity="warning")

    # ---- recommendations ----------------------------------------------------------

    def request_recommendations(self) -> None:
        if self.run is None:
            return
        data = self.run.sessions[self.part]
        span = data.session(self.index)
        items = data.items[span]
        history = items[: self.position + 1]
        true_next = int(items[self.position + 1]) if self.position + 1 < len(items) else None
        self.query_one("#recs-label", Static).update(_("Top {k} after position {position}: computing...").format(k=TOP_K, position=self.position + 1))
        self.recommend(self.run, history, true_next)

    @work(thread=True, exclusive=True, group="recommend", exit_on_error=False)
    def recommend(self, run: LoadedRun, history: np.ndarray, true_next: int | None) -> tuple:
        """Score every item for the history in this thread; return what the table shows."""
        from core.recommend import recommend_next

        top, scores = recommend_next(run.model, history, TOP_K)
        return run, top, scores, history, true_next

    def show_recommendations(self, run: LoadedRun, top, scores, history, true_next: int | None) -> None:
        if run is not self.run:
            return
        self.query_one(RecommendationTable).show(run, top, scores, history, true_next)
        label = _("Top {k} after position {position}").format(k=TOP_K, position=len(history))
        if true_next is None:
            label += _(" (last event: no true next item)")
        elif true_next in set(int(i) for i in top):
            label += _(" - the true next item is in the list")
        self.query_one("#recs-label", Static).update(label)
