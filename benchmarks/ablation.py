"""What each speed change of the trainer and evaluator buys, measured in one process.

Usage: .venv/bin/python benchmarks/ablation.py [--batches 64 8] [--rounds 3]

On the MovieLens 100K course split, each variant trains one epoch after a
warm-up epoch that compiles it, and evaluates the validation set. The rounds
interleave the variants so that a change in machine load hits them all, and
the table shows the median of the rounds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.bench_throughput import DEFAULT_DATA_DIR, dataset_config, load  # noqa: E402

# (name, XLA, steps per call or None for the product's choice)
TRAIN_VARIANTS = [
    ("one step per call", False, 1),
    ("one step per call, XLA", True, 1),
    ("K steps per call", False, None),
    ("K steps per call, XLA (product)", True, None),
]
# (name, XLA, steps per call or None, choose width and longest-first order)
EVAL_VARIANTS = [
    ("one step per call, all sessions", False, 1, False),
    ("K steps per call, XLA, all sessions", True, None, False),
    ("K steps, XLA, narrow longest-first (product)", True, None, True),
]


def train_variants(split, config, batch: int, rounds: int) -> dict[str, list[float]]:
    from core.training import Trainer

    config.train.batch_size = batch
    trainers = {}
    for name, jit, steps in TRAIN_VARIANTS:
        trainer = Trainer(config, split)
        trainer.jit_compile = jit
        if steps is not None:
            trainer.steps_per_call = steps
        trainer._compile_steps()
        trainer.train_epoch(1, lambda: False)
        trainers[name] = trainer
    rates: dict[str, list[float]] = {name: [] for name in trainers}
    for _ in range(rounds):
        for name, trainer in trainers.items():
            _, seconds, _ = trainer.train_epoch(2, lambda: False)
            rates[name].append(split.train.n_predictions / seconds)
    return rates


def eval_variants(split, config, rounds: int) -> dict[str, list[float]]:
    from core import evaluation
    from core.model import GRU4Rec

    model = GRU4Rec(split.item_index.n_items, config.model, seed=config.train.seed)
    chosen_width = evaluation.evaluation_width
    rates: dict[str, list[float]] = {name: [] for name, *_ in EVAL_VARIANTS}
    evaluators = {}
    for name, jit, steps, narrow in EVAL_VARIANTS:
        evaluator = evaluation.ModelEvaluator(model, config.eval.batch_size)
        evaluator.jit_compile = jit
        evaluator._steps = evaluator.tf.function(evaluator._steps_impl, jit_compile=jit)
        if steps is not None:
            evaluator.steps_per_call = lambda width, fixed=steps: fixed
        evaluators[name] = (evaluator, narrow)
    for round_number in range(rounds + 1):
        for name, (evaluator, narrow) in evaluators.items():
            if narrow:
                evaluation.evaluation_width = chosen_width
            else:
                evaluation.evaluation_width = lambda offsets, max_width: max(1, min(max_width, len(offsets) - 1))
            start = time.perf_counter()
            evaluator.evaluate(split.valid, [20])
            seconds = time.perf_counter() - start
            if round_number > 0:  # round 0 compiles
                rates[name].append(split.valid.n_predictions / seconds)
    evaluation.evaluation_width = chosen_width
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 8], help="training batch sizes")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per variant")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="folder with the shared datasets")
    args = parser.parse_args()

    config, reason = dataset_config("ml100k-course", Path(args.data_dir), None)
    if config is None:
        raise SystemExit(f"ml100k-course not available: {reason}")
    config.eval.cutoffs = [20]
    split = load(config)[0].split

    for batch in args.batches:
        rates = train_variants(split, config, batch, args.rounds)
        base = median(rates[TRAIN_VARIANTS[0][0]])
        print(f"training, batch {batch}: events/s (median of {args.rounds}), ratio to the first row")
        for name, values in rates.items():
            print(f"  {name:<48} {median(values):>9.0f} {median(values) / base:>6.2f}x")
    rates = eval_variants(split, config, args.rounds)
    base = median(rates[EVAL_VARIANTS[0][0]])
    print(f"validation evaluation, eval batch {config.eval.batch_size}: events/s (median of {args.rounds})")
    for name, values in rates.items():
        print(f"  {name:<48} {median(values):>9.0f} {median(values) / base:>6.2f}x")


if __name__ == "__main__":
    main()
