"""instagram connector: comments on the account's media, @mentions, Instagram Direct; Meta webhooks."""
