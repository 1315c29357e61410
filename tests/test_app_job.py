"""The whole job on MovieLens 100K: load, analyse, set up, train, browse, open the run."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from app_helpers import make_app, screen_text, type_field, wait_for_workers, wait_until
from sbr_tui.dialogs.run_detail import RunDetailDialog
from sbr_tui.widgets.metric_table import EpochTable, MetricsTable
from sbr_tui.widgets.session_lists import RecommendationTable
from sbr_tui.widgets.stats_view import StatsView


async def test_whole_job_on_ml100k(shared_data, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        # Data: type the folder and press Enter.
        path_input = app.screen.query_one("#path", Input)
        path_input.value = str(shared_data / "ml-100k")
        path_input.focus()
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert app.prepared is not None
        assert app.prepared.raw_stats.events == 100_000
        visible = screen_text(app)
        assert "100,000" in visible  # raw events in the counts table
        assert "after filters" in visible
        assert len(app.screen.query_one(StatsView).query(Static)) >= 6
        assert app.prepared.split.summary()["train"]["sessions"] == 572

        # Setup: 1 epoch of a small model.
        await pilot.press("f3")
        await pilot.pause()
        await type_field(pilot, "train.epochs", "1")
        await type_field(pilot, "model.hidden_size", "32")
        await type_field(pilot, "model.embedding_size", "32")
        assert app.settings_errors == {}
        assert app.config.train.epochs == 1

        # Train.
        await pilot.press("f4")
        await pilot.press("s")
        await wait_until(pilot, lambda: app.training_worker() is not None, timeout=10)
        await wait_until(pilot, lambda: app.training_worker() is None, timeout=300)
        await pilot.pause()
        epochs = app.screen.query_one(EpochTable)
        assert epochs.row_count == 1
        test_table = app.screen.query_one("#test-table", MetricsTable)
        assert "GRU4Rec" in test_table.rows
        assert "popular" in test_table.rows
        recall = test_table.get_cell("GRU4Rec", "recall@20")
        assert 0.0 < float(recall) <= 1.0
        run_dirs = list((tmp_path / "runs").iterdir())
        assert len(run_dirs) == 1

        # Browse a test user.
        await pilot.press("f5")
        await wait_for_workers(pilot)
        test_data = app.screen.run.sessions["test"]
        user = int(test_data.user_ids[3])
        search = app.screen.query_one("#session-search", Input)
        search.focus()
        search.value = str(user)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        label = str(app.screen.query_one("#session-label", Static).render())
        assert f"user {user}" in label
        await pilot.press("down")
        await wait_for_workers(pilot)
        recs = app.screen.query_one(RecommendationTable)
        assert recs.row_count == 10
        titles = [str(recs.get_row_at(row)[1]) for row in range(recs.row_count)]
        assert all("(" in title for title in titles), titles  # MovieLens titles end with the year

        # Runs: the run is listed and opens.
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert table.row_count == 1
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RunDetailDialog)
        assert app.screen.query_one("#detail-epochs", EpochTable).row_count == 1
