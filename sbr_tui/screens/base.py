"""The base of every main screen: the screen bar, the footer and error reporting for workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import App
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from core.errors import SbrError
from sbr_tui.i18n import _

if TYPE_CHECKING:
    from sbr_tui.app import SbrApp


def error_text(error: BaseException | None) -> str:
    """Return the message to show for a worker error: core's message, or the type and text of anything else."""
    if error is None:
        return _("unknown error")
    if isinstance(error, SbrError):
        return str(error)
    return f"{type(error).__name__}: {error}"


# Seconds an error notification stays. Each new error also clears the older notifications,
# so that at 80x24 they never cover more than a few lines of the screen.
ERROR_TIMEOUT = 8


def notify_error(app: App, message: str, title: str) -> None:
    """Show `message` as the only error notification of `app`."""
    app.clear_notifications()
    app.notify(message, title=title, severity="error", timeout=ERROR_TIMEOUT)


class SbrScreen(Screen):
    """A main screen; subclasses set SCREEN_NAME to their entry in the screen bar."""

    SCREEN_NAME = ""

    @property
    def sbr(self) -> SbrApp:
        """The app, typed."""
        return cast("SbrApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show every worker failure as an error notification, so none is swallowed."""
        if event.state == WorkerState.ERROR:
            notify_error(self.app, error_text(event.worker.error), _("Error"))
            self.worker_failed(event.worker)
        elif event.state == WorkerState.SUCCESS:
            self.worker_succeeded(event.worker)

    def worker_succeeded(self, worker: Worker) -> None:
        """Handle the result of a finished worker; subclasses override it."""

    def worker_failed(self, worker: Worker) -> None:
        """Reset the screen after a failed worker; subclasses override it."""
