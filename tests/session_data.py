"""Build small SessionData objects from lists of item indices for tests."""

import numpy as np

from core.split import SessionData


def make_session_data(sessions, last_times=None):
    """Return SessionData with one session per list; every event of session i gets time last_times[i] if given."""
    lengths = [len(s) for s in sessions]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = np.concatenate([np.asarray(s, dtype=np.int32) for s in sessions])
    times = np.arange(len(items), dtype=np.int64)
    if last_times is not None:
        times = np.repeat(np.asarray(last_times, dtype=np.int64), lengths)
    n = len(sessions)
    return SessionData(
        items=items,
        offsets=offsets,
        times=times,
        session_ids=np.arange(n, dtype=np.int64),
        user_ids=np.arange(n, dtype=np.int64),
    )
