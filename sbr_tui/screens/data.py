"""Data screen: pick a ratings file, download MovieLens or use the demo data, then see the analysis."""

from __future__ import annotations

import copy
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Label, ProgressBar, Static

from sbr_tui.dialogs.download import DownloadDialog
from sbr_tui.dialogs.file_browser import FileBrowser
from sbr_tui.i18n import _
from sbr_tui.messages import DataChanged, LoadProgress
from sbr_tui.screens.base import ERROR_TIMEOUT, SbrScreen
from sbr_tui.widgets.nav import NavBar
from sbr_tui.widgets.path_suggester import PathSuggester
from sbr_tui.widgets.stats_view import StatsView

DEMO_PATH = "demo"

STAGES = {"load": _("reading the file"), "filter": _("filtering and building sessions"), "split": _("splitting by time"), "stats": _("computing statistics")}


def source_name(data) -> str:
    """Return how the status line names the loaded data: a path, the demo, or the pre-split files."""
    if data.train_path is None:
        return _("demo data") if data.path == DEMO_PATH else str(data.path)
    files = [Path(name).name for name in (data.train_path, data.valid_path, data.test_path) if name]
    return _("the pre-split files {files} in {folder}").format(
        files=", ".join(files), folder=Path(data.train_path).parent
    )


class DataScreen(SbrScreen):
    """Choose the source of the interactions and show the statistics of the loaded log."""

    SCREEN_NAME = _("Data")
    BINDINGS = [
        Binding("ctrl+l", "load", _("Load"), id="data.load"),
        Binding("ctrl+o", "browse_files", _("Browse"), id="data.browse"),
        Binding("ctrl+g", "download", _("Download"), id="data.download"),
        Binding("ctrl+t", "demo", _("Demo data"), id="data.demo"),
    ]

    def compose(self) -> ComposeResult:
        yield NavBar("data")
        with Horizontal(id="source"):
            yield Label(_("Ratings file or folder:"))
            yield Input(placeholder=_("path, e.g. ~/ml-1m (right arrow completes)"), suggester=PathSuggester(), id="path", compact=True)
        yield ProgressBar(total=1.0, show_eta=False, id="load-progress")
        yield Static(_("Enter loads the path. Ctrl+T loads the built-in demo data."), id="load-status")
        yield StatsView(id="stats")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#load-progress").display = False
        data = self.sbr.config.data
        path = data.path if data.train_path is None else str(Path(data.train_path).parent)
        if path and path != DEMO_PATH:
            self.query_one("#path", Input).value = path

    # ---- starting a load ------------------------------------------------------

    @on(Input.Submitted, "#path")
    def path_submitted(self) -> None:
        self.action_load()

    def action_load(self) -> None:
        """Load the path in the input."""
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self.notify(_("Enter the path of a ratings file or dataset folder first."), severity="warning")
            return
        self.start_load(str(Path(path).expanduser()), "auto")

    def action_demo(self) -> None:
        """Load the built-in synthetic dataset."""
        self.start_load(DEMO_PATH, "demo")

    def start_load(self, path: str, data_format: str) -> None:
        """Prepare the data at `path` with the current session and split settings."""
        from core.pipeline import set_data_source

        config = copy.deepcopy(self.sbr.config)
        set_data_source(config, path, data_format)
        if self.sbr.load_data(config, self) is None:
            return
        bar = self.query_one("#load-progress", ProgressBar)
        bar.display = True
        bar.update(total=1.0, progress=0.0)
        self.query_one("#load-status", Static).update(_("Loading {path}...").format(path=path))

    def action_browse_files(self) -> None:
        """Pick a file or folder in a directory browser."""
        start = Path(self.query_one("#path", Input).value.strip() or ".").expanduser()
        if start.is_file():
            start = start.parent

        def picked(path: str | None) -> None:
            if path:
                self.query_one("#path", Input).value = path
                self.action_load()

        self.app.push_screen(FileBrowser(start if start.is_dir() else self.sbr.data_dir), picked)

    def action_download(self) -> None:
        """Download a MovieLens archive, then load it."""

        def downloaded(path: str | None) -> None:
            if path:
                self.notify(_("Downloaded to {path}").format(path=path))
                self.query_one("#path", Input).value = path
                self.action_load()

        self.app.push_screen(DownloadDialog(self.sbr.data_dir, self.sbr.download_base_url), downloaded)

    # ---- results --------------------------------------------------------------

    def on_load_progress(self, message: LoadProgress) -> None:
        self.query_one("#load-progress", ProgressBar).update(progress=message.fraction)
        stage = STAGES.get(message.stage, message.stage)
        self.query_one("#load-status", Static).update(_("Loading: {stage}...").format(stage=stage))

    async def on_data_changed(self, message: DataChanged) -> None:
        self.query_one("#load-progress").display = False
        status = self.query_one("#load-status", Static)
        if message.error is not None:
            text = _("Loading failed: {message}").format(message=message.error)
            if self.sbr.prepared is not None:
                text += " " + _("The statistics below are still those of {name}.").format(
                    name=source_name(self.sbr.config.data)
                )
            status.update(text)
            return
        prepared = self.sbr.prepared
        if prepared is None:
            return
        text = _("Loaded {name}. F3 sets up training.").format(name=source_name(self.sbr.config.data))
        for warning in prepared.warnings:
            # The notification goes away after a while; the status line keeps the reason.
            self.notify(warning, title=_("Loaded with a warning"), severity="warning", timeout=ERROR_TIMEOUT)
            text += " " + _("Warning: {message}").format(message=warning)
        status.update(text)
        await self.query_one(StatsView).show(prepared.stats, prepared.raw_stats, prepared.split, prepared.split_error)
