"""Tables of epoch metrics and of test metrics next to the baselines."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from sbr_tui.formatting import format_duration, format_metric
from sbr_tui.i18n import _

BASELINE_NAMES = {"popular": _("most popular"), "item_to_next": _("item-to-next"), "vsknn": _("V-SKNN")}


class EpochTable(DataTable):
    """One row per epoch: loss, valid Recall@k and MRR@k at the largest cutoff, and time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.cutoff = 20

    def reset(self, cutoff: int) -> None:
        """Clear the rows and label the metric columns for cutoff `cutoff`."""
        self.cutoff = cutoff
        self.clear(columns=True)
        self.add_column(_("epoch"), key="epoch")
        self.add_column(_("loss"), key="loss")
        self.add_column(f"Recall@{cutoff}", key="recall")
        self.add_column(f"MRR@{cutoff}", key="mrr")
        self.add_column(_("time"), key="time")
        self.add_column(_("events/s"), key="rate")
        self.add_column(_("best"), key="best")

    def add_epoch(self, record: dict[str, Any]) -> None:
        """Add or update the row of one epoch record (the keys of a metrics.jsonl line)."""
        if not self.columns:
            self.reset(self.cutoff)
        valid = record.get("valid") or {}
        cells = [
            str(record["epoch"]),
            format_metric(record.get("loss")),
            format_metric(valid.get(f"recall@{self.cutoff}")),
            format_metric(valid.get(f"mrr@{self.cutoff}")),
            format_duration(record.get("seconds")),
            f"{record.get('events_per_second', 0):,.0f}",
            "*" if record.get("is_best") else "",
        ]
        key = str(record["epoch"])
        if key in self.rows:
            for column, value in zip(self.columns, cells):
                self.update_cell(key, column, value)
        else:
            self.add_row(*cells, key=key)
            self.move_cursor(row=self.row_count - 1)


class MetricsTable(DataTable):
    """Rows of models (GRU4Rec and baselines), columns of Recall@k and MRR@k for every cutoff."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)

    def show(self, rows: dict[str, dict[str, float]], cutoffs: list[int]) -> None:
        """Replace the table with one row per named metric dict; empty dicts are skipped."""
        self.clear(columns=True)
        self.add_column(_("model"), key="model")
        for k in cutoffs:
            self.add_column(f"R@{k}", key=f"recall@{k}")
            self.add_column(f"MRR@{k}", key=f"mrr@{k}")
        for name, metrics in rows.items():
            if not metrics:
                continue
            cells = [BASELINE_NAMES.get(name, name)]
            for k in cutoffs:
                cells.append(format_metric(metrics.get(f"recall@{k}")))
                cells.append(format_metric(metrics.get(f"mrr@{k}")))
            self.add_row(*cells, key=name)
