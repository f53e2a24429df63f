"""x connector."""
