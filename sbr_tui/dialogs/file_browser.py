"""A directory browser for picking a ratings file or dataset folder."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Static

from sbr_tui.i18n import _


class FileBrowser(ModalScreen[str | None]):
    """Browse folders; Enter on a file picks it, `s` picks the highlighted folder."""

    BINDINGS = [
        Binding("s", "select_folder", _("Pick folder"), id="browser.folder"),
        Binding("backspace", "parent", _("Parent folder"), id="browser.parent"),
        Binding("escape", "cancel", _("Cancel"), id="browser.cancel"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.home()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static(_("Pick a ratings file (Enter) or a dataset folder (s)"), classes="dialog-title")
            yield DirectoryTree(self.start, id="tree")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(str(event.path))

    def action_select_folder(self) -> None:
        tree = self.query_one(DirectoryTree)
        node = tree.cursor_node
        if node is not None and node.data is not None:
            path = Path(node.data.path)
            self.dismiss(str(path if path.is_dir() else path.parent))

    def action_parent(self) -> None:
        tree = self.query_one(DirectoryTree)
        tree.path = Path(tree.path).resolve().parent

    def action_cancel(self) -> None:
        self.dismiss(None)
