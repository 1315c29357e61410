"""GRU4Rec network: item input, GRU layers with explicit hidden state, item scores."""

from __future__ import annotations

from core.config import ModelConfig
from core.tf_runtime import import_tensorflow

tf, keras = import_tensorflow()


class GateUniform(keras.initializers.Initializer):
    """Uniform in +-sqrt(6 / (rows + units)) for a [rows, gates * units] kernel.

    This is Glorot uniform applied to each gate's [rows, units] block, the
    initialisation of the reference GRU4Rec, rather than to the whole
    concatenated kernel (which would shrink the range as gates are added).
    """

    def __init__(self, gates: int, seed: int | None = None):
        self.gates = gates
        self.seed = seed

    def __call__(self, shape, dtype=None):
        rows, columns = shape
        limit = (6.0 / (rows + columns / self.gates)) ** 0.5
        return keras.random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"gates": self.gates, "seed": self.seed}


class GRULayer(keras.layers.Layer):
    """One GRU layer stepped by hand, so the hidden state stays under the caller's control.

    r, z = sigmoid(x W_rz + b_rz + h U_rz + c_rz) and
    h' = (1 - z) * h + z * tanh(x W_c + b_c + r * (h U_c + c_c)), with the
    reset gate applied after the recurrent product as in cuDNN and
    `torch.nn.GRUCell`. Both projections have a bias. When `one_hot_items` is
    set, the input is an item index and the input projection is a row lookup,
    which equals multiplying a one-hot vector by the kernel without building it.
    """

    def __init__(self, units: int, one_hot_items: int = 0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.one_hot_items = one_hot_items
        self.seed = seed

    def build(self, input_shape):
        rows = self.one_hot_items if self.one_hot_items else int(input_shape[-1])
        self.input_kernel = self.add_weight(
            name="input_kernel", shape=(rows, 3 * self.units), initializer=GateUniform(3, self.seed)
        )
        self.input_bias = self.add_weight(name="input_bias", shape=(3 * self.units,), initializer="zeros")
        recurrent_seed = None if self.seed is None else self.seed + 1
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, 3 * self.units), initializer=GateUniform(3, recurrent_seed)
        )
        self.recurrent_bias = self.add_weight(name="recurrent_bias", shape=(3 * self.units,), initializer="zeros")

    def call(self, x, h):
        if self.one_hot_items:
            projected = tf.gather(self.input_kernel, x) + self.input_bias
        else:
            projected = tf.matmul(x, self.input_kernel) + self.input_bias
        recurrent = tf.matmul(h, self.recurrent_kernel) + self.recurrent_bias
        x_r, x_z, x_c = tf.split(projected, 3, axis=1)
        h_r, h_z, h_c = tf.split(recurrent, 3, axis=1)
        r = tf.sigmoid(x_r + h_r)
        z = tf.sigmoid(x_z + h_z)
        candidate = tf.tanh(x_c + r * h_c)
        return (1.0 - z) * h + z * candidate


class GRU4Rec(keras.Model):
    """GRU4Rec with an explicit hidden state per layer.

    `step(items, states, training)` advances every slot by one event and
    returns the last layer's output with the new states (both after hidden
    dropout when training). `score_all` and `score_items` turn that output into item scores.
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

        # As in the reference GRU4Rec, hidden dropout also applies to the state that
        # is carried to the next step, so it regularises the recurrence too.
        new_states = []
        for i, layer in enumerate(self.gru_layers):
            h = layer(x, states[i])
            x = self._dropout(h, self.config.dropout_hidden, training)
            new_states.append(x)
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
