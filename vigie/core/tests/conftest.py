"""Fixtures for the web shell's tests."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils.translation import trans_real


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogues so English pages can be tested (.mo files are not committed)."""
    call_command("compiletranslations", verbosity=0)
    # A catalogue read before compilation would stay cached for the whole run: forget it.
    trans_real._translations = {}
    trans_real._default = None
