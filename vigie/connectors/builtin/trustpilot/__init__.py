"""trustpilot connector."""
