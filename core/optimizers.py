"""Adagrad with momentum, as the reference GRU4Rec defines it."""

from __future__ import annotations

from core.tf_runtime import import_tensorflow

tf, keras = import_tensorflow()


class AdagradMomentum(keras.optimizers.Optimizer):
    """Adagrad whose scaled step feeds a momentum term.

    Per parameter: acc += g^2; step = -lr * g / sqrt(acc + epsilon);
    v = momentum * v + step; p += v (p += step when momentum is 0). The
    accumulator starts at 0. Sparse gradients (embedding rows) update only
    the rows they touch, accumulator and momentum included, so rows of items
    absent from a mini-batch stay still.
    """

    def __init__(self, learning_rate=0.1, momentum: float = 0.0, epsilon: float = 1e-6, name="adagrad_momentum", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = []
        self._velocities = []
        for variable in var_list:
            self._accumulators.append(self.add_variable_from_reference(variable, "accumulator", initializer="zeros"))
            self._velocities.append(self.add_variable_from_reference(variable, "velocity", initializer="zeros"))

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        accumulator = self._accumulators[index]
        velocity = self._velocities[index]
        lr = tf.cast(learning_rate, variable.dtype)

        if isinstance(gradient, tf.IndexedSlices):
            rows, values = _sum_duplicate_rows(gradient)
            accumulated = tf.gather(accumulator, rows) + tf.square(values)
            step = -lr * values / tf.sqrt(accumulated + self.epsilon)
            if self.momentum > 0:
                step = self.momentum * tf.gather(velocity, rows) + step
                self.assign(velocity, tf.IndexedSlices(step, rows))
            self.assign(accumulator, tf.IndexedSlices(accumulated, rows))
            self.assign(variable, tf.IndexedSlices(tf.gather(variable, rows) + step, rows))
            return

        self.assign_add(accumulator, tf.square(gradient))
        step = -lr * gradient / tf.sqrt(accumulator + self.epsilon)
        if self.momentum > 0:
            step = self.momentum * velocity + step
            self.assign(velocity, step)
        self.assign_add(variable, step)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "epsilon": self.epsilon})
        return config


def _sum_duplicate_rows(gradient):
    """Return (rows, values) with the values of repeated rows summed, keeping the input's length.

    The update is not linear in the gradient, so each row must be updated
    once with its summed gradient. `tf.unique` would do that, but its output
    size depends on the data, which XLA cannot compile. Here the rows are
    sorted and each run of equal rows is summed into one slot. The slots
    past the number of distinct rows repeat the first run. Repeated slots
    carry equal values, so scattering them writes the same result whatever
    the order.

    NOTE: run and tested on CPU only, with and without XLA; not yet on a GPU.
    """
    indices = gradient.indices
    order = tf.argsort(indices, stable=True)
    sorted_rows = tf.gather(indices, order)
    starts = tf.concat([[True], tf.not_equal(sorted_rows[1:], sorted_rows[:-1])], axis=0)
    run = tf.cumsum(tf.cast(starts, tf.int32)) - 1
    n = tf.shape(indices)[0]
    summed = tf.math.unsorted_segment_sum(tf.gather(gradient.values, order), run, n)
    first_rows = tf.math.unsorted_segment_max(sorted_rows, run, n)
    slot = tf.range(n)
    source = tf.where(slot <= run[-1], slot, 0)
    return tf.gather(first_rows, source), tf.gather(summed, source)
