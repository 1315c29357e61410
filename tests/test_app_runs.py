"""Runs screen: broken run directories, sorting, opening, comparing and deleting runs."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable

from app_helpers import make_app, screen_text
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


def run_names(table: DataTable) -> list[str]:
    """Return the run folder names in table order; the rows are keyed by them."""
    return [str(row.key.value) for row in table.ordered_rows]


async def test_broken_runs_are_listed(tmp_path):
    make_runs(tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert table.row_count == 5
        statuses = dict(zip(run_names(table), column_values(table, 2)))
        assert statuses["20240504-100000-broken"] == "broken"
        assert statuses["20240505-missing-results"] == "broken"
        assert statuses["20240502-100000-demo-cross-entropy"] == "cancelled"

        # Opening a broken run shows what is missing instead of failing.
        table.move_cursor(row=run_names(table).index("20240504-100000-broken"))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RunDetailDialog)
        assert "missing or unreadable" in str(app.screen.query_one("#detail-config").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.SCREEN_NAME == "Runs"


async def test_runs_table_fits_80_columns(tmp_path):
    make_runs(tmp_path / "runs")
    for number in range(20):
        write_run(tmp_path / "runs", f"20240601-1200{number:02d}-ml-latest-small-top1-max", "finished", 64, 0.5)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert table.max_scroll_x == 0
        labels = dict(zip(run_names(table), column_values(table, 1)))
        assert labels["20240501-100000-demo-cross-entropy"] == "05-01 10:00 demo"
        assert labels["20240505-missing-results"] == "…40505-missing-results"  # no start time: the end of the name
        assert column_values(table, 3)[-1] == "CE"

        text = screen_text(app)
        assert "d Delete" in text
        assert "tR@20" in text


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
        assert run_names(table)[0] == "20240505-missing-results"  # newest first

        recall_column = 5
        assert str(table.columns[table.ordered_columns[recall_column].key].label) == "vR@20"
        screen.sort_column = recall_column
        screen.sort_reverse = False
        screen.rebuild()
        assert column_values(table, recall_column)[:3] == ["0.4000", "0.6000", "0.7000"]
        await pilot.press("v")
        assert column_values(table, recall_column)[:3] == ["0.7000", "0.6000", "0.4000"]
        await pilot.press("s")
        assert screen.sort_column == recall_column + 1


async def test_compare_and_delete(tmp_path):
    make_runs(tmp_path / "runs")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        names = run_names(table)
        for name in ("20240501-100000-demo-cross-entropy", "20240503-100000-demo-cross-entropy"):
            table.move_cursor(row=run_names(table).index(name))
            await pilot.press("space")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareDialog)
        compare = app.screen.query_one(DataTable)
        rows = {str(compare.get_row_at(i)[0]): compare.get_row_at(i)[1:] for i in range(compare.row_count)}
        assert [str(v) for v in rows["hidden_size"]] == ["64", "100"]
        assert [str(v) for v in rows["test recall@20"]] == ["0.7000", "0.6000"]
        headers = [str(column.label) for column in compare.ordered_columns[1:]]
        assert headers == ["05-03 10:00:00 demo", "05-01 10:00:00 demo"]
        await pilot.press("escape")
        await pilot.pause()

        target = "20240502-100000-demo-cross-entropy"
        table.move_cursor(row=run_names(table).index(target))
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
