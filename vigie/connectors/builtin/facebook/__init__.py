"""facebook connector: Page comments, visitor posts, ratings, Messenger; Meta webhooks."""
