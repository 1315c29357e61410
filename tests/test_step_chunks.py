"""Whole-epoch batching arrays, chunked training steps and the evaluation schedule."""

import numpy as np
import pytest

from core.batching import session_parallel_arrays, session_parallel_batches
from core.evaluation import ModelEvaluator, evaluation_width


def random_log(rng, n_sessions, max_length=12, n_items=50):
    lengths = rng.integers(1, max_length, n_sessions)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = rng.integers(0, n_items, offsets[-1]).astype(np.int32)
    return items, offsets


@pytest.mark.parametrize("seed", range(20))
def test_arrays_equal_generator_rows(seed):
    rng = np.random.default_rng(seed)
    items, offsets = random_log(rng, int(rng.integers(0, 30)))
    batch_size = int(rng.integers(1, 10))
    order = rng.permutation(len(offsets) - 1) if seed % 2 else None
    pad_to = int(rng.integers(1, 5))

    batches = list(session_parallel_batches(items, offsets, batch_size, order))
    arrays = session_parallel_arrays(items, offsets, batch_size, order, pad_to=pad_to)

    assert arrays.steps == len(batches)
    assert arrays.inputs.shape[0] % pad_to == 0
    assert arrays.inputs.shape[0] - arrays.steps < pad_to
    for step, batch in enumerate(batches):
        for field in ("inputs", "targets", "reset", "active", "positions"):
            assert np.array_equal(getattr(arrays, field)[step], getattr(batch, field)), (step, field)
    assert not arrays.active[arrays.steps :].any()


def test_arrays_of_empty_data():
    arrays = session_parallel_arrays(np.zeros(0, np.int32), np.zeros(1, np.int64), 4, pad_to=8)

    assert arrays.steps == 0
    assert arrays.inputs.shape == (0, 4)


def test_evaluation_width_by_hand():
    # Pairs per session: 9, 1, 1, 1 -> 12 pairs, longest 9 -> ceil(1.25 * 12 / 9) = 2.
    offsets = np.array([0, 10, 12, 14, 16, 17], dtype=np.int64)

    assert evaluation_width(offsets, 512) == 2
    assert evaluation_width(offsets, 1) == 1
    assert evaluation_width(np.array([0, 1], np.int64), 512) == 1


def test_narrow_evaluation_matches_wide():
    from core.config import ModelConfig
    from core.model import GRU4Rec
    from core.split import SessionData

    rng = np.random.default_rng(3)
    items, offsets = random_log(rng, 40, max_length=30, n_items=25)
    n = len(offsets) - 1
    data = SessionData(items=items, offsets=offsets, times=np.arange(len(items)),
                       session_ids=np.arange(n), user_ids=np.arange(n))
    model = GRU4Rec(25, ModelConfig(embedding_size=6, hidden_size=8, dropout_embedding=0.0, dropout_hidden=0.0), seed=1)

    narrow = ModelEvaluator(model, batch_size=512).evaluate(data, [5, 10])
    one_slot = ModelEvaluator(model, batch_size=1).evaluate(data, [5, 10])

    assert evaluation_width(offsets, 512) < n
    assert narrow.ranks.tolist() == one_slot.ranks.tolist()


def test_chunked_steps_match_single_steps():
    from test_training import make_trainer, small_config

    single = make_trainer(small_config())
    single.steps_per_call = 1
    chunked = make_trainer(small_config())
    chunked.steps_per_call = 7
    a = single.fit()
    b = chunked.fit()

    assert int(single.optimizer.iterations.numpy()) == int(chunked.optimizer.iterations.numpy())
    assert [e.loss for e in a.epochs] == pytest.approx([e.loss for e in b.epochs], rel=1e-5)
    for wa, wb in zip(single.model.get_weights(), chunked.model.get_weights()):
        assert np.allclose(wa, wb, atol=1e-5)


def test_cancel_inside_chunk_stops_at_step():
    trainer = make_chunked_trainer(steps_per_call=8)
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 5

    result = trainer.fit(should_stop)

    assert result.cancelled
    assert int(trainer.optimizer.iterations.numpy()) == 5


def make_chunked_trainer(steps_per_call):
    from test_training import make_trainer, small_config

    trainer = make_trainer(small_config())
    trainer.steps_per_call = steps_per_call
    return trainer
