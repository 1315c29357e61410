"""The base of every main screen: the screen bar, the footer and error reporting for workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

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
            self.notify(error_text(event.worker.error), title=_("Error"), severity="error", timeout=10)
            self.worker_failed(event.worker)
        elif event.state == WorkerState.SUCCESS:
            self.worker_succeeded(event.worker)

    def worker_succeeded(self, worker: Worker) -> None:
        """Handle the result of a finished worker; subclasses override it."""

    def worker_failed(self, worker: Worker) -> None:
        """Reset the screen after a failed worker; subclasses override it."""
