"""Tripadvisor Content API: the most recent reviews of one location."""
