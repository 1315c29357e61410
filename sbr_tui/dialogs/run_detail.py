"""A run's epochs, results and settings in a modal dialog."""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from core.config import Config
from core.runs import RunSummary, read_epochs
from sbr_tui.formatting import epochs_text, format_duration, largest_cutoff, status_name
from sbr_tui.i18n import _
from sbr_tui.widgets.metric_table import EpochTable, MetricsTable


def read_json_object(path: Path) -> dict:
    """Return the JSON object in `path`, or an empty dict when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class RunDetailDialog(ModalScreen[None]):
    """Show one run: status, epochs, test metrics with baselines, and its config as TOML."""

    BINDINGS = [Binding("escape,q,enter", "close", _("Close"), id="detail.close")]

    def __init__(self, summary: RunSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        with Vertical(classes="dialog dialog-tall"):
            yield Static(_("Run {name}").format(name=summary.name), classes="dialog-title")
            with VerticalScroll():
                status = _("status {status}, {epochs}, {time}").format(
                    status=status_name(summary.status), epochs=epochs_text(summary.epochs), time=format_duration(summary.seconds)
                )
                if summary.error:
                    status += "\n" + _("error: {error}").format(error=summary.error)
                yield Static(status)
                yield Static(_("Epochs"), classes="table-title")
                yield EpochTable(id="detail-epochs")
                yield Static(_("Test metrics"), classes="table-title")
                yield MetricsTable(id="detail-test")
                yield Static(_("Settings"), classes="table-title")
                yield Static(self.config_text(), id="detail-config")

    def config_text(self) -> str:
        data = read_json_object(self.summary.path / "config.json")
        if not data:
            return _("config.json is missing or unreadable.")
        try:
            return Config.from_dict(data).to_toml()
        except Exception as exc:  # noqa: BLE001 - any problem in a hand-edited file is shown, not raised
            return _("config.json is invalid: {error}").format(error=exc)

    def on_mount(self) -> None:
        results = read_json_object(self.summary.path / "results.json")
        epochs = read_epochs(self.summary.path)
        test = results.get("test") or {}
        cutoff = largest_cutoff(test or self.summary.best_valid)
        table = self.query_one("#detail-epochs", EpochTable)
        table.reset(cutoff)
        for record in epochs:
            table.add_epoch(record)
        rows = {"GRU4Rec": test}
        rows.update(results.get("baselines") or {})
        cutoffs = sorted({int(key.split("@")[1]) for key in test if "@" in key}) or [cutoff]
        self.query_one("#detail-test", MetricsTable).show(rows, cutoffs)

    def action_close(self) -> None:
        self.dismiss(None)
