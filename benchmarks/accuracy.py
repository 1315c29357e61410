"""Accuracy of GRU4Rec presets against the baselines, as the mean over seeds.

Usage:
    python benchmarks/accuracy.py yoochoose [--seeds 1 2 3]
    python benchmarks/accuracy.py ml100k-course [--seeds 1 2 3] [--grid]

`yoochoose` trains the rsc15-reference preset on yoochoose-100k train_full
and tests on its test file. `ml100k-course` follows the usual tuning
protocol. With --grid, each setting of a small grid is trained on train and
scored on valid. The setting with the best validation MRR@20 (ML100K_FINAL
without --grid) is then trained on train + valid and scored on test. Ties
count against the model everywhere. The script prints a table and, last,
one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import Config  # noqa: E402
from core.pipeline import prepare_data  # noqa: E402
from core.presets import apply_preset  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The ml100k-course setting that `--grid` chose on validation data (see docs/accuracy.md).
ML100K_SETTING: dict = {
    "model.loss": "cross-entropy",
    "model.n_sample": 2048,
    "model.sample_alpha": 0.3,
    "model.logq": 1.0,
    "model.constrained_embedding": True,
    "model.embedding_size": 0,
    "model.dropout_embedding": 0.2,
    "model.dropout_hidden": 0.1,
    "train.optimizer": "adagrad",
    "train.learning_rate": 0.1,
    "train.momentum": 0.3,
    "train.batch_size": 32,
    "train.epochs": 20,
}

# The final setting: the best of the grid on valid (learning rate 0.03), for the epoch count
# at which its validation MRR@20 peaked (6 of 20). docs/accuracy.md has the grid's results.
ML100K_FINAL: dict = {**ML100K_SETTING, "train.learning_rate": 0.03, "train.epochs": 6}

# Candidates from the ranges that the reference GRU4Rec searches (layer size 64-512,
# batch 32-256, learning rate 0.01-0.25, dropout, momentum, sample alpha).
ML100K_GRID: list[dict] = [
    {"train.epochs": 20},
    ML100K_SETTING,
    {**ML100K_SETTING, "train.learning_rate": 0.05},
    {**ML100K_SETTING, "train.learning_rate": 0.03},
    {
        **ML100K_SETTING,
        "model.hidden_size": 256,
        "model.dropout_embedding": 0.3,
        "model.dropout_hidden": 0.5,
        "model.sample_alpha": 0.5,
        "train.momentum": 0.5,
    },
    {
        **ML100K_SETTING,
        "model.hidden_size": 512,
        "model.dropout_hidden": 0.4,
        "model.sample_alpha": 0.5,
        "train.learning_rate": 0.05,
        "train.momentum": 0.5,
        "train.batch_size": 64,
    },
    {
        **ML100K_SETTING,
        "model.loss": "bpr-max",
        "model.logq": 0.0,
        "model.bpreg": 1.0,
        "model.hidden_size": 256,
        "model.dropout_embedding": 0.3,
        "model.dropout_hidden": 0.2,
        "model.sample_alpha": 0.5,
        "train.learning_rate": 0.05,
    },
]


def write_train_full(folder: Path) -> Path:
    """Write the ml100k-course train and valid files as one training file; return its path."""
    source = DATA / "splits" / "ml100k-course"
    train_lines = (source / "train.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    valid_lines = (source / "valid.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / "train_full.tsv"
    path.write_text("".join(train_lines + valid_lines[1:]), encoding="utf-8")
    return path


def make_config(dataset: str, overrides: dict, seed: int, train_full: Path | None = None) -> Config:
    """Return the config of one run: data paths, preset, overrides and seed.

    For ml100k-course, `train_full` (train + valid) replaces the train and
    valid files, as in the final run after tuning.
    """
    config = Config()
    if dataset == "yoochoose":
        folder = DATA / "yoochoose-100k"
        config.data.train_path = str(folder / "yoochoose-clicks-100k_train_full.txt")
        config.data.test_path = str(folder / "yoochoose-clicks-100k_test.txt")
        apply_preset(config, "rsc15-reference")
    elif train_full is not None:
        config.data.train_path = str(train_full)
        config.data.test_path = str(DATA / "splits" / "ml100k-course" / "test.tsv")
    else:
        folder = DATA / "splits" / "ml100k-course"
        config.data.train_path = str(folder / "train.tsv")
        config.data.valid_path = str(folder / "valid.tsv")
        config.data.test_path = str(folder / "test.tsv")
    for key, value in overrides.items():
        config.set(key, value)
    config.train.seed = seed
    config.eval.cutoffs = [5, 10, 20]
    return config


def train_and_test(config: Config, prepared) -> dict:
    """Train one model; return best validation metrics and test metrics of the best epoch."""
    from core.training import Trainer

    start = time.perf_counter()
    trainer = Trainer(config, prepared.split)
    best_weights = None
    best_value = -1.0

    def on_epoch(epoch) -> None:
        nonlocal best_weights, best_value
        if epoch.is_best:
            best_value = epoch.valid.get("mrr@20", 0.0)
            best_weights = trainer.model.get_weights()

    trainer.callbacks.on_epoch = on_epoch
    result = trainer.fit()
    if best_weights is not None:
        trainer.model.set_weights(best_weights)
    test = trainer.evaluator.evaluate(prepared.split.test, config.eval.cutoffs).metrics
    return {
        "best_epoch": result.best_epoch,
        "valid_mrr@20": best_value if prepared.split.valid.n_sessions else None,
        "test": test,
        "seconds": time.perf_counter() - start,
    }


def mean_of(runs: list[dict], key: str) -> float:
    return statistics.fmean(run["test"][key] for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=["yoochoose", "ml100k-course"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--grid", action="store_true", help="choose the ml100k-course setting on validation first")
    args = parser.parse_args()

    if not DATA.is_dir():
        print(f"error: {DATA} not found; this benchmark needs the shared MovieLens and YOOCHOOSE copies", file=sys.stderr)
        return 2

    prepared = prepare_data(make_config(args.dataset, {}, 0))
    setting = ML100K_FINAL if args.dataset == "ml100k-course" else {}
    grid_report = []
    if args.grid and args.dataset == "ml100k-course":
        for candidate in ML100K_GRID:
            run = train_and_test(make_config(args.dataset, candidate, args.seeds[0]), prepared)
            grid_report.append({"setting": candidate, "valid_mrr@20": run["valid_mrr@20"], "best_epoch": run["best_epoch"]})
            print(f"valid MRR@20 {run['valid_mrr@20']:.4f} (epoch {run['best_epoch']}): {candidate}", flush=True)
        best = max(grid_report, key=lambda row: row["valid_mrr@20"])
        # The final run has no validation data, so it trains for the best epoch count found on valid.
        setting = {**best["setting"], "train.epochs": best["best_epoch"]}

    train_full = None
    if args.dataset == "ml100k-course":
        train_full = write_train_full(Path(tempfile.mkdtemp(prefix="sbr-accuracy-")))
        prepared = prepare_data(make_config(args.dataset, {}, 0, train_full))

    runs = []
    for seed in args.seeds:
        run = train_and_test(make_config(args.dataset, setting, seed, train_full), prepared)
        runs.append(run)
        print(f"seed {seed}: Recall@20 {run['test']['recall@20']:.4f}  MRR@20 {run['test']['mrr@20']:.4f}  ({run['seconds']:.0f} s)", flush=True)

    from core.runs import evaluate_baselines

    baselines = evaluate_baselines(prepared.split, [5, 10, 20])["test"]
    print(f"GRU4Rec mean of {len(runs)} seeds: Recall@20 {mean_of(runs, 'recall@20'):.4f}  MRR@20 {mean_of(runs, 'mrr@20'):.4f}")
    for name, metrics in baselines.items():
        print(f"{name}: Recall@20 {metrics['recall@20']:.4f}  MRR@20 {metrics['mrr@20']:.4f}")
    report = {
        "dataset": args.dataset,
        "setting": setting,
        "seeds": args.seeds,
        "mean": {"recall@20": mean_of(runs, "recall@20"), "mrr@20": mean_of(runs, "mrr@20")},
        "runs": runs,
        "baselines": baselines,
        "grid": grid_report,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
