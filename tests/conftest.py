"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return the folder with the real MovieLens and YOOCHOOSE copies kept beside the checkout.

    Tests that use it are skipped when the folder is missing, except under CI=true,
    where a missing folder fails the test so real-data checks cannot silently vanish.
    """
    if not SHARED_DATA.is_dir():
        message = "../shared/data not found: real-data tests need the shared MovieLens/YOOCHOOSE copies beside the checkout"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
