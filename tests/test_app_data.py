"""Data screen: missing and malformed files give core's message and the app keeps running."""

from __future__ import annotations

from textual.widgets import Input, Static

from app_helpers import make_app, wait_for_workers


async def load_path(pilot, path: str) -> str:
    path_input = pilot.app.screen.query_one("#path", Input)
    path_input.value = path
    path_input.focus()
    await pilot.press("enter")
    await wait_for_workers(pilot)
    return str(pilot.app.screen.query_one("#load-status", Static).render())


async def test_missing_file_shows_error(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        status = await load_path(pilot, str(tmp_path / "no-such-ratings.dat"))
        assert "Loading failed" in status
        assert "not found" in status
        assert app.prepared is None
        assert any("not found" in note.message for note in app._notifications)
        assert app.is_running


async def test_malformed_file_shows_line(tmp_path):
    bad = tmp_path / "u.data"
    bad.write_text("1\t2\t5\t881250949\n1\tx\t3\t881250950\n", encoding="utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        status = await load_path(pilot, str(bad))
        assert "Loading failed" in status
        assert str(bad) in status
        assert "line 2" in status
        assert app.prepared is None

        # The app still works: the demo data loads after the failure.
        await pilot.press("ctrl+t")
        await wait_for_workers(pilot)
        assert app.prepared is not None


async def test_empty_path_asks_for_one(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not list(app.workers)
        assert any("Enter the path" in note.message for note in app._notifications)
