"""Fixtures for the web shell's tests (the catalogues are compiled by ``vigie/conftest.py``)."""
