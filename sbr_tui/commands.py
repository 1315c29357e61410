"""Headless jobs behind the `sbr-tui` subcommands, printed with rich."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from core.config import Config
from core.errors import SbrError
from sbr_tui.i18n import _

out = Console()
err = Console(stderr=True)


def _metric_table(title: str, rows: dict[str, dict[str, float]], cutoffs: list[int]) -> Table:
    """Return one row per metric and one column per model, which fits 80 columns."""
    table = Table(title=title)
    table.add_column(_("metric"))
    shown = {name: metrics for name, metrics in rows.items() if metrics}
    for name in shown:
        table.add_column(name, justify="right")
    for k in cutoffs:
        for metric, label in (("recall", "Recall"), ("mrr", "MRR")):
            key = f"{metric}@{k}"
            table.add_row(f"{label}@{k}", *(f"{metrics.get(key, 0.0):.4f}" for metrics in shown.values()))
    return table


def _print_warnings(prepared) -> None:
    """Print the load problems that did not stop the load to standard error."""
    for warning in prepared.warnings:
        err.print(_("Warning: {message}").format(message=warning), highlight=False, markup=False, soft_wrap=True)


def _print_presplit_files(config: Config) -> None:
    """Print which pre-split files are in use, since a folder path does not show them."""
    data = config.data
    if data.train_path is None:
        return
    parts = [("train", data.train_path), ("valid", data.valid_path), ("test", data.test_path)]
    listed = ", ".join(f"{name} {path}" for name, path in parts if path)
    out.print(_("Pre-split files, used as they are: {files}").format(files=listed),
              highlight=False, markup=False, soft_wrap=True)


def _split_table(summary: dict[str, dict[str, int]]) -> Table:
    table = Table(title=_("Data split"))
    table.add_column(_("part"))
    for column in ("events", "sessions", "items", "predictions"):
        table.add_column(_(column), justify="right")
    for part in ("train", "valid", "test"):
        row = summary.get(part, {})
        table.add_row(part, *(f"{row.get(c, 0):,}" for c in ("events", "sessions", "items", "predictions")))
    return table


def command_train(args: argparse.Namespace, config: Config) -> int:
    """Run `sbr-tui train`: prepare, train with a progress bar, evaluate, save, report."""
    from core.pipeline import prepare_data
    from core.runs import run_training
    from core.training import TrainCallbacks

    config.validate()
    status = err.status(_("Loading and splitting the data..."))
    status.start()
    try:
        prepared = prepare_data(config)
    finally:
        status.stop()
    _print_warnings(prepared)
    if not args.json:
        _print_presplit_files(config)
        out.print(_split_table(prepared.split.summary()))

    cutoffs = sorted(config.eval.cutoffs)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[loss]}"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )
    task_ids: dict[int, Any] = {}
    stop = threading.Event()

    def on_batch(p) -> None:
        if p.epoch not in task_ids:
            task_ids[p.epoch] = progress.add_task(
                _("epoch {epoch}/{epochs}").format(epoch=p.epoch, epochs=p.epochs),
                total=p.events_total, rate="", loss="",
            )
        progress.update(
            task_ids[p.epoch],
            completed=p.events_done,
            rate=_("{rate:,.0f} events/s").format(rate=p.events_per_second),
            loss=_("loss {loss:.4f}").format(loss=p.loss),
        )

    def on_epoch(e) -> None:
        shown = ", ".join(f"{key} {value:.4f}" for key, value in e.valid.items() if key != "predictions")
        progress.console.print(
            _("epoch {epoch}: loss {loss:.4f}, {seconds:.1f} s, {rate:,.0f} events/s; valid {metrics}").format(
                epoch=e.epoch, loss=e.loss, seconds=e.seconds, rate=e.events_per_second, metrics=shown or "-"
            ),
            highlight=False,
        )

    with progress:
        try:
            result = run_training(
                config,
                prepared=prepared,
                callbacks=TrainCallbacks(on_batch=on_batch, on_epoch=on_epoch),
                should_stop=stop.is_set,
            )
        except KeyboardInterrupt:
            stop.set()
            raise

    if args.json:
        out.print(json.dumps(result.to_json()), soft_wrap=True, highlight=False, markup=False)
        return 0
    rows = {"GRU4Rec": result.test or {}}
    rows.update(result.baselines)
    out.print(_metric_table(_("Test metrics ({n:,} predictions)").format(n=int((result.test or {}).get("predictions", 0))), rows, cutoffs))
    out.print(_("Run saved in {path} ({status}).").format(path=result.run_dir, status=result.status))
    return 0


def command_stats(args: argparse.Namespace, config: Config) -> int:
    """Run `sbr-tui stats`: statistics of the raw log and of the sessions after filtering.

    The statistics are printed even when the split settings do not fit the
    log; the split problem is then reported below them.
    """
    from core.pipeline import prepare_data
    from sbr_tui.stats_view import stats_tables

    prepared = prepare_data(config, allow_split_failure=True)
    _print_warnings(prepared)
    split = prepared.split.summary() if prepared.split is not None else None
    if args.json:
        data = {
            "raw": prepared.raw_stats.to_dict() if prepared.raw_stats else None,
            "sessions": prepared.stats.to_dict(),
            "split": split,
            "split_error": prepared.split_error,
        }
        out.print(json.dumps(data), soft_wrap=True, highlight=False, markup=False)
        return 0
    _print_presplit_files(config)
    if prepared.raw_stats is not None:
        for table in stats_tables(prepared.raw_stats, _("Raw log")):
            out.print(table)
    title = _("Sessions after filters") if prepared.raw_stats is not None else _("Sessions")
    for table in stats_tables(prepared.stats, title):
        out.print(table)
    if split is not None:
        out.print(_split_table(split))
    else:
        out.print(_("No split with these settings: {error}").format(error=prepared.split_error), highlight=False, markup=False)
    return 0


def _format_time(value: float) -> str:
    return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def command_recommend(args: argparse.Namespace) -> int:
    """Run `sbr-tui recommend`: a session's history and the model's next items."""
    from core.recommend import load_run, recommend_next

    run = load_run(args.run_dir)
    if args.list or args.session is None:
        ids = {part: run.sessions[part].session_ids.tolist() for part in ("valid", "test")}
        if args.json:
            out.print(json.dumps(ids), soft_wrap=True, highlight=False, markup=False)
        else:
            for part, part_ids in ids.items():
                out.print(
                    _("{part}: {n} sessions: {ids}").format(part=part, n=len(part_ids), ids=" ".join(map(str, part_ids))),
                    soft_wrap=True,
                    highlight=False,
                )
        if args.session is None and not args.list:
            raise SbrError(_("choose a session with --session ID (ids listed above)"))
        return 0
    if args.k < 1:
        raise SbrError(_("-k must be at least 1, got {k}").format(k=args.k))

    part, index = run.find_session(args.session)
    data = run.sessions[part]
    span = slice(int(data.offsets[index]), int(data.offsets[index + 1]))
    history = data.items[span]
    top, scores = recommend_next(run.model, history, args.k)
    seen = set(history.tolist())

    if args.json:
        payload = {
            "session": args.session,
            "part": part,
            "history": [
                {"time": float(t), "item_id": int(run.item_ids[i]), "title": str(run.titles[i])}
                for t, i in zip(data.times[span], history)
            ],
            "recommendations": [
                {"rank": r + 1, "item_id": int(run.item_ids[i]), "title": str(run.titles[i]), "score": float(s), "in_history": int(i) in seen}
                for r, (i, s) in enumerate(zip(top, scores))
            ],
        }
        out.print(json.dumps(payload), soft_wrap=True, highlight=False, markup=False)
        return 0

    history_table = Table(title=_("Session {id} ({part}), {n} events").format(id=args.session, part=part, n=len(history)))
    history_table.add_column("#", justify="right")
    history_table.add_column(_("time (UTC)"))
    history_table.add_column(_("item"), justify="right")
    history_table.add_column(_("title"))
    for position, (t, i) in enumerate(zip(data.times[span], history), 1):
        history_table.add_row(str(position), _format_time(t), str(run.item_ids[i]), str(run.titles[i]))
    out.print(history_table)

    rec_table = Table(title=_("Top {k} next items").format(k=len(top)))
    rec_table.add_column(_("rank"), justify="right")
    rec_table.add_column(_("item"), justify="right")
    rec_table.add_column(_("title"))
    rec_table.add_column(_("score"), justify="right")
    rec_table.add_column(_("seen"))
    for rank, (i, s) in enumerate(zip(top, scores), 1):
        rec_table.add_row(str(rank), str(run.item_ids[i]), str(run.titles[i]), f"{s:.4f}", _("yes") if int(i) in seen else "")
    out.print(rec_table)
    return 0


def command_runs(args: argparse.Namespace) -> int:
    """Run `sbr-tui runs`: one line per run directory."""
    from core.runs import default_runs_dir, list_runs

    runs_dir = Path(args.list_runs_dir) if args.list_runs_dir else default_runs_dir()
    if not runs_dir.exists():
        raise SbrError(_("runs folder {path} not found; train a run first or pass --runs-dir").format(path=runs_dir))
    if not runs_dir.is_dir():
        raise SbrError(_("{path} is not a folder; pass the folder that contains run directories").format(path=runs_dir))
    runs = list_runs(runs_dir)
    if not runs:
        out.print(_("No runs in {path}.").format(path=runs_dir), highlight=False)
        return 0

    table = Table(title=str(runs_dir))
    # The name column folds long names onto more lines so the metric columns keep their width.
    table.add_column(_("run"), overflow="fold")
    table.add_column(_("status"), no_wrap=True, min_width=9)
    table.add_column(_("epochs"), justify="right", no_wrap=True)
    table.add_column("R@20", justify="right", no_wrap=True, min_width=6)
    table.add_column("MRR@20", justify="right", no_wrap=True, min_width=6)
    for run in runs:
        table.add_row(
            run.name,
            run.status,
            str(run.epochs),
            f"{run.test['recall@20']:.4f}" if "recall@20" in run.test else "-",
            f"{run.test['mrr@20']:.4f}" if "mrr@20" in run.test else "-",
        )
    out.print(table)
    problems = [run for run in runs if run.error]
    for run in problems:
        out.print(f"{run.name}: {run.error}", highlight=False, markup=False)
    return 0


def command_download(args: argparse.Namespace) -> int:
    """Run `sbr-tui download`: fetch and unpack a MovieLens archive."""
    from core.datasets import default_data_dir, download_movielens

    dest = Path(args.dest) if args.dest else default_data_dir()
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), console=err) as progress:
        task = progress.add_task(args.name, total=None)

        def on_progress(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        folder = download_movielens(args.name, dest, progress=on_progress)
    out.print(_("Downloaded to {path}").format(path=folder))
    return 0
