"""GRU4Rec model and trainer: the known porting mistakes, determinism and stopping."""

import math

import numpy as np
import pytest

from core.config import Config, ModelConfig
from core.errors import TrainingError
from core.split import ItemIndex, Split
from core.tf_runtime import import_tensorflow
from tests.session_data import make_session_data

tf, keras = import_tensorflow()


make_data = make_session_data


def make_split(n_items=20, seed=0, n_train=40):
    rng = np.random.default_rng(seed)
    # Sequential structure: each session walks item i -> i + 1 with some noise.
    def session(n):
        start = rng.integers(0, n_items)
        walk = (start + np.arange(n)) % n_items
        noise = rng.random(n) < 0.2
        walk[noise] = rng.integers(0, n_items, noise.sum())
        return walk.tolist()

    train = make_data([session(int(n)) for n in rng.integers(2, 10, n_train)])
    valid = make_data([session(int(n)) for n in rng.integers(2, 8, 8)])
    test = make_data([session(int(n)) for n in rng.integers(2, 8, 8)])
    index = ItemIndex(np.arange(n_items, dtype=np.int64))
    return Split(train=train, valid=valid, test=test, item_index=index)


def small_config(**train):
    config = Config()
    config.data.path = "unused"
    config.model.embedding_size = 8
    config.model.hidden_size = 16
    config.train.batch_size = 4
    config.train.epochs = 2
    config.train.learning_rate = 0.01
    config.eval.cutoffs = [5, 10]
    for key, value in train.items():
        config.set(key, value)
    return config


def make_trainer(config, split=None):
    from core.training import Trainer

    return Trainer(config, split or make_split())


def test_trains_exactly_the_requested_epochs():
    from core.batching import session_parallel_batches

    config = small_config()
    config.train.epochs = 3
    trainer = make_trainer(config)
    result = trainer.fit()
    data = trainer.split.train
    steps = len(list(session_parallel_batches(data.items, data.offsets, 4)))

    assert [e.epoch for e in result.epochs] == [1, 2, 3]
    assert int(trainer.optimizer.iterations.numpy()) == 3 * steps


SAMPLED_ADAGRAD = {
    "model.n_sample": 6, "model.logq": 1.0, "model.constrained_embedding": True,
    "train.optimizer": "adagrad", "train.learning_rate": 0.1, "train.momentum": 0.3,
}


@pytest.mark.parametrize("settings", [{}, SAMPLED_ADAGRAD], ids=["full-softmax-adam", "sampled-adagrad"])
def test_seeded_runs_repeat_exactly(settings):
    first = make_trainer(small_config(**settings))
    second = make_trainer(small_config(**settings))
    a = first.fit()
    b = second.fit()

    assert [e.loss for e in a.epochs] == [e.loss for e in b.epochs]
    assert [e.valid for e in a.epochs] == [e.valid for e in b.epochs]
    for wa, wb in zip(first.model.get_weights(), second.model.get_weights()):
        assert np.array_equal(wa, wb)


def test_train_step_resets_new_sessions_only():
    config = small_config()
    config.model.dropout_embedding = 0.0
    config.model.dropout_hidden = 0.0
    trainer = make_trainer(config)
    old = np.random.default_rng(1).normal(size=(4, 16)).astype(np.float32)
    trainer.states[0].assign(old)
    inputs = tf.constant([1, 2, 3, 4], tf.int32)
    reset = np.array([True, False, True, False])

    zeroed = old * (~reset)[:, None]
    _, expected = trainer.model.step(inputs, [tf.constant(zeroed)])
    trainer._train_step(inputs, tf.constant([2, 3, 4, 5], tf.int32), tf.constant(reset), tf.constant([True] * 4))

    assert np.allclose(trainer.states[0].numpy(), expected[0].numpy(), atol=1e-6)
    # A second step without reset must carry the state, not zero it again.
    carried = trainer.states[0].numpy()
    _, expected = trainer.model.step(inputs, [tf.constant(carried)])
    trainer._train_step(inputs, tf.constant([2, 3, 4, 5], tf.int32), tf.constant([False] * 4), tf.constant([True] * 4))
    assert np.allclose(trainer.states[0].numpy(), expected[0].numpy(), atol=1e-6)


def test_learns_sequential_structure():
    config = small_config()
    config.train.epochs = 8
    trainer = make_trainer(config, make_split(n_train=120))
    result = trainer.fit()

    assert result.epochs[-1].loss < result.epochs[0].loss
    # The walk i -> i + 1 is learnable: far above the 10/20 of a random ranking at k = 10.
    assert result.epochs[-1].valid["recall@10"] > 0.7


def test_non_finite_loss_names_epoch_and_step():
    trainer = make_trainer(small_config())
    trainer.model.output_bias.assign(np.full(20, np.nan, np.float32))

    with pytest.raises(TrainingError, match=r"epoch 1, step 1.*lower the learning rate"):
        trainer.fit()


def test_cancel_stops_within_a_step():
    trainer = make_trainer(small_config())
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 3

    result = trainer.fit(should_stop)

    assert result.cancelled
    assert result.epochs == []
    assert int(trainer.optimizer.iterations.numpy()) == 3


def test_dropout_rate_is_drop_probability():
    from core.model import GRU4Rec

    model = GRU4Rec(10, ModelConfig(embedding_size=8, hidden_size=100, dropout_embedding=0.0, dropout_hidden=0.9), seed=1)
    states = [tf.random.normal((256, 100))]
    output, _ = model.step(tf.zeros(256, tf.int32), states, training=True)
    zero_share = float(np.mean(output.numpy() == 0))

    assert 0.85 < zero_share < 0.95


def test_initialisers_are_what_they_say():
    from core.model import GRU4Rec

    model = GRU4Rec(300, ModelConfig(embedding_size=50, hidden_size=100), seed=1)
    kernel = model.gru_layers[0].input_kernel.numpy()
    recurrent = model.gru_layers[0].recurrent_kernel.numpy()
    output = model.output_embedding.numpy()

    # Glorot uniform per gate block: +-sqrt(6 / (fan_in + units)), standard deviation limit / sqrt(3).
    for weights, limit in ((kernel, math.sqrt(6 / (50 + 100))), (recurrent, math.sqrt(6 / (100 + 100))), (output, math.sqrt(6 / (300 + 100)))):
        assert np.abs(weights).max() <= limit
        assert weights.std() == pytest.approx(limit / math.sqrt(3), rel=0.05)


def test_gru_has_bias_and_it_learns():
    trainer = make_trainer(small_config())
    names = [v.path for v in trainer.model.trainable_variables]
    assert any("input_bias" in name for name in names)

    trainer.fit()
    bias = trainer.model.gru_layers[0].input_bias.numpy()
    assert np.abs(bias).max() > 0


def test_scores_are_raw_logits():
    from core.model import GRU4Rec

    model = GRU4Rec(6, ModelConfig(embedding_size=4, hidden_size=8), seed=1)
    model.output_bias.assign(np.array([5.0, -5.0, 0.0, 1.0, 2.0, 3.0], np.float32))
    output, _ = model.step(tf.constant([1], tf.int32), model.initial_states(1))
    scores = model.score_all(output).numpy()[0]

    # Neither softmax (sums to 1) nor tanh (bounded by 1) is applied before the loss.
    assert scores.max() > 1.0
    assert scores.min() < -1.0


def test_sampled_loss_scores_only_sampled_items():
    config = small_config()
    config.model.loss = "bpr-max"
    config.model.n_sample = 3
    trainer = make_trainer(config)
    model = trainer.model
    inputs = tf.constant([1, 2, 3, 4], tf.int32)
    targets = tf.constant([2, 3, 4, 5], tf.int32)
    active = tf.constant([True] * 4)
    negatives = tf.constant([7, 8, 9], tf.int32)

    with tf.GradientTape() as tape:
        output, _ = model.step(inputs, model.initial_states(4), training=True)
        loss = tf.reduce_mean(trainer._loss(output, targets, active, negatives))
    gradient = tape.gradient(loss, model.output_embedding)

    assert isinstance(gradient, tf.IndexedSlices)
    assert set(gradient.indices.numpy().tolist()) <= {2, 3, 4, 5, 7, 8, 9}


def test_adagrad_momentum_by_hand():
    from core.optimizers import AdagradMomentum

    variable = keras.Variable(np.array([1.0], np.float32))
    optimizer = AdagradMomentum(learning_rate=0.1, momentum=0.5, epsilon=1e-6)
    gradient = tf.constant([2.0])
    optimizer.apply_gradients([(gradient, variable)])
    assert variable.numpy()[0] == pytest.approx(1 - 0.1 * 2 / math.sqrt(4 + 1e-6), rel=1e-6)

    optimizer.apply_gradients([(gradient, variable)])
    first = -0.1 * 2 / math.sqrt(4 + 1e-6)
    second = 0.5 * first - 0.1 * 2 / math.sqrt(8 + 1e-6)
    assert variable.numpy()[0] == pytest.approx(1 + first + second, rel=1e-6)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_adagrad_momentum_sparse_rows_by_hand(jit_compile):
    from core.optimizers import AdagradMomentum

    variable = keras.Variable(np.zeros((4, 1), np.float32))
    optimizer = AdagradMomentum(learning_rate=0.1, momentum=0.5, epsilon=1e-6)
    optimizer.build([variable])

    @tf.function(jit_compile=jit_compile)
    def apply(indices, values):
        gradient = tf.IndexedSlices(values, indices, dense_shape=tf.constant([4, 1]))
        optimizer.apply_gradients([(gradient, variable)])

    # Row 2 appears twice: its gradients are summed (1 + 2 = 3) before the non-linear update.
    apply(tf.constant([2, 0, 2]), tf.constant([[1.0], [4.0], [2.0]]))
    row0 = -0.1 * 4 / math.sqrt(16 + 1e-6)
    row2 = -0.1 * 3 / math.sqrt(9 + 1e-6)
    assert variable.numpy()[:, 0] == pytest.approx([row0, 0.0, row2, 0.0], rel=1e-6)

    # Row 0 is absent from the second batch, so its momentum does not move it again.
    apply(tf.constant([3, 2]), tf.constant([[2.0], [1.0]]))
    row2_second = 0.5 * row2 - 0.1 * 1 / math.sqrt(10 + 1e-6)
    row3 = -0.1 * 2 / math.sqrt(4 + 1e-6)
    expected = [row0, 0.0, row2 + row2_second, row3]
    assert variable.numpy()[:, 0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("loss,n_sample", [("cross-entropy", 5), ("bpr-max", 0), ("top1-max", 4)])
def test_sampled_losses_train(loss, n_sample):
    config = small_config()
    config.model.loss = loss
    config.model.n_sample = n_sample
    result = make_trainer(config).fit()

    assert all(math.isfinite(e.loss) for e in result.epochs)
    assert len(result.epochs) == 2


def test_objective_divides_by_batch_size():
    from core.training import batch_objective

    per_slot = tf.constant([2.0, 4.0, 6.0, 8.0])
    weights = tf.constant([1.0, 1.0, 0.0, 0.0])

    # (2 + 4) / 4 slots; a mean over the two active slots would give 3.
    assert float(batch_objective(per_slot, weights, 4)) == pytest.approx(1.5)
