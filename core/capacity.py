"""Up-front memory estimate for training, so a job that cannot fit is rejected before it starts."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Config
from core.errors import CapacityError

FLOAT_BYTES = 4
MB = 1024 * 1024


@dataclass
class MemoryEstimate:
    """Estimated peak memory of one training job, in bytes, by part."""

    parameters: int
    optimizer_slots: int
    step_scores: int  # score matrix of one training step, with its softmax and gradient
    evaluation_scores: int  # score block of one evaluation step (bounded by eval.memory_limit_mb)

    @property
    def total(self) -> int:
        return self.parameters + self.optimizer_slots + self.step_scores + self.evaluation_scores

    def describe(self) -> str:
        return (
            f"about {self.total / MB:,.0f} MB: parameters {self.parameters / MB:,.0f} MB, "
            f"optimizer state {self.optimizer_slots / MB:,.0f} MB, "
            f"training scores {self.step_scores / MB:,.0f} MB, evaluation scores {self.evaluation_scores / MB:,.0f} MB"
        )


def estimate_training_memory(config: Config, n_items: int) -> MemoryEstimate:
    """Estimate the memory that training and evaluating GRU4Rec on `n_items` items needs.

    This is an estimate of the large arrays only (weights, optimizer state
    and score matrices); TensorFlow's own overhead and the data come on top.
    """
    from core.evaluation import item_chunk_size

    model, train, evaluation = config.model, config.train, config.eval
    hidden = model.hidden_size
    layers = model.num_layers

    output = n_items * (hidden + 1)
    if model.constrained_embedding:
        input_params = 0
        first_input = hidden
    elif model.embedding_size == 0:
        input_params = n_items * 3 * hidden  # one-hot rows of the first GRU kernel
        first_input = 0
    else:
        input_params = n_items * model.embedding_size
        first_input = model.embedding_size
    gru = 3 * hidden * (first_input + hidden + 2) + (layers - 1) * 3 * hidden * (2 * hidden + 2)
    parameters = (output + input_params + gru) * FLOAT_BYTES

    # Adam and Adagrad with momentum both keep two values per weight.
    optimizer_slots = 2 * parameters

    if model.loss == "cross-entropy" and model.n_sample == 0:
        columns = n_items
    else:
        columns = train.batch_size + model.n_sample
    step_scores = 3 * train.batch_size * columns * FLOAT_BYTES

    eval_batch = evaluation.batch_size
    chunk = item_chunk_size(n_items, eval_batch, evaluation.memory_limit_mb)
    evaluation_scores = 3 * eval_batch * chunk * FLOAT_BYTES
    return MemoryEstimate(parameters, optimizer_slots, step_scores, evaluation_scores)


def available_memory_bytes() -> int:
    """Return the memory the system reports as available now."""
    import psutil

    return int(psutil.virtual_memory().available)


def check_training_memory(config: Config, n_items: int, limit_bytes: int | None = None) -> MemoryEstimate:
    """Raise CapacityError when the estimate exceeds `limit_bytes`.

    The default limit is `train.memory_limit_mb` when set, else 90% of the
    memory available now.
    """
    estimate = estimate_training_memory(config, n_items)
    if limit_bytes is None:
        if config.train.memory_limit_mb is not None:
            limit_bytes = int(config.train.memory_limit_mb) * MB
        else:
            limit_bytes = int(0.9 * available_memory_bytes())
    if estimate.total <= limit_bytes:
        return estimate

    advice = []
    if config.model.loss == "cross-entropy" and config.model.n_sample == 0:
        advice.append("train on sampled negatives instead of the full softmax (--n-sample 2048)")
    if config.model.embedding_size > 0 and not config.model.constrained_embedding:
        advice.append("share the input and output embedding (--constrained-embedding true --embedding-size 0)")
    advice.append("lower --hidden-size or --batch-size")
    raise CapacityError(
        f"training on {n_items:,} items needs {estimate.describe()}, "
        f"more than the limit of {limit_bytes / MB:,.0f} MB; " + "; or ".join(advice)
    )
