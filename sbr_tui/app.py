"""The sbr-tui Textual app: screens, global keys, command palette and shared state."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from core.config import Config
from sbr_tui.dialogs.confirm import ConfirmDialog
from sbr_tui.dialogs.help import HelpDialog
from sbr_tui.i18n import _
from sbr_tui.messages import DataChanged, LoadProgress
from sbr_tui.screens.base import error_text, notify_error
from sbr_tui.screens.browse import BrowseScreen
from sbr_tui.screens.data import DataScreen
from sbr_tui.screens.runs import RunsScreen
from sbr_tui.screens.setup import SetupScreen
from sbr_tui.screens.train import TrainScreen
from sbr_tui.widgets.nav import SCREENS as NAV_SCREENS

if TYPE_CHECKING:
    from core.pipeline import PreparedData

DATA_SECTIONS = ("data", "sessions", "split")


def data_settings(config: Config) -> dict[str, Any]:
    """Return the settings that decide the prepared data: the data, sessions and split sections."""
    settings = config.to_dict()
    # Pre-split files are used as they are, so the session and split settings do not change them.
    sections = ("data",) if config.data.train_path is not None else DATA_SECTIONS
    return {name: settings[name] for name in sections}


class SbrApp(App[int]):
    """Load a log, set up, train, browse recommendations and compare runs."""

    CSS_PATH = "app.tcss"
    TITLE = "sbr-tui"
    SCREENS = {"data": DataScreen, "setup": SetupScreen, "train": TrainScreen, "browse": BrowseScreen, "runs": RunsScreen}
    BINDINGS = [
        # The screen bar at the top shows these keys and F1, so the footer leaves them out to fit 80 columns.
        *(Binding(key, f"show('{name}')", title, show=False, id=f"app.{name}") for name, key, title in NAV_SCREENS),
        Binding("f1,question_mark", "help", _("Help"), show=False, id="app.help"),
        Binding("ctrl+q", "quit", _("Quit"), priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        data_dir: str | Path | None = None,
        runs_dir: str | Path | None = None,
        config_dir: str | Path | None = None,
        download_base_url: str | None = None,
    ) -> None:
        super().__init__()
        import platformdirs

        from core.download import default_data_dir
        from core.runs import default_runs_dir

        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.runs_dir = Path(runs_dir) if runs_dir else default_runs_dir()
        self.config_dir = Path(config_dir) if config_dir else Path(platformdirs.user_config_dir("sbr-tui", appauthor=False))
        self.download_base_url = download_base_url
        self.config = Config()
        self.settings_errors: dict[str, str] = {}
        self.prepared: PreparedData | None = None
        self.prepared_settings: dict[str, Any] | None = None
        self.browse_run: Path | None = None

    def on_mount(self) -> None:
        self.push_screen("data")

    # ---- shared state ---------------------------------------------------------

    def prepared_is_current(self) -> bool:
        """Return True when the prepared data was made with the current data, session and split settings."""
        return self.prepared is not None and self.prepared_settings == data_settings(self.config)

    def load_data(self, config: Config, target: Screen) -> Worker | None:
        """Start preparing the data of `config` in a worker that reports progress to `target`.

        Returns None, and starts nothing, while another load is running.
        """
        if any(worker.group == "load" and worker.is_running for worker in self.workers):
            self.notify(_("Data is already loading."), severity="warning")
            return None
        return self._prepare(config, target)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _prepare(self, config: Config, target: Screen) -> tuple[Config, PreparedData]:
        from core.pipeline import prepare_data

        def progress(stage: str, fraction: float) -> None:
            target.post_message(LoadProgress(stage, fraction))

        # Statistics are still worth showing when the split settings do not fit the log.
        return config, prepare_data(config, progress=progress, allow_split_failure=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "load":
            return
        if event.state == WorkerState.SUCCESS:
            config, prepared = event.worker.result
            self.config.data = config.data
            self.prepared = prepared
            self.prepared_settings = data_settings(config)
            self._notify_screens(DataChanged)
        elif event.state == WorkerState.ERROR:
            message = error_text(event.worker.error)
            notify_error(self, message, _("Data could not be loaded"))
            self._notify_screens(DataChanged, message)

    def _notify_screens(self, message_type: type[DataChanged], error: str | None = None) -> None:
        for name in ("data", "setup", "train"):
            screen = self.get_screen(name)
            if screen.is_attached:
                screen.post_message(message_type(error))

    # ---- actions --------------------------------------------------------------

    def action_show(self, name: str) -> None:
        """Switch to the main screen `name`, closing any dialog first."""
        while isinstance(self.screen, Screen) and self.screen.is_modal:
            self.pop_screen()
        self.switch_screen(name)

    def action_help(self) -> None:
        """Open the list of every key."""
        if isinstance(self.screen, HelpDialog):
            return
        sections = [(_("Everywhere"), list(self.BINDINGS))]
        for name, _key, title in NAV_SCREENS:
            sections.append((title, list(self.SCREENS[name].BINDINGS)))
        self.push_screen(HelpDialog(sections))

    def training_worker(self) -> Worker | None:
        """Return the running training worker, if any."""
        for worker in self.workers:
            if worker.group == "train" and worker.is_running:
                return worker
        return None

    async def action_quit(self) -> None:
        """Quit; while training runs, ask first, then cancel it and wait until the run is saved."""
        worker = self.training_worker()
        if worker is None:
            self.exit(0)
            return

        async def answer(stop: bool | None) -> None:
            if not stop:
                return
            self.get_screen("train").action_cancel()
            self.notify(_("Stopping training and saving the run..."))
            try:
                await worker.wait()
            except (WorkerFailed, WorkerCancelled):
                pass  # the train screen has already shown why the job ended
            self.exit(0)

        self.push_screen(ConfirmDialog(_("Training is running. Stop it, keep the finished epochs and quit?")), answer)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """List the screens and the actions of the current screen in the command palette."""
        yield from super().get_system_commands(screen)
        for name, key, title in NAV_SCREENS:
            yield SystemCommand(
                _("Go to {title}").format(title=title),
                _("Open the {title} screen ({key})").format(title=title, key=key.upper()),
                lambda name=name: self.action_show(name),
            )
        yield SystemCommand(_("Help"), _("Show every key"), self.action_help)
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    _("{title} screen, key {key}").format(title=getattr(screen, "SCREEN_NAME", ""), key=binding.key),
                    lambda action=action, screen=screen: self.call_later(screen.run_action, action),
                )


def run_app(data_dir: str | None = None, runs_dir: str | None = None) -> int:
    """Run the app in the terminal and return its exit status."""
    app = SbrApp(data_dir=data_dir, runs_dir=runs_dir)
    app.run()
    return app.return_code or 0
