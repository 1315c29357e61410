"""Curve of the validation metrics by epoch."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from sbr_tui.i18n import _


class MetricCurve(PlotextPlot):
    """Valid Recall@k and MRR@k per epoch, redrawn when an epoch ends."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cutoff = 20
        self.recall: list[float] = []
        self.mrr: list[float] = []

    def on_mount(self) -> None:
        self.draw()

    def reset(self, cutoff: int) -> None:
        """Forget the epochs and set the cutoff k of the plotted metrics."""
        self.cutoff = cutoff
        self.recall = []
        self.mrr = []
        self.draw()

    def add_epoch(self, valid: dict[str, float]) -> None:
        """Append one epoch's validation metrics and redraw."""
        self.recall.append(float(valid.get(f"recall@{self.cutoff}", 0.0)))
        self.mrr.append(float(valid.get(f"mrr@{self.cutoff}", 0.0)))
        self.draw()

    def draw(self) -> None:
        """Redraw the whole plot from the stored values."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(_("Valid metrics by epoch"))
        plt.xlabel(_("epoch"))
        epochs = list(range(1, len(self.recall) + 1))
        if epochs:
            plt.plot(epochs, self.recall, label=f"Recall@{self.cutoff}", marker="braille")
            plt.plot(epochs, self.mrr, label=f"MRR@{self.cutoff}", marker="braille")
        if epochs:
            plt.xticks(epochs)
        self.refresh()
