"""Negative sampler: draws follow support**alpha and come from a bulk-filled cache."""

import numpy as np
import pytest

from core.sampling import NegativeSampler


def test_distribution_follows_support_power():
    # support**0.5 = [1, 2, 3, 0], so the probabilities are 1/6, 2/6, 3/6 and 0.
    sampler = NegativeSampler(np.array([1, 4, 9, 0]), n_sample=100, alpha=0.5, rng=np.random.default_rng(0))
    draws = np.concatenate([sampler.sample() for _ in range(600)])
    shares = np.bincount(draws, minlength=4) / len(draws)

    assert sampler.probabilities.tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6, 0.0])
    assert shares[0] == pytest.approx(1 / 6, abs=0.01)
    assert shares[1] == pytest.approx(2 / 6, abs=0.01)
    assert shares[2] == pytest.approx(3 / 6, abs=0.01)
    assert shares[3] == 0.0


def test_alpha_zero_is_uniform_over_supported_items():
    sampler = NegativeSampler(np.array([1, 100, 10_000]), n_sample=50, alpha=0.0, rng=np.random.default_rng(1))
    draws = np.concatenate([sampler.sample() for _ in range(600)])
    shares = np.bincount(draws, minlength=3) / len(draws)

    assert shares == pytest.approx([1 / 3, 1 / 3, 1 / 3], abs=0.01)


def test_cache_refills_in_bulk():
    sampler = NegativeSampler(np.array([1, 1, 1]), n_sample=4, alpha=1.0, rng=np.random.default_rng(2), cache_steps=3)
    first = [sampler.sample() for _ in range(3)]
    cache = sampler._cache

    assert cache.shape == (3, 4)
    assert all(row.dtype == np.int32 for row in first)
    sampler.sample()
    assert sampler._cache is not cache


def test_no_supported_item_is_an_error():
    with pytest.raises(ValueError, match="no item has positive support"):
        NegativeSampler(np.array([0, 0]), n_sample=2, alpha=0.5, rng=np.random.default_rng(0))
