"""Pages of the inbox, by concern: ``queue`` (the case list), ``case`` (one case) and ``reply``
(writing and approving its answer). The outbox's and the private channel's pages are in
``vigie.inbox.outbox.views``."""
