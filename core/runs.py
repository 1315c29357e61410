"""Run directories: the whole training job, saved results, listing and reloading runs.

A run directory contains:
  config.json      every setting of the run
  metrics.jsonl    one JSON line per finished epoch
  best.weights.h5  weights of the epoch with the best validation MRR at the largest cutoff
  last.weights.h5  weights after the last finished epoch
  results.json     status (running, finished, cancelled, failed), data sizes,
                   test metrics and baselines
  items.npz        original item id, title and genres per item index
  sessions.npz     the valid and test sessions, for browsing recommendations
Every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.config import Config
from core.errors import SbrError
from core.storage import to_jsonable, write_atomic, write_json_atomic, write_npz_atomic, write_text_atomic

RUN_FILES = ("config.json", "results.json")


def default_runs_dir() -> Path:
    """Return the per-user runs folder (platformdirs user data dir / runs)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("sbr-tui", appauthor=False)) / "runs"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _dataset_name(config: Config) -> str:
    data = config.data
    if data.train_path is not None:
        # "NAME_train_full.txt" gives NAME; a plain "train.tsv" gives its folder's name.
        train = Path(data.train_path)
        name = re.sub(r"[_-]?train([_-](full|tr))?$", "", train.stem) or train.parent.name
    else:
        path = Path(data.path or "data")
        # MovieLens ratings files share names across releases, so their folder names the data.
        name = path.parent.name if path.name in ("ratings.dat", "u.data", "ratings.csv") else path.stem
    # Long file names would make run names hard to read in an 80-column list.
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:24] or "data"


def create_run_dir(runs_dir: str | Path, config: Config) -> Path:
    """Create and return a new, uniquely named run directory."""
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{_dataset_name(config)}-{config.model.loss}"
    for attempt in range(1000):
        name = base if attempt == 0 else f"{base}-{attempt}"
        path = runs_dir / name
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise SbrError(f"cannot create a new run directory under {runs_dir}: too many runs named {base}")


def save_weights(model, path: Path) -> None:
    """Save Keras weights atomically (Keras requires the `.weights.h5` ending)."""
    write_atomic(path, lambda tmp: model.save_weights(str(tmp)), suffix=".weights.h5")


def _save_sessions(run_dir: Path, split) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name in ("valid", "test"):
        data = getattr(split, name)
        arrays[f"{name}_items"] = data.items
        arrays[f"{name}_offsets"] = data.offsets
        arrays[f"{name}_times"] = data.times
        arrays[f"{name}_session_ids"] = data.session_ids
        arrays[f"{name}_user_ids"] = data.user_ids
        if data.ratings is not None:
            arrays[f"{name}_ratings"] = data.ratings
    write_npz_atomic(run_dir / "sessions.npz", **arrays)


def _save_items(run_dir: Path, item_ids: np.ndarray, items_meta) -> None:
    titles = np.array([""] * len(item_ids), dtype=str)
    genres = np.array([""] * len(item_ids), dtype=str)
    if items_meta is not None and len(items_meta):
        meta = items_meta.reindex(item_ids)
        if "title" in meta:
            titles = meta["title"].fillna("").astype(str).to_numpy(dtype=str)
        if "genres" in meta:
            genres = meta["genres"].fillna("").astype(str).to_numpy(dtype=str)
    write_npz_atomic(run_dir / "items.npz", item_ids=np.asarray(item_ids, dtype=np.int64), titles=titles, genres=genres)


@dataclass
class RunResult:
    """Outcome of `run_training`."""

    run_dir: Path
    status: str  # finished | cancelled | failed
    summary: dict[str, Any]  # data sizes per part
    epochs: list[dict[str, Any]]
    test: dict[str, float] | None
    baselines: dict[str, dict[str, float]]
    best_epoch: int | None
    seconds: float
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the machine-readable report of `sbr-tui train --json`."""
        return to_jsonable(
            {
                "run_dir": str(self.run_dir),
                "status": self.status,
                "data": self.summary,
                "epochs": self.epochs,
                "best_epoch": self.best_epoch,
                "test": self.test,
                "baselines": self.baselines,
                "seconds": self.seconds,
            }
        )


def epoch_record(epoch) -> dict[str, Any]:
    """Return the metrics.jsonl line of one EpochResult."""
    return {
        "epoch": epoch.epoch,
        "loss": epoch.loss,
        "valid": epoch.valid,
        "seconds": epoch.seconds,
        "train_seconds": epoch.train_seconds,
        "events_per_second": epoch.events_per_second,
        "is_best": epoch.is_best,
    }


def evaluate_baselines(split, cutoffs: list[int]) -> dict[str, dict[str, dict[str, float]]]:
    """Return baseline metrics on valid and test: {"valid"|"test": {"popular": .., "item_to_next": .., "vsknn": ..}}.

    A part without predictions (no validation files, for example) maps to an empty dict.
    """
    from core.baselines import ItemToNextBaseline, PopularBaseline
    from core.sknn import SessionKNNBaseline

    n_items = split.item_index.n_items
    baselines = [
        PopularBaseline(split.train.items, n_items),
        ItemToNextBaseline(split.train.items, split.train.offsets, n_items),
        SessionKNNBaseline(split.train, n_items),
    ]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for part in ("valid", "test"):
        data = getattr(split, part)
        if data.n_predictions == 0:
            # Nothing to predict: an empty dict, so no one reads zeros as scores.
            out[part] = {}
            continue
        out[part] = {baseline.name: baseline.evaluate(data, cutoffs).metrics for baseline in baselines}
    return out


def run_training(
    config: Config,
    prepared=None,
    callbacks=None,
    should_stop: Callable[[], bool] | None = None,
    runs_dir: str | Path | None = None,
    on_run_dir: Callable[[Path], None] | None = None,
) -> RunResult:
    """Prepare the data, train, evaluate on test next to the baselines, and save the run.

    The run directory is created once the data is ready; from then on every
    outcome (finished, cancelled, failed) is recorded in its results.json.
    A failure is re-raised after it is recorded.
    """
    from core.pipeline import prepare_data
    from core.training import TrainCallbacks, Trainer

    config.validate()
    callbacks = callbacks or TrainCallbacks()
    should_stop = should_stop or (lambda: False)
    started = time.perf_counter()

    if prepared is None:
        if callbacks.on_phase is not None:
            callbacks.on_phase("load")
        prepared = prepare_data(config)
    split = prepared.split
    config.validate(n_train_sessions=split.train.n_sessions)
    summary = split.summary()
    cutoffs = list(config.eval.cutoffs)

    runs_dir = Path(runs_dir or config.runs_dir or default_runs_dir())
    run_dir = create_run_dir(runs_dir, config)
    if on_run_dir is not None:
        on_run_dir(run_dir)
    results: dict[str, Any] = {
        "status": "running",
        "started": _now(),
        "finished": None,
        "data": summary,
        "best_epoch": None,
        "test": None,
        "baselines": {},
        "valid_baselines": {},
        "seconds": None,
        "error": None,
    }
    write_json_atomic(run_dir / "config.json", config.to_dict())
    write_json_atomic(run_dir / "results.json", results)
    write_text_atomic(run_dir / "metrics.jsonl", "")
    _save_items(run_dir, split.item_index.item_ids, prepared.items)
    _save_sessions(run_dir, split)

    epochs: list[dict[str, Any]] = []
    user_on_epoch = callbacks.on_epoch
    trainer_box: dict[str, Any] = {}

    def on_epoch(epoch) -> None:
        epochs.append(epoch_record(epoch))
        lines = "".join(json.dumps(to_jsonable(record)) + "\n" for record in epochs)
        write_text_atomic(run_dir / "metrics.jsonl", lines)
        model = trainer_box["trainer"].model
        save_weights(model, run_dir / "last.weights.h5")
        if epoch.is_best:
            trainer_box["best_weights"] = [w.copy() for w in model.get_weights()]
            save_weights(model, run_dir / "best.weights.h5")
        if user_on_epoch is not None:
            user_on_epoch(epoch)

    try:
        if callbacks.on_phase is not None:
            callbacks.on_phase("baselines")
        all_baselines = evaluate_baselines(split, cutoffs)
        results["baselines"] = all_baselines["test"]
        results["valid_baselines"] = all_baselines["valid"]
        write_json_atomic(run_dir / "results.json", results)

        train_callbacks = TrainCallbacks(
            on_batch=callbacks.on_batch,
            on_epoch=on_epoch,
            on_phase=callbacks.on_phase,
            progress_interval=callbacks.progress_interval,
        )
        trainer = Trainer(config, split, train_callbacks)
        trainer_box["trainer"] = trainer
        fit = trainer.fit(should_stop)
        results["best_epoch"] = fit.best_epoch

        if fit.cancelled:
            results["status"] = "cancelled"
        else:
            if callbacks.on_phase is not None:
                callbacks.on_phase("test")
            if "best_weights" in trainer_box:
                trainer.model.set_weights(trainer_box["best_weights"])
            test = trainer.evaluator.evaluate(split.test, cutoffs, should_stop)
            if test.cancelled:
                results["status"] = "cancelled"
            else:
                results["test"] = test.metrics
                results["status"] = "finished"
    except BaseException as exc:
        results["status"] = "failed"
        results["error"] = str(exc) or type(exc).__name__
        results["finished"] = _now()
        results["seconds"] = time.perf_counter() - started
        write_json_atomic(run_dir / "results.json", to_jsonable(results))
        raise

    results["finished"] = _now()
    results["seconds"] = time.perf_counter() - started
    write_json_atomic(run_dir / "results.json", to_jsonable(results))
    return RunResult(
        run_dir=run_dir,
        status=results["status"],
        summary=summary,
        epochs=epochs,
        test=results["test"],
        baselines=results["baselines"],
        best_epoch=results["best_epoch"],
        seconds=results["seconds"],
    )


# ---- reading runs back -------------------------------------------------------


@dataclass
class RunSummary:
    """One row of the runs list."""

    path: Path
    name: str
    status: str  # running | finished | cancelled | failed | broken
    started: str | None = None
    seconds: float | None = None
    dataset: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    best_valid: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    epochs: int = 0
    error: str | None = None


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_epochs(run_dir: Path) -> list[dict[str, Any]]:
    """Return the epoch records of metrics.jsonl; a torn last line is skipped."""
    path = Path(run_dir) / "metrics.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def summarize_run(run_dir: str | Path) -> RunSummary:
    """Read a run directory into a RunSummary; problems give status "broken" and the reason."""
    run_dir = Path(run_dir)
    summary = RunSummary(path=run_dir, name=run_dir.name, status="broken")
    try:
        config = _read_json(run_dir / "config.json")
        results = _read_json(run_dir / "results.json")
        if not isinstance(config, dict) or not isinstance(results, dict):
            raise ValueError("config.json and results.json must hold JSON objects")
        epochs = read_epochs(run_dir)
    except FileNotFoundError as exc:
        summary.error = f"missing {Path(exc.filename).name}"
        return summary
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        summary.error = f"unreadable: {exc}"
        return summary

    data = config.get("data") or {}
    model = config.get("model") or {}
    train = config.get("train") or {}
    eval_cfg = config.get("eval") or {}
    summary.status = str(results.get("status", "broken"))
    summary.started = results.get("started")
    summary.seconds = results.get("seconds")
    summary.dataset = data.get("path") or data.get("train_path")
    summary.settings = {
        "loss": model.get("loss"),
        "hidden_size": model.get("hidden_size"),
        "embedding_size": model.get("embedding_size"),
        "batch_size": train.get("batch_size"),
        "learning_rate": train.get("learning_rate"),
        "optimizer": train.get("optimizer"),
        "epochs": train.get("epochs"),
        "n_sample": model.get("n_sample"),
    }
    summary.test = results.get("test") or {}
    summary.error = results.get("error")
    summary.epochs = len(epochs)
    cutoffs = eval_cfg.get("cutoffs") or [20]
    key = f"mrr@{max(cutoffs)}"
    scored = [e for e in epochs if isinstance(e.get("valid"), dict) and key in e["valid"]]
    if scored:
        summary.best_valid = max(scored, key=lambda e: e["valid"][key])["valid"]
    return summary


def list_runs(runs_dir: str | Path) -> list[RunSummary]:
    """Return a summary of every run directory under `runs_dir`, newest first."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    summaries = [summarize_run(path) for path in runs_dir.iterdir() if path.is_dir() and not path.name.startswith(".")]
    return sorted(summaries, key=lambda s: s.name, reverse=True)


def delete_run(run_dir: str | Path) -> None:
    """Delete a run directory after checking that it looks like one."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.json").exists() and not (run_dir / "results.json").exists():
        raise SbrError(f"{run_dir} is not a run directory (no config.json or results.json); not deleted")
    shutil.rmtree(run_dir)
