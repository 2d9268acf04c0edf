"""Shared fixtures: small, deterministic inputs for codec tests."""
import random

import pytest

_TEXT = (b"It was the best of times, it was the worst of times, it was the age of wisdom, "
         b"it was the age of foolishness, it was the epoch of belief, it was the epoch of "
         b"incredulity, it was the season of Light, it was the season of Darkness.\n")


@pytest.fixture
def text_data() -> bytes:
    """About 3 KB of repetitive English text."""
    return _TEXT * 12


@pytest.fixture
def random_data() -> bytes:
    """3000 reproducible random bytes (incompressible)."""
    return random.Random(1234).randbytes(3000)
