"""The help dialog: every key binding of the app and of each screen."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from sbr_tui.i18n import _


# Textual key names that are clearer as the character they stand for.
KEY_NAMES = {"question_mark": "?", "slash": "/"}


def bindings_table(title: str, bindings: list[BindingType]) -> Table:
    """Return a two-column table of keys and what they do."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = ", ".join(KEY_NAMES.get(key.strip(), key.strip()) for key in binding.key.split(","))
        table.add_row(keys, binding.description)
    return table


class HelpDialog(ModalScreen[None]):
    """Show the keys; Escape, q or F1 closes it."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", _("Close"), id="help.close")]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static(_("Keys"), classes="dialog-title")
            with VerticalScroll():
                for title, bindings in self.sections:
                    yield Static(bindings_table(title, bindings))
                yield Static(_("Ctrl+P opens the command palette with every screen and action."))

    def action_close(self) -> None:
        self.dismiss(None)
