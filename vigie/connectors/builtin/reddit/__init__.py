"""reddit connector."""
