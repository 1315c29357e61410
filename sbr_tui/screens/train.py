"""Train screen: start and cancel training, live progress, epoch metrics, curve and baselines."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from sbr_tui.formatting import epochs_text, format_duration, status_name
from sbr_tui.i18n import _
from sbr_tui.screens.base import SbrScreen, error_text, notify_error
from sbr_tui.widgets.curve import MetricCurve
from sbr_tui.widgets.metric_table import EpochTable, MetricsTable
from sbr_tui.widgets.nav import NavBar

if TYPE_CHECKING:
    from core.config import Config
    from core.pipeline import PreparedData
    from core.runs import RunResult

PHASES = {
    "load": _("loading the data"),
    "baselines": _("computing the baselines (popular, item-to-next, V-SKNN)"),
    "train": _("training"),
    "valid": _("validating"),
    "test": _("testing the best epoch"),
}

# Phases without batch progress, with the text shown under the bar while they run.
WAITING_PHASES = {
    "load": _("Reading the data and building the sessions..."),
    "baselines": _("Computing the baselines; epoch 1 starts after them."),
}


class BatchUpdate(Message):
    """Progress inside an epoch (a core.training.BatchProgress); newer ones replace unhandled older ones."""

    def __init__(self, progress: Any) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BatchUpdate)


class EpochDone(Message):
    """One finished epoch, as a metrics.jsonl record."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__()
        self.record = record


class PhaseStarted(Message):
    """The training job entered a phase: load, baselines, train, valid or test."""

    def __init__(self, phase: str) -> None:
        super().__init__()
        self.phase = phase


class RunCreated(Message):
    """The run directory of the job exists."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class TrainScreen(SbrScreen):
    """Run core.runs.run_training in a thread worker and show what it reports."""

    SCREEN_NAME = _("Train")
    BINDINGS = [
        Binding("s", "start", _("Start"), id="train.start"),
        Binding("c,escape", "cancel", _("Cancel"), id="train.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.run_dir: Path | None = None
        self.cutoffs: list[int] = [20]
        # Cancel sets this flag rather than cancelling the worker: a cancelled thread worker
        # reports CANCELLED at once while its thread still runs, and the run's result would be lost.
        self.stop_event = threading.Event()

    def compose(self) -> ComposeResult:
        yield NavBar("train")
        yield Static(_("Press s to train with the settings of the Setup screen."), id="train-status")
        yield ProgressBar(total=1, show_eta=False, id="train-progress")
        yield Static("", id="train-rate")
        with VerticalScroll(id="train-scroll"):
            yield EpochTable(id="epochs")
            yield MetricCurve(id="curve")
            yield Static(_("Valid metrics: GRU4Rec (best epoch) and baselines"), classes="table-title")
            yield MetricsTable(id="valid-table")
            yield Static(_("Test metrics"), classes="table-title")
            yield MetricsTable(id="test-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EpochTable).reset(20)

    def is_training(self) -> bool:
        return self.sbr.training_worker() is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim Start while training runs and Cancel while it does not."""
        if action == "start":
            return None if self.is_training() else True
        if action == "cancel":
            return True if self.is_training() else None
        return True

    # ---- start and cancel -----------------------------------------------------

    def action_start(self) -> None:
        """Check the settings and the data, then start one training job."""
        if self.is_training():
            self.notify(_("Training is already running; cancel it first (c)."), severity="warning")
            return
        app = self.sbr
        if app.settings_errors:
            notify_error(self.app, _("Some settings are invalid; fix the fields marked in red."), _("Cannot train"))
            app.action_show("setup")
            return
        if not app.config.data.path and not app.config.data.train_path:
            notify_error(self.app, _("Load data on the Data screen (F2) first."), _("Cannot train"))
            return
        if app.prepared_is_current() and app.prepared.split is None:
            notify_error(self.app, app.prepared.split_error or _("The data has no split."), _("Cannot train"))
            return
        n_train = app.prepared.split.train.n_sessions if app.prepared_is_current() else None
        errors = app.config.field_errors(n_train)
        if errors:
            message = "\n".join(f"{name}: {text}" for name, text in errors.items())
            notify_error(self.app, message, _("Cannot train"))
            return

        config = copy.deepcopy(app.config)
        prepared = app.prepared if app.prepared_is_current() else None
        self.cutoffs = sorted(config.eval.cutoffs)
        self.run_dir = None
        self.query_one(EpochTable).reset(self.cutoffs[-1])
        self.query_one(MetricCurve).reset(self.cutoffs[-1])
        self.query_one("#valid-table", MetricsTable).clear(columns=True)
        self.query_one("#test-table", MetricsTable).clear(columns=True)
        self.query_one("#train-status", Static).update(_("Starting..."))
        self.query_one("#train-rate", Static).update("")
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.stop_event = threading.Event()
        self.train(config, prepared, app.runs_dir, self.stop_event)
        self.refresh_bindings()

    def action_cancel(self) -> None:
        """Stop training after the current batch; the run keeps its finished epochs."""
        if not self.is_training():
            return
        self.stop_event.set()
        self.query_one("#train-status", Static).update(_("Cancelling after the current batch..."))

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def train(self, config: Config, prepared: PreparedData | None, runs_dir: Path, stop: threading.Event) -> RunResult:
        """Run the whole training job in this thread; progress goes to the screen as messages.

        The job stops within one batch once `stop` is set or the worker is cancelled
        (as it is when the app exits), and run_training saves it as cancelled.
        """
        from core.runs import epoch_record, run_training
        from core.training import TrainCallbacks

        worker = get_current_worker()
        callbacks = TrainCallbacks(
            on_batch=lambda progress: self.post_message(BatchUpdate(progress)),
            on_epoch=lambda epoch: self.post_message(EpochDone(epoch_record(epoch))),
            on_phase=lambda phase: self.post_message(PhaseStarted(phase)),
        )
        return run_training(
            config,
            prepared=prepared,
            callbacks=callbacks,
            should_stop=lambda: stop.is_set() or worker.is_cancelled,
            runs_dir=runs_dir,
            on_run_dir=lambda path: self.post_message(RunCreated(path)),
        )

    # ---- messages from the worker ---------------------------------------------

    def on_run_created(self, message: RunCreated) -> None:
        self.run_dir = message.path

    def on_phase_started(self, message: PhaseStarted) -> None:
        self.query_one("#train-status", Static).update(_("Phase: {phase}").format(phase=PHASES.get(message.phase, message.phase)))
        if message.phase in WAITING_PHASES:
            # These phases report no progress, so the bar only shows that the job is working.
            self.query_one(ProgressBar).update(total=None)
            self.query_one("#train-rate", Static).update(WAITING_PHASES[message.phase])
        if message.phase == "train" and self.run_dir is not None:
            self.show_valid_baselines()

    def on_batch_update(self, message: BatchUpdate) -> None:
        progress = message.progress
        self.query_one(ProgressBar).update(total=max(progress.events_total, 1), progress=progress.events_done)
        text = _("epoch {epoch}/{epochs}  {rate:,.0f} events/s  ETA {eta}  loss {loss:.4f}").format(
            epoch=progress.epoch,
            epochs=progress.epochs,
            rate=progress.events_per_second,
            eta=format_duration(progress.eta_seconds),
            loss=progress.loss,
        )
        self.query_one("#train-rate", Static).update(text)

    def on_epoch_done(self, message: EpochDone) -> None:
        record = message.record
        self.query_one(EpochTable).add_epoch(record)
        self.query_one(MetricCurve).add_epoch(record.get("valid") or {}, record.get("loss"))
        self.show_valid_baselines(record if record.get("is_best") else None)

    def show_valid_baselines(self, best: dict[str, Any] | None = None) -> None:
        """Show the valid metrics of the best epoch so far next to those of the baselines in results.json."""
        if self.run_dir is None:
            return
        try:
            results = json.loads((self.run_dir / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        table = self.query_one("#valid-table", MetricsTable)
        rows: dict[str, dict[str, float]] = {}
        if best is not None:
            rows["GRU4Rec"] = best.get("valid") or {}
        elif "GRU4Rec" in table.rows:
            return
        rows.update(results.get("valid_baselines") or {})
        table.show(rows, self.cutoffs)

    # ---- the end of the job ---------------------------------------------------

    def worker_succeeded(self, worker: Worker) -> None:
        if worker.group != "train":
            return
        result = worker.result
        self.refresh_bindings()
        rows = {"GRU4Rec": result.test or {}}
        rows.update(result.baselines)
        self.query_one("#test-table", MetricsTable).show(rows, self.cutoffs)
        self.stop_progress()
        if result.status != "finished":
            # The last batch update would otherwise stay, with its ETA, as if training went on.
            self.query_one("#train-rate", Static).update(
                _("Stopped: {status}, {epochs} kept.").format(
                    status=status_name(result.status), epochs=epochs_text(len(result.epochs))
                )
            )
        status = _("Run {name}: {status}, {epochs} in {time}.").format(
            name=result.run_dir.name, status=status_name(result.status), epochs=epochs_text(len(result.epochs)), time=format_duration(result.seconds)
        )
        # core.runs saves weights at the end of each epoch, so a run without a finished epoch has none.
        if result.epochs:
            self.sbr.browse_run = result.run_dir
            status += " " + _("F5 browses its recommendations.")
        else:
            status += " " + _("It has no saved weights to browse.")
        self.query_one("#train-status", Static).update(status)
        severity = "information" if result.status == "finished" else "warning"
        self.notify(_("Training {status}.").format(status=status_name(result.status)), severity=severity)

    def stop_progress(self) -> None:
        """Stop the bar's animation when the job ends in a phase without batch progress."""
        bar = self.query_one(ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=0)

    def worker_failed(self, worker: Worker) -> None:
        if worker.group != "train":
            return
        self.refresh_bindings()
        self.stop_progress()
        message = _("Training failed: {message}").format(message=error_text(worker.error))
        self.query_one("#train-status", Static).update(message)
