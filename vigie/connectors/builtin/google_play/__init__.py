"""Google Play: the reviews of one Android app; developer replies."""
