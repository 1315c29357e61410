"""Data screen: missing and malformed files give core's message and the app keeps running."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, ProgressBar, Static

from app_helpers import load_demo, make_app, wait_for_workers
from sbr_tui.dialogs.download import DownloadDialog
from sbr_tui.widgets.stats_view import distribution_table


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

        # A second failure replaces the first error instead of stacking another one.
        await load_path(pilot, str(tmp_path / "no-such-ratings.dat"))
        errors = [note for note in app._notifications if note.severity == "error"]
        assert len(errors) == 1
        assert errors[0].title == "Data could not be loaded"


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

        # A later failure names the data whose statistics stay on screen.
        status = await load_path(pilot, str(bad))
        assert "Loading failed" in status
        assert "still those of demo data" in status


async def test_empty_path_asks_for_one(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not list(app.workers)
        assert any("Enter the path" in note.message for note in app._notifications)


async def test_distribution_table_fits_80_columns(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        stats = app.prepared.stats
    columns = [("length", stats.session_length, False), ("duration", stats.session_duration, True), ("events/day", stats.events_per_day, False)]
    console = Console(width=80, record=True)
    console.print(distribution_table("Sessions", columns))
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = [line.split("│")[1].strip() for line in text.splitlines() if line.count("│") >= 2]
    assert rows == ["mean", "min", "p25", "median", "p75", "p90", "p99", "max"]
    assert any(unit in text for unit in (" d ", " h ", " min ", " s "))


async def test_failed_download_hides_progress(tmp_path):
    app = make_app(tmp_path, download_base_url=(tmp_path / "no-mirror").as_uri() + "/")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        bar = dialog.query_one(ProgressBar)
        assert not bar.display

        await pilot.press("d")
        await wait_for_workers(pilot)
        assert "retry" in str(dialog.query_one("#download-status", Static).render())
        assert not bar.display
        assert bar.total is not None  # a bar without a total keeps animating


async def test_split_failure_still_shows_analysis(tmp_path, shared_data):
    # One YOOCHOOSE file spans a few days: the default 30 test days would take every session.
    path = shared_data / "yoochoose-100k" / "yoochoose-clicks-100k_train_full.txt"
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        status = await load_path(pilot, str(path))
        assert "Loaded" in status
        assert app.prepared is not None
        assert app.prepared.split is None
        assert app.prepared.stats.events == 70_278
        split_error = str(app.screen.query_one("#split-error", Static).render())
        assert "test_days" in split_error

        # Training is refused with the same reason instead of failing in the worker.
        await pilot.press("f4")
        await pilot.press("s")
        await pilot.pause()
        errors = [note for note in app._notifications if note.severity == "error"]
        assert errors
        assert "test_days" in errors[-1].message
        assert app.training_worker() is None


async def test_broken_metadata_loads_with_warning(tmp_path, shared_data):
    folder = tmp_path / "ml-small"
    folder.mkdir()
    (folder / "ratings.csv").symlink_to(shared_data / "ml-latest-small" / "ratings.csv")
    (folder / "movies.csv").write_bytes("movieId,title,genres\n1,Amélie (2001),Comedy\n".encode("latin-1"))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        status = await load_path(pilot, str(folder))
        assert "Loaded" in status
        assert "titles and genres are not shown" in status  # stays after the notification goes
        assert app.prepared is not None
        assert app.prepared.items is None

        warnings = [note for note in app._notifications if note.severity == "warning"]
        assert len(warnings) == 1
        assert "movies.csv" in warnings[0].message
        assert "titles and genres are not shown" in warnings[0].message


async def test_presplit_folder_loads_its_files(tmp_path, shared_data):
    folder = shared_data / "yoochoose-100k"
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        status = await load_path(pilot, str(folder))
        assert "yoochoose-clicks-100k_train_full.txt" in status
        assert app.prepared.split.test.n_predictions == 10_152
        assert app.config.data.path is None

        # Split settings do not apply to pre-split files, so changing them keeps the data current.
        app.config.split.test_days = 3
        assert app.prepared_is_current()

        await pilot.press("f3")
        await pilot.press("ctrl+r")
        await pilot.pause()
        warnings = [note for note in app._notifications if note.severity == "warning"]
        assert any("Pre-split files keep their own split" in note.message for note in warnings)


async def test_new_load_scrolls_analysis_to_top(tmp_path):
    from sbr_tui.widgets.stats_view import StatsView

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        stats = app.screen.query_one(StatsView)
        stats.scroll_end(animate=False)
        await pilot.pause()
        assert stats.scroll_y > 0

        await pilot.press("ctrl+t")
        await wait_for_workers(pilot)
        assert stats.scroll_y == 0
