"""The one-line bar of screen names and their keys at the top of every screen."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from sbr_tui.i18n import _

# (screen name, key, title) in the order of the bar.
SCREENS = (
    ("data", "f2", _("Data")),
    ("setup", "f3", _("Setup")),
    ("train", "f4", _("Train")),
    ("browse", "f5", _("Browse")),
    ("runs", "f6", _("Runs")),
)


class NavBar(Static):
    """Screen tabs with the current one highlighted; each tab is clickable."""

    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        parts = ["[b reverse] sbr-tui [/]"]
        for name, key, title in SCREENS:
            label = escape(f" {key.upper()} {title} ")
            style = "b reverse " if name == self.current else ""
            parts.append(f"[{style}@click=app.show('{name}')]{label}[/]")
        parts.append(f"[dim]{escape(_('F1 help'))}[/]")
        self.update(" ".join(parts))
