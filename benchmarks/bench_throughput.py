"""Training and evaluation throughput of the product against a naive GRU4Rec, in one run.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_throughput.py            # full run
    .venv/bin/python benchmarks/bench_throughput.py --quick    # a few minutes, for checking
    .venv/bin/python benchmarks/bench_throughput.py --json     # JSON object on the last line

Every (dataset, batch, system) configuration runs in its own subprocess so
that its peak resident memory is its own. docs/benchmarks.md explains the
measurements and records results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
DATASETS = ("ml100k-course", "yoochoose-100k", "ml1m-sized")
SYSTEMS = ("naive", "product")
HIDDEN = 100
CUTOFF = 20


# ---- data ---------------------------------------------------------------


def dataset_config(name: str, data_dir: Path, generated_dir: Path | None):
    """Return a Config that loads dataset `name`, or None with the reason when its files are missing."""
    from core.config import Config

    config = Config()
    if name == "ml100k-course":
        folder = data_dir / "splits" / "ml100k-course"
        paths = [folder / f"{part}.tsv" for part in ("train", "valid", "test")]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            return None, f"{missing[0]} not found"
        config.data.train_path, config.data.valid_path, config.data.test_path = map(str, paths)
    elif name == "yoochoose-100k":
        folder = data_dir / "yoochoose-100k"
        train = folder / "yoochoose-clicks-100k_train_full.txt"
        test = folder / "yoochoose-clicks-100k_test.txt"
        for path in (train, test):
            if not path.is_file():
                return None, f"{path} not found"
        config.data.train_path, config.data.test_path = str(train), str(test)
    elif name == "ml1m-sized":
        if generated_dir is None or not (generated_dir / "ratings.dat").is_file():
            return None, "generated ratings.dat not found"
        config.data.path = str(generated_dir)
        config.data.format = "ml-dat"
    else:
        raise ValueError(f"unknown dataset {name!r}")
    return config, ""


def load(config):
    """Run core.pipeline.prepare_data; return (prepared data, seconds to read the file, seconds in all)."""
    from core.pipeline import prepare_data

    stage_times: dict[str, float] = {}
    start = time.perf_counter()
    prepared = prepare_data(config, progress=lambda stage, _: stage_times.setdefault(stage, time.perf_counter() - start))
    total = time.perf_counter() - start
    # The first stage after reading is "filter" for raw logs and "split" for pre-split files.
    read = stage_times.get("filter", stage_times.get("split", total))
    return prepared, read, total


# ---- measurements shared by both systems --------------------------------


class Budget:
    """A should_stop callable that turns True `seconds` after it was made (never when seconds is None)."""

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.hit = False

    def __call__(self) -> bool:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            self.hit = True
        return self.hit


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB.

    Linux's VmHWM starts afresh at exec. `ru_maxrss` does not: a child
    started by a large parent reports at least the parent's size, so it is
    only the fallback where /proc is missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def summarise(phases: dict, split, epochs: int) -> dict:
    """Turn per-phase (events, seconds) records into rates and an end-to-end time."""
    train_rates = [events / seconds for events, seconds in phases["train"] if seconds > 0]
    # The first epoch of the product includes compilation; leave it out when others exist.
    steady = train_rates[1:] if len(train_rates) > 1 else train_rates
    eval_runs = phases["eval_rate"] or phases["valid"] + phases["test"]
    eval_events = sum(e for e, _ in eval_runs)
    eval_seconds = sum(s for _, s in eval_runs)
    train_rate = median(steady) if steady else 0.0
    eval_rate = eval_events / eval_seconds if eval_seconds > 0 else 0.0
    return {"train_events_per_second": train_rate, "eval_events_per_second": eval_rate}


def estimate_end_to_end(split, epochs: int, train_rate: float, eval_rate: float) -> float:
    """Estimate seconds for `epochs` epochs with validation plus the test evaluation from measured rates."""
    train = split.train.n_predictions / max(train_rate, 1e-9)
    valid = split.valid.n_predictions / max(eval_rate, 1e-9)
    test = split.test.n_predictions / max(eval_rate, 1e-9)
    return epochs * (train + valid) + test


# ---- product ------------------------------------------------------------


def matmul_peak(batch: int, n_items: int, hidden: int, repeats: int) -> float:
    """Return the best GFLOP/s of tf.matmul on the training step's shapes, with and without XLA.

    The shapes are those of the one-layer GRU4Rec step with an embedding of
    size `hidden`: the scoring product forward and its two gradients, and the
    GRU's input and recurrent products forward and their gradients.
    """
    from core.tf_runtime import import_tensorflow

    tf, _ = import_tensorflow()
    shapes = [
        (batch, hidden, n_items), (batch, n_items, hidden), (hidden, batch, n_items),
        (batch, hidden, 3 * hidden), (batch, 3 * hidden, hidden), (hidden, batch, 3 * hidden),
        (batch, hidden, 3 * hidden), (batch, 3 * hidden, hidden), (hidden, batch, 3 * hidden),
    ]
    operands = [(tf.random.normal((m, k)), tf.random.normal((k, n))) for m, k, n in shapes]
    flops = sum(2.0 * m * k * n for m, k, n in shapes) * repeats

    best = 0.0
    for jit in (False, True):
        def run(pairs):
            # Each product reads the running total, so no compiler can hoist it out of the loop or
            # skip it. The extra scaling and sum cost under 1% of the products' FLOPs.
            total = tf.zeros([])
            for _ in tf.range(repeats):
                for a, b in pairs:
                    total += tf.reduce_sum(tf.matmul(a * (1.0 + total * 1e-30), b))
            return total

        compiled = tf.function(run, jit_compile=jit)
        compiled(operands).numpy()
        for _ in range(5):
            start = time.perf_counter()
            compiled(operands).numpy()
            best = max(best, flops / (time.perf_counter() - start) / 1e9)
    return best


def run_product(config, split, epochs: int, budget: float | None, jit_compile: bool = True) -> dict:
    """Train, validate and test with core.training.Trainer and core.evaluation.ModelEvaluator."""
    from core.batching import session_parallel_arrays
    from core.training import Trainer, training_step_flops

    cutoffs = [CUTOFF]
    config.eval.cutoffs = cutoffs
    phases = {"train": [], "valid": [], "test": [], "eval_rate": []}
    start = time.perf_counter()
    trainer = Trainer(config, split, jit_compile=jit_compile)
    steps_per_epoch = session_parallel_arrays(split.train.items, split.train.offsets, trainer.batch_size).steps
    train_steps = []

    if budget is None:
        result = trainer.fit()
        for epoch in result.epochs:
            phases["train"].append((split.train.n_predictions, epoch.train_seconds))
            train_steps.append((steps_per_epoch, epoch.train_seconds))
            if split.valid.n_sessions:
                phases["valid"].append((split.valid.n_predictions, epoch.seconds - epoch.train_seconds))
    else:
        active_counts = session_parallel_arrays(split.train.items, split.train.offsets, trainer.batch_size).active_counts
        for epoch in range(1, epochs + 1):
            polls = {"n": 0}
            limit = Budget(budget)

            def should_stop() -> bool:
                if limit():
                    return True
                polls["n"] += 1
                return False

            _, seconds, _ = trainer.train_epoch(epoch, should_stop)
            phases["train"].append((int(active_counts[: polls["n"]].sum()), seconds))
            train_steps.append((polls["n"], seconds))
            if split.valid.n_sessions:
                phases["valid"].append(timed_product_eval(trainer, split.valid, cutoffs, budget))
    phases["test"].append(timed_product_eval(trainer, split.test, cutoffs, budget))
    end_to_end = time.perf_counter() - start
    # A second pass over the test set, after compilation, gives the steady evaluation rate.
    phases["eval_rate"].append(timed_product_eval(trainer, split.test, cutoffs, budget))

    out = summarise(phases, split, epochs)
    steps, seconds = train_steps[-1] if len(train_steps) < 2 else (sum(s for s, _ in train_steps[1:]), sum(t for _, t in train_steps[1:]))
    step_flops = training_step_flops(trainer.batch_size, trainer.n_items, trainer.model.hidden_size, config.model.embedding_size)
    out["train_gflops"] = step_flops * steps / max(seconds, 1e-9) / 1e9
    out["matmul_peak_gflops"] = matmul_peak(trainer.batch_size, trainer.n_items, trainer.model.hidden_size, 20 if budget else 100)
    out["end_to_end_seconds"] = end_to_end
    out["end_to_end_estimated"] = False
    out["steps_per_call"] = trainer.steps_per_call
    return out | {"_phases": phases}


def timed_product_eval(trainer, data, cutoffs, budget: float | None) -> tuple[int, float]:
    start = time.perf_counter()
    result = trainer.evaluator.evaluate(data, cutoffs, Budget(budget) if budget else None)
    return int((result.ranks > 0).sum()), time.perf_counter() - start


# ---- naive --------------------------------------------------------------


def run_naive(config, split, epochs: int, budget: float | None) -> dict:
    """Train, validate and test the naive reference of benchmarks/naive_reference.py.

    A naive step costs the same whatever the number of active slots (dense
    one-hot input, full softmax), so a phase cut off by `budget` is
    extrapolated to the whole pass by its step count: seconds per step
    times the pass's steps. Measuring only the first, fully occupied steps
    would otherwise overstate its rate on logs whose last steps run with
    few active slots.
    """
    from benchmarks.naive_reference import NaiveGRU4Rec
    from core.batching import session_parallel_arrays

    batch = config.train.batch_size

    def whole_pass(data, events: int, steps: int, seconds: float) -> tuple[int, float]:
        if events >= data.n_predictions or steps == 0:
            return events, seconds
        total_steps = session_parallel_arrays(data.items, data.offsets, batch).steps
        return data.n_predictions, seconds * total_steps / steps

    phases = {"train": [], "valid": [], "test": [], "eval_rate": []}
    start = time.perf_counter()
    model = NaiveGRU4Rec(split.item_index.n_items, batch, HIDDEN, config.train.learning_rate, config.train.seed)
    for _ in range(epochs):
        events, steps, seconds = model.train_epoch(split.train, Budget(budget))
        phases["train"].append(whole_pass(split.train, events, steps, seconds))
        if split.valid.n_sessions:
            _, events, steps, seconds = model.evaluate(split.valid, CUTOFF, Budget(budget))
            phases["valid"].append(whole_pass(split.valid, events, steps, seconds))
    _, events, steps, seconds = model.evaluate(split.test, CUTOFF, Budget(budget))
    phases["test"].append(whole_pass(split.test, events, steps, seconds))
    out = summarise(phases, split, epochs)
    out["end_to_end_seconds"] = time.perf_counter() - start
    out["end_to_end_estimated"] = False
    out["rates_extrapolated"] = budget is not None
    return out | {"_phases": phases, "_capped": budget is not None}


# ---- one configuration (subprocess) -------------------------------------


def worker(args) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    config, reason = dataset_config(args.dataset, Path(args.data_dir), Path(args.generated_dir) if args.generated_dir else None)
    if config is None:
        raise SystemExit(f"dataset {args.dataset} skipped: {reason}")
    if args.preset:
        from core.presets import apply_preset

        apply_preset(config, args.preset)
    else:
        config.train.batch_size = args.batch
        config.model.hidden_size = HIDDEN
    config.train.epochs = args.epochs_run
    prepared, read_seconds, prepare_seconds = load(config)
    split = prepared.split

    budget = args.phase_budget
    if args.system == "naive":
        out = run_naive(config, split, args.epochs_run, budget)
    else:
        out = run_product(config, split, args.epochs_run, budget, jit_compile=args.system != "product-no-xla")
    phases = out.pop("_phases")
    capped = out.pop("_capped", False)
    complete = not capped and not any(
        events < total for (events, _), total in
        [(p, split.train.n_predictions) for p in phases["train"]]
        + [(p, split.valid.n_predictions) for p in phases["valid"]]
        + [(p, split.test.n_predictions) for p in phases["test"]]
    )
    if not complete or args.epochs_run != args.epochs:
        out["end_to_end_seconds"] = estimate_end_to_end(
            split, args.epochs, out["train_events_per_second"], out["eval_events_per_second"]
        )
        out["end_to_end_estimated"] = True
    if config.model.n_sample > 0 or config.model.loss != "cross-entropy":
        # The FLOP count assumes scores over every item; a sampled loss scores far fewer.
        out["train_gflops"] = None
    out.update(
        dataset=args.dataset,
        batch=config.train.batch_size,
        preset=args.preset,
        system=args.system,
        epochs=args.epochs,
        epochs_run=args.epochs_run,
        train_events=split.train.n_predictions,
        valid_events=split.valid.n_predictions,
        test_events=split.test.n_predictions,
        n_items=split.item_index.n_items,
        read_seconds=read_seconds,
        prepare_seconds=prepare_seconds,
        train_epoch_seconds=split.train.n_predictions / max(out["train_events_per_second"], 1e-9),
        peak_rss_mb=peak_rss_mb(),
    )
    print(json.dumps(out))


# ---- the whole benchmark ------------------------------------------------


def plan(args) -> list[dict]:
    """Return the configurations to run, with the epochs and per-phase time limit of each.

    The naive reference runs in full only on MovieLens 100K at the first batch
    size, which takes about 4 minutes. On the larger logs or at batch 8 it
    would take hours, so there it runs capped phases and its end-to-end time
    is estimated from the measured rates. The product runs in full except on the generated log,
    where it runs `--large-epochs` epochs and the 10-epoch figure is estimated.
    """
    runs = []
    if args.preset:
        # A preset fixes the batch size; batch 0 tells the worker to keep it.
        systems = ["product", "product-no-xla"] if args.compare_xla else ["product"]
        return [
            dict(dataset=dataset, batch=0, system=system, epochs_run=2, budget=None)
            for dataset in args.datasets
            for system in systems
        ]
    for dataset in args.datasets:
        for batch in args.batches:
            for system in SYSTEMS:
                epochs_run, budget = args.epochs, None
                if args.quick:
                    # The product's first epoch includes compilation, so it needs a second one for its rate.
                    epochs_run, budget = (1 if system == "naive" else 2), 1.5
                elif system == "naive" and not (dataset == "ml100k-course" and batch == args.batches[0]):
                    epochs_run, budget = 1, args.naive_budget
                elif system == "product" and dataset == "ml1m-sized":
                    epochs_run = args.large_epochs
                runs.append(dict(dataset=dataset, batch=batch, system=system, epochs_run=epochs_run, budget=budget))
    return runs


def run_configuration(args, run: dict, generated_dir: Path | None) -> dict | None:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker",
        "--dataset", run["dataset"], "--batch", str(run["batch"]), "--system", run["system"],
        "--epochs", str(args.epochs), "--epochs-run", str(run["epochs_run"]),
        "--data-dir", str(args.data_dir),
    ]
    if run["budget"] is not None:
        command += ["--phase-budget", str(run["budget"])]
    if args.preset:
        command += ["--preset", args.preset]
    if generated_dir is not None:
        command += ["--generated-dir", str(generated_dir)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if completed.returncode != 0:
        print(f"{run['dataset']} batch {run['batch']} {run['system']}: failed\n{completed.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def ratios(results: list[dict]) -> dict:
    """Return product/naive ratios per dataset and batch (end-to-end as naive/product seconds)."""
    by_key = {(r["dataset"], r["batch"], r["system"]): r for r in results}
    out = {}
    for (dataset, batch, system), product in by_key.items():
        naive = by_key.get((dataset, batch, "naive"))
        if system != "product" or naive is None or product.get("train_gflops") is None:
            continue
        out[f"{dataset}/b{batch}"] = {
            "train_events_per_second": product["train_events_per_second"] / max(naive["train_events_per_second"], 1e-9),
            "eval_events_per_second": product["eval_events_per_second"] / max(naive["eval_events_per_second"], 1e-9),
            "end_to_end_speedup": naive["end_to_end_seconds"] / max(product["end_to_end_seconds"], 1e-9),
            "flop_share_of_matmul_peak": product["train_gflops"] / max(product["matmul_peak_gflops"], 1e-9),
        }
    return out


def machine() -> dict:
    from importlib.metadata import version

    return {
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
        "load_average_at_start": os.getloadavg()[0],
    }


def print_table(results: list[dict], ratio_table: dict) -> None:
    header = f"{'dataset':<15} {'B':>3} {'system':<14} {'train ev/s':>11} {'eval ev/s':>10} {'end-to-end s':>13} {'RSS MB':>7} {'GFLOP/s':>13}"
    print(header)
    print("-" * len(header))
    for r in results:
        e2e = f"{r['end_to_end_seconds']:.1f}{'~' if r['end_to_end_estimated'] else ''}"
        flops = f"{r['train_gflops']:.1f}/{r['matmul_peak_gflops']:.0f}" if r.get("train_gflops") is not None else ""
        print(
            f"{r['dataset']:<15} {r['batch']:>3} {r['system']:<14} {r['train_events_per_second']:>11.0f} "
            f"{r['eval_events_per_second']:>10.0f} {e2e:>13} {r['peak_rss_mb']:>7.0f} {flops:>13}"
        )
    print("~ estimated from measured rates. GFLOP/s: training step / tf.matmul peak on the same shapes.")
    print()
    print(f"{'product/naive':<22} {'train':>7} {'eval':>8} {'end-to-end':>11} {'FLOP share':>11}")
    for key, r in ratio_table.items():
        print(
            f"{key:<22} {r['train_events_per_second']:>7.2f} {r['eval_events_per_second']:>8.1f} "
            f"{r['end_to_end_speedup']:>11.1f} {r['flop_share_of_matmul_peak']:>11.2f}"
        )
    for r in results:
        if r["system"] == "product" and r["dataset"] == "ml1m-sized":
            print(
                f"ml1m-sized b{r['batch']}: one training epoch {r['train_epoch_seconds']:.1f} s, "
                f"reading ratings.dat {r['read_seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="capped phases (1.5 s each) and a 100,000-event generated log; end-to-end figures are estimates")
    parser.add_argument("--json", action="store_true", help="print one JSON object with all results on the last line")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 8], help="batch sizes (parallel sessions)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the end-to-end figure")
    parser.add_argument("--large-epochs", type=int, default=2,
                        help="epochs the product runs on the generated log; the end-to-end figure is extrapolated")
    parser.add_argument("--naive-budget", type=float, default=15.0,
                        help="seconds per phase for the naive reference on the larger logs")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="folder with the shared datasets")
    parser.add_argument(
        "--preset",
        help="measure only the product with this preset's model and batch size (e.g. rsc15-reference), 2 epochs",
    )
    parser.add_argument(
        "--compare-xla",
        action="store_true",
        help="with --preset, also run the product with its training step compiled without XLA",
    )
    # Worker mode: one configuration, JSON on stdout.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--system", choices=[*SYSTEMS, "product-no-xla"], help=argparse.SUPPRESS)
    parser.add_argument("--epochs-run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase-budget", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--generated-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return

    started = time.perf_counter()
    info = machine()
    with tempfile.TemporaryDirectory(prefix="sbr-bench-") as folder:
        generated_dir = None
        if "ml1m-sized" in args.datasets:
            from benchmarks.generated_log import write_ratings_dat

            generated_dir = Path(folder)
            if args.quick:
                write_ratings_dat(generated_dir, n_events=100_000, n_users=604, seed=0)
            else:
                write_ratings_dat(generated_dir, n_events=1_000_000, n_users=6_040, seed=0)
        results = []
        for run in plan(args):
            config, reason = dataset_config(run["dataset"], Path(args.data_dir), generated_dir)
            if config is None:
                if run["system"] == SYSTEMS[0] and run["batch"] == args.batches[0]:
                    print(f"dataset {run['dataset']} skipped: {reason}", file=sys.stderr)
                continue
            print(f"running {run['dataset']} batch {run['batch']} {run['system']} ...", file=sys.stderr, flush=True)
            result = run_configuration(args, run, generated_dir)
            if result is not None:
                results.append(result)

    ratio_table = ratios(results)
    info["seconds"] = time.perf_counter() - started
    print_table(results, ratio_table)
    if args.json:
        print(json.dumps({"results": results, "ratios": ratio_table, "machine": info, "quick": args.quick}))


if __name__ == "__main__":
    main()
