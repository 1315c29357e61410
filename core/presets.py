"""Named groups of settings, applied before a config file and command-line flags."""

from __future__ import annotations

from typing import Any

from core.config import Config
from core.errors import ConfigError

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # The defaults: one session per MovieLens user, full-softmax cross-entropy with Adam.
    "movielens-course": {},
    # The reference GRU4Rec setting for RSC15-style click sessions: sampled
    # cross-entropy with logQ correction, shared input/output embedding, Adagrad with momentum.
    "rsc15-reference": {
        "model": {
            "loss": "cross-entropy",
            "hidden_size": 100,
            "num_layers": 1,
            "embedding_size": 0,
            "constrained_embedding": True,
            "dropout_embedding": 0.0,
            "dropout_hidden": 0.4,
            "n_sample": 2048,
            "sample_alpha": 0.5,
            "logq": 1.0,
        },
        "train": {
            "batch_size": 32,
            "optimizer": "adagrad",
            "learning_rate": 0.2,
            "momentum": 0.2,
            "epochs": 10,
        },
    },
}


def apply_preset(config: Config, name: str) -> None:
    """Overwrite the settings that preset `name` defines and record its name."""
    if name not in PRESETS:
        raise ConfigError({"preset": f"unknown preset {name!r}; use one of {', '.join(PRESETS)}"})
    config.update(PRESETS[name])
    config.preset = name
