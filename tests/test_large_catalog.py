"""A generated log with 1,000,000 items: the memory check, sampled training and chunked evaluation."""

import numpy as np
import pytest

from core.capacity import check_training_memory, estimate_training_memory
from core.config import Config
from core.errors import CapacityError
from core.split import ItemIndex, SessionData, Split

N_ITEMS = 1_000_000


def make_data(rng, n_sessions, max_length):
    lengths = rng.integers(2, max_length, n_sessions)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = rng.integers(0, N_ITEMS, offsets[-1]).astype(np.int32)
    ids = np.arange(n_sessions, dtype=np.int64)
    return SessionData(items, offsets, np.arange(offsets[-1], dtype=np.int64), ids, ids)


@pytest.fixture(scope="module")
def large_split():
    rng = np.random.default_rng(7)
    train = make_data(rng, 300, 12)
    # Training events on distinct items, so the sampler draws from about 2,000 supported items.
    train.items[: min(len(train.items), N_ITEMS)] = np.arange(min(len(train.items), N_ITEMS), dtype=np.int32)
    return Split(
        train=train,
        valid=SessionData.empty(),
        test=make_data(rng, 20, 6),
        item_index=ItemIndex(np.arange(N_ITEMS, dtype=np.int64)),
    )


def large_config():
    config = Config()
    config.data.train_path = "generated"
    config.data.test_path = "generated"
    config.model.hidden_size = 8
    config.model.embedding_size = 0
    config.model.constrained_embedding = True
    config.model.n_sample = 64
    config.model.dropout_hidden = 0.0
    config.model.dropout_embedding = 0.0
    config.train.batch_size = 16
    config.train.epochs = 1
    config.train.optimizer = "adagrad"
    config.train.learning_rate = 0.05
    config.eval.batch_size = 20
    config.eval.cutoffs = [20]
    return config


def test_full_softmax_rejected_with_estimate():
    config = large_config()
    config.model.n_sample = 0
    config.model.hidden_size = 100
    config.model.constrained_embedding = False
    config.model.embedding_size = 100
    config.train.batch_size = 64

    with pytest.raises(CapacityError) as error:
        check_training_memory(config, N_ITEMS, limit_bytes=1024 * 1024 * 1024)

    message = str(error.value)
    assert "1,000,000 items" in message
    assert "MB" in message
    assert "--n-sample" in message


def test_estimate_grows_with_catalog():
    config = large_config()
    small = estimate_training_memory(config, 1_000).total
    large = estimate_training_memory(config, N_ITEMS).total

    assert large > 500 * small
    # Sampled training scores B x (B + n_sample) columns, independent of the catalog.
    assert estimate_training_memory(config, N_ITEMS).step_scores == 3 * 16 * (16 + 64) * 4


def test_trainer_rejects_before_building(large_split):
    from core.training import Trainer

    config = large_config()
    config.train.memory_limit_mb = 16

    with pytest.raises(CapacityError, match="more than the limit of 16 MB"):
        Trainer(config, large_split)


def test_sampled_training_and_chunked_evaluation(large_split):
    from core.evaluation import ModelEvaluator
    from core.training import Trainer

    config = large_config()
    trainer = Trainer(config, large_split)
    result = trainer.fit()
    assert len(result.epochs) == 1
    assert np.isfinite(result.epochs[0].loss)

    full = ModelEvaluator(trainer.model, batch_size=20, memory_limit_mb=2048)
    chunked = ModelEvaluator(trainer.model, batch_size=20, memory_limit_mb=16)
    assert full.chunk == N_ITEMS
    assert chunked.chunk < N_ITEMS

    full_result = full.evaluate(large_split.test, [20])
    chunked_result = chunked.evaluate(large_split.test, [20])
    # Float32 scores computed in blocks of other shapes may differ in the last bit, which
    # moves near-tied items across the target: allow a few places out of a million.
    evaluated = full_result.ranks > 0
    assert np.array_equal(evaluated, chunked_result.ranks > 0)
    difference = np.abs(chunked_result.ranks[evaluated] - full_result.ranks[evaluated])
    assert difference.max() <= 5
    assert np.mean(difference == 0) >= 0.5
    assert chunked_result.metrics["predictions"] == large_split.test.n_predictions
