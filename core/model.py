"""GRU4Rec network: item input, GRU layers with explicit hidden state, item scores."""

from __future__ import annotations

from core.config import ModelConfig
from core.tf_runtime import import_tensorflow

tf, keras = import_tensorflow()


class GRULayer(keras.layers.Layer):
    """One GRU layer stepped by hand, so the hidden state stays under the caller's control.

    The update is h' = (1 - z) * h + z * tanh(x W_c + b_c + (r * h) U_c) with
    r, z = sigmoid(x W_rz + b_rz + h U_rz): the reset gate is applied before
    the recurrent product, as in the original GRU. The input projection has a
    bias. When `one_hot_items` is set, the input is an item index and the
    projection is a row lookup, which equals multiplying a one-hot vector by
    the kernel without building the vector.
    """

    def __init__(self, units: int, one_hot_items: int = 0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.one_hot_items = one_hot_items
        self.seed = seed

    def build(self, input_shape):
        rows = self.one_hot_items if self.one_hot_items else int(input_shape[-1])
        init = keras.initializers.GlorotUniform(seed=self.seed)
        self.input_kernel = self.add_weight(name="input_kernel", shape=(rows, 3 * self.units), initializer=init)
        self.input_bias = self.add_weight(name="input_bias", shape=(3 * self.units,), initializer="zeros")
        recurrent_init = keras.initializers.Orthogonal(seed=None if self.seed is None else self.seed + 1)
        self.recurrent_gates = self.add_weight(
            name="recurrent_gates", shape=(self.units, 2 * self.units), initializer=recurrent_init
        )
        self.recurrent_candidate = self.add_weight(
            name="recurrent_candidate", shape=(self.units, self.units), initializer=recurrent_init
        )

    def call(self, x, h):
        if self.one_hot_items:
            projected = tf.gather(self.input_kernel, x) + self.input_bias
        else:
            projected = tf.matmul(x, self.input_kernel) + self.input_bias
        gates = tf.sigmoid(projected[:, : 2 * self.units] + tf.matmul(h, self.recurrent_gates))
        r, z = tf.split(gates, 2, axis=1)
        candidate = tf.tanh(projected[:, 2 * self.units :] + tf.matmul(r * h, self.recurrent_candidate))
        return (1.0 - z) * h + z * candidate


class GRU4Rec(keras.Model):
    """GRU4Rec with an explicit hidden state per layer.

    `step(items, states, training)` advances every slot by one event and
    returns the last layer's output (after hidden dropout) with the new
    states. `score_all` and `score_items` turn that output into item scores.
    """

    def __init__(self, n_items: int, config: ModelConfig, seed: int = 42, **kwargs):
        super().__init__(**kwargs)
        self.n_items = int(n_items)
        self.config = config
        self.hidden_size = int(config.hidden_size)
        self.num_layers = int(config.num_layers)
        self.seed_generator = keras.random.SeedGenerator(seed)

        init = keras.initializers.GlorotUniform(seed=seed + 10)
        self.output_embedding = self.add_weight(
            name="output_embedding", shape=(self.n_items, self.hidden_size), initializer=init
        )
        self.output_bias = self.add_weight(name="output_bias", shape=(self.n_items,), initializer="zeros")

        # Input: the shared output embedding, a separate embedding, or one-hot rows of the first GRU kernel.
        self.uses_one_hot = (not config.constrained_embedding) and config.embedding_size == 0
        if config.constrained_embedding or self.uses_one_hot:
            self.item_embedding = None
        else:
            self.item_embedding = keras.layers.Embedding(
                self.n_items,
                int(config.embedding_size),
                embeddings_initializer=keras.initializers.GlorotUniform(seed=seed + 20),
                name="item_embedding",
            )

        self.gru_layers = [
            GRULayer(
                self.hidden_size,
                one_hot_items=self.n_items if (i == 0 and self.uses_one_hot) else 0,
                seed=seed + 100 * (i + 1),
                name=f"gru_{i}",
            )
            for i in range(self.num_layers)
        ]
        self._build_weights()

    def _build_weights(self) -> None:
        if self.item_embedding is not None:
            self.item_embedding.build((None,))
            input_size = int(self.config.embedding_size)
        else:
            input_size = self.hidden_size
        for i, layer in enumerate(self.gru_layers):
            layer.build((None, input_size if i == 0 else self.hidden_size))
        self.built = True

    def initial_states(self, batch_size: int) -> list:
        """Return zero hidden states, one [batch_size, hidden] tensor per layer."""
        return [tf.zeros((batch_size, self.hidden_size)) for _ in range(self.num_layers)]

    def _dropout(self, x, rate: float, training: bool):
        if not training or rate <= 0:
            return x
        return keras.random.dropout(x, rate, seed=self.seed_generator)

    def step(self, items, states, training: bool = False):
        """Advance one event for every slot; `items` is an int32 [B] tensor."""
        if self.uses_one_hot:
            x = items
        elif self.item_embedding is None:
            x = tf.gather(self.output_embedding, items)
            x = self._dropout(x, self.config.dropout_embedding, training)
        else:
            x = self.item_embedding(items)
            x = self._dropout(x, self.config.dropout_embedding, training)

        new_states = []
        for i, layer in enumerate(self.gru_layers):
            h = layer(x, states[i])
            new_states.append(h)
            x = self._dropout(h, self.config.dropout_hidden, training)
        return x, new_states

    def score_all(self, output):
        """Return raw scores [B, n_items] (logits for cross-entropy)."""
        return tf.matmul(output, self.output_embedding, transpose_b=True) + self.output_bias

    def score_range(self, output, start: int, size: int):
        """Return raw scores [B, size] for items start .. start + size - 1."""
        weights = self.output_embedding[start : start + size]
        return tf.matmul(output, weights, transpose_b=True) + self.output_bias[start : start + size]

    def score_items(self, output, item_indices):
        """Return raw scores [B, M] for the M items in `item_indices` only."""
        weights = tf.gather(self.output_embedding, item_indices)
        return tf.matmul(output, weights, transpose_b=True) + tf.gather(self.output_bias, item_indices)
