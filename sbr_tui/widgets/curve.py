"""Curve of the validation metrics by epoch, or of the training loss when there is no validation part."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from sbr_tui.i18n import _


class MetricCurve(PlotextPlot):
    """Valid Recall@k and MRR@k per epoch, redrawn when an epoch ends.

    Without validation data the epochs have no metrics, so the curve shows
    the training loss instead of a flat line at zero.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cutoff = 20
        self.recall: list[float] = []
        self.mrr: list[float] = []
        self.loss: list[float] = []

    def on_mount(self) -> None:
        self.draw()

    def reset(self, cutoff: int) -> None:
        """Forget the epochs and set the cutoff k of the plotted metrics."""
        self.cutoff = cutoff
        self.recall = []
        self.mrr = []
        self.loss = []
        self.draw()

    def add_epoch(self, valid: dict[str, float], loss: float | None = None) -> None:
        """Append one epoch's validation metrics (empty without validation data) and training loss, and redraw."""
        recall = valid.get(f"recall@{self.cutoff}")
        mrr = valid.get(f"mrr@{self.cutoff}")
        if recall is not None and mrr is not None:
            self.recall.append(float(recall))
            self.mrr.append(float(mrr))
        if loss is not None:
            self.loss.append(float(loss))
        self.draw()

    def draw(self) -> None:
        """Redraw the whole plot from the stored values."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel(_("epoch"))
        if self.recall or not self.loss:
            plt.title(_("Valid metrics by epoch"))
            epochs = list(range(1, len(self.recall) + 1))
            if epochs:
                plt.plot(epochs, self.recall, label=f"Recall@{self.cutoff}", marker="braille")
                plt.plot(epochs, self.mrr, label=f"MRR@{self.cutoff}", marker="braille")
        else:
            plt.title(_("Training loss by epoch (no validation data)"))
            epochs = list(range(1, len(self.loss) + 1))
            plt.plot(epochs, self.loss, label=_("loss"), marker="braille")
        if epochs:
            plt.xticks(epochs)
        self.refresh()
