"""Runs screen: every saved run with its settings and metrics; sort, open, compare, delete, browse."""

from __future__ import annotations

from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import SbrError
from core.runs import RunSummary, delete_run, list_runs
from sbr_tui.dialogs.compare import CompareDialog
from sbr_tui.dialogs.confirm import ConfirmDialog
from sbr_tui.dialogs.run_detail import RunDetailDialog
from sbr_tui.formatting import format_metric, largest_cutoff, loss_short_name, run_label, status_name
from sbr_tui.i18n import _
from sbr_tui.screens.base import SbrScreen, notify_error
from sbr_tui.widgets.nav import NavBar


def metric_value(metrics: dict[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    return None if value is None else float(value)


class RunsScreen(SbrScreen):
    """A sortable table of the run directories under the runs folder."""

    SCREEN_NAME = _("Runs")
    AUTO_FOCUS = "#runs-table"
    BINDINGS = [
        Binding("o", "open_run", _("Open"), id="runs.open"),
        Binding("space", "mark", _("Mark"), id="runs.mark"),
        Binding("c", "compare", _("Compare"), id="runs.compare"),
        Binding("b", "browse_run", _("Browse"), id="runs.browse"),
        Binding("s", "sort_next", _("Sort"), id="runs.sort"),
        Binding("v", "reverse", _("Reverse sort"), show=False, id="runs.reverse"),
        Binding("d,delete", "delete_run", _("Delete"), id="runs.delete"),
        Binding("r", "refresh", _("Refresh"), show=False, id="runs.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunSummary] = []
        self.marked: set[str] = set()
        self.sort_column = 1
        self.sort_reverse = True
        self.cutoff = 20

    def columns(self) -> list[tuple[str, Callable[[RunSummary], Any], Callable[[Any], str]]]:
        """Return (title, sort value, cell text) for every column.

        The columns fit 80 terminal columns. Hidden size, batch size, learning rate, duration
        and the error of a run are in the dialog that Open shows.
        """
        k = self.cutoff
        text = lambda value: "-" if value is None else str(value)  # noqa: E731
        labels = {run.name: run_label(run.name, run.dataset) for run in self.runs}
        return [
            ("✓", lambda run: run.name in self.marked, lambda marked: "✓" if marked else ""),
            (_("run"), lambda run: run.name, lambda name: labels.get(name, name)),
            (_("status"), lambda run: run.status, status_name),
            (_("loss"), lambda run: run.settings.get("loss"), loss_short_name),
            (_("ep"), lambda run: run.epochs, text),
            (f"vR@{k}", lambda run: metric_value(run.best_valid, f"recall@{k}"), format_metric),
            (f"vM@{k}", lambda run: metric_value(run.best_valid, f"mrr@{k}"), format_metric),
            (f"tR@{k}", lambda run: metric_value(run.test, f"recall@{k}"), format_metric),
        ]

    def compose(self) -> ComposeResult:
        yield NavBar("runs")
        yield Static("", id="runs-label")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the runs folder again."""
        self.runs = list_runs(self.sbr.runs_dir)
        names = {run.name for run in self.runs}
        self.marked &= names
        cutoffs = [largest_cutoff(run.test or run.best_valid, 0) for run in self.runs]
        self.cutoff = 20 if 20 in cutoffs or not any(cutoffs) else max(cutoffs)
        legend = _("v/t: best valid epoch/test, R: Recall, M: MRR")
        self.query_one("#runs-label", Static).update(
            _("{n} runs in {folder}. {legend}").format(n=len(self.runs), folder=self.sbr.runs_dir, legend=legend)
        )
        self.rebuild()

    def sorted_runs(self) -> list[RunSummary]:
        _title, value, _cell = self.columns()[self.sort_column]
        present = [run for run in self.runs if value(run) is not None]
        missing = [run for run in self.runs if value(run) is None]
        present.sort(key=lambda run: (str(type(value(run))), value(run)), reverse=self.sort_reverse)
        return present + missing

    def rebuild(self) -> None:
        """Fill the table in the current sort order, keeping the cursor on the same run."""
        table = self.query_one("#runs-table", DataTable)
        current = self.current_run()
        columns = self.columns()
        table.clear(columns=True)
        for number, (title, _value, _cell) in enumerate(columns):
            arrow = ""
            if number == self.sort_column:
                arrow = "▼" if self.sort_reverse else "▲"
            table.add_column(title + arrow, key=str(number))
        for run in self.sorted_runs():
            table.add_row(*(cell(value(run)) for _title, value, cell in columns), key=run.name)
        if current is not None and current.name in table.rows:
            table.move_cursor(row=table.get_row_index(current.name))

    def current_run(self) -> RunSummary | None:
        table = self.query_one("#runs-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((run for run in self.runs if run.name == key), None)

    # ---- sorting --------------------------------------------------------------

    def action_sort_next(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(self.columns())
        self.rebuild()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.rebuild()

    @on(DataTable.HeaderSelected)
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        self.sort_column = event.column_index
        self.rebuild()

    # ---- run actions ----------------------------------------------------------

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        run = self.current_run()
        if run is not None:
            self.app.push_screen(RunDetailDialog(run))

    def action_mark(self) -> None:
        run = self.current_run()
        if run is None:
            return
        self.marked ^= {run.name}
        self.rebuild()

    def action_compare(self) -> None:
        chosen = [run for run in self.sorted_runs() if run.name in self.marked]
        if len(chosen) < 2:
            self.notify(_("Mark two or more runs with Space first."), severity="warning")
            return
        self.app.push_screen(CompareDialog(chosen))

    def action_browse_run(self) -> None:
        run = self.current_run()
        if run is None:
            return
        if not (run.path / "last.weights.h5").exists():
            self.notify(_("Run {name} has no saved weights to browse.").format(name=run.name), severity="warning")
            return
        self.sbr.browse_run = run.path
        self.sbr.action_show("browse")

    def action_delete_run(self) -> None:
        run = self.current_run()
        if run is None:
            return
        if self.sbr.training_worker() is not None and self.sbr.get_screen("train").run_dir == run.path:
            self.notify(_("This run is still training; cancel it first."), severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete_run(run.path)
            except (SbrError, OSError) as exc:
                notify_error(self.app, str(exc), _("Delete failed"))
                return
            if self.sbr.browse_run == run.path:
                self.sbr.browse_run = None
            self.notify(_("Deleted {name}.").format(name=run.name))
            self.action_refresh()

        self.app.push_screen(ConfirmDialog(_("Delete run {name} and all its files?").format(name=run.name)), answer)
