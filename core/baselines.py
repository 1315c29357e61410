"""Most-popular and item-to-next-item baselines, ranked on the same events as the model."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core.evaluation import EvalResult, metrics_from_ranks


def session_pairs(items: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (inputs, targets, positions) of every next-event pair, in event order."""
    offsets = np.asarray(offsets, dtype=np.int64)
    n_events = len(items)
    if n_events == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(np.int32), empty.astype(np.int32), empty
    is_last = np.zeros(n_events, dtype=bool)
    ends = offsets[1:] - 1
    is_last[ends[ends >= offsets[:-1]]] = True
    positions = np.flatnonzero(~is_last)
    return items[positions], items[positions + 1], positions


def _ranks_to_result(ranks: np.ndarray, positions: np.ndarray, n_events: int, cutoffs: Sequence[int]) -> EvalResult:
    ranks_by_event = np.zeros(n_events, dtype=np.int64)
    ranks_by_event[positions] = ranks
    return EvalResult(metrics_from_ranks(ranks, cutoffs), ranks_by_event)


class PopularBaseline:
    """Scores every item by its number of training events."""

    name = "popular"

    def __init__(self, train_items: np.ndarray, n_items: int) -> None:
        self.counts = np.bincount(train_items, minlength=n_items).astype(np.int64)
        self.sorted_counts = np.sort(self.counts)
        self.n_items = n_items

    def ranks(self, targets: np.ndarray) -> np.ndarray:
        """Return ranks with ties against the model: items with count >= the target's count."""
        target_counts = self.counts[targets]
        return self.n_items - np.searchsorted(self.sorted_counts, target_counts, side="left")

    def scores(self, inputs: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts.astype(np.float32), (len(inputs), self.n_items))

    def evaluate(self, data, cutoffs: Sequence[int]) -> EvalResult:
        _, targets, positions = session_pairs(data.items, data.offsets)
        return _ranks_to_result(self.ranks(targets), positions, data.n_events, cutoffs)


class ItemToNextBaseline:
    """Scores item j after item i by how often j directly followed i in training sessions.

    Counts are kept as sorted (row, count) pairs, never as an n_items x n_items
    matrix, so memory grows with the number of distinct transitions.
    """

    name = "item_to_next"

    def __init__(self, train_items: np.ndarray, train_offsets: np.ndarray, n_items: int) -> None:
        inputs, targets, _ = session_pairs(train_items, train_offsets)
        self.n_items = n_items
        keys = inputs.astype(np.int64) * n_items + targets.astype(np.int64)
        pair_keys, pair_counts = np.unique(keys, return_counts=True)
        self.pair_keys = pair_keys
        self.pair_counts = pair_counts.astype(np.int64)

        rows = pair_keys // n_items
        self.max_count = int(pair_counts.max()) if len(pair_counts) else 0
        self.row_count_keys = np.sort(rows * (self.max_count + 1) + self.pair_counts)
        self.row_starts = np.searchsorted(rows, np.arange(n_items + 1), side="left")

    def transition_counts(self, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Return how often each target followed its input in training."""
        keys = inputs.astype(np.int64) * self.n_items + targets.astype(np.int64)
        where = np.searchsorted(self.pair_keys, keys)
        where = np.minimum(where, max(len(self.pair_keys) - 1, 0))
        if len(self.pair_keys) == 0:
            return np.zeros(len(keys), dtype=np.int64)
        return np.where(self.pair_keys[where] == keys, self.pair_counts[where], 0)

    def ranks(self, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Return ranks with ties against the model, without building score rows."""
        inputs = inputs.astype(np.int64)
        counts = self.transition_counts(inputs, targets)
        width = self.max_count + 1
        row_end = self.row_starts[inputs + 1]
        row_length = row_end - self.row_starts[inputs]

        above = np.searchsorted(self.row_count_keys, inputs * width + counts, side="right")
        at_or_above = np.searchsorted(self.row_count_keys, inputs * width + counts, side="left")
        higher = row_end - above
        equal_seen = above - at_or_above  # includes the target when its count is > 0
        # A target never seen after this input ties with every other unseen item.
        equal = np.where(counts > 0, equal_seen, self.n_items - row_length)
        return higher + equal

    def scores(self, inputs: np.ndarray) -> np.ndarray:
        """Return dense score rows for a few inputs (for display, not evaluation)."""
        out = np.zeros((len(inputs), self.n_items), dtype=np.float32)
        rows = self.pair_keys // self.n_items
        cols = self.pair_keys % self.n_items
        for i, item in enumerate(np.asarray(inputs, dtype=np.int64)):
            lo, hi = np.searchsorted(rows, [item, item + 1])
            out[i, cols[lo:hi]] = self.pair_counts[lo:hi]
        return out

    def evaluate(self, data, cutoffs: Sequence[int]) -> EvalResult:
        inputs, targets, positions = session_pairs(data.items, data.offsets)
        return _ranks_to_result(self.ranks(inputs, targets), positions, data.n_events, cutoffs)
