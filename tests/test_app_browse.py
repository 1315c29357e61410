"""Browse screen: a failed load empties the screen, and Home/End, all ten items and titles work at 80x24."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Footer, Static

from app_helpers import make_app, train_tiny_demo_run, wait_for_workers
from sbr_tui.widgets.session_lists import HistoryTable, RecommendationTable, shorten_title

GOOD_RUN = "20240601-120000-demo-cross-entropy"
NO_WEIGHTS_RUN = "20240602-120000-demo-cross-entropy"


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> Path:
    """Train one epoch of a tiny model on the demo data and return its run folder."""
    return train_tiny_demo_run(tmp_path_factory.mktemp("trained"))


def copy_runs(trained_run: Path, runs_dir: Path) -> Path:
    """Copy the trained run and a copy of it without weight files, which cannot be loaded. Return the copy."""
    shutil.copytree(trained_run, runs_dir / GOOD_RUN)
    broken = runs_dir / NO_WEIGHTS_RUN
    shutil.copytree(trained_run, broken)
    for weights in broken.glob("*.weights.h5"):
        weights.unlink()
    return broken


async def test_failed_load_clears_old_run(tmp_path, trained_run):
    broken = copy_runs(trained_run, tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await wait_for_workers(pilot)
        screen = app.screen
        assert screen.run is not None
        assert screen.query_one(RecommendationTable).row_count == 10

        app.browse_run = broken
        await pilot.press("f6")
        await pilot.press("f5")
        await wait_for_workers(pilot)
        assert screen.run is None
        assert "could not be loaded" in str(screen.query_one("#run-label", Static).render())
        assert screen.query_one(HistoryTable).row_count == 0
        assert screen.query_one(RecommendationTable).row_count == 0
        assert str(screen.query_one("#recs-label", Static).render()) == ""


async def test_home_end_and_top_k_fit(tmp_path, trained_run):
    copy_runs(trained_run, tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await wait_for_workers(pilot)
        screen = app.screen
        history = screen.query_one(HistoryTable)
        length = history.length
        assert length > 3

        await pilot.press("end")
        await wait_for_workers(pilot)
        assert screen.position == length - 1
        assert history.position_of_row(history.cursor_row) == length - 1
        assert history.scroll_x == 0
        assert "no true next item" in str(screen.query_one("#recs-label", Static).render())

        await pilot.press("home")
        await wait_for_workers(pilot)
        assert screen.position == 0
        assert history.cursor_row == 0

        # The header and all ten items are on screen, above the footer.
        recs = screen.query_one(RecommendationTable)
        assert recs.row_count == 10
        assert recs.size.height == 11
        assert recs.region.bottom <= screen.query_one(Footer).region.y
        assert recs.max_scroll_x == 0
        assert history.max_scroll_x == 0
        assert history.title_width >= 32


def test_shorten_title_keeps_year():
    assert shorten_title("Heat (1995)", 20) == "Heat (1995)"
    assert shorten_title("James and the Giant Peach (1996)", 20) == "James and th… (1996)"
    assert shorten_title("A title without any year at all", 10) == "A title w…"
