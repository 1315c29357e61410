"""A modal that asks for a file path, with completion."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from sbr_tui.i18n import _
from sbr_tui.widgets.path_suggester import PathSuggester


class PathPrompt(ModalScreen[str | None]):
    """Ask for a path; dismiss with the path, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"), id="path.cancel")]

    def __init__(self, title: str, initial: str) -> None:
        super().__init__()
        self.prompt_title = title
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.prompt_title, classes="dialog-title")
            yield Input(self.initial, suggester=PathSuggester(), id="path")
            yield Static(_("Enter accepts, right arrow completes, Escape cancels."), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
