"""youtube connector."""
