"""Notification channels: pure delivery of a ``Notice`` (no models, no retries, no scheduling).

Each ``send_*`` either returns or raises ``DeliveryError(permanent=...)``: the caller (the alert
job) decides whether to retry. Webhook URLs are secrets: errors and logs show their host only.
"""

from __future__ import annotations

from vigie.alerts.channels.base import DeliveryError, Notice
from vigie.alerts.channels.chat import (
    mattermost_payload,
    send_mattermost,
    send_slack,
    send_teams,
    slack_payload,
    teams_payload,
)
from vigie.alerts.channels.email import email_message, send_email
from vigie.alerts.channels.webhook import send_webhook, sign, verify_signature, webhook_body

__all__ = [
    "DeliveryError",
    "Notice",
    "email_message",
    "mattermost_payload",
    "send_email",
    "send_mattermost",
    "send_slack",
    "send_teams",
    "send_webhook",
    "sign",
    "slack_payload",
    "teams_payload",
    "verify_signature",
    "webhook_body",
]
