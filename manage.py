#!/usr/bin/env python
"""Django's manage.py, for developers; users run the ``vigie`` command."""

from vigie.cli import main

if __name__ == "__main__":
    main()
