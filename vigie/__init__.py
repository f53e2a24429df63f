"""Vigie: self-hosted e-reputation and social customer-care desk."""

__version__ = "0.1.0"
