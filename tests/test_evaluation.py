"""Ranks, metrics, the model evaluator and the baselines, with hand-computed values."""

import numpy as np
import pytest

from core.baselines import ItemToNextBaseline, PopularBaseline, session_pairs
from core.config import ModelConfig
from core.evaluation import MetricAccumulator, ModelEvaluator, metrics_from_ranks, ranks_from_scores
from tests.session_data import make_session_data


make_data = make_session_data


def make_model(n_items, seed=3, hidden=8):
    from core.model import GRU4Rec

    config = ModelConfig(embedding_size=6, hidden_size=hidden, dropout_embedding=0.0, dropout_hidden=0.0)
    return GRU4Rec(n_items, config, seed=seed)


def test_ranks_count_ties_against_model():
    scores = np.array([[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.3], [0.9, 0.1, 0.2, 0.0]])
    ranks = ranks_from_scores(scores, np.array([1, 2, 0]))

    assert ranks.tolist() == [2, 4, 1]


def test_metrics_by_hand():
    metrics = metrics_from_ranks(np.array([1, 3, 25]), [1, 5, 20])

    assert metrics["recall@1"] == pytest.approx(1 / 3)
    assert metrics["mrr@1"] == pytest.approx(1 / 3)
    assert metrics["recall@5"] == pytest.approx(2 / 3)
    assert metrics["mrr@5"] == pytest.approx((1 + 1 / 3) / 3)
    assert metrics["recall@20"] == pytest.approx(2 / 3)
    assert metrics["predictions"] == 3


def test_rank_equal_to_cutoff_counts():
    # A `rank < k` test would drop the rank-20 hit.
    metrics = metrics_from_ranks(np.array([20, 21]), [20])

    assert metrics["recall@20"] == pytest.approx(0.5)
    assert metrics["mrr@20"] == pytest.approx(1 / 20 / 2)


def test_accumulator_empty():
    assert MetricAccumulator([5]).result() == {"recall@5": 0.0, "mrr@5": 0.0, "predictions": 0}


def test_constant_scorer_gets_last_rank():
    model = make_model(5)
    model.output_embedding.assign(np.zeros((5, 8), np.float32))
    model.output_bias.assign(np.zeros(5, np.float32))
    data = make_data([[0, 1, 2], [3, 4], [2, 2, 1, 0]])

    result = ModelEvaluator(model, batch_size=2).evaluate(data, [1, 4, 5])

    ranks = result.ranks[result.ranks > 0]
    assert ranks.tolist() == [5] * 6
    assert result.metrics["recall@4"] == 0.0
    assert result.metrics["recall@5"] == 1.0
    assert result.metrics["mrr@5"] == pytest.approx(0.2)


def reference_ranks(model, data):
    """Rank every target by feeding each session alone from a zero state."""
    import tensorflow as tf

    ranks = np.zeros(data.n_events, dtype=np.int64)
    for s in range(data.n_sessions):
        start, end = int(data.offsets[s]), int(data.offsets[s + 1])
        states = model.initial_states(1)
        for position in range(start, end - 1):
            output, states = model.step(tf.constant([data.items[position]]), states)
            scores = model.score_all(output).numpy()
            ranks[position] = ranks_from_scores(scores, np.array([data.items[position + 1]]))[0]
    return ranks


@pytest.mark.parametrize("batch_size", [1, 2, 3, 8])
def test_evaluator_matches_per_session_reference(batch_size):
    rng = np.random.default_rng(0)
    sessions = [rng.integers(0, 12, size=n).tolist() for n in (5, 2, 7, 1, 3, 9, 2)]
    data = make_data(sessions)
    model = make_model(12)

    expected = reference_ranks(model, data)
    result = ModelEvaluator(model, batch_size=batch_size).evaluate(data, [1, 5, 10])

    assert result.ranks.tolist() == expected.tolist()
    assert result.metrics["predictions"] == data.n_predictions == 22


def test_chunked_ranks_equal_unchunked():
    rng = np.random.default_rng(1)
    data = make_data([rng.integers(0, 50, size=n).tolist() for n in (6, 4, 9, 3)])
    model = make_model(50)

    full = ModelEvaluator(model, batch_size=3).evaluate(data, [5, 20])
    chunked_evaluator = ModelEvaluator(model, batch_size=3)
    chunked_evaluator.chunk = 7
    chunked = chunked_evaluator.evaluate(data, [5, 20])

    assert chunked.ranks.tolist() == full.ranks.tolist()
    assert chunked.metrics == full.metrics


def test_session_pairs():
    data = make_data([[0, 1, 2], [3], [4, 5]])
    inputs, targets, positions = session_pairs(data.items, data.offsets)

    assert inputs.tolist() == [0, 1, 4]
    assert targets.tolist() == [1, 2, 5]
    assert positions.tolist() == [0, 1, 4]


def test_popular_baseline_by_hand():
    train = make_data([[0, 1, 2], [0, 1], [1, 2]])  # counts: item 0: 2, 1: 3, 2: 2, 3: 0
    baseline = PopularBaseline(train.items, 4)

    assert baseline.ranks(np.array([1, 2, 0, 3])).tolist() == [1, 3, 3, 4]


def test_item_to_next_baseline_by_hand():
    # Transitions: 0->1 twice, 1->2 twice, 2->0 once, 2->3 once.
    train = make_data([[0, 1, 2, 0], [0, 1, 2, 3]])
    baseline = ItemToNextBaseline(train.items, train.offsets, 4)

    inputs = np.array([0, 0, 3, 1, 2, 2])
    targets = np.array([1, 2, 0, 2, 3, 1])
    # (0,1): best. (0,2): unseen, ties with the 3 unseen items behind item 1 -> 4.
    # (3,0): item 3 was never followed -> all 4 tie. (1,2): best.
    # (2,3): ties with 2->0 -> 2. (2,1): unseen behind two seen -> 2 + 2 = 4.
    assert baseline.ranks(inputs, targets).tolist() == [1, 4, 4, 1, 2, 4]


def test_baselines_agree_with_dense_ranks():
    rng = np.random.default_rng(5)
    train = make_data([rng.integers(0, 15, size=n).tolist() for n in rng.integers(2, 12, size=30)])
    test = make_data([rng.integers(0, 15, size=n).tolist() for n in rng.integers(2, 8, size=10)])
    inputs, targets, _ = session_pairs(test.items, test.offsets)

    popular = PopularBaseline(train.items, 15)
    dense = np.asarray(popular.scores(inputs))
    assert popular.ranks(targets).tolist() == ranks_from_scores(dense, targets).tolist()

    transitions = ItemToNextBaseline(train.items, train.offsets, 15)
    dense = transitions.scores(inputs)
    assert transitions.ranks(inputs, targets).tolist() == ranks_from_scores(dense, targets).tolist()
