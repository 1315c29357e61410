"""V-SKNN baseline on a tiny log with hand-computed scores and ranks."""

import numpy as np

from core.sknn import SessionKNNBaseline
from tests.session_data import make_session_data


make_data = make_session_data


# Training sessions T0 = [0, 1, 2] (ends at t=10), T1 = [1, 3] (t=20), T2 = [2, 4] (t=30).
TRAIN = make_data([[0, 1, 2], [1, 3], [2, 4]], last_times=[10, 20, 30])


def test_scores_weight_recent_events_more():
    baseline = SessionKNNBaseline(TRAIN, 5)
    test = make_data([[1, 2, 3]])
    # Prefix [1, 2]: item 1 weighs 1/2 and item 2 weighs 1, so T0 = 1.5, T1 = 0.5, T2 = 1.0.
    prefixes = baseline._prefix_matrix(test.items, test.offsets, np.array([1]))
    scores = baseline.scores(prefixes)[0]

    assert np.allclose(scores, [1.5, 2.0, 2.5, 0.5, 1.0])


def test_ranks_count_ties_against():
    baseline = SessionKNNBaseline(TRAIN, 5)
    result = baseline.evaluate(make_data([[1, 2, 3]]), [4, 5])

    # Prefix [1]: T0 and T1 score 1, so items 0-3 tie at 1 and target 2 ranks 4.
    # Prefix [1, 2]: target 3 scores 0.5, the lowest nonzero score, so it ranks 5.
    assert result.ranks[:2].tolist() == [4, 5]
    assert result.metrics["recall@4"] == 0.5
    assert result.metrics["recall@5"] == 1.0


def test_sample_keeps_most_recent_sessions():
    test = make_data([[2, 4]])

    everything = SessionKNNBaseline(TRAIN, 5).evaluate(test, [5])
    recent_only = SessionKNNBaseline(TRAIN, 5, sample_size=1).evaluate(test, [5])

    # All neighbours: items 0, 1, 2, 4 score at least 1, so target 4 ranks 4.
    assert everything.ranks[0] == 4
    # Only T2 (the most recent candidate): items 2 and 4 score 1, target 4 ranks 2.
    assert recent_only.ranks[0] == 2


def test_k_limits_neighbours():
    baseline = SessionKNNBaseline(TRAIN, 5, k=1)
    test = make_data([[1, 2, 3]])
    prefixes = baseline._prefix_matrix(test.items, test.offsets, np.array([1]))
    scores = baseline.scores(prefixes)[0]

    # Only T0 (similarity 1.5) is kept.
    assert np.allclose(scores, [1.5, 1.5, 1.5, 0.0, 0.0])


def test_repeated_item_keeps_latest_weight():
    baseline = SessionKNNBaseline(TRAIN, 5)
    test = make_data([[3, 1, 3, 0]])
    prefixes = baseline._prefix_matrix(test.items, test.offsets, np.array([2])).toarray()[0]

    # Prefix [3, 1, 3]: item 3 keeps weight 3/3, not 1/3 + 3/3; item 1 weighs 2/3.
    assert np.allclose(prefixes, [0.0, 2 / 3, 0.0, 1.0, 0.0])


def test_dense_and_sparse_selection_agree():
    import scipy.sparse as sp

    rng = np.random.default_rng(3)
    lengths = rng.integers(2, 6, 60)
    sessions = [rng.integers(0, 30, n).tolist() for n in lengths]
    train = make_data(sessions, last_times=rng.permutation(60))
    baseline = SessionKNNBaseline(train, 30, k=7, sample_size=20)
    # Distinct similarities (no ties), about half of the sessions are candidates.
    similarity = rng.random((15, 60)) * (rng.random((15, 60)) < 0.5)

    dense = baseline._neighbours_dense(similarity.copy()).toarray()
    sparse = baseline._neighbours_sparse(sp.coo_matrix(similarity), 15).toarray()

    assert np.array_equal(dense, sparse)
    assert (np.count_nonzero(dense, axis=1) <= 7).all()
