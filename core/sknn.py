"""V-SKNN: session-based k-nearest-neighbour baseline with position-weighted session vectors.

From Ludewig and Jannach, "Evaluation of Session-based Recommendation
Algorithms" (User Modeling and User-Adapted Interaction 28, 2018). The
current session (the events up to the prediction point) is a vector whose
item at position p of L weighs p / L, so the last event weighs 1. Its
similarity to a training session is the dot product with that session's
binary item vector. Among the training sessions that share an item with it,
the `sample_size` most recent are kept, of those the `k` most similar, and an
item's score is the sum of the similarities of the neighbours containing it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from core.baselines import session_pairs
from core.evaluation import EvalResult, MetricAccumulator

# Above this share of candidate (row, session) pairs, a dense similarity matrix is faster.
DENSE_SHARE = 0.25


class SessionKNNBaseline:
    """V-SKNN scored on every next-event prediction, in batches of prefixes."""

    name = "vsknn"

    def __init__(
        self,
        train,
        n_items: int,
        k: int = 100,
        sample_size: int = 500,
        memory_limit_mb: int = 512,
    ) -> None:
        self.n_items = n_items
        self.k = k
        self.sample_size = sample_size
        self.memory_limit_mb = memory_limit_mb

        lengths = np.diff(train.offsets)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        session_items = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, train.items)), shape=(len(lengths), n_items)
        )
        session_items.data[:] = 1.0  # repeated items count once: the vectors are binary
        self.session_items = session_items
        self.item_sessions = session_items.T.tocsr()
        # Recency rank of each training session by its last event (higher is more recent).
        last_times = train.times[train.offsets[1:] - 1] if len(lengths) else np.zeros(0)
        order = np.argsort(last_times, kind="stable")
        self.recency = np.empty(len(lengths), dtype=np.int64)
        self.recency[order] = np.arange(len(lengths))
        self.n_sessions = len(lengths)

    def _prefix_matrix(self, items: np.ndarray, offsets: np.ndarray, positions: np.ndarray) -> sp.csr_matrix:
        """Return [len(positions), n_items] weights p / L of each prefix ending at `positions`."""
        session_of = np.searchsorted(offsets, positions, side="right") - 1
        starts = offsets[session_of]
        prefix_lengths = positions - starts + 1
        rows = np.repeat(np.arange(len(positions)), prefix_lengths)
        first_entry = np.repeat(np.cumsum(prefix_lengths) - prefix_lengths, prefix_lengths)
        within = np.arange(rows.size) - first_entry + 1  # 1-based position inside the prefix
        event_index = np.repeat(starts, prefix_lengths) + within - 1
        weights = within / np.repeat(prefix_lengths, prefix_lengths)
        matrix = sp.coo_matrix((weights.astype(np.float32), (rows, items[event_index])), shape=(len(positions), self.n_items))
        # A repeated item keeps its latest (largest) weight rather than the sum.
        return _max_duplicates(matrix)

    def scores(self, prefixes: sp.csr_matrix) -> np.ndarray:
        """Return dense item scores [rows, n_items] for a batch of weighted prefixes."""
        similarity = prefixes @ self.item_sessions
        n_rows = prefixes.shape[0]
        if similarity.nnz > DENSE_SHARE * n_rows * max(self.n_sessions, 1):
            neighbours = self._neighbours_dense(similarity.toarray())
        else:
            neighbours = self._neighbours_sparse(similarity.tocoo(), n_rows)
        return (neighbours @ self.session_items).toarray()

    def _neighbours_sparse(self, similarity: sp.coo_matrix, n_rows: int) -> sp.csr_matrix:
        """Keep the sample_size most recent candidate sessions of each row, then the k most similar."""
        rows, sessions, values = similarity.row, similarity.col, similarity.data
        keep = values > 0
        rows, sessions, values = rows[keep], sessions[keep], values[keep]
        chosen = _top_per_row(rows, self.recency[sessions], self.sample_size)
        rows, sessions, values = rows[chosen], sessions[chosen], values[chosen]
        chosen = _top_per_row(rows, values, self.k)
        rows, sessions, values = rows[chosen], sessions[chosen], values[chosen]
        return sp.csr_matrix((values, (rows, sessions)), shape=(n_rows, self.n_sessions))

    def _neighbours_dense(self, similarity: np.ndarray) -> sp.csr_matrix:
        """Select the same neighbours from a dense [rows, sessions] matrix, which is faster when most sessions are candidates."""
        n_rows = similarity.shape[0]
        if self.sample_size < self.n_sessions:
            recency = np.where(similarity > 0, self.recency[None, :], -1)
            cut = self.n_sessions - self.sample_size
            recent = np.argpartition(recency, cut, axis=1)[:, cut:]
            sampled = np.zeros_like(similarity)
            np.put_along_axis(sampled, recent, np.take_along_axis(similarity, recent, axis=1), axis=1)
            similarity = sampled
        if self.k < self.n_sessions:
            cut = self.n_sessions - self.k
            top = np.argpartition(similarity, cut, axis=1)[:, cut:]
            values = np.take_along_axis(similarity, top, axis=1)
            rows = np.repeat(np.arange(n_rows), top.shape[1])
            return sp.csr_matrix((values.ravel(), (rows, top.ravel())), shape=similarity.shape)
        return sp.csr_matrix(similarity)

    def evaluate(self, data, cutoffs: Sequence[int]) -> EvalResult:
        """Rank every next-event target of `data`; ties count against the baseline."""
        _, targets, positions = session_pairs(data.items, data.offsets)
        ranks_by_event = np.zeros(data.n_events, dtype=np.int64)
        accumulator = MetricAccumulator(cutoffs)
        bytes_per_row = 4 * (max(self.n_sessions, 1) * 3 + self.n_items)
        batch = max(1, min(1024, self.memory_limit_mb * 1024 * 1024 // bytes_per_row))

        for start in range(0, len(positions), batch):
            chunk = positions[start : start + batch]
            chunk_targets = targets[start : start + batch]
            scores = self.scores(self._prefix_matrix(data.items, data.offsets, chunk))
            target_scores = scores[np.arange(len(chunk)), chunk_targets]
            ranks = (scores >= target_scores[:, None]).sum(axis=1)
            ranks_by_event[chunk] = ranks
            accumulator.add(ranks)
        return EvalResult(accumulator.result(), ranks_by_event)


def _top_per_row(rows: np.ndarray, keys: np.ndarray, limit: int) -> np.ndarray:
    """Return the indices of the `limit` entries with the largest key in each row.

    Ties keep the entry that comes first, so the result is deterministic.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(len(rows)), -keys, rows))
    sorted_rows = rows[order]
    row_start = np.searchsorted(sorted_rows, sorted_rows, side="left")
    rank_in_row = np.arange(len(rows)) - row_start
    return order[rank_in_row < limit]


def _max_duplicates(matrix: sp.coo_matrix) -> sp.csr_matrix:
    """Collapse repeated (row, column) entries to their maximum."""
    keys = matrix.row.astype(np.int64) * matrix.shape[1] + matrix.col
    order = np.lexsort((matrix.data, keys))
    keys, data = keys[order], matrix.data[order]
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = keys[1:] != keys[:-1]
    keys, data = keys[last], data[last]
    return sp.csr_matrix((data, (keys // matrix.shape[1], keys % matrix.shape[1])), shape=matrix.shape)
