"""What each platform's stand-in answers: the routes Vigie's connectors call, shaped as the platform.

Reads answer "nothing new" (the demo's history is already loaded), so a poll succeeds and the
source's health is true; Google's reviews are served from what the demo stored, so that its daily
full read finds them all. Writes (a reply, its edit, its deletion) are answered as the platform
answers them and kept in the sandbox's journal, which its home page shows: a user who publishes
from the demo sees the reply arrive "on the platform".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any] | list[Any]


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: a status, and a JSON body or a text one with its content type."""

    status: int = 200
    json: JSON | None = None
    text: str = ""
    content_type: str = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Write:
    """A write the sandbox received: what a platform would now show."""

    at: datetime
    platform: str
    action: str  # reply / post / delete / hide / show / message
    target: str
    text: str


Journal = Callable[[Write], None]
Handler = Callable[[re.Match[str], dict[str, Any], Journal], Answer]


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _z(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- Google Business Profile ------------------------------------------------------------------


def google_token(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"access_token": "sandbox-google", "expires_in": 3599, "token_type": "Bearer"})


def google_locations(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """The Business Information API's list of the account's locations: the demo's agencies, with
    the address and postcode Vigie maps them by."""
    from vigie.demo.organisation import LOCATIONS

    return Answer(
        json={
            "locations": [
                {
                    "name": f"locations/{loc.gbp_location_id}",
                    "title": loc.name,
                    "storefrontAddress": {
                        "regionCode": "FR",
                        "postalCode": loc.postcode,
                        "locality": loc.city,
                        "addressLines": [loc.address],
                    },
                    "metadata": {
                        "placeId": loc.gbp_place_id,
                        "mapsUri": f"https://maps.google.com/maps?cid={loc.gbp_location_id}",
                        "newReviewUri": f"https://search.google.com/local/writereview?placeid={loc.gbp_place_id}",
                    },
                }
                for loc in LOCATIONS
            ],
            "totalSize": len(LOCATIONS),
        }
    )


# The owner replies published through the sandbox, by review id: Google lists a review with its
# reply (``reviewReply``) once one is posted, so the next poll reads it back as the real API does.
_GOOGLE_REPLIES: dict[str, dict[str, str]] = {}


def forget_replies() -> None:
    """Start from a platform where no reply was posted (a new sandbox)."""
    _GOOGLE_REPLIES.clear()


def _with_reply(raw: dict[str, Any]) -> dict[str, Any]:
    reply = _GOOGLE_REPLIES.get(str(raw.get("reviewId", "")))
    return {**raw, "reviewReply": reply} if reply else raw


def google_reviews(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """The location's reviews as Google lists them (most recently updated first), read back from
    what the demo stored: a full read by the connector finds every review still there."""
    from vigie.mentions.models import Mention

    prefix = f"accounts/{match.group('account')}/locations/{match.group('location')}/reviews/"
    reviews = Mention.objects.filter(external_id__startswith=prefix, deleted_at__isnull=True)
    try:
        size = max(1, min(int(body.get("pageSize") or 50), 50))
        offset = max(0, int(body.get("pageToken") or 0))
    except ValueError:
        return Answer(
            status=400, json={"error": {"code": 400, "message": "bad page", "status": "INVALID_ARGUMENT"}}
        )
    total = reviews.count()
    page = [
        _with_reply(raw)
        for raw in reviews.order_by("-updated_at", "-pk").values_list("raw", flat=True)[
            offset : offset + size
        ]
    ]
    answer: dict[str, Any] = {"reviews": page, "totalReviewCount": total}
    if offset + size < total:
        answer["nextPageToken"] = str(offset + size)
    return Answer(json=answer)


def google_reply(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    comment = str(body.get("comment") or "")
    journal(Write(_now(), "Google", "reply", match.group("review"), comment))
    reply = {"comment": comment, "updateTime": _z(_now())}
    _GOOGLE_REPLIES[match.group("review")] = reply
    return Answer(json=reply)


def google_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Google", "delete", match.group("review"), ""))
    _GOOGLE_REPLIES.pop(match.group("review"), None)
    return Answer(json={})


# --- Trustpilot -------------------------------------------------------------------------------


def trustpilot_token(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    # Trustpilot sends ``expires_in`` as a string.
    return Answer(json={"access_token": "sandbox-trustpilot", "expires_in": "359999", "token_type": "Bearer"})


def trustpilot_business_unit(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    """The business unit as Trustpilot's ``GET /v1/business-units/{id}`` describes it (what the
    connector's connection test reads): its names, score and review counts, from the demo's reviews."""
    from vigie.demo.organisation import ORG_NAME, ORG_TRUSTPILOT_BUSINESS_UNIT, ORG_WEBSITE
    from vigie.mentions.models import Mention

    unit = match.group("unit")
    if unit != ORG_TRUSTPILOT_BUSINESS_UNIT:
        return Answer(status=404, json={"fault": {"faultstring": "Business unit not found"}})
    ratings = [
        int(rating)
        for rating in Mention.objects.filter(
            source__platform="trustpilot", deleted_at__isnull=True, rating__isnull=False
        ).values_list("rating", flat=True)
    ]
    counts = {stars: ratings.count(stars) for stars in range(1, 6)}
    score = round(sum(ratings) / len(ratings), 1) if ratings else 0
    domain = ORG_WEBSITE.split("//", 1)[-1].removeprefix("www.")
    return Answer(
        json={
            "links": [],
            "id": unit,
            "displayName": ORG_NAME,
            "name": {"identifying": domain, "referring": [domain, f"www.{domain}"]},
            "websiteUrl": ORG_WEBSITE,
            "country": "FR",
            "status": "active",
            "score": {"trustScore": score, "stars": round(score * 2) / 2},
            "numberOfReviews": {
                "total": len(ratings),
                "usedForTrustScoreCalculation": len(ratings),
                "oneStar": counts[1],
                "twoStars": counts[2],
                "threeStars": counts[3],
                "fourStars": counts[4],
                "fiveStars": counts[5],
            },
        }
    )


def trustpilot_reviews(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"reviews": [], "links": []})


def trustpilot_reply(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Trustpilot", "reply", match.group("review"), str(body.get("message") or "")))
    return Answer(status=201, json={})


def trustpilot_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Trustpilot", "delete", match.group("review"), ""))
    return Answer(status=204, text="", content_type="text/plain")


# --- Mastodon ---------------------------------------------------------------------------------

_MASTODON_ACCOUNT = {
    "id": "109000000000000001",
    "username": "mutuellehorizon",
    "acct": "mutuellehorizon",
    "display_name": "Mutuelle Horizon",
    "url": "https://mastodon.social/@mutuellehorizon",
    "followers_count": 1280,
}


def mastodon_empty_list(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json=[])


def mastodon_search(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"accounts": [], "statuses": [], "hashtags": []})


def mastodon_account(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json=_MASTODON_ACCOUNT)


def mastodon_post(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    text = str(body.get("status") or "")
    target = str(body.get("in_reply_to_id") or "")
    journal(Write(_now(), "Mastodon", "reply" if target else "post", target, text))
    status_id = str(113_000_000_000_000_000 + int(_digest(target, text)[:12], 16) % 10**15)
    return Answer(
        json={
            "id": status_id,
            "uri": f"https://mastodon.social/users/mutuellehorizon/statuses/{status_id}",
            "url": f"https://mastodon.social/@mutuellehorizon/{status_id}",
            "created_at": _z(_now()),
            "content": f"<p>{text}</p>",
            "visibility": str(body.get("visibility") or "public"),
            "in_reply_to_id": target,
            "account": _MASTODON_ACCOUNT,
        }
    )


def mastodon_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Mastodon", "delete", match.group("status"), ""))
    return Answer(json={})


# --- Bluesky ----------------------------------------------------------------------------------

_BLUESKY_DID = "did:plc:mhorizon7q2xk4vd3wz5ylbe"


def bluesky_session(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(
        json={
            "did": _BLUESKY_DID,
            "handle": str(body.get("identifier") or "mutuellehorizon.bsky.social"),
            "accessJwt": "sandbox-access",
            "refreshJwt": "sandbox-refresh",
        }
    )


def bluesky_notifications(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"notifications": []})


def bluesky_search(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"posts": []})


def bluesky_create(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    record = body.get("record") or {}
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri", "")
    text = str(record.get("text") or "")
    journal(Write(_now(), "Bluesky", "reply" if parent else "post", str(parent), text))
    rkey = "3l" + _digest(str(parent), text)[:11]
    return Answer(
        json={"uri": f"at://{_BLUESKY_DID}/app.bsky.feed.post/{rkey}", "cid": "bafyrei" + _digest(rkey)[:40]}
    )


def bluesky_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Bluesky", "delete", str(body.get("rkey") or ""), ""))
    return Answer(json={})


# --- Meta (Facebook, Instagram) ---------------------------------------------------------------


def meta_list(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"data": [], "paging": {}})


def meta_node(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(
        json={"id": match.group("node"), "name": "Mutuelle Horizon", "username": "mutuelle.horizon"}
    )


def meta_reply(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    target = match.group("node")
    text = str(body.get("message") or "")
    platform = "Instagram" if match.group("edge") == "replies" else "Facebook"
    journal(Write(_now(), platform, "reply", target, text))
    return Answer(json={"id": f"{target}_{_digest(target, text)[:15]}"})


def meta_feed_post(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    page = match.group("node")
    text = str(body.get("message") or "")
    journal(Write(_now(), "Facebook", "post", page, text))
    return Answer(json={"id": f"{page}_{_digest(page, text)[:15]}"})


def meta_message(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    text = str((body.get("message") or {}).get("text") or "") if isinstance(body.get("message"), dict) else ""
    recipient = body.get("recipient") or {}
    target = (
        str(recipient.get("comment_id") or recipient.get("id") or "") if isinstance(recipient, dict) else ""
    )
    journal(Write(_now(), "Messenger / Direct", "message", target, text))
    return Answer(json={"recipient_id": target, "message_id": "m_" + _digest(target, text)[:30]})


def meta_moderate(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    hidden = str(body.get("is_hidden", body.get("hide", ""))).lower() in {"true", "1"}
    journal(Write(_now(), "Meta", "hide" if hidden else "show", match.group("node"), ""))
    return Answer(json={"success": True})


def meta_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "Meta", "delete", match.group("node"), ""))
    return Answer(json={"success": True})


# --- X ---------------------------------------------------------------------------------------

_X_USER = {"id": "1287346650192384001", "username": "MutuelleHorizon", "name": "Mutuelle Horizon"}


def x_token(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    # X rotates its refresh tokens: each renewal hands a new one.
    return Answer(
        json={
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": "sandbox-x-access",
            "refresh_token": "sandbox-x-refresh-" + _digest(_z(_now()))[:8],
            "scope": "tweet.read tweet.write users.read offline.access",
        }
    )


def x_empty(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"meta": {"result_count": 0}})


def x_user(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    return Answer(json={"data": {**_X_USER, "public_metrics": {"followers_count": 5400}}})


def x_post(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    text = str(body.get("text") or "")
    reply = body.get("reply") or {}
    target = str(reply.get("in_reply_to_tweet_id") or "") if isinstance(reply, dict) else ""
    journal(Write(_now(), "X", "reply" if target else "post", target, text))
    post_id = str(1_860_000_000_000_000_000 + int(_digest(target, text)[:12], 16) % 10**15)
    return Answer(
        status=201, json={"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}
    )


def x_delete(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    journal(Write(_now(), "X", "delete", match.group("post"), ""))
    return Answer(json={"data": {"deleted": True}})


# --- Feeds ------------------------------------------------------------------------------------


def feed(match: re.Match[str], body: dict[str, Any], journal: Journal) -> Answer:
    title = {"press": "Alertes Google — Mutuelle Horizon", "forum": "Forum Conso Entraide"}.get(
        match.group("name"), "Flux"
    )
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://www.mutuelle-horizon.example</link>"
        "<description>Flux de démonstration</description><language>fr</language>"
        "</channel></rss>"
    )
    return Answer(text=rss, content_type="application/rss+xml; charset=utf-8")


_SEGMENT = r"[^/]+"
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("POST", r"/google/token", google_token),
    ("GET", rf"/google/v1/accounts/{_SEGMENT}/locations", google_locations),
    (
        "GET",
        rf"/google/v4/accounts/(?P<account>{_SEGMENT})/locations/(?P<location>{_SEGMENT})/reviews",
        google_reviews,
    ),
    (
        "PUT",
        rf"/google/v4/accounts/{_SEGMENT}/locations/{_SEGMENT}/reviews/(?P<review>{_SEGMENT})/reply",
        google_reply,
    ),
    (
        "DELETE",
        rf"/google/v4/accounts/{_SEGMENT}/locations/{_SEGMENT}/reviews/(?P<review>{_SEGMENT})/reply",
        google_delete,
    ),
    ("POST", r"/trustpilot/v1/oauth/oauth-business-users-for-applications/accesstoken", trustpilot_token),
    ("GET", rf"/trustpilot/v1/business-units/{_SEGMENT}/reviews", trustpilot_reviews),
    ("GET", rf"/trustpilot/v1/business-units/(?P<unit>{_SEGMENT})", trustpilot_business_unit),
    ("POST", rf"/trustpilot/v1/private/reviews/(?P<review>{_SEGMENT})/reply", trustpilot_reply),
    ("DELETE", rf"/trustpilot/v1/private/reviews/(?P<review>{_SEGMENT})/reply", trustpilot_delete),
    ("GET", r"/mastodon/api/v1/notifications", mastodon_empty_list),
    ("GET", rf"/mastodon/api/v1/timelines/tag/{_SEGMENT}", mastodon_empty_list),
    ("GET", r"/mastodon/api/v2/search", mastodon_search),
    ("GET", r"/mastodon/api/v1/accounts/verify_credentials", mastodon_account),
    ("POST", r"/mastodon/api/v1/statuses", mastodon_post),
    ("DELETE", rf"/mastodon/api/v1/statuses/(?P<status>{_SEGMENT})", mastodon_delete),
    ("POST", r"/bluesky/xrpc/com\.atproto\.server\.(?:createSession|refreshSession)", bluesky_session),
    ("GET", r"/bluesky/xrpc/app\.bsky\.notification\.listNotifications", bluesky_notifications),
    ("GET", r"/bluesky/xrpc/app\.bsky\.feed\.searchPosts", bluesky_search),
    ("POST", r"/bluesky/xrpc/com\.atproto\.repo\.createRecord", bluesky_create),
    ("POST", r"/bluesky/xrpc/com\.atproto\.repo\.deleteRecord", bluesky_delete),
    ("GET", r"/feeds/(?P<name>[a-z]+)", feed),
    ("POST", r"/x/2/oauth2/token", x_token),
    ("GET", rf"/x/2/users/{_SEGMENT}/mentions", x_empty),
    ("GET", r"/x/2/tweets/search/recent", x_empty),
    ("GET", rf"/x/2/users/{_SEGMENT}", x_user),
    ("POST", r"/x/2/tweets", x_post),
    ("DELETE", rf"/x/2/tweets/(?P<post>{_SEGMENT})", x_delete),
    ("GET", rf"/meta/v[\d.]+/{_SEGMENT}/(?:feed|comments|ratings|media|tags)", meta_list),
    ("GET", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})", meta_node),
    ("POST", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})/(?P<edge>comments|replies)", meta_reply),
    ("POST", rf"/meta/v[\d.]+/{_SEGMENT}/messages", meta_message),
    ("POST", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})/feed", meta_feed_post),
    ("POST", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})", meta_moderate),
    ("DELETE", rf"/meta/v[\d.]+/(?P<node>{_SEGMENT})", meta_delete),
)
_compiled: tuple[tuple[str, re.Pattern[str], Handler], ...] = ()


def _table() -> tuple[tuple[str, re.Pattern[str], Handler], ...]:
    global _compiled
    if not _compiled:
        # YouTube, Reddit and the private messages live in their own module (which builds on this one).
        from vigie.demo.sandbox.social import ROUTES as SOCIAL_ROUTES

        _compiled = tuple(
            (method, re.compile(pattern + r"/?"), handler)
            for method, pattern, handler in SOCIAL_ROUTES + ROUTES
        )
    return _compiled


def route(method: str, path: str) -> tuple[Handler, re.Match[str]] | None:
    """The handler of ``method path``, with the path's named parts, or None."""
    for route_method, pattern, handler in _table():
        if route_method == method:
            match = pattern.fullmatch(path)
            if match is not None:
                return handler, match
    return None
