"""Runs screen: broken run directories, sorting, opening, comparing and deleting runs."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable

from app_helpers import make_app
from core.config import Config
from sbr_tui.dialogs.compare import CompareDialog
from sbr_tui.dialogs.confirm import ConfirmDialog
from sbr_tui.dialogs.run_detail import RunDetailDialog


def write_run(runs_dir: Path, name: str, status: str, hidden: int, recall: float, seconds: float = 12.0) -> Path:
    """Write a run directory with the files core.runs reads, and fixed numbers."""
    run_dir = runs_dir / name
    run_dir.mkdir(parents=True)
    config = Config()
    config.data.path = "demo"
    config.data.format = "demo"
    config.model.hidden_size = hidden
    config.eval.cutoffs = [5, 20]
    (run_dir / "config.json").write_text(config.to_json())
    valid = {"recall@5": recall / 2, "mrr@5": recall / 4, "recall@20": recall, "mrr@20": recall / 3, "predictions": 100}
    epochs = [
        {"epoch": 1, "loss": 5.5, "valid": valid, "seconds": seconds / 2, "train_seconds": 5.0, "events_per_second": 1000.0, "is_best": True},
    ]
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(e) + "\n" for e in epochs))
    results = {
        "status": status, "started": "2024-05-01T10:00:00+00:00", "seconds": seconds, "error": None,
        "test": valid if status == "finished" else None,
        "baselines": {"popular": {"recall@5": 0.1, "mrr@5": 0.05, "recall@20": 0.2, "mrr@20": 0.06}},
    }
    (run_dir / "results.json").write_text(json.dumps(results))
    return run_dir


def make_runs(runs_dir: Path) -> None:
    write_run(runs_dir, "20240501-100000-demo-cross-entropy", "finished", 100, 0.60)
    write_run(runs_dir, "20240502-100000-demo-cross-entropy", "cancelled", 32, 0.40)
    write_run(runs_dir, "20240503-100000-demo-cross-entropy", "finished", 64, 0.70)
    broken = runs_dir / "20240504-100000-broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    (runs_dir / "20240505-missing-results").mkdir()
    (runs_dir / "20240505-missing-results" / "config.json").write_text("{}")
    (runs_dir / "stray-file.txt").write_text("not a run")


def column_values(table: DataTable, column: int) -> list[str]:
    return [str(table.get_row_at(row)[column]) for row in range(table.row_count)]


async def test_broken_runs_are_listed(tmp_path):
    make_runs(tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert table.row_count == 5
        statuses = dict(zip(column_values(table, 1), column_values(table, 2)))
        assert statuses["20240504-100000-broken"] == "broken"
        assert statuses["20240505-missing-results"] == "broken"
        assert statuses["20240502-100000-demo-cross-entropy"] == "cancelled"

        # Opening a broken run shows what is missing instead of failing.
        table.move_cursor(row=column_values(table, 1).index("20240504-100000-broken"))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RunDetailDialog)
        assert "missing or unreadable" in str(app.screen.query_one("#detail-config").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.SCREEN_NAME == "Runs"


async def test_missing_runs_folder_is_empty(tmp_path):
    app = make_app(tmp_path, runs_dir=tmp_path / "nowhere")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.query_one("#runs-table", DataTable).row_count == 0


async def test_sort_by_column(tmp_path):
    make_runs(tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs-table", DataTable)
        assert column_values(table, 1)[0] == "20240505-missing-results"  # newest first

        hidden_column = 4
        screen.sort_column = hidden_column
        screen.sort_reverse = False
        screen.rebuild()
        assert column_values(table, hidden_column)[:3] == ["32", "64", "100"]
        await pilot.press("v")
        assert column_values(table, hidden_column)[:3] == ["100", "64", "32"]
        await pilot.press("s")
        assert screen.sort_column == hidden_column + 1


async def test_compare_and_delete(tmp_path):
    make_runs(tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        names = column_values(table, 1)
        for name in ("20240501-100000-demo-cross-entropy", "20240503-100000-demo-cross-entropy"):
            table.move_cursor(row=column_values(table, 1).index(name))
            await pilot.press("space")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareDialog)
        compare = app.screen.query_one(DataTable)
        rows = {str(compare.get_row_at(i)[0]): compare.get_row_at(i)[1:] for i in range(compare.row_count)}
        assert [str(v) for v in rows["hidden_size"]] == ["64", "100"]
        assert [str(v) for v in rows["test recall@20"]] == ["0.7000", "0.6000"]
        await pilot.press("escape")
        await pilot.pause()

        target = "20240502-100000-demo-cross-entropy"
        table.move_cursor(row=column_values(table, 1).index(target))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert (tmp_path / "runs" / target).exists()

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not (tmp_path / "runs" / target).exists()
        assert table.row_count == len(names) - 1
