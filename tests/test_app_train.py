"""Train screen: cancelling mid-epoch keeps the run, a second start does not run in parallel."""

from __future__ import annotations

import json

from textual.widgets import ProgressBar

from app_helpers import fast_settings, load_demo, make_app, wait_for_workers, wait_until
from core.runs import read_epochs
from sbr_tui.screens.train import TrainScreen
from sbr_tui.widgets.metric_table import EpochTable


async def test_cancel_mid_epoch_keeps_run(tmp_path, monkeypatch):
    # The demo trains an epoch in well under a second, too fast to time a key press from the
    # test. So Cancel runs as the screen shows epoch 1, while the thread is already in epoch 2
    # (batch size 1 makes that epoch thousands of steps long).
    show_epoch = TrainScreen.on_epoch_done

    def show_epoch_then_cancel(screen, message):
        show_epoch(screen, message)
        if message.record["epoch"] == 1:
            screen.action_cancel()

    monkeypatch.setattr(TrainScreen, "on_epoch_done", show_epoch_then_cancel)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        await fast_settings(pilot, epochs=5, batch_size=1)
        await pilot.press("f4")
        await pilot.press("s")
        screen = app.screen
        epochs = screen.query_one(EpochTable)
        await wait_until(pilot, lambda: app.training_worker() is not None, timeout=10)
        await wait_until(pilot, lambda: app.training_worker() is None, timeout=60)
        await pilot.pause()

        run_dirs = list((tmp_path / "runs").iterdir())
        assert len(run_dirs) == 1
        results = json.loads((run_dirs[0] / "results.json").read_text())
        assert results["status"] == "cancelled"
        assert len(read_epochs(run_dirs[0])) == 1
        assert (run_dirs[0] / "last.weights.h5").exists()
        assert epochs.row_count == 1
        status = str(screen.query_one("#train-status").render())
        assert "cancelled" in status
        assert "1 epoch in" in status
        assert "F5 browses" in status
        rate_line = str(screen.query_one("#train-rate").render())
        assert "Stopped: cancelled, 1 epoch kept." in rate_line
        assert "ETA" not in rate_line


async def test_cancel_before_first_epoch(tmp_path, monkeypatch):
    show_phase = TrainScreen.on_phase_started
    bar_totals = {}

    def show_phase_then_cancel(screen, message):
        show_phase(screen, message)
        bar_totals[message.phase] = screen.query_one(ProgressBar).total
        if message.phase == "train":
            screen.action_cancel()

    monkeypatch.setattr(TrainScreen, "on_phase_started", show_phase_then_cancel)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        await fast_settings(pilot, epochs=5, batch_size=1)
        await pilot.press("f4")
        await pilot.press("s")
        await wait_until(pilot, lambda: "train" in bar_totals, timeout=60)
        await wait_until(pilot, lambda: app.training_worker() is None, timeout=60)
        await wait_for_workers(pilot)

        # While the baselines are computed the bar has no total, so it animates without a percentage.
        assert bar_totals["baselines"] is None
        assert app.screen.query_one(ProgressBar).total is not None
        status = str(app.screen.query_one("#train-status").render())
        assert "0 epochs" in status
        assert "no saved weights" in status
        assert "F5" not in status
        assert app.browse_run is None


async def test_second_start_does_not_run_in_parallel(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        await fast_settings(pilot, epochs=100, batch_size=1)
        await pilot.press("f4")
        await pilot.press("s")
        await wait_until(pilot, lambda: app.training_worker() is not None, timeout=10)
        first = app.training_worker()
        await pilot.press("s")
        await pilot.press("s")
        await pilot.pause()
        assert app.training_worker() is first
        running = [worker for worker in app.workers if worker.group == "train"]
        assert running == [first]
        assert app.screen.check_action("start", ()) is None  # Start is dimmed in the footer

        await pilot.press("c")
        await wait_until(pilot, lambda: app.training_worker() is None, timeout=60)
        await wait_for_workers(pilot)
        assert len(list((tmp_path / "runs").iterdir())) == 1
        assert app.screen.check_action("start", ()) is True


async def test_quit_during_training_asks_then_stops(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await load_demo(pilot)
        await fast_settings(pilot, epochs=100, batch_size=1)
        await pilot.press("f4")
        await pilot.press("s")
        await wait_until(pilot, lambda: app.training_worker() is not None, timeout=10)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert app.training_worker() is not None

        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, timeout=60)
    run_dirs = list((tmp_path / "runs").iterdir())
    assert len(run_dirs) == 1
    assert json.loads((run_dirs[0] / "results.json").read_text())["status"] == "cancelled"


def write_presplit_folder(folder, n_items=30, n_train=120, n_test=30):
    """Write a small train.tsv / test.tsv pair of random walks over `n_items` items."""
    import numpy as np

    rng = np.random.default_rng(0)
    folder.mkdir()
    time = 1_000_000.0
    for name, n_sessions, first_id in (("train.tsv", n_train, 1), ("test.tsv", n_test, n_train + 1)):
        lines = ["SessionId\tItemId\tTime"]
        for session in range(first_id, first_id + n_sessions):
            for item in rng.integers(1, n_items + 1, int(rng.integers(2, 7))):
                time += 60.0
                lines.append(f"{session}\t{item}\t{time}")
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_training_without_validation_data(tmp_path):
    from sbr_tui.widgets.curve import MetricCurve
    from sbr_tui.widgets.metric_table import MetricsTable

    folder = tmp_path / "presplit"
    write_presplit_folder(folder)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        path_input = app.screen.query_one("#path")
        path_input.value = str(folder)
        path_input.focus()
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert app.prepared.split.valid.n_predictions == 0

        await fast_settings(pilot, epochs=2)
        await pilot.press("f4")
        await pilot.press("s")
        screen = app.screen
        # The tiny job can end before a check that it started, so wait for its end state only.
        epochs = screen.query_one(EpochTable)
        await wait_until(pilot, lambda: app.training_worker() is None and epochs.row_count == 2, timeout=120)
        await pilot.pause()

        # No validation part: no baseline rows of zeros, and the curve shows the loss instead.
        results = json.loads((screen.run_dir / "results.json").read_text())
        assert results["valid_baselines"] == {}
        assert "popular" in results["baselines"]
        assert len(screen.query_one("#valid-table", MetricsTable).rows) == 0
        curve = screen.query_one(MetricCurve)
        assert curve.recall == []
        assert len(curve.loss) == 2
