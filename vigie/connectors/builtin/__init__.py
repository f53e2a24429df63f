"""The built-in connectors: one dotted path per line, ``module:Class``.

Adding a platform is adding one line here (third-party plug-ins use the ``vigie.connectors``
entry point group instead). The registry reads this list; order does not matter.
"""

BUILTIN_CONNECTORS: list[str] = [
    "vigie.connectors.builtin.feed.connector:FeedConnector",
    "vigie.connectors.builtin.file.connector:FileConnector",
    "vigie.connectors.builtin.webhook.connector:WebhookConnector",
    "vigie.connectors.builtin.google_business.connector:GoogleBusinessConnector",
    "vigie.connectors.builtin.trustpilot.connector:TrustpilotConnector",
    "vigie.connectors.builtin.mastodon.connector:MastodonConnector",
    "vigie.connectors.builtin.bluesky.connector:BlueskyConnector",
    "vigie.connectors.builtin.google_play.connector:GooglePlayConnector",
    "vigie.connectors.builtin.app_store.connector:AppStoreConnector",
    "vigie.connectors.builtin.skeepers.connector:SkeepersConnector",
    "vigie.connectors.builtin.yelp.connector:YelpConnector",
    "vigie.connectors.builtin.tripadvisor.connector:TripadvisorConnector",
    "vigie.connectors.builtin.facebook.connector:FacebookConnector",
    "vigie.connectors.builtin.instagram.connector:InstagramConnector",
    "vigie.connectors.builtin.x.connector:XConnector",
    "vigie.connectors.builtin.youtube.connector:YoutubeConnector",
    "vigie.connectors.builtin.reddit.connector:RedditConnector",
]
