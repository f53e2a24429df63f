"""google_business connector."""
