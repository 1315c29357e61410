"""Helpers shared by the app tests: an app with private folders, waiting, and form input."""

from __future__ import annotations

import asyncio
import html
import re
import time
from pathlib import Path
from typing import Callable

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from sbr_tui.app import SbrApp


def make_app(tmp_path: Path, **kwargs) -> SbrApp:
    """Return an app whose data, runs and config folders are under `tmp_path`, never the user's."""
    return SbrApp(
        data_dir=tmp_path / "data",
        runs_dir=kwargs.pop("runs_dir", tmp_path / "runs"),
        config_dir=tmp_path / "config",
        **kwargs,
    )


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Let the app run until `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


async def wait_for_workers(pilot: Pilot) -> None:
    """Wait until every worker has ended and the app has handled their messages.

    A failed or cancelled worker is not an error here: the tests check what the app shows for it.
    """
    try:
        await pilot.app.workers.wait_for_complete()
    except (WorkerFailed, WorkerCancelled):
        pass
    await asyncio.sleep(0)
    await pilot.pause()
    await pilot.pause()


def field_input(pilot: Pilot, dotted: str) -> Input:
    """Return the input of the settings form field `dotted` on the current screen."""
    return pilot.app.screen.query_one("#field-" + dotted.replace(".", "-"), Input)


async def type_field(pilot: Pilot, dotted: str, text: str) -> None:
    """Clear a settings field and type `text` into it with key presses."""
    widget = field_input(pilot, dotted)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    if text:
        await pilot.press(*text)
    await pilot.pause()


async def load_demo(pilot: Pilot) -> None:
    """Load the built-in demo data from the data screen and wait until it is analysed."""
    await pilot.press("f2")
    await pilot.press("ctrl+t")
    await wait_for_workers(pilot)
    assert pilot.app.prepared is not None


async def fast_settings(pilot: Pilot, epochs: int = 1, batch_size: int = 32) -> None:
    """Open the setup screen and enter a small, fast model."""
    await pilot.press("f3")
    await pilot.pause()
    for dotted, value in (
        ("model.hidden_size", "16"),
        ("model.embedding_size", "16"),
        ("train.batch_size", str(batch_size)),
        ("train.epochs", str(epochs)),
        ("eval.cutoffs", "5, 20"),
    ):
        await type_field(pilot, dotted, value)
    assert pilot.app.settings_errors == {}


def screen_text(app) -> str:
    """Return the visible text of the screen, as the terminal would show it."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg.split("<g", 1)[1] if "<g" in svg else svg)
    return html.unescape(text).replace("\xa0", " ")


def train_tiny_demo_run(runs_dir: Path) -> Path:
    """Train one epoch of a tiny model on the demo data under `runs_dir`; return the run folder."""
    from core.config import Config
    from core.runs import run_training

    config = Config()
    config.data.path = "demo"
    config.data.format = "demo"
    config.model.hidden_size = 8
    config.model.embedding_size = 8
    config.train.epochs = 1
    config.train.batch_size = 16
    return run_training(config, runs_dir=runs_dir).run_dir
