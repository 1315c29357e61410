"""A MovieLens-1M-sized synthetic ratings log written as `UserID::MovieID::Rating::Timestamp`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

DAY = 86_400
START_TIME = 946_684_800  # 2000-01-01 00:00:00 UTC


def generate_ratings(
    n_events: int = 1_000_000,
    n_users: int = 6_040,
    n_items: int = 3_700,
    seed: int = 0,
) -> np.ndarray:
    """Return an int64 [n, 4] array of (user, item, rating, time) rows, about `n_events` long.

    Item popularity follows a Zipf law with exponent 1. Users' event counts
    are log-normal with at least 20 events, as in MovieLens 1M, and a user
    rates an item at most once. Each user is active for 1 to 90 days
    somewhere in a two-year window. With the defaults and seed 0, the course
    split keeps 152 validation users and 69 test users. Ratings 1-5 follow fixed shares
    close to MovieLens 1M's.
    """
    rng = np.random.default_rng(seed)
    raw = rng.lognormal(mean=0.0, sigma=1.0, size=n_users)
    counts = 20 + np.floor(raw / raw.sum() * (n_events - 20 * n_users)).astype(np.int64)
    counts = np.minimum(counts, n_items)

    log_popularity = -np.log(np.arange(1, n_items + 1, dtype=np.float64))
    item_ids = rng.permutation(n_items) + 1
    rows = []
    # Sampling without replacement per user: the top n keys of log p + Gumbel noise.
    for first in range(0, n_users, 256):
        last = min(first + 256, n_users)
        keys = log_popularity[None, :] + rng.gumbel(size=(last - first, n_items))
        ranked = np.argsort(-keys, axis=1)
        for user in range(first, last):
            n = int(counts[user])
            items = item_ids[ranked[user - first, :n]]
            begin = START_TIME + int(rng.integers(0, 730 * DAY))
            span = int(rng.integers(1, 91)) * DAY
            times = np.sort(begin + rng.integers(0, span, size=n))
            ratings = rng.choice(5, size=n, p=[0.06, 0.11, 0.26, 0.35, 0.22]) + 1
            rows.append(np.column_stack([np.full(n, user + 1), items, ratings, times]))
    return np.concatenate(rows).astype(np.int64)


def write_ratings_dat(folder: Path, **kwargs) -> Path:
    """Write `generate_ratings(**kwargs)` to `folder/ratings.dat` and return the file path."""
    table = generate_ratings(**kwargs)
    path = Path(folder) / "ratings.dat"
    lines = ["::".join(map(str, row)) for row in table.tolist()]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path
