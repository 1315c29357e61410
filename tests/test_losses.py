"""Losses on 3x4 score matrices against values worked out with plain math."""

import math

import numpy as np
import pytest

from core import losses

SCORES = [
    [2.0, 0.5, -1.0, 0.0],
    [0.3, 1.0, 0.2, -0.5],
    [-0.2, 0.1, 0.4, 1.5],
]  # row i's positive is column i; column 3 is an extra shared negative


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def negative_softmax(row, i, mask):
    negatives = [j for j in range(len(row)) if j != i and mask[j]]
    exps = {j: math.exp(row[j]) for j in negatives}
    total = sum(exps.values())
    return {j: e / total for j, e in exps.items()}


def test_sampled_cross_entropy_by_hand():
    mask = [True, True, True, True]
    result = losses.sampled_cross_entropy(np.array(SCORES, np.float32), np.array(mask)).numpy()

    for i, row in enumerate(SCORES):
        expected = -row[i] + math.log(sum(math.exp(v) for v in row))
        assert result[i] == pytest.approx(expected, rel=1e-5)


def test_sampled_cross_entropy_logq_and_mask():
    mask = [True, False, True, True]
    log_q = [math.log(0.5), math.log(0.1), math.log(0.3), math.log(0.1)]
    result = losses.sampled_cross_entropy(
        np.array(SCORES, np.float32), np.array(mask), np.array(log_q, np.float32), 1.0
    ).numpy()

    i = 0
    corrected = [SCORES[i][j] - log_q[j] for j in range(4)]
    kept = [corrected[j] for j in range(4) if mask[j]]
    expected = -corrected[i] + math.log(sum(math.exp(v) for v in kept))
    assert result[0] == pytest.approx(expected, rel=1e-5)


def test_bpr_max_by_hand():
    mask = [True, True, True, True]
    bpreg = 0.5
    result = losses.bpr_max(np.array(SCORES, np.float32), np.array(mask), bpreg).numpy()

    for i, row in enumerate(SCORES):
        weights = negative_softmax(row, i, mask)
        ranking = sum(w * sigmoid(row[i] - row[j]) for j, w in weights.items())
        regularisation = sum(w * row[j] ** 2 for j, w in weights.items())
        expected = -math.log(ranking + 1e-24) + bpreg * regularisation
        assert result[i] == pytest.approx(expected, rel=1e-5)


def test_bpr_max_positive_outside_negative_softmax():
    # Raising the positive score must lower the loss: with the positive inside the
    # softmax over negatives, the weights would shift toward it and the loss would not fall as much.
    low = np.array([[0.0, 1.0, 1.0]], np.float32)
    high = np.array([[5.0, 1.0, 1.0]], np.float32)
    mask = np.array([True, True, True])

    assert losses.bpr_max(high, mask, 0.0).numpy()[0] < losses.bpr_max(low, mask, 0.0).numpy()[0]
    # Both negatives weigh 1/2 and sigmoid(5 - 1) is the whole ranking term.
    assert losses.bpr_max(high, mask, 0.0).numpy()[0] == pytest.approx(-math.log(sigmoid(4.0)), rel=1e-5)


def test_bpr_max_sums_over_negatives():
    # Two equal negatives each weigh 1/2; a mean in place of the sum would halve the term.
    scores = np.array([[1.0, 0.0, 0.0]], np.float32)
    result = losses.bpr_max(scores, np.array([True, True, True]), 1.0).numpy()[0]

    assert result == pytest.approx(-math.log(sigmoid(1.0)), rel=1e-5)


def test_bpr_max_finite_when_positive_hopeless():
    scores = np.array([[-80.0, 80.0, 80.0]], np.float32)
    result = losses.bpr_max(scores, np.array([True, True, True]), 0.0).numpy()[0]

    assert np.isfinite(result)


def test_top1_max_by_hand():
    mask = [True, True, False, True]
    result = losses.top1_max(np.array(SCORES, np.float32), np.array(mask)).numpy()

    for i, row in enumerate(SCORES):
        weights = negative_softmax(row, i, mask)
        expected = sum(w * (sigmoid(row[j] - row[i]) + sigmoid(row[j] ** 2)) for j, w in weights.items())
        assert result[i] == pytest.approx(expected, rel=1e-5)


def test_full_cross_entropy_takes_raw_scores():
    logits = np.array(SCORES, np.float32)
    result = losses.full_cross_entropy(logits, np.array([0, 3, 1])).numpy()

    for i, target in enumerate([0, 3, 1]):
        row = SCORES[i]
        expected = -row[target] + math.log(sum(math.exp(v) for v in row))
        assert result[i] == pytest.approx(expected, rel=1e-5)
