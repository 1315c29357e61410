"""Run directory names, which identify the data a run used."""

from __future__ import annotations

import pytest

from core.config import Config
from core.runs import create_run_dir


@pytest.mark.parametrize(
    "source,expected",
    [
        ({"path": "/data/ml-1m"}, "-ml-1m-cross-entropy"),
        ({"path": "/data/ml-100k/u.data"}, "-ml-100k-cross-entropy"),
        ({"path": "/data/clicks.tsv"}, "-clicks-cross-entropy"),
        ({"train_path": "/data/yoochoose-100k/yoochoose-clicks-100k_train_full.txt"}, "-yoochoose-clicks-100k-cross-entropy"),
        ({"train_path": "/data/splits/ml100k-course/train.tsv"}, "-ml100k-course-cross-entropy"),
    ],
)
def test_run_name_shows_data(tmp_path, source, expected):
    config = Config()
    for key, value in source.items():
        setattr(config.data, key, value)

    run_dir = create_run_dir(tmp_path, config)

    assert run_dir.name.endswith(expected)
