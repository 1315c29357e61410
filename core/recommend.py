"""Load a saved run and recommend next items for a session history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.config import Config
from core.errors import SbrError
from core.runs import read_epochs


@dataclass
class LoadedRun:
    """A run directory read back from disk, with its model built on first use."""

    path: Path
    config: Config
    results: dict[str, Any]
    epochs: list[dict[str, Any]]
    item_ids: np.ndarray  # int64 original id per item index
    titles: np.ndarray
    genres: np.ndarray
    sessions: dict[str, Any]  # "valid"/"test" -> SessionData
    _model: Any = None

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def weights_path(self) -> Path:
        best = self.path / "best.weights.h5"
        return best if best.exists() else self.path / "last.weights.h5"

    @property
    def model(self):
        """The GRU4Rec model with the best (or else last) saved weights."""
        if self._model is None:
            from core.model import GRU4Rec

            weights = self.weights_path()
            if not weights.exists():
                raise SbrError(f"run {self.path} has no saved weights; it stopped before the first epoch ended")
            model = GRU4Rec(self.n_items, self.config.model, seed=self.config.train.seed)
            try:
                model.load_weights(str(weights))
            except (OSError, ValueError) as exc:
                raise SbrError(f"cannot load weights {weights}: {exc}") from None
            self._model = model
        return self._model

    def find_session(self, session_id: int) -> tuple[str, int]:
        """Return (part, session index) of an original session or user id in valid or test."""
        for part in ("test", "valid"):
            data = self.sessions[part]
            hits = np.flatnonzero(data.session_ids == session_id)
            if len(hits):
                return part, int(hits[0])
        available = [
            f"{part}: {self.sessions[part].n_sessions} sessions" for part in ("valid", "test")
        ]
        raise SbrError(
            f"session {session_id} is not in the valid or test data of {self.path.name} "
            f"({', '.join(available)}); pick an id listed by `sbr-tui recommend RUN_DIR --list`"
        )


def load_run(run_dir: str | Path) -> LoadedRun:
    """Read a run directory written by `run_training`."""
    from core.split import SessionData

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise SbrError(f"run directory {run_dir} not found; list runs with `sbr-tui runs`")
    try:
        config = Config.from_dict(json.loads((run_dir / "config.json").read_text(encoding="utf-8")))
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        items = np.load(run_dir / "items.npz", allow_pickle=False)
        stored = np.load(run_dir / "sessions.npz", allow_pickle=False)
    except FileNotFoundError as exc:
        raise SbrError(f"run {run_dir} is incomplete: {Path(exc.filename).name} is missing") from None
    except (OSError, ValueError) as exc:
        raise SbrError(f"run {run_dir} is unreadable: {exc}") from None

    sessions = {}
    for part in ("valid", "test"):
        ratings_key = f"{part}_ratings"
        sessions[part] = SessionData(
            items=stored[f"{part}_items"],
            offsets=stored[f"{part}_offsets"],
            times=stored[f"{part}_times"],
            session_ids=stored[f"{part}_session_ids"],
            user_ids=stored[f"{part}_user_ids"],
            ratings=stored[ratings_key] if ratings_key in stored.files else None,
        )
    return LoadedRun(
        path=run_dir,
        config=config,
        results=results,
        epochs=read_epochs(run_dir),
        item_ids=items["item_ids"],
        titles=items["titles"],
        genres=items["genres"],
        sessions=sessions,
    )


def recommend_next(model, history: np.ndarray, k: int = 10, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Feed `history` (item indices, oldest first) from a zero state; return the top-k (indices, scores).

    Items in `exclude` are left out of the list. Ties are broken by item index.
    """
    from core.tf_runtime import import_tensorflow

    tf, _ = import_tensorflow()
    history = np.asarray(history, dtype=np.int32)
    if len(history) == 0:
        raise SbrError("cannot recommend for an empty history: a session needs at least one event")
    states = model.initial_states(1)
    output = None
    for item in history:
        output, states = model.step(tf.constant([item], tf.int32), states, training=False)
    scores = model.score_all(output).numpy()[0]
    if exclude is not None and len(exclude):
        scores = scores.copy()
        scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    order = np.lexsort((top, -scores[top]))
    top = top[order]
    return top, scores[top]
