"""The naive GRU4Rec of course notebooks, kept as the speed reference for the benchmark.

One-hot inputs of size n_items, a stateful Keras GRU, a dense softmax layer,
`train_on_batch` for every step, `predict` for every evaluation step, a full
argsort per row and a Python loop for Recall@k and MRR@k. It uses the same
session-parallel order as the product (a plain Python loop here) and zeroes
the hidden state of a slot when its session starts.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import numpy as np

from core.tf_runtime import import_tensorflow


def python_session_batches(items: np.ndarray, offsets: np.ndarray, batch_size: int) -> Iterator[tuple]:
    """Yield (inputs, targets, reset, active) per step, with a Python loop over the slots."""
    lengths = np.diff(offsets)
    queue = [s for s in range(len(lengths)) if lengths[s] >= 2]
    slot_session = [-1] * batch_size
    slot_position = [0] * batch_size
    next_session = 0
    reset = [False] * batch_size
    for slot in range(batch_size):
        if next_session < len(queue):
            slot_session[slot] = queue[next_session]
            slot_position[slot] = int(offsets[queue[next_session]])
            reset[slot] = True
            next_session += 1
    while any(s >= 0 for s in slot_session):
        inputs = np.zeros(batch_size, np.int32)
        targets = np.zeros(batch_size, np.int32)
        active = np.zeros(batch_size, bool)
        for slot in range(batch_size):
            if slot_session[slot] >= 0:
                inputs[slot] = items[slot_position[slot]]
                targets[slot] = items[slot_position[slot] + 1]
                active[slot] = True
        yield inputs, targets, np.array(reset), active
        reset = [False] * batch_size
        for slot in range(batch_size):
            session = slot_session[slot]
            if session < 0:
                continue
            slot_position[slot] += 1
            if slot_position[slot] >= offsets[session + 1] - 1:
                if next_session < len(queue):
                    slot_session[slot] = queue[next_session]
                    slot_position[slot] = int(offsets[queue[next_session]])
                    reset[slot] = True
                    next_session += 1
                else:
                    slot_session[slot] = -1


class NaiveGRU4Rec:
    """One-hot stateful Keras GRU with a softmax output, trained and evaluated step by step."""

    def __init__(self, n_items: int, batch_size: int, hidden_size: int = 100, learning_rate: float = 0.001, seed: int = 42):
        tf, keras = import_tensorflow()
        keras.utils.set_random_seed(seed)
        self.n_items = n_items
        self.batch_size = batch_size
        self.gru = keras.layers.GRU(hidden_size, stateful=True)
        self.model = keras.Sequential(
            [
                keras.Input(batch_shape=(batch_size, 1, n_items)),
                self.gru,
                keras.layers.Dense(n_items, activation="softmax"),
            ]
        )
        self.model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
        self._warm_up()

    def _warm_up(self) -> None:
        """Trace Keras's train and predict functions once, so per-epoch rates exclude tracing.

        The training call has zero sample weights: its gradient is zero, and
        Adam's first update from zero moments leaves the weights unchanged.
        """
        x = np.zeros((self.batch_size, 1, self.n_items), np.float32)
        y = np.zeros((self.batch_size, self.n_items), np.float32)
        self.model.train_on_batch(x, y, sample_weight=np.zeros(self.batch_size, np.float32))
        self.model.predict(x, batch_size=self.batch_size, verbose=0)
        self.gru.reset_state()

    def _one_hot(self, indices: np.ndarray, active: np.ndarray) -> np.ndarray:
        matrix = np.zeros((self.batch_size, self.n_items), np.float32)
        rows = np.flatnonzero(active)
        matrix[rows, indices[rows]] = 1.0
        return matrix

    def _reset_slots(self, reset: np.ndarray) -> None:
        if reset.any():
            for state in self.gru.states:
                value = state.numpy()
                value[reset] = 0.0
                state.assign(value)

    def train_epoch(self, data, should_stop: Callable[[], bool]) -> tuple[int, int, float]:
        """Train one pass over `data`; return (events trained, steps, seconds). Stops early when asked."""
        self.gru.reset_state()
        events = 0
        steps = 0
        start = time.perf_counter()
        for inputs, targets, reset, active in python_session_batches(data.items, data.offsets, self.batch_size):
            if should_stop():
                break
            self._reset_slots(reset)
            x = self._one_hot(inputs, active)[:, None, :]
            y = self._one_hot(targets, active)
            self.model.train_on_batch(x, y, sample_weight=active.astype(np.float32))
            events += int(active.sum())
            steps += 1
        return events, steps, time.perf_counter() - start

    def evaluate(self, data, cutoff: int, should_stop: Callable[[], bool]) -> tuple[dict, int, int, float]:
        """Rank every target with predict + argsort; return (metrics, events evaluated, steps, seconds)."""
        self.gru.reset_state()
        hits = 0
        reciprocal = 0.0
        events = 0
        steps = 0
        start = time.perf_counter()
        for inputs, targets, reset, active in python_session_batches(data.items, data.offsets, self.batch_size):
            if should_stop():
                break
            self._reset_slots(reset)
            x = self._one_hot(inputs, active)[:, None, :]
            scores = self.model.predict(x, batch_size=self.batch_size, verbose=0)
            order = np.argsort(-scores, axis=1)
            steps += 1
            for slot in range(self.batch_size):
                if not active[slot]:
                    continue
                rank = int(np.flatnonzero(order[slot] == targets[slot])[0]) + 1
                events += 1
                if rank <= cutoff:
                    hits += 1
                    reciprocal += 1.0 / rank
        seconds = time.perf_counter() - start
        metrics = {f"recall@{cutoff}": hits / max(events, 1), f"mrr@{cutoff}": reciprocal / max(events, 1)}
        return metrics, events, steps, seconds
