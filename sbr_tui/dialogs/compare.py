"""Two or more runs side by side: settings and metrics in one table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from core.runs import RunSummary
from sbr_tui.formatting import format_duration, format_metric, run_label, status_name
from sbr_tui.i18n import _

SETTING_ROWS = ("loss", "hidden_size", "embedding_size", "batch_size", "optimizer", "learning_rate", "epochs", "n_sample")


class CompareDialog(ModalScreen[None]):
    """One column per run, one row per setting or metric."""

    BINDINGS = [Binding("escape,q", "close", _("Close"), id="compare.close")]

    def __init__(self, runs: list[RunSummary]) -> None:
        super().__init__()
        self.runs = runs

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static(_("Compare {n} runs").format(n=len(self.runs)), classes="dialog-title")
            yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="name")
        for number, run in enumerate(self.runs):
            # Seconds tell apart runs started in the same minute.
            table.add_column(run_label(run.name, run.dataset, width=26, seconds=True), key=str(number))

        table.add_row(_("status"), *(status_name(run.status) for run in self.runs))
        table.add_row(_("epochs done"), *(str(run.epochs) for run in self.runs))
        table.add_row(_("duration"), *(format_duration(run.seconds) for run in self.runs))
        for name in SETTING_ROWS:
            table.add_row(name, *(str(run.settings.get(name, "-")) for run in self.runs))
        metric_keys = sorted(
            {key for run in self.runs for key in (*run.best_valid, *run.test) if "@" in key},
            key=lambda key: (key.split("@")[0], int(key.split("@")[1])),
        )
        for key in metric_keys:
            table.add_row(_("valid {metric}").format(metric=key), *(format_metric(run.best_valid.get(key)) for run in self.runs))
        for key in metric_keys:
            table.add_row(_("test {metric}").format(metric=key), *(format_metric(run.test.get(key)) for run in self.runs))

    def action_close(self) -> None:
        self.dismiss(None)
