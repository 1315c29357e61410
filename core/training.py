"""GRU4Rec trainer: session-parallel epochs, one tf.function step, validation, cancellation."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.batching import count_pairs, session_parallel_arrays
from core.capacity import check_training_memory
from core.config import Config
from core.errors import TrainingError
from core.evaluation import ModelEvaluator
from core.tf_runtime import import_tensorflow, set_determinism


@dataclass
class BatchProgress:
    """Progress inside one epoch, sent to `on_batch` at most every `progress_interval` seconds."""

    epoch: int  # 1-based
    epochs: int
    step: int
    events_done: int
    events_total: int
    loss: float  # mean loss of the epoch so far
    events_per_second: float
    eta_seconds: float  # rest of this epoch


@dataclass
class EpochResult:
    """Summary of one finished epoch."""

    epoch: int  # 1-based
    loss: float
    valid: dict[str, float]
    seconds: float  # training plus validation
    train_seconds: float
    events_per_second: float  # training events per second
    is_best: bool = False


@dataclass
class TrainResult:
    """Outcome of `Trainer.fit`: the finished epochs, whether it was cancelled, and the best epoch."""

    epochs: list[EpochResult] = field(default_factory=list)
    cancelled: bool = False
    best_epoch: int | None = None
    seconds: float = 0.0


@dataclass
class TrainCallbacks:
    """Hooks called from the training thread; they must not block for long."""

    on_batch: Callable[[BatchProgress], None] | None = None
    on_epoch: Callable[[EpochResult], None] | None = None
    on_phase: Callable[[str], None] | None = None
    progress_interval: float = 0.2  # seconds between on_batch calls


def selection_metric(cutoffs: list[int]) -> str:
    """Return the validation metric that picks the best epoch: MRR at the largest cutoff."""
    return f"mrr@{max(cutoffs)}"


class Trainer:
    """Trains GRU4Rec on `split.train` and validates on `split.valid` after each epoch.

    The hidden state lives in one tf.Variable per layer of shape [B, hidden];
    the step zeroes the rows of slots that start a new session, so neither
    the host nor the graph ever carries state across sessions.
    """

    def __init__(self, config: Config, split, callbacks: TrainCallbacks | None = None, jit_compile: bool = True) -> None:
        tf, keras = import_tensorflow()
        from core.model import GRU4Rec

        self.tf = tf
        self.config = config
        self.split = split
        self.callbacks = callbacks or TrainCallbacks()
        train_cfg = config.train
        model_cfg = config.model

        check_training_memory(config, split.item_index.n_items)
        set_determinism(train_cfg.seed)
        self.rng = np.random.default_rng(train_cfg.seed)
        self.n_items = split.item_index.n_items
        self.batch_size = int(train_cfg.batch_size)
        self.model = GRU4Rec(self.n_items, model_cfg, seed=train_cfg.seed)
        self.optimizer = make_optimizer(train_cfg.optimizer, train_cfg.learning_rate, train_cfg.momentum)

        self.sampled = model_cfg.loss != "cross-entropy" or model_cfg.n_sample > 0
        support = np.bincount(split.train.items, minlength=self.n_items)
        # log of training support, unnormalised: a constant shift per row does not change a softmax.
        self.log_support = tf.constant(np.log(np.maximum(support, 1)), tf.float32)
        self.sampler = None
        if model_cfg.n_sample > 0:
            from core.sampling import NegativeSampler

            self.sampler = NegativeSampler(support, model_cfg.n_sample, model_cfg.sample_alpha, self.rng)

        self.states = [
            tf.Variable(tf.zeros((self.batch_size, self.model.hidden_size)), trainable=False)
            for _ in range(self.model.num_layers)
        ]
        # Optimizer slots must exist before the step loop is traced: variables cannot be created inside it.
        self.optimizer.build(self.model.trainable_variables)
        self.steps_per_call = steps_per_call(self.batch_size, self.n_items, self.model.hidden_size)
        # XLA fuses the K steps of a call; the sparse Adagrad update keeps fixed shapes for it.
        # `jit_compile=False` exists for benchmarks and debugging.
        self.jit_compile = jit_compile
        self._compile_steps()
        self.evaluator = ModelEvaluator(self.model, config.eval.batch_size, config.eval.memory_limit_mb)

    # ---- one step --------------------------------------------------------

    def _loss(self, output, targets, active, negatives):
        """Return the per-slot loss of one step (inactive slots included, masked later)."""
        tf = self.tf
        from core import losses

        cfg = self.config.model
        if not self.sampled:
            return losses.full_cross_entropy(self.model.score_all(output), targets)

        columns = targets if negatives is None else tf.concat([targets, negatives], axis=0)
        column_mask = active if negatives is None else tf.concat([active, tf.ones_like(negatives, tf.bool)], axis=0)
        scores = self.model.score_items(output, columns)
        if cfg.loss == "cross-entropy":
            # Each column is corrected by the log of the distribution it came from: in-batch
            # targets follow the data (support), extra negatives follow support**alpha.
            log_q = tf.gather(self.log_support, targets)
            if negatives is not None:
                log_q = tf.concat([log_q, cfg.sample_alpha * tf.gather(self.log_support, negatives)], axis=0)
            return losses.sampled_cross_entropy(scores, column_mask, log_q, cfg.logq)
        if cfg.loss == "bpr-max":
            return losses.bpr_max(tf.nn.elu(scores), column_mask, cfg.bpreg)
        return losses.top1_max(scores, column_mask)

    def _compile_steps(self) -> None:
        tf = self.tf
        self._train_step = tf.function(self._train_step_impl, jit_compile=self.jit_compile, reduce_retracing=True)
        self._train_steps = tf.function(self._train_steps_impl, jit_compile=self.jit_compile)

    def _step(self, inputs, targets, reset, active, negatives, states):
        """Run one optimisation step from `states`; return (masked mean loss, new states)."""
        tf = self.tf
        keep = tf.cast(tf.logical_not(reset), tf.float32)[:, None]
        states = [state * keep for state in states]
        weights = tf.cast(active, tf.float32)  # 1 for active slots, 0 for idle ones

        with tf.GradientTape() as tape:
            output, new_states = self.model.step(inputs, states, training=True)
            per_slot = self._loss(output, targets, active, negatives)
            objective = batch_objective(per_slot, weights, self.batch_size)

        variables = self.model.trainable_variables
        gradients = tape.gradient(objective, variables)
        self.optimizer.apply_gradients(zip(gradients, variables))
        mean_loss = tf.reduce_sum(per_slot * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
        return mean_loss, new_states

    def _train_step_impl(self, inputs, targets, reset, active, negatives=None):
        """Run one step on [B] tensors, carrying the hidden state in `self.states`."""
        loss, new_states = self._step(inputs, targets, reset, active, negatives, [v.value() for v in self.states])
        for variable, state in zip(self.states, new_states):
            variable.assign(state)
        return loss

    def _train_steps_impl(self, inputs, targets, reset, active, negatives, n_steps):
        """Run the first `n_steps` rows of [K, B] tensors as consecutive steps; return the [K] losses.

        Rows at or after `n_steps` are not run and their losses are 0. The
        shapes stay fixed whatever `n_steps` is, so a short last chunk or a
        cancelled one reuses the compiled loop.
        """
        tf = self.tf
        rows = inputs.shape[0]
        losses = tf.zeros([rows], tf.float32)
        states = [v.value() for v in self.states]
        for i in tf.range(n_steps):
            step_negatives = None if negatives is None else negatives[i]
            loss, states = self._step(inputs[i], targets[i], reset[i], active[i], step_negatives, states)
            losses = tf.tensor_scatter_nd_update(losses, [[i]], [loss])
        for variable, state in zip(self.states, states):
            variable.assign(state)
        return losses

    # ---- epochs ----------------------------------------------------------

    def _phase(self, name: str) -> None:
        if self.callbacks.on_phase is not None:
            self.callbacks.on_phase(name)

    def _run_chunk(self, arrays, start: int, n_steps: int, negatives):
        """Run steps start .. start + n_steps - 1 of the epoch in one call; return their losses."""
        tf = self.tf
        end = start + self.steps_per_call
        args = [
            tf.constant(arrays.inputs[start:end]),
            tf.constant(arrays.targets[start:end]),
            tf.constant(arrays.reset[start:end]),
            tf.constant(arrays.active[start:end]),
            None if negatives is None else tf.constant(negatives),
            tf.constant(n_steps, tf.int32),
        ]
        return self._train_steps(*args).numpy()[:n_steps]

    def _sample_negatives(self, n_steps: int):
        """Return [K, n_sample] negatives for a chunk, one sampler draw per step as before chunking."""
        if self.sampler is None:
            return None
        negatives = np.zeros((self.steps_per_call, self.sampler.n_sample), dtype=np.int32)
        for i in range(n_steps):
            negatives[i] = self.sampler.sample()
        return negatives

    def train_epoch(self, epoch: int, should_stop: Callable[[], bool]) -> tuple[float, float, bool]:
        """Run one epoch; return (mean loss, seconds, cancelled).

        `should_stop` is polled once before every step. Steps run on the
        device in chunks of up to `steps_per_call`, so the polls for one chunk
        happen just before it starts, and a request that arrives while a
        chunk runs takes effect when that chunk ends.
        """
        data = self.split.train
        order = None
        if self.config.train.shuffle_sessions:
            order = self.rng.permutation(data.n_sessions)

        arrays = session_parallel_arrays(data.items, data.offsets, self.batch_size, order, pad_to=self.steps_per_call)
        active_counts = arrays.active_counts
        events_total = count_pairs(data.offsets)
        epochs = self.config.train.epochs
        loss_sum = 0.0
        events_done = 0
        start = time.perf_counter()
        last_report = start

        for first in range(0, arrays.steps, self.steps_per_call):
            wanted = min(self.steps_per_call, arrays.steps - first)
            n_steps = 0
            while n_steps < wanted and not should_stop():
                n_steps += 1
            if n_steps > 0:
                losses = self._run_chunk(arrays, first, n_steps, self._sample_negatives(n_steps))
                not_finite = np.flatnonzero(~np.isfinite(losses))
                if len(not_finite) > 0:
                    raise TrainingError(
                        f"loss became {losses[not_finite[0]]} in epoch {epoch}, step {first + not_finite[0] + 1}; "
                        f"lower the learning rate (now {self.config.train.learning_rate}) and train again"
                    )
                counts = active_counts[first : first + n_steps]
                loss_sum += float(np.dot(losses.astype(np.float64), counts))
                events_done += int(counts.sum())
            if n_steps < wanted:
                return (loss_sum / max(events_done, 1), time.perf_counter() - start, True)

            now = time.perf_counter()
            if self.callbacks.on_batch is not None and now - last_report >= self.callbacks.progress_interval:
                last_report = now
                rate = events_done / max(now - start, 1e-9)
                self.callbacks.on_batch(
                    BatchProgress(
                        epoch, epochs, first + n_steps, events_done, events_total, loss_sum / events_done,
                        rate, (events_total - events_done) / max(rate, 1e-9),
                    )
                )

        seconds = time.perf_counter() - start
        if self.callbacks.on_batch is not None:
            rate = events_done / max(seconds, 1e-9)
            self.callbacks.on_batch(
                BatchProgress(epoch, epochs, arrays.steps, events_done, events_total,
                              loss_sum / max(events_done, 1), rate, 0.0)
            )
        return (loss_sum / max(events_done, 1), seconds, False)

    def fit(self, should_stop: Callable[[], bool] | None = None) -> TrainResult:
        """Train `config.train.epochs` epochs, validating after each; stop early when asked."""
        should_stop = should_stop or (lambda: False)
        result = TrainResult()
        cutoffs = list(self.config.eval.cutoffs)
        selection = selection_metric(cutoffs)
        best_value = -1.0
        pairs = count_pairs(self.split.train.offsets)
        fit_start = time.perf_counter()

        for epoch in range(1, self.config.train.epochs + 1):
            self._phase("train")
            loss, train_seconds, cancelled = self.train_epoch(epoch, should_stop)
            if cancelled:
                result.cancelled = True
                break

            valid: dict[str, float] = {}
            if self.split.valid.n_sessions > 0:
                self._phase("valid")
                evaluation = self.evaluator.evaluate(self.split.valid, cutoffs, should_stop)
                if evaluation.cancelled:
                    result.cancelled = True
                    break
                valid = evaluation.metrics

            # Without validation data every epoch counts as best, so "best" means "last".
            value = valid.get(selection, 0.0)
            is_best = value > best_value or not valid
            if is_best:
                best_value = value
                result.best_epoch = epoch
            epoch_result = EpochResult(
                epoch=epoch,
                loss=loss,
                valid=valid,
                seconds=time.perf_counter() - fit_start - sum(e.seconds for e in result.epochs),
                train_seconds=train_seconds,
                events_per_second=pairs / max(train_seconds, 1e-9),
                is_best=is_best,
            )
            result.epochs.append(epoch_result)
            if self.callbacks.on_epoch is not None:
                self.callbacks.on_epoch(epoch_result)

        result.seconds = time.perf_counter() - fit_start
        return result


# Upper bound on the steps one device call runs: progress and cancellation are seen between calls.
MAX_STEPS_PER_CALL = 32
# Work per call, in floating-point operations: about 0.1 s at 20 GFLOP/s, which
# keeps cancellation prompt on slow CPUs without losing the gain of chunking.
CALL_FLOP_BUDGET = 2e9


def training_step_flops(batch_size: int, n_items: int, hidden_size: int, input_size: int | None = None) -> float:
    """Estimate the matrix-multiply FLOPs of one full-softmax training step of a one-layer GRU4Rec.

    Counts 2 * m * k * n per product: the GRU's input and recurrent products
    and the [B, H] x [H, n_items] scoring, each once forward and twice
    backward (gradients of both operands). Element-wise work is left out.
    """
    input_size = hidden_size if input_size is None else input_size
    forward = 2 * batch_size * (input_size * 3 * hidden_size + hidden_size * 3 * hidden_size + hidden_size * n_items)
    return 3.0 * forward


def steps_per_call(batch_size: int, n_items: int, hidden_size: int) -> int:
    """Return how many training steps one device call runs, from the step's FLOP estimate."""
    flops = training_step_flops(batch_size, n_items, hidden_size)
    return int(min(MAX_STEPS_PER_CALL, max(1, CALL_FLOP_BUDGET // max(flops, 1.0))))


def batch_objective(per_slot, weights, batch_size: int):
    """Return the loss a step minimises: the sum over active slots divided by B.

    Dividing by B rather than by the number of active slots, as the
    reference GRU4Rec does, keeps every event's weight the same when the
    last sessions of an epoch leave slots idle. A mean over active slots
    gives the events of those last steps up to B times the usual weight,
    right before the model is evaluated. docs/accuracy.md records the
    accuracy it cost.
    """
    tf, _ = import_tensorflow()
    return tf.reduce_sum(per_slot * weights) / float(batch_size)


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.0):
    """Return a Keras optimizer: "adam", or "adagrad" with the reference GRU4Rec momentum."""
    _, keras = import_tensorflow()
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "adagrad":
        from core.optimizers import AdagradMomentum

        return AdagradMomentum(learning_rate=learning_rate, momentum=momentum)
    raise ValueError(f"unknown optimizer {name!r}")
