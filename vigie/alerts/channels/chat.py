"""Slack, Mattermost and Microsoft Teams incoming webhooks."""

from __future__ import annotations

from vigie.alerts.channels.base import Notice, post_json

_OPEN = {"fr": "Ouvrir dans Vigie", "en": "Open in Vigie"}
_SEVERITY = {
    "fr": {"info": "Information", "warning": "Attention", "critical": "Critique"},
    "en": {"info": "Information", "warning": "Warning", "critical": "Critical"},
}
_EMOJI = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}
_COLOUR = {"info": "#2563eb", "warning": "#d97706", "critical": "#dc2626"}
_TEAMS_COLOUR = {"info": "Accent", "warning": "Warning", "critical": "Attention"}


def _lang(language: str) -> str:
    return language if language in _OPEN else "fr"


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters; customer text must not."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_escape(text: str) -> str:
    """Neutralise Markdown link and emphasis syntax in customer text for Mattermost."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def slack_payload(notice: Notice, language: str = "fr") -> dict[str, object]:
    """The Slack incoming-webhook body: a plain ``text`` fallback and Block Kit ``blocks``."""
    lang = _lang(language)
    severity = _SEVERITY[lang][notice.severity]
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(notice.body)[:3000] or " "}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{_EMOJI[notice.severity]} {severity} · `{_slack_escape(notice.event)}`",
                }
            ],
        },
    ]
    if notice.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _OPEN[lang]},
                        "url": notice.url,
                        "style": "danger" if notice.severity == "critical" else "primary",
                    }
                ],
            }
        )
    text = f"{_EMOJI[notice.severity]} {_slack_escape(notice.title)}: {_slack_escape(notice.body)}"
    return {"text": text[:3000], "blocks": blocks}


def mattermost_payload(notice: Notice, language: str = "fr") -> dict[str, object]:
    """The Mattermost incoming-webhook body: Markdown ``text`` plus a coloured attachment."""
    lang = _lang(language)
    title = _markdown_escape(notice.title)
    body = _markdown_escape(notice.body)
    link = f"\n[{_OPEN[lang]}]({notice.url})" if notice.url else ""
    return {
        "username": "Vigie",
        "text": f"#### {_EMOJI[notice.severity]} {title}\n{body}{link}",
        "attachments": [
            {
                "fallback": f"{notice.title}: {notice.body}",
                "color": _COLOUR[notice.severity],
                "fields": [
                    {
                        "short": True,
                        "title": "Sévérité" if lang == "fr" else "Severity",
                        "value": _SEVERITY[lang][notice.severity],
                    },
                    {"short": True, "title": "Événement" if lang == "fr" else "Event", "value": notice.event},
                ],
            }
        ],
        "props": {"vigie_event": notice.event},
    }


def teams_payload(notice: Notice, language: str = "fr") -> dict[str, object]:
    """A Teams message holding one Adaptive Card (what Teams "Workflows" webhooks accept)."""
    lang = _lang(language)
    body: list[dict[str, object]] = [
        {
            "type": "TextBlock",
            "text": notice.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": _TEAMS_COLOUR[notice.severity],
        },
        {"type": "TextBlock", "text": notice.body, "wrap": True},
        {
            "type": "FactSet",
            "facts": [
                {
                    "title": "Sévérité" if lang == "fr" else "Severity",
                    "value": _SEVERITY[lang][notice.severity],
                },
                {"title": "Événement" if lang == "fr" else "Event", "value": notice.event},
            ],
        },
    ]
    card: dict[str, object] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if notice.url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": _OPEN[lang], "url": notice.url}]
    return {
        "type": "message",
        "summary": notice.title[:150],
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def send_slack(notice: Notice, webhook_url: str, language: str = "fr") -> None:
    """Post ``notice`` to a Slack incoming webhook. Raises ``DeliveryError``."""
    post_json(webhook_url, slack_payload(notice, language), "Slack", notice.event)


def send_mattermost(notice: Notice, webhook_url: str, language: str = "fr") -> None:
    """Post ``notice`` to a Mattermost incoming webhook. Raises ``DeliveryError``."""
    post_json(webhook_url, mattermost_payload(notice, language), "Mattermost", notice.event)


def send_teams(notice: Notice, webhook_url: str, language: str = "fr") -> None:
    """Post ``notice`` to a Microsoft Teams incoming webhook. Raises ``DeliveryError``."""
    post_json(webhook_url, teams_payload(notice, language), "Teams", notice.event)
