"""Session-parallel mini-batches: B slots, each walking through one session at a time."""

from __future__ import annotations

import heapq
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
    active: np.ndarray  # bool [B], slot has a session at this step
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


@dataclass
class EpochArrays:
    """Every step of one session-parallel pass as [steps, B] arrays.

    Row t equals the t-th `Batch` that `session_parallel_batches` yields for
    the same arguments. Rows past `steps` (padding up to a multiple of
    `pad_to`) are inactive.
    """

    inputs: np.ndarray  # int32 [rows, B], 0 in inactive slots
    targets: np.ndarray  # int32 [rows, B], 0 in inactive slots
    reset: np.ndarray  # bool [rows, B]
    active: np.ndarray  # bool [rows, B]
    positions: np.ndarray  # int64 [rows, B], event index of the input, -1 when inactive
    steps: int  # real steps; rows beyond are padding

    @property
    def active_counts(self) -> np.ndarray:
        """Return the int64 number of active slots per row."""
        return self.active.sum(axis=1, dtype=np.int64)


def _schedule_sessions(queue: np.ndarray, pairs: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (first step, slot) of each queued session.

    In the generator, slots that finish at the same step take the next
    sessions in slot order. That equals giving the next session to the slot
    that frees first, with ties broken by the lower slot index. So one heap
    operation per session replaces one Python iteration per step.
    """
    n = len(queue)
    first_step = np.zeros(n, dtype=np.int64)
    slot = np.zeros(n, dtype=np.int64)
    n_first = min(batch_size, n)
    slot[:n_first] = np.arange(n_first)
    heap = [(int(pairs[i]), i) for i in range(n_first)]
    heapq.heapify(heap)
    pair_list = pairs.tolist()
    for i in range(n_first, n):
        free_step, free_slot = heap[0]
        first_step[i] = free_step
        slot[i] = free_slot
        heapq.heapreplace(heap, (free_step + pair_list[i], free_slot))
    return first_step, slot


def session_parallel_arrays(
    items: np.ndarray,
    offsets: np.ndarray,
    batch_size: int,
    order: np.ndarray | None = None,
    pad_to: int = 1,
) -> EpochArrays:
    """Build all batches of one pass at once, as `session_parallel_batches` would yield them.

    Arguments are those of `session_parallel_batches`; `pad_to` rounds the
    number of rows up to a multiple with inactive rows, so callers can cut
    fixed-size chunks. Memory is about 26 bytes per step and slot.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if pad_to < 1:
        raise ValueError(f"pad_to must be >= 1, got {pad_to}")
    items = np.asarray(items)
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    order = np.arange(len(lengths), dtype=np.int64) if order is None else np.asarray(order, dtype=np.int64)
    queue = order[lengths[order] >= 2]
    pairs = lengths[queue] - 1

    first_step, slot = _schedule_sessions(queue, pairs, batch_size)
    steps = int((first_step + pairs).max()) if len(queue) else 0
    rows = -(-steps // pad_to) * pad_to

    # One entry per (input, target) pair: its step, slot and input event.
    session_of_pair = np.repeat(np.arange(len(queue)), pairs)
    pair_starts = np.cumsum(pairs) - pairs
    within = np.arange(int(pairs.sum())) - np.repeat(pair_starts, pairs)
    pair_step = first_step[session_of_pair] + within
    pair_slot = slot[session_of_pair]
    pair_position = offsets[queue][session_of_pair] + within

    positions = np.full((rows, batch_size), -1, dtype=np.int64)
    positions[pair_step, pair_slot] = pair_position
    active = positions >= 0
    inputs = np.zeros((rows, batch_size), dtype=np.int32)
    targets = np.zeros((rows, batch_size), dtype=np.int32)
    inputs[pair_step, pair_slot] = items[pair_position]
    targets[pair_step, pair_slot] = items[pair_position + 1]
    reset = np.zeros((rows, batch_size), dtype=bool)
    reset[first_step, slot] = True
    return EpochArrays(inputs, targets, reset, active, positions, steps)


def stack_batches(batches: list[Batch]) -> dict[str, np.ndarray]:
    """Stack consecutive batches into [steps, B] arrays for a multi-step call."""
    return {
        "inputs": np.stack([b.inputs for b in batches]),
        "targets": np.stack([b.targets for b in batches]),
        "reset": np.stack([b.reset for b in batches]),
        "active": np.stack([b.active for b in batches]),
    }
