"""MovieLens download dialog: pick an archive, watch the progress, cancel or retry."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState, get_current_worker

from core.errors import SbrError
from sbr_tui.i18n import _

ARCHIVES = (
    ("ml-1m", _("MovieLens 1M (6 MB, 1 million ratings)")),
    ("ml-100k", _("MovieLens 100K (5 MB, 100,000 ratings)")),
    ("ml-latest-small", _("MovieLens latest-small (1 MB, 100,000 ratings)")),
)


class DownloadProgress(Message):
    """Bytes received so far; a newer message replaces an unhandled older one."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadProgress)


class DownloadDialog(ModalScreen[str | None]):
    """Download a MovieLens archive into `data_dir`; dismiss with the dataset folder or None."""

    BINDINGS = [
        Binding("d", "start", _("Download"), id="download.start"),
        Binding("r", "start", _("Retry"), id="download.retry"),
        Binding("escape", "cancel", _("Cancel"), id="download.cancel"),
    ]

    def __init__(self, data_dir: Path, base_url: str | None = None) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.base_url = base_url
        self.worker: Worker | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Download MovieLens into {folder}").format(folder=self.data_dir), classes="dialog-title")
            with RadioSet(id="archive"):
                for index, (name, label) in enumerate(ARCHIVES):
                    yield RadioButton(label, value=index == 0, name=name)
            yield ProgressBar(total=None, id="download-progress", show_eta=False)
            yield Static(_("Press d to download; a stopped download resumes where it ended."), id="download-status")

    def selected_archive(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ARCHIVES[0][0]

    def action_start(self) -> None:
        if self.worker is not None and self.worker.is_running:
            return
        self.query_one("#download-status", Static).update(_("Downloading {name}...").format(name=self.selected_archive()))
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.worker = self.download(self.selected_archive())

    def action_cancel(self) -> None:
        if self.worker is not None and self.worker.is_running:
            self.worker.cancel()
            return
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="download", exit_on_error=False)
    def download(self, name: str) -> Path:
        """Fetch, check and unpack the archive in a thread; core raises DownloadCancelled when cancelled."""
        from core.download import DEFAULT_BASE_URL, download_movielens

        worker = get_current_worker()
        return download_movielens(
            name,
            self.data_dir,
            progress=lambda done, total: self.post_message(DownloadProgress(done, total)),
            base_url=self.base_url or DEFAULT_BASE_URL,
            cancel=lambda: worker.is_cancelled,
        )

    @on(DownloadProgress)
    def show_progress(self, message: DownloadProgress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_mount(self) -> None:
        # An empty bar of unknown total animates, so it stays hidden until a download runs.
        self.query_one(ProgressBar).display = False

    @on(Worker.StateChanged)
    def download_state(self, event: Worker.StateChanged) -> None:
        status = self.query_one("#download-status", Static)
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            bar = self.query_one(ProgressBar)
            bar.update(total=1, progress=0)
            bar.display = False
        if event.state == WorkerState.SUCCESS:
            self.dismiss(str(event.worker.result))
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, SbrError):
                text = str(error)
            else:
                text = f"{type(error).__name__}: {error}"
            status.update(_("{message}\nPress r to retry or Escape to close.").format(message=text))
        elif event.state == WorkerState.CANCELLED:
            status.update(_("Download cancelled. Press r to resume it."))
