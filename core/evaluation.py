"""Ranks with ties counted against the model, Recall@k, MRR@k, and the model evaluator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from core.batching import session_parallel_batches


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
        self._states = None
        self._step = tf.function(self._step_impl, reduce_retracing=True)

    def _step_impl(self, inputs, targets, reset, states):
        tf = self.tf
        keep = tf.cast(tf.logical_not(reset), tf.float32)[:, None]
        states = [s * keep for s in states]
        output, states = self.model.step(inputs, states, training=False)

        if self.chunk >= self.n_items:
            scores = self.model.score_all(output)
            target_scores = tf.gather(scores, targets, batch_dims=1)
            ranks = tf.reduce_sum(tf.cast(scores >= target_scores[:, None], tf.int32), axis=1)
            return ranks, states

        # Large catalogs: one pass reads each target's score from the chunk that holds it,
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

    def evaluate(
        self,
        data,
        cutoffs: Sequence[int],
        should_stop: Callable[[], bool] | None = None,
        on_step: Callable[[int, int], None] | None = None,
    ) -> EvalResult:
        """Rank the target of every (input, target) pair of `data` and return the metrics."""
        tf = self.tf
        batch_size = max(1, min(self.batch_size, data.n_sessions))
        states = self.model.initial_states(batch_size)
        ranks_by_event = np.zeros(data.n_events, dtype=np.int64)
        accumulator = MetricAccumulator(cutoffs)
        total = data.n_predictions
        done = 0

        for batch in session_parallel_batches(data.items, data.offsets, batch_size):
            if should_stop is not None and should_stop():
                return EvalResult(accumulator.result(), ranks_by_event, cancelled=True)
            ranks, states = self._step(
                tf.constant(batch.inputs), tf.constant(batch.targets), tf.constant(batch.reset), states
            )
            ranks = ranks.numpy()[batch.active]
            ranks_by_event[batch.positions[batch.active]] = ranks
            accumulator.add(ranks)
            done += len(ranks)
            if on_step is not None:
                on_step(done, total)

        return EvalResult(accumulator.result(), ranks_by_event)
