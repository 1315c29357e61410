"""Completion of file system paths in an Input, accepted with the right arrow key."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggest the first existing file or folder whose name starts with what was typed."""

    def __init__(self) -> None:
        # Paths change on disk, so completions are not cached.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """Return `value` completed to the first matching entry of its folder, folders ending with a separator."""
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, prefix = os.path.split(expanded)
        folder_path = Path(folder or ".")
        try:
            names = sorted(entry.name for entry in folder_path.iterdir() if not entry.name.startswith("."))
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and name != prefix:
                completed = value[: len(value) - len(prefix)] + name
                if (folder_path / name).is_dir():
                    completed += os.sep
                return completed
        return None
