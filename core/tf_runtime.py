"""Quiet, lazy TensorFlow import and run determinism."""

from __future__ import annotations

import os
import sys
import threading

_lock = threading.Lock()
_modules: tuple | None = None


def import_tensorflow():
    """Import TensorFlow and Keras with their start-up logging silenced; return (tf, keras).

    TensorFlow's C++ runtime writes notices (oneDNN, missing CUDA drivers) to
    file descriptor 2 before any Python setting applies, which corrupts a
    full-screen terminal app. The environment variables cover what they can,
    and descriptor 2 points at /dev/null for the duration of the import.
    """
    global _modules
    with _lock:
        if _modules is not None:
            return _modules
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

        saved_stderr = None
        devnull = None
        try:
            sys.stderr.flush()
            saved_stderr = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
        except OSError:
            saved_stderr = None
        try:
            import tensorflow as tf
            import keras

            tf.get_logger().setLevel("ERROR")
            # Creating the first op initialises the runtime, which logs too.
            tf.constant(0)
        finally:
            if saved_stderr is not None:
                os.dup2(saved_stderr, 2)
                os.close(saved_stderr)
            if devnull is not None:
                os.close(devnull)
        _modules = (tf, keras)
        return _modules


def set_determinism(seed: int) -> None:
    """Seed Python, NumPy, TensorFlow and Keras and make TensorFlow ops deterministic."""
    tf, keras = import_tensorflow()
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
