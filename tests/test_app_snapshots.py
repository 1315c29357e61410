"""Snapshots of every screen at 80x24, with the demo data and fixed timings so they are stable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from app_helpers import load_demo, make_app, train_tiny_demo_run, wait_for_workers
from test_app_runs import make_runs
from sbr_tui.widgets.curve import MetricCurve
from sbr_tui.widgets.metric_table import EpochTable, MetricsTable

RUN_NAME = "20240601-120000-demo-cross-entropy"


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> Path:
    """Train one epoch of a tiny model on the demo data and return its run folder."""
    return train_tiny_demo_run(tmp_path_factory.mktemp("trained"))


@pytest.fixture
def stable_app(tmp_path, monkeypatch):
    """Return a maker of apps whose runs folder prints as `runs` in every snapshot."""
    monkeypatch.chdir(tmp_path)

    def make():
        return make_app(tmp_path, runs_dir=Path("runs"))

    return make


async def freeze(pilot) -> None:
    """Stop cursor blinking and drop notifications, which would make snapshots differ between runs."""
    await wait_for_workers(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def test_data_screen(snap_compare, stable_app):
    async def run_before(pilot):
        await load_demo(pilot)
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)


def test_setup_screen(snap_compare, stable_app):
    async def run_before(pilot):
        await load_demo(pilot)
        await pilot.press("f3")
        await pilot.pause()
        widget = pilot.app.screen.query_one("#field-train-epochs", Input)
        widget.value = "0"
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)


def test_train_screen(snap_compare, stable_app):
    async def run_before(pilot):
        await pilot.press("f4")
        await pilot.pause()
        screen = pilot.app.screen
        screen.cutoffs = [5, 20]
        screen.query_one(EpochTable).reset(20)
        screen.query_one(MetricCurve).reset(20)
        for epoch, (loss, recall, mrr) in enumerate([(5.1, 0.41, 0.15), (4.6, 0.52, 0.24), (4.2, 0.58, 0.30)], 1):
            valid = {"recall@5": recall / 2, "mrr@5": mrr / 2, "recall@20": recall, "mrr@20": mrr}
            record = {"epoch": epoch, "loss": loss, "valid": valid, "seconds": 0.5, "events_per_second": 8000.0, "is_best": True}
            screen.query_one(EpochTable).add_epoch(record)
            screen.query_one(MetricCurve).add_epoch(valid)
        baselines = {"popular": {"recall@5": 0.05, "mrr@5": 0.02, "recall@20": 0.15, "mrr@20": 0.03}}
        screen.query_one("#valid-table", MetricsTable).show({"GRU4Rec": valid, **baselines}, [5, 20])
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)


def test_browse_screen(snap_compare, stable_app, trained_run, tmp_path):
    shutil.copytree(trained_run, tmp_path / "runs" / RUN_NAME)

    async def run_before(pilot):
        await pilot.press("f5")
        await wait_for_workers(pilot)
        await pilot.press("down", "down")
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)


def test_runs_screen(snap_compare, stable_app, tmp_path):
    make_runs(tmp_path / "runs")

    async def run_before(pilot):
        await pilot.press("f6")
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)


def test_help_dialog(snap_compare, stable_app):
    async def run_before(pilot):
        await pilot.press("f1")
        await freeze(pilot)

    assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=run_before)
