"""Jobs of the inbox; ``vigie.core.jobs.discover`` imports this module."""

from vigie.inbox import tasks_publishing  # noqa: F401  (registers the outbox and e-mail jobs)
