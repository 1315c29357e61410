"""A small synthetic rating log with sequential structure, for trying the app offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from core.datasets import Dataset

DEMO_START_TIME = 1_704_067_200  # 2024-01-01 00:00:00 UTC, in unix seconds
DEMO_DAYS = 120
DEMO_GENRES = ("Action", "Comedy", "Drama", "Romance", "Sci-Fi", "Thriller")

ZIPF_EXPONENT = 1.0
SUCCESSOR_SKEW = 0.5
SUCCESSOR_WEIGHTS = np.array([0.6, 0.25, 0.15])  # chance of taking each of an item's successors
FOLLOW_CHAIN_PROBABILITY = 0.75  # otherwise the next item is drawn by popularity
RATING_PROBABILITIES = np.array([0.04, 0.08, 0.18, 0.38, 0.32])  # ratings 1 to 5
SECONDS_PER_DAY = 86_400


def make_demo_dataset(n_users: int = 300, n_items: int = 400, seed: int = 0) -> Dataset:
    """Generate a synthetic MovieLens-like rating log, the same one for the same seed.

    Item popularity follows a Zipf law, and each user's events follow item-to-item
    chains (each item has three likely successors) with popularity-drawn jumps as
    noise, so a sequence model can beat the most-popular baseline. Event times are
    integer unix seconds spread over about 120 days, so the default time split
    (30 test days, 30 valid days) leaves users in train, valid and test. Ratings
    are 1 to 5, mostly 3 or more.
    """
    from core.datasets import Dataset  # imported here because core.datasets re-exports this function

    if n_users < 1 or n_items < 10:
        raise ValueError(f"the demo needs n_users >= 1 and n_items >= 10, got {n_users} and {n_items}")
    rng = np.random.default_rng(seed)

    popularity = 1.0 / (rng.permutation(n_items) + 1.0) ** ZIPF_EXPONENT
    popularity /= popularity.sum()
    # Successors follow a flatter Zipf law than the jumps, so the chains reach most of the catalogue.
    successor_probability = popularity**SUCCESSOR_SKEW
    successor_probability /= successor_probability.sum()
    successors = rng.choice(n_items, size=(n_items, len(SUCCESSOR_WEIGHTS)), p=successor_probability)

    # Events per user: log-normal with a median of about 27, kept between 5 and 200.
    lengths = np.clip(rng.lognormal(mean=3.3, sigma=0.6, size=n_users).astype(np.int64), 5, 200)
    max_length = int(lengths.max())

    # Walk all users' chains together, one step at a time.
    sequences = np.empty((n_users, max_length), dtype=np.int64)
    sequences[:, 0] = rng.choice(n_items, size=n_users, p=popularity)
    for step in range(1, max_length):
        follow = rng.random(n_users) < FOLLOW_CHAIN_PROBABILITY
        choice = rng.choice(len(SUCCESSOR_WEIGHTS), size=n_users, p=SUCCESSOR_WEIGHTS)
        chained = successors[sequences[:, step - 1], choice]
        jumped = rng.choice(n_items, size=n_users, p=popularity)
        sequences[:, step] = np.where(follow, chained, jumped)

    # Times: each user's last event falls uniformly in the 120 days, and the gaps before it
    # are about half an hour, with a one-day break before one event in ten.
    gaps = rng.exponential(1800.0, size=(n_users, max_length)) + (rng.random((n_users, max_length)) < 0.1) * SECONDS_PER_DAY
    last_times = DEMO_START_TIME + rng.uniform(0.0, DEMO_DAYS * SECONDS_PER_DAY, size=n_users)
    in_session = np.arange(max_length)[None, :] < lengths[:, None]
    gaps_before_end = np.where(in_session, gaps, 0.0)
    # The time of event j is the last time minus the gaps after event j.
    seconds_before_last = np.cumsum(gaps_before_end[:, ::-1], axis=1)[:, ::-1] - gaps_before_end
    times = np.floor(last_times[:, None] - seconds_before_last).astype(np.int64)

    ratings = rng.choice(np.arange(1.0, 6.0), size=(n_users, max_length), p=RATING_PROBABILITIES)
    user_ids = np.broadcast_to(np.arange(1, n_users + 1, dtype=np.int64)[:, None], (n_users, max_length))

    interactions = pd.DataFrame({
        "user_id": user_ids[in_session],
        "item_id": sequences[in_session] + 1,
        "time": times[in_session],
        "rating": ratings[in_session],
    })
    interactions = interactions.sort_values("time", kind="stable").reset_index(drop=True)

    item_ids = np.arange(1, n_items + 1, dtype=np.int64)
    first_genre = rng.integers(0, len(DEMO_GENRES), size=n_items)
    second_genre = rng.integers(0, len(DEMO_GENRES), size=n_items)
    has_second = (rng.random(n_items) < 0.4) & (second_genre != first_genre)
    genres = [
        DEMO_GENRES[a] + ("|" + DEMO_GENRES[b] if two else "")
        for a, b, two in zip(first_genre, second_genre, has_second)
    ]
    items = pd.DataFrame(
        {"title": [f"Demo item {item_id}" for item_id in item_ids], "genres": genres},
        index=pd.Index(item_ids, name="item_id"),
    )
    return Dataset(interactions, items, "demo", "demo")
