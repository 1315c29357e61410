"""Ranks with ties counted against the model, Recall@k, MRR@k, and the model evaluator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from core.batching import session_parallel_arrays


def ranks_from_scores(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Return 1-based ranks of each row's target among all scores in that row.

    rank = 1 + (items scoring higher) + (other items scoring equal), so ties
    count against the model: a constant scorer over n items ranks every
    target n. Reference implementation for tests and small inputs.
    """
    target_scores = scores[np.arange(len(targets)), targets]
    return (scores >= target_scores[:, None]).sum(axis=1).astype(np.int64)


class MetricAccumulator:
    """Sums of hits and reciprocal ranks per cutoff, fed with batches of ranks."""

    def __init__(self, cutoffs: Sequence[int]) -> None:
        self.cutoffs = sorted({int(k) for k in cutoffs})
        self.count = 0
        self.hits = {k: 0 for k in self.cutoffs}
        self.reciprocal = {k: 0.0 for k in self.cutoffs}

    def add(self, ranks: np.ndarray) -> None:
        ranks = np.asarray(ranks, dtype=np.int64)
        self.count += len(ranks)
        inverse = 1.0 / ranks
        for k in self.cutoffs:
            within = ranks <= k
            self.hits[k] += int(within.sum())
            self.reciprocal[k] += float(inverse[within].sum())

    def result(self) -> dict[str, float]:
        """Return {"recall@k": .., "mrr@k": .., "predictions": n}; metrics are 0 with no predictions."""
        out: dict[str, float] = {}
        for k in self.cutoffs:
            out[f"recall@{k}"] = self.hits[k] / self.count if self.count else 0.0
            out[f"mrr@{k}"] = self.reciprocal[k] / self.count if self.count else 0.0
        out["predictions"] = self.count
        return out


def metrics_from_ranks(ranks: np.ndarray, cutoffs: Sequence[int]) -> dict[str, float]:
    """Return Recall@k and MRR@k for a complete array of ranks."""
    accumulator = MetricAccumulator(cutoffs)
    accumulator.add(ranks)
    return accumulator.result()


@dataclass
class EvalResult:
    """Metrics of one evaluation and the rank of every evaluated event."""

    metrics: dict[str, float]
    ranks: np.ndarray  # int64 per event index of the input item; 0 where the event has no target
    cancelled: bool = False


# Upper bound on the evaluation steps one device call runs, and the work per call
# (floating-point operations) that sets it for large catalogs, about 0.1 s at 20 GFLOP/s.
MAX_STEPS_PER_CALL = 32
CALL_FLOP_BUDGET = 2e9
# Slots beyond total pairs / longest session's pairs, so that longest-first packing
# still ends close to the longest session.
WIDTH_SLACK = 1.25


def evaluation_width(offsets: np.ndarray, max_width: int) -> int:
    """Return the number of parallel slots for evaluating sessions with these offsets.

    No schedule takes fewer steps than the longest session has pairs, and
    slots beyond what that many steps can fill would only score idle rows.
    So the width is about WIDTH_SLACK * total pairs / longest pairs, capped
    by `max_width` and by the number of sessions with a pair.
    """
    pairs = np.diff(np.asarray(offsets, dtype=np.int64)) - 1
    pairs = pairs[pairs > 0]
    if len(pairs) == 0:
        return 1
    width = int(np.ceil(WIDTH_SLACK * pairs.sum() / pairs.max()))
    return max(1, min(width, max_width, len(pairs)))


def item_chunk_size(n_items: int, batch_size: int, memory_limit_mb: int) -> int:
    """Return how many items to score at once so a [batch, chunk] float32 block and
    its comparison masks stay under `memory_limit_mb`."""
    bytes_per_item = batch_size * 4 * 3
    limit = memory_limit_mb * 1024 * 1024
    return int(max(1, min(n_items, limit // bytes_per_item)))


class ModelEvaluator:
    """Evaluates a GRU4Rec model on every next-event prediction of a SessionData.

    Slots run session-parallel with the hidden state reset at each session
    start, so every prediction sees its session's history from the first
    event and nothing else.
    """

    def __init__(self, model, batch_size: int = 512, memory_limit_mb: int = 2048) -> None:
        from core.tf_runtime import import_tensorflow

        tf, _ = import_tensorflow()
        self.tf = tf
        self.model = model
        self.batch_size = batch_size
        self.n_items = model.n_items
        self.chunk = item_chunk_size(self.n_items, batch_size, memory_limit_mb)
        self.jit_compile = True
        self._step = tf.function(self._step_impl, jit_compile=self.jit_compile, reduce_retracing=True)
        self._steps = tf.function(self._steps_impl, jit_compile=self.jit_compile)

    def steps_per_call(self, batch_size: int) -> int:
        """Return how many evaluation steps one device call runs at this batch size."""
        flops = 2.0 * batch_size * self.model.hidden_size * self.n_items
        return int(min(MAX_STEPS_PER_CALL, max(1, CALL_FLOP_BUDGET // max(flops, 1.0))))

    def _step_impl(self, inputs, targets, reset, states):
        """Advance every slot one event; return the int32 rank of each slot's target and the new states."""
        tf = self.tf
        keep = tf.cast(tf.logical_not(reset), tf.float32)[:, None]
        states = [s * keep for s in states]
        output, states = self.model.step(inputs, states, training=False)

        if self.chunk >= self.n_items:
            scores = self.model.score_all(output)
            target_scores = tf.gather(scores, targets, batch_dims=1)
            ranks = tf.reduce_sum(tf.cast(scores >= target_scores[:, None], tf.int32), axis=1)
            return ranks, states

        # NOTE: XLA and oneDNN may round an item's float32 score differently in blocks of
        # other shapes, so an item within an ulp of the target can tie in one chunking and
        # not in another. Ranks then differ by a few places among a million items.
        # Large catalogs: one pass reads each target's score from the chunk that contains it,
        # a second pass counts the items that score at least as high.
        target_scores = tf.zeros(tf.shape(targets), tf.float32)
        for start in range(0, self.n_items, self.chunk):
            size = min(self.chunk, self.n_items - start)
            scores = self.model.score_range(output, start, size)
            local = targets - start
            inside = tf.logical_and(local >= 0, local < size)
            picked = tf.gather(scores, tf.clip_by_value(local, 0, size - 1), batch_dims=1)
            target_scores = tf.where(inside, picked, target_scores)
        ranks = tf.zeros(tf.shape(targets), tf.int32)
        for start in range(0, self.n_items, self.chunk):
            size = min(self.chunk, self.n_items - start)
            scores = self.model.score_range(output, start, size)
            ranks += tf.reduce_sum(tf.cast(scores >= target_scores[:, None], tf.int32), axis=1)
        return ranks, states

    def _steps_impl(self, inputs, targets, reset, n_steps, states):
        """Run the first `n_steps` rows of [K, B] tensors; return [K, B] ranks (0 in rows not run) and the states."""
        tf = self.tf
        ranks = tf.zeros(inputs.shape, tf.int32)
        for i in tf.range(n_steps):
            step_ranks, states = self._step_impl(inputs[i], targets[i], reset[i], states)
            ranks = tf.tensor_scatter_nd_update(ranks, [[i]], step_ranks[None, :])
        return ranks, states

    def evaluate(
        self,
        data,
        cutoffs: Sequence[int],
        should_stop: Callable[[], bool] | None = None,
        on_step: Callable[[int, int], None] | None = None,
    ) -> EvalResult:
        """Rank the target of every (input, target) pair of `data` and return the metrics.

        Runs at most `batch_size` sessions in parallel, fewer when the data
        cannot keep that many slots busy (see `evaluation_width`).
        `should_stop` and `on_step` are called once per device call of up
        to MAX_STEPS_PER_CALL steps.
        """
        tf = self.tf
        # Ranks do not depend on which sessions share a step, so the schedule is free:
        # longest sessions first, in as few slots as keep the step count near the longest session.
        batch_size = evaluation_width(data.offsets, self.batch_size)
        longest_first = np.argsort(-np.diff(data.offsets), kind="stable")
        steps_per_call = self.steps_per_call(batch_size)
        arrays = session_parallel_arrays(data.items, data.offsets, batch_size, longest_first, pad_to=steps_per_call)
        states = self.model.initial_states(batch_size)
        ranks_by_event = np.zeros(data.n_events, dtype=np.int64)
        total = data.n_predictions
        done = 0

        for first in range(0, arrays.steps, steps_per_call):
            if should_stop is not None and should_stop():
                evaluated = ranks_by_event[ranks_by_event > 0]  # every rank is >= 1
                return EvalResult(metrics_from_ranks(evaluated, cutoffs), ranks_by_event, cancelled=True)
            rows = slice(first, first + steps_per_call)
            n_steps = min(steps_per_call, arrays.steps - first)
            ranks, states = self._steps(
                tf.constant(arrays.inputs[rows]),
                tf.constant(arrays.targets[rows]),
                tf.constant(arrays.reset[rows]),
                tf.constant(n_steps, tf.int32),
                states,
            )
            active = arrays.active[rows]
            ranks_by_event[arrays.positions[rows][active]] = ranks.numpy()[active]
            done += int(active.sum())
            if on_step is not None:
                on_step(done, total)

        return EvalResult(metrics_from_ranks(ranks_by_event[ranks_by_event > 0], cutoffs), ranks_by_event)
