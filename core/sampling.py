"""Negative sampling by item support raised to a power, drawn in bulk into a cache."""

from __future__ import annotations

import numpy as np


class NegativeSampler:
    """Draws `n_sample` shared negatives per step with P(item) ~ support**alpha.

    Draws come from a cache of `cache_steps` steps that is refilled in one
    vectorised call, so sampling costs no Python work per item.
    """

    def __init__(
        self,
        support: np.ndarray,
        n_sample: int,
        alpha: float,
        rng: np.random.Generator,
        cache_steps: int = 256,
    ) -> None:
        weights = np.asarray(support, dtype=np.float64) ** alpha
        weights[np.asarray(support) <= 0] = 0.0
        total = weights.sum()
        if total <= 0:
            raise ValueError("no item has positive support to sample from")
        self.probabilities = weights / total
        self.cumulative = np.cumsum(self.probabilities)
        self.cumulative[-1] = 1.0
        self.n_sample = n_sample
        self.rng = rng
        self.cache_steps = cache_steps
        self._cache = np.zeros((0, n_sample), dtype=np.int32)
        self._next = 0

    def _refill(self) -> None:
        uniform = self.rng.random(self.cache_steps * self.n_sample)
        draws = np.searchsorted(self.cumulative, uniform, side="right")
        self._cache = np.minimum(draws, len(self.cumulative) - 1).astype(np.int32).reshape(self.cache_steps, self.n_sample)
        self._next = 0

    def sample(self) -> np.ndarray:
        """Return the next step's int32 negatives, shape [n_sample]."""
        if self._next >= len(self._cache):
            self._refill()
        row = self._cache[self._next]
        self._next += 1
        return row
