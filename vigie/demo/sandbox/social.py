"""The sandbox's stand-ins of YouTube (Data API v3), Reddit (OAuth API) and the private messages
of Messenger, Instagram Direct and X, shaped as the platforms answer.

YouTube and Reddit serve a few fixed items about the demo organisation (stable ids and times, so
a second poll finds nothing new and nothing deleted), take replies and moderation into the journal.
The conversations of Messenger / Instagram Direct and X's ``dm_events`` hold one message from the
author of the newest open case of that platform, written just before the sandbox started: once
polled, it appears in that case's conversation, as a customer answering privately would.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from vigie.demo.sandbox.routes import Answer, Handler, Journal, Write, _digest, _now, _z

_SEGMENT = r"[^/]+"
# The day the sandbox process started, at 08:00 UTC: the fixed items' time, stable across polls.
_DAY = datetime.now(tz=UTC).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=1)
# When the customer's private message was written: a few minutes before the sandbox started.
_STARTED = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(minutes=5)

# --- YouTube Data API v3 ------------------------------------------------------------------------

YOUTUBE_CHANNEL = "UCm7HorizonMutuelle0Demo"
YOUTUBE_VIDEO = "hZ9mT2pQx4E"
_YOUTUBE_COMMENTS = (
    (
        "UgzHorizon1DemoThreadAaABAg",
        "Camille R.",
        "UCcamilleR0000000000000",
        "Vidéo claire, mais toujours aucun remboursement de mes lunettes depuis trois semaines…",
    ),
    (
        "UgxHorizon2DemoThreadAaABAg",
        "Karim B.",
        "UCkarimB000000000000000",
        "Merci pour le tuto sur l'espace adhérent, enfin compris comment envoyer mes factures !",
    ),
)


def _youtube_comment(
    comment_id: str, author: str, author_channel: str, text: str, at: datetime
) -> dict[str, Any]:
    return {
        "kind": "youtube#comment",
        "etag": _digest(comment_id)[:27],
        "id": comment_id,
        "snippet": {
            "channelId": YOUTUBE_CHANNEL,
            "videoId": YOUTUBE_VIDEO,
            "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": author,
            "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/demo=s48-c-k-c0x00ffffff-no-rj",
            "authorChannelUrl": f"http://www.youtube.com/channel/{author_channel}",
            "authorChannelId": {"value": author_channel},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 2,
            "publishedAt": _z(at).replace(".000", ""),
            "updatedAt": _z(at).replace(".000", ""),
        },
    }


def _youtube_threads() -> list[dict[str, Any]]:
    return [
        {
            "kind": "youtube#commentThread",
            "etag": _digest("thread", comment_id)[:27],
            "id": comment_id,
            "snippet": {
                "channelId": YOUTUBE_CHANNEL,
                "videoId": YOUTUBE_VIDEO,
                "topLevelComment": _youtube_comment(
                    comment_id, author, channel, text, _DAY + timedelta(hours=index)
                ),
                "canReply": True,
                "totalReplyCount": 0,
                "isPublic": True,
            },
        }
        for index, (comment_id, author, channel, text) in enumerate(_YOUTUBE_COMMENTS)
    ]


def youtube_token(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(
        json={
            "access_token": "sandbox-youtube",
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            "token_type": "Bearer",
        }
    )


def youtube_channels(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(
        json={
            "kind": "youtube#channelListResponse",
            "items": [
                {
                    "kind": "youtube#channel",
                    "id": YOUTUBE_CHANNEL,
                    "snippet": {"title": "Mutuelle Horizon", "customUrl": "@mutuellehorizon"},
                }
            ],
        }
    )


def youtube_threads(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    threads = _youtube_threads()
    return Answer(
        json={
            "kind": "youtube#commentThreadListResponse",
            "etag": _digest("threads")[:27],
            "pageInfo": {"totalResults": len(threads), "resultsPerPage": 20},
            "items": threads,
        }
    )


def youtube_comments(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """``comments.list``: the replies of a thread (none), or the comments asked by id that exist."""
    asked = {value for value in str(body.get("id") or "").split(",") if value}
    found = [thread["snippet"]["topLevelComment"] for thread in _youtube_threads() if thread["id"] in asked]
    return Answer(json={"kind": "youtube#commentListResponse", "items": found})


def youtube_insert(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    snippet = body.get("snippet") if isinstance(body.get("snippet"), dict) else {}
    parent = str((snippet or {}).get("parentId") or "")
    text = str((snippet or {}).get("textOriginal") or "")
    journal(Write(_now(), "YouTube", "reply", parent, text))
    reply = _youtube_comment(
        f"{parent}.AZ{_digest(parent, text)[:20]}", "Mutuelle Horizon", YOUTUBE_CHANNEL, text, _now()
    )
    reply["snippet"]["parentId"] = parent
    return Answer(json=reply)


def youtube_moderate(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    status = str(body.get("moderationStatus") or "")
    action = {"heldForReview": "hide", "published": "show", "rejected": "delete"}.get(status, status)
    journal(Write(_now(), "YouTube", action, str(body.get("id") or ""), ""))
    return Answer(status=204, text="", content_type="text/plain")


def youtube_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "YouTube", "delete", str(body.get("id") or ""), ""))
    return Answer(status=204, text="", content_type="text/plain")


# --- Reddit ---------------------------------------------------------------------------------

REDDIT_ACCOUNT = "MutuelleHorizon"
_REDDIT_POST = {
    "id": "1h9mhz2",
    "name": "t3_1h9mhz2",
    "subreddit": "france",
    "title": "Mutuelle Horizon : quelqu'un a réussi à joindre le service client ?",
    "selftext": "Trois appels, 45 minutes d'attente à chaque fois. Des conseils ?",
    "author": "pseudo_lyonnais",
    "author_fullname": "t2_8x7w6v5u",
    "permalink": "/r/france/comments/1h9mhz2/mutuelle_horizon_quelquun_a_réussi_à_joindre_le/",
    "url": "https://www.reddit.com/r/france/comments/1h9mhz2/mutuelle_horizon_quelquun_a_réussi_à_joindre_le/",
    "score": 14,
    "num_comments": 1,
    "num_crossposts": 0,
    "subreddit_subscribers": 2_650_000,
    "edited": False,
}
_REDDIT_COMMENT = {
    "id": "m1hz3kq",
    "name": "t1_m1hz3kq",
    "subreddit": "france",
    "body": "Passez par la messagerie de l'espace adhérent, ils répondent sous 48 h chez moi.",
    "author": "chti_conseil",
    "author_fullname": "t2_3c4d5e6f",
    "parent_id": "t3_1h9mhz2",
    "link_id": "t3_1h9mhz2",
    "link_title": _REDDIT_POST["title"],
    "permalink": "/r/france/comments/1h9mhz2/mutuelle_horizon_quelquun_a_réussi_à_joindre_le/m1hz3kq/",
    "score": 5,
    "edited": False,
}


def _reddit_things() -> dict[str, tuple[str, dict[str, Any]]]:
    created = _DAY.timestamp()
    return {
        "t3_1h9mhz2": ("t3", {**_REDDIT_POST, "created_utc": created}),
        "t1_m1hz3kq": ("t1", {**_REDDIT_COMMENT, "created_utc": created + 1800}),
    }


def _listing(names: list[str]) -> Answer:
    things = _reddit_things()
    children = [{"kind": things[name][0], "data": things[name][1]} for name in names if name in things]
    return Answer(
        json={
            "kind": "Listing",
            "data": {
                "after": None,
                "before": None,
                "dist": len(children),
                "modhash": "",
                "children": children,
            },
        }
    )


def reddit_token(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(
        json={"access_token": "sandbox-reddit", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
    )


def reddit_me(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"name": REDDIT_ACCOUNT, "id": "1a2b3c"})


def reddit_new(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return _listing(["t3_1h9mhz2"] if match.group("sub").lower() == "france" else [])


def reddit_comments(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return _listing(["t1_m1hz3kq"] if match.group("sub").lower() == "france" else [])


def reddit_search(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return _listing([])


def reddit_info(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return _listing([name for name in str(body.get("id") or "").split(",") if name])


def reddit_comment(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    parent = str(body.get("thing_id") or "")
    text = str(body.get("text") or "")
    journal(Write(_now(), "Reddit", "reply", parent, text))
    comment_id = "m" + _digest(parent, text)[:6]
    data = {
        "id": comment_id,
        "name": f"t1_{comment_id}",
        "body": text,
        "author": REDDIT_ACCOUNT,
        "parent_id": parent,
        "created_utc": _now().timestamp(),
        "permalink": f"/r/france/comments/1h9mhz2/_/{comment_id}/",
        "subreddit": "france",
    }
    return Answer(json={"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": data}]}}})


def reddit_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Reddit", "delete", str(body.get("id") or ""), ""))
    return Answer(json={})


# --- private messages ---------------------------------------------------------------------------


def _open_case_author(platform: str) -> tuple[str, str, str, datetime] | None:
    """The newest open case of ``platform`` with a known author: (author id, name, handle, time)."""
    from vigie.demo import DEMO_SLUG
    from vigie.inbox.models import OPEN_STATUSES, Case

    case = (
        Case.objects.filter(
            organisation__slug=DEMO_SLUG,
            status__in=OPEN_STATUSES,
            mention__source__platform=platform,
            mention__author__isnull=False,
        )
        .exclude(mention__kind="private_message")
        .select_related("mention__author")
        .order_by("-mention__created_at", "-pk")
        .first()
    )
    if case is None or case.mention.author is None:
        return None
    author = case.mention.author
    # Stable while the sandbox runs (a second poll finds nothing new), and recent enough that the
    # platforms' 24-hour window allows an answer.
    return author.external_id, author.display_name or author.handle, author.handle, _STARTED


_PRIVATE_TEXT = (
    "Je vous écris en privé comme demandé : mon numéro d'adhérent est dans mon profil. Merci de me rappeler."
)


def meta_conversations(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """``/{id}/conversations``: one conversation, a message from the newest open case's author."""
    platform = "instagram" if body.get("platform") == "instagram" else "facebook"
    found = _open_case_author(platform)
    if found is None:
        return Answer(json={"data": [], "paging": {}})
    author_id, name, handle, written = found
    stamp = written.strftime("%Y-%m-%dT%H:%M:%S+0000")
    account = match.group("node")
    sender: dict[str, str] = {"id": author_id}
    if platform == "instagram":
        sender["username"] = handle or name
    else:
        sender |= {"name": name, "email": f"{author_id}@facebook.com"}
    message = {
        "id": "m_" + _digest("demo-dm", platform, author_id)[:40],
        "created_time": stamp,
        "from": sender,
        "to": {"data": [{"id": account, "name": "Mutuelle Horizon"}]},
        "message": _PRIVATE_TEXT,
    }
    conversation = {
        "id": "t_" + _digest("demo-conversation", author_id)[:16],
        "updated_time": stamp,
        "messages": {"data": [message], "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}},
    }
    return Answer(json={"data": [conversation], "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}})


def x_dm_events(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """``GET /2/dm_events``: one message from the author of the newest open X case."""
    found = _open_case_author("x")
    if found is None:
        return Answer(json={"meta": {"result_count": 0}})
    author_id, name, handle, written = found
    # A snowflake id of that instant, so ids and times agree as on X.
    event_id = str((int(written.timestamp() * 1000) - 1288834974657) << 22 | int(_digest(author_id)[:4], 16))
    event = {
        "id": event_id,
        "event_type": "MessageCreate",
        "text": _PRIVATE_TEXT,
        "sender_id": author_id,
        "dm_conversation_id": f"1287346650192384001-{author_id}",
        "created_at": _z(written),
        "participant_ids": ["1287346650192384001", author_id],
    }
    user = {"id": author_id, "name": name, "username": handle or name}
    return Answer(json={"data": [event], "includes": {"users": [user]}, "meta": {"result_count": 1}})


def x_dm_send(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    participant = match.group("participant")
    text = str(body.get("text") or "")
    journal(Write(_now(), "X (message privé)", "message", participant, text))
    event_id = str(1_870_000_000_000_000_000 + int(_digest(participant, text)[:12], 16) % 10**15)
    return Answer(
        status=201,
        json={"data": {"dm_conversation_id": f"1287346650192384001-{participant}", "dm_event_id": event_id}},
    )


ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("POST", r"/youtube/oauth2/v4/token", youtube_token),
    ("GET", r"/youtube/youtube/v3/channels", youtube_channels),
    ("GET", r"/youtube/youtube/v3/commentThreads", youtube_threads),
    ("GET", r"/youtube/youtube/v3/comments", youtube_comments),
    ("POST", r"/youtube/youtube/v3/comments", youtube_insert),
    ("POST", r"/youtube/youtube/v3/comments/setModerationStatus", youtube_moderate),
    ("DELETE", r"/youtube/youtube/v3/comments", youtube_delete),
    ("POST", r"/reddit/api/v1/access_token", reddit_token),
    ("GET", r"/reddit/api/v1/me", reddit_me),
    ("GET", rf"/reddit/r/(?P<sub>{_SEGMENT})/new", reddit_new),
    ("GET", rf"/reddit/r/(?P<sub>{_SEGMENT})/comments", reddit_comments),
    ("GET", r"/reddit/search", reddit_search),
    ("GET", r"/reddit/api/info", reddit_info),
    ("POST", r"/reddit/api/comment", reddit_comment),
    ("POST", r"/reddit/api/del", reddit_delete),
    ("GET", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})/conversations", meta_conversations),
    ("GET", r"/x/2/dm_events", x_dm_events),
    ("POST", rf"/x/2/dm_conversations/with/(?P<participant>{_SEGMENT})/messages", x_dm_send),
)
