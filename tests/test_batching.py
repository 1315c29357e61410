"""Session-parallel batching on tiny logs with hand-computed steps."""

import numpy as np
import pytest

from core.batching import count_pairs, session_parallel_batches

# Sessions by event position: S0 = 0..2, S1 = 3..4, S2 = 5 (one event, no pair),
# S3 = 6..9, S4 = 10..11.
ITEMS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 0], dtype=np.int32)
OFFSETS = np.array([0, 3, 5, 6, 10, 12], dtype=np.int64)
ALL_PAIRS = {(0, 1, 0), (1, 2, 1), (3, 4, 3), (6, 7, 6), (7, 8, 7), (8, 9, 8), (2, 0, 10)}


def pairs_of(batches):
    found = []
    for batch in batches:
        for slot in np.flatnonzero(batch.active):
            found.append((int(batch.inputs[slot]), int(batch.targets[slot]), int(batch.positions[slot])))
    return found


def test_batch_size_two_steps_by_hand():
    batches = list(session_parallel_batches(ITEMS, OFFSETS, 2))

    assert len(batches) == 4
    assert batches[0].inputs.tolist() == [0, 3]
    assert batches[0].targets.tolist() == [1, 4]
    assert batches[0].reset.tolist() == [True, True]
    # Slot 1 finished S1 and skips the one-event S2 to take S3.
    assert batches[1].inputs.tolist() == [1, 6]
    assert batches[1].targets.tolist() == [2, 7]
    assert batches[1].reset.tolist() == [False, True]
    assert batches[1].sessions.tolist() == [0, 3]
    # Slot 0 takes the last session S4.
    assert batches[2].inputs.tolist() == [2, 7]
    assert batches[2].targets.tolist() == [0, 8]
    assert batches[2].reset.tolist() == [True, False]
    # No session left: slot 0 idles while slot 1 finishes S3.
    assert batches[3].active.tolist() == [False, True]
    assert batches[3].inputs[1] == 8
    assert batches[3].targets[1] == 9
    assert batches[3].reset.tolist() == [False, False]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 8])
def test_every_pair_exactly_once(batch_size):
    found = pairs_of(session_parallel_batches(ITEMS, OFFSETS, batch_size))

    assert len(found) == len(set(found))
    assert set(found) == ALL_PAIRS
    assert len(found) == count_pairs(OFFSETS) == 7


@pytest.mark.parametrize("batch_size", [1, 2, 3, 8])
def test_reset_only_at_session_start(batch_size):
    batches = list(session_parallel_batches(ITEMS, OFFSETS, batch_size))
    first_positions = set(OFFSETS[:-1][np.diff(OFFSETS) >= 2].tolist())

    for batch in batches:
        for slot in np.flatnonzero(batch.active):
            starts_session = int(batch.positions[slot]) in first_positions
            assert bool(batch.reset[slot]) == starts_session
    resets = sum(int(batch.reset.sum()) for batch in batches)
    assert resets == 4


def test_last_sessions_are_processed():
    # One long session in slot 0 and many short ones: the loop must not stop when slot 1 runs dry.
    items = np.arange(14, dtype=np.int32)
    offsets = np.array([0, 10, 12, 14], dtype=np.int64)
    found = pairs_of(session_parallel_batches(items, offsets, 2))

    assert len(found) == 11
    assert (8, 9, 8) in found
    assert (12, 13, 12) in found


def test_order_changes_assignment_not_pairs():
    order = np.array([4, 3, 2, 1, 0])
    batches = list(session_parallel_batches(ITEMS, OFFSETS, 2, order=order))

    assert batches[0].inputs.tolist() == [2, 6]
    assert set(pairs_of(batches)) == ALL_PAIRS


def test_inactive_slots_and_empty_data():
    batches = list(session_parallel_batches(ITEMS, OFFSETS, 8))
    assert batches[0].active.sum() == 4
    assert batches[0].sessions[4:].tolist() == [-1, -1, -1, -1]

    empty = list(session_parallel_batches(np.zeros(0, np.int32), np.zeros(1, np.int64), 4))
    assert empty == []


def test_invalid_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        list(session_parallel_batches(ITEMS, OFFSETS, 0))
