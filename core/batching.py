"""Session-parallel mini-batches: B slots, each walking through one session at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np


@dataclass
class Batch:
    """One step of session-parallel input.

    Inactive slots (no session left to take) carry index 0 in `inputs` and
    `targets`; callers mask them out with `active`.
    """

    inputs: np.ndarray  # int32 [B], item index fed at this step
    targets: np.ndarray  # int32 [B], the next item of the same session
    reset: np.ndarray  # bool [B], slot started a new session: zero its hidden state first
    active: np.ndarray  # bool [B], slot holds a session at this step
    sessions: np.ndarray  # int64 [B], session index in the data, -1 when inactive
    positions: np.ndarray  # int64 [B], event index of `inputs` in the data, -1 when inactive


def count_pairs(offsets: np.ndarray) -> int:
    """Return the number of (input, target) pairs: sum over sessions of (length - 1)."""
    lengths = np.diff(offsets)
    return int(np.maximum(lengths - 1, 0).sum())


def session_parallel_batches(
    items: np.ndarray,
    offsets: np.ndarray,
    batch_size: int,
    order: np.ndarray | None = None,
) -> Iterator[Batch]:
    """Yield session-parallel batches that cover every (input, target) pair exactly once.

    Args:
        items: int32 item indices of all sessions, concatenated.
        offsets: int64 session boundaries, `len(offsets) == n_sessions + 1`.
        batch_size: number of parallel slots B.
        order: session indices in the order slots take them; the default is
            the stored order (by session start time). Sessions with fewer than
            two events are skipped because they have no target.

    A slot whose session has no next event takes the next session in `order`
    and is flagged in `reset` on that session's first step. When no sessions
    are left, finished slots turn inactive; the iteration ends when every
    slot is inactive, so the last sessions are never cut short.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    if order is None:
        order = np.arange(len(lengths), dtype=np.int64)
    else:
        order = np.asarray(order, dtype=np.int64)
    queue = order[lengths[order] >= 2]
    n_queued = len(queue)

    slot_session = np.full(batch_size, -1, dtype=np.int64)
    slot_position = np.zeros(batch_size, dtype=np.int64)  # index of the current input event
    slot_last = np.zeros(batch_size, dtype=np.int64)  # index of the session's last event
    reset = np.zeros(batch_size, dtype=bool)

    # Fill the slots with the first sessions; slots beyond the number of sessions stay idle.
    n_first = min(batch_size, n_queued)
    first = queue[:n_first]
    slot_session[:n_first] = first
    slot_position[:n_first] = offsets[first]
    slot_last[:n_first] = offsets[first + 1] - 1
    reset[:n_first] = True
    next_session = n_first

    while True:
        active = slot_session >= 0
        if not active.any():
            return
        positions = np.where(active, slot_position, -1)
        safe_positions = np.where(active, slot_position, 0)
        inputs = np.where(active, items[safe_positions], 0).astype(np.int32)
        targets = np.where(active, items[np.minimum(safe_positions + 1, len(items) - 1)], 0).astype(np.int32)
        yield Batch(inputs, targets, reset.copy(), active, slot_session.copy(), positions)

        # Advance every active slot; a slot whose target was its session's last event is done.
        slot_position = slot_position + active
        finished = np.flatnonzero(active & (slot_position >= slot_last))
        reset[:] = False
        if len(finished) == 0:
            continue

        # Finished slots take the next sessions in slot order; the rest go idle.
        n_new = min(len(finished), n_queued - next_session)
        taking = finished[:n_new]
        new_sessions = queue[next_session : next_session + n_new]
        next_session += n_new
        slot_session[taking] = new_sessions
        slot_position[taking] = offsets[new_sessions]
        slot_last[taking] = offsets[new_sessions + 1] - 1
        reset[taking] = True
        slot_session[finished[n_new:]] = -1


def stack_batches(batches: list[Batch]) -> dict[str, np.ndarray]:
    """Stack consecutive batches into [steps, B] arrays for a multi-step call."""
    return {
        "inputs": np.stack([b.inputs for b in batches]),
        "targets": np.stack([b.targets for b in batches]),
        "reset": np.stack([b.reset for b in batches]),
        "active": np.stack([b.active for b in batches]),
    }
