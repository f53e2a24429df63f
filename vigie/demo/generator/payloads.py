"""Identity: each mention's external id, URL and raw payload, shaped like the platform's own API."""

from __future__ import annotations

import html
import random
from datetime import UTC, timedelta
from email.utils import format_datetime
from typing import Any

from vigie.demo import corpus
from vigie.demo.generator.draws import _choice, _randint
from vigie.demo.generator.ids import (
    _X_EPOCH_MS,
    _ascii_slug,
    _digest,
    _hex_id,
    _meta,
    _opaque,
    _tid,
    _z,
    _z_ms,
)
from vigie.demo.generator.records import AuthorRecord, MentionRecord
from vigie.demo.generator.state import _Person, _State
from vigie.demo.generator.timeline import PARIS
from vigie.demo.organisation import (
    LOCATIONS_BY_KEY,
    ORG_FACEBOOK_PAGE_ID,
    ORG_GBP_ACCOUNT_ID,
    ORG_NAME,
    ORG_TRUSTPILOT_BUSINESS_UNIT,
    LocationSpec,
)


def _nps(rng: random.Random, sentiment: str) -> int:
    """A 0–10 recommendation score matching the answer's tone (kept in the survey payload only)."""
    if sentiment == "negative":
        return _randint(rng, 0, 6)
    return _randint(rng, 9, 10) if sentiment == "positive" else _randint(rng, 6, 8)


class Payloads(_State):
    def _identity(self, m: MentionRecord, person: _Person, location: LocationSpec | None) -> None:
        rng = self.rng
        ref = m.ref
        created = m.created_at
        seconds = int(created.timestamp())
        author = m.author
        source_key = m.source_key
        if source_key.startswith("google_"):
            loc = LOCATIONS_BY_KEY[source_key.removeprefix("google_")]
            review_id = _opaque("AbFvOq", ref, self.seed)
            name = f"accounts/{ORG_GBP_ACCOUNT_ID}/locations/{loc.gbp_location_id}/reviews/{review_id}"
            anonymous = person.pid % 17 == 0
            reviewer: dict[str, Any] = (
                {"displayName": "Un utilisateur de Google", "isAnonymous": True}
                if anonymous
                else {
                    "displayName": author.display_name if author else "",
                    "profilePhotoUrl": f"https://lh3.googleusercontent.com/a-/ALV-{_opaque('', person.pid)}=s120-c",
                    "isAnonymous": False,
                }
            )
            if anonymous:
                m.author = None
            m.external_id = name
            m.url = f"https://www.google.com/maps/place/?q=place_id:{loc.gbp_place_id}&review={review_id}"
            m.raw = {
                "name": name,
                "reviewId": review_id,
                "reviewer": reviewer,
                "starRating": m.rating_raw,
                "createTime": _z(created),
                "updateTime": _z(created),
            }
            if m.text:
                m.raw["comment"] = m.text
        elif source_key == "trustpilot":
            review_id = _hex_id(ref, self.seed)
            m.external_id = review_id
            m.url = f"https://fr.trustpilot.com/reviews/{review_id}"
            m.raw = {
                "id": review_id,
                "consumer": {
                    "id": author.external_id if author else "",
                    "displayName": author.display_name if author else "",
                    "displayLocation": f"{(location or LOCATIONS_BY_KEY[person.location_key]).city}, FR",
                    "numberOfReviews": 1 + person.pid % 9,
                },
                "businessUnit": {
                    "id": ORG_TRUSTPILOT_BUSINESS_UNIT,
                    "identifyingName": "mutuelle-horizon.example",
                    "displayName": ORG_NAME,
                },
                "stars": int(m.rating_raw),
                "title": m.title,
                "text": m.text,
                "language": m.language,
                "createdAt": _z(created),
                "experiencedAt": _z(created - timedelta(days=_randint(rng, 0, 20))),
                "updatedAt": None,
                "companyReply": None,
                "isVerified": rng.random() < 0.6,
                "numberOfLikes": m.likes,
                "status": "active",
                "location": None,
            }
        elif source_key == "facebook":
            page_post = 10_160_000_000_000_000 + (seconds // 172_800) * 7  # the page posts every two days
            if m.kind == "post":
                post_id = f"{ORG_FACEBOOK_PAGE_ID}_{10_180_000_000_000_000 + ref}"
                m.external_id = post_id
                m.url = (
                    f"https://www.facebook.com/{ORG_FACEBOOK_PAGE_ID}/posts/{10_180_000_000_000_000 + ref}/"
                )
                m.raw = {
                    "id": post_id,
                    "message": m.text,
                    "created_time": _meta(created),
                    "permalink_url": m.url,
                    "from": {"name": author.display_name, "id": author.external_id} if author else {},
                    "shares": {"count": m.shares},
                    "reactions": {"summary": {"total_count": m.likes}},
                    "comments": {"summary": {"total_count": m.replies_count}},
                }
            else:
                comment_id = 10_170_000_000_000_000 + ref
                post = m.parent_external_id.split("_")[0] if m.parent_external_id else str(page_post)
                m.external_id = f"{post}_{comment_id}"
                m.url = (
                    f"https://www.facebook.com/{ORG_FACEBOOK_PAGE_ID}/posts/{post}/?comment_id={comment_id}"
                )
                m.raw = {
                    "id": m.external_id,
                    "from": {"name": author.display_name, "id": author.external_id} if author else {},
                    "message": m.text,
                    "created_time": _meta(created),
                    "like_count": m.likes,
                    "comment_count": m.replies_count,
                    "permalink_url": m.url,
                    "can_reply_privately": True,
                    "is_hidden": False,
                }
                if m.parent_external_id:
                    m.raw["parent"] = {"id": m.parent_external_id}
        elif source_key == "x":
            millis = seconds * 1000 + (ref >> 22) % 1000
            tweet_id = str(((millis - _X_EPOCH_MS) << 22) | (ref & 0x3FFFFF))
            handle = author.handle if author else "user"
            m.external_id = tweet_id
            m.url = f"https://x.com/{handle}/status/{tweet_id}"
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": m.text,
                "author_id": author.external_id if author else "",
                "conversation_id": m.parent_external_id or tweet_id,
                "created_at": _z_ms(created),
                "lang": m.language,
                "reply_settings": "everyone",
                "edit_history_tweet_ids": [tweet_id],
                "public_metrics": {
                    "retweet_count": m.shares,
                    "reply_count": m.replies_count,
                    "like_count": m.likes,
                    "quote_count": m.shares // 5,
                    "bookmark_count": m.likes // 20,
                    "impression_count": m.reach,
                },
            }
            if m.parent_external_id:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": m.parent_external_id}]
            x_user: dict[str, Any] = {
                "id": author.external_id if author else "",
                "name": author.display_name if author else "",
                "username": handle,
                "verified": person.role == "influencer",
                "public_metrics": {
                    "followers_count": person.followers,
                    "following_count": 100 + person.pid % 700,
                },
            }
            m.raw = {"data": tweet, "includes": {"users": [x_user]}}
        elif source_key == "instagram":
            ig_comment_id = str(17_900_000_000_000_000 + ref)
            media_id = str(17_955_000_000_000_000 + (seconds // 259_200))
            handle = author.handle if author else ""
            m.external_id = ig_comment_id
            m.url = (
                f"https://www.instagram.com/p/{_opaque('', seconds // 259_200, length=11)}/c/{ig_comment_id}/"
            )
            m.raw = {
                "id": ig_comment_id,
                "text": m.text,
                "timestamp": _meta(created),
                "username": handle,
                "like_count": m.likes,
                "hidden": False,
                "from": {"id": author.external_id if author else "", "username": handle},
                "media": {"id": media_id},
            }
            if m.parent_external_id:
                m.raw["parent_id"] = m.parent_external_id
        elif source_key == "mastodon":
            millis = seconds * 1000 + (ref >> 16) % 1000
            status_id = str((millis << 16) | (ref & 0xFFFF))
            acct = author.handle if author else ""
            username, _, instance = acct.partition("@")
            m.external_id = status_id
            m.url = f"https://{instance}/@{username}/{status_id}"
            m.html = f"<p>{html.escape(m.text)}</p>"
            m.raw = {
                "id": status_id,
                "uri": f"https://{instance}/users/{username}/statuses/{status_id}",
                "url": m.url,
                "created_at": _z_ms(created),
                "edited_at": None,
                "in_reply_to_id": m.parent_external_id,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": m.language,
                "replies_count": m.replies_count,
                "reblogs_count": m.shares,
                "favourites_count": m.likes,
                "content": m.html,
                "account": {
                    "id": str(100_000 + person.pid),
                    "username": username,
                    "acct": acct,
                    "display_name": author.display_name if author else "",
                    "url": author.profile_url if author else "",
                    "bot": False,
                    "followers_count": author.followers_count if author else 0,
                },
                "mentions": [{"username": "mutuellehorizon", "acct": "mutuellehorizon@mastodon.social"}],
                "tags": [],
            }
        elif source_key == "bluesky":
            micros = seconds * 1_000_000 + (ref >> 10) % 1_000_000
            rkey = _tid(micros, ref)
            did = author.external_id if author else "did:plc:unknown"
            handle = author.handle if author else ""
            uri = f"at://{did}/app.bsky.feed.post/{rkey}"
            m.external_id = uri
            m.url = f"https://bsky.app/profile/{handle}/post/{rkey}"
            record: dict[str, Any] = {
                "$type": "app.bsky.feed.post",
                "text": m.text,
                "createdAt": _z_ms(created),
                "langs": [m.language],
            }
            if m.parent_external_id:
                parent_ref = {
                    "uri": m.parent_external_id,
                    "cid": "bafyrei" + _digest("cid", m.parent_external_id).hex()[:20],
                }
                record["reply"] = {"root": parent_ref, "parent": parent_ref}
            m.raw = {
                "uri": uri,
                "cid": "bafyrei" + _digest("cid", uri).hex()[:20],
                "author": {
                    "did": did,
                    "handle": handle,
                    "displayName": author.display_name if author else "",
                },
                "record": record,
                "replyCount": m.replies_count,
                "repostCount": m.shares,
                "likeCount": m.likes,
                "quoteCount": m.shares // 4,
                "indexedAt": _z_ms(created + timedelta(seconds=1)),
            }
        elif source_key == "press":
            outlet, domain, audience = _choice(rng, corpus.PRESS_OUTLETS)
            entry_id = f"tag:google.com,2013:googlealerts/feed:{12_500_000_000_000_000_000 + ref}"
            slug = "-".join(_ascii_slug(word) for word in m.title.split()[:8] if _ascii_slug(word))
            article_url = f"https://www.{domain}/{created.year}/{created.month:02d}/{created.day:02d}/{slug}/"
            bold_title = html.escape(m.title).replace(ORG_NAME, f"<b>{ORG_NAME}</b>")
            bold_text = html.escape(m.text).replace(ORG_NAME, f"<b>{ORG_NAME}</b>")
            m.external_id = entry_id
            m.url = article_url
            m.html = bold_text
            m.reach = int(audience * rng.uniform(0.3, 1.0))
            m.author = AuthorRecord(
                "feed", domain, domain, outlet, f"https://www.{domain}/", audience, ("press",)
            )
            m.raw = {
                "id": entry_id,
                "title": bold_title,
                "link": f"https://www.google.com/url?rct=j&sa=t&url={article_url}&ct=ga&cd=CAIyGjk"
                f"{_digest('cd', ref).hex()[:12]}&usg=AOvVaw{_digest('usg', ref).hex()[:16]}",
                "published": _z(created),
                "updated": _z(created),
                "content": bold_text,
                "author": {"name": ""},
            }
        elif source_key == "forum":
            if m.kind == "post" or not m.parent_external_id:
                thread = 40_000 + ref
                post_no = 1
            else:
                thread = int(m.parent_external_id.split("/")[-2])
                post_no = 2 + ref % 997
            slug = "-".join(
                _ascii_slug(word) for word in (m.title or "reponse").split()[:6] if _ascii_slug(word)
            )
            guid = f"https://forum.conso-entraide.example/t/{slug or 'sujet'}/{thread}/{post_no}-{ref}"
            m.external_id = guid
            m.url = guid
            m.html = "".join(f"<p>{html.escape(p)}</p>" for p in m.text.split("\n\n"))
            m.raw = {
                "title": m.title or "Re: sujet",
                "link": guid,
                "guid": guid,
                "pubDate": format_datetime(created.astimezone(UTC)),
                "description": m.html,
                "dc:creator": author.handle if author else "",
                "category": "Assurances et mutuelles",
            }
        elif source_key == "employer":
            site = "glassdoor" if ref % 3 else "indeed"
            review_id = f"RVW{80_000_000 + ref}" if site == "glassdoor" else f"ind-{_hex_id(ref)[:16]}"
            jobs = corpus.EMPLOYER_JOBS_EN if m.language == "en" else corpus.EMPLOYER_JOBS_FR
            pros, _, cons = m.text.partition("\n")
            m.external_id = review_id
            m.url = (
                f"https://www.glassdoor.fr/Avis/Mutuelle-Horizon-Avis-E4471829_{review_id}.htm"
                if site == "glassdoor"
                else f"https://fr.indeed.com/cmp/Mutuelle-Horizon/reviews?id={review_id}"
            )
            m.location_key = person.location_key
            m.raw = {
                "source": site,
                "review_id": review_id,
                "date": created.astimezone(PARIS).date().isoformat(),
                "job_title": _choice(rng, jobs),
                "location": LOCATIONS_BY_KEY[person.location_key].city,
                "employment_status": _choice(rng, ("Employé actuel", "Ancien employé")),
                "rating_overall": m.rating_raw,
                "title": m.title,
                "pros": pros.split(":", 1)[-1].strip(),
                "cons": cons.split(":", 1)[-1].strip(),
                "language": m.language,
            }
        elif source_key == "survey":
            response_id = f"R_{ref:07d}{_digest('survey', ref, self.seed).hex()[:6]}"
            agency = LOCATIONS_BY_KEY[m.location_key or person.location_key]
            m.location_key = agency.key
            m.external_id = response_id
            m.url = ""
            en = m.language == "en"
            m.raw = {
                "event": "survey.response.completed",
                "survey_id": "csat-contact-2025",
                "response_id": response_id,
                "submitted_at": _z(created),
                "channel": _choice(rng, ("agence", "telephone", "telephone", "email")),
                "agency": agency.name,
                "answers": [
                    {
                        "question_id": "nps",
                        "question": corpus.SURVEY_NPS_QUESTION_EN if en else corpus.SURVEY_NPS_QUESTION_FR,
                        "value": _nps(rng, m.sentiment),
                    },
                    {
                        "question_id": "verbatim",
                        "question": corpus.SURVEY_QUESTION_EN if en else corpus.SURVEY_QUESTION_FR,
                        "value": m.text,
                    },
                ],
                "respondent": {"member_ref": author.external_id if author else "", "consent_contact": True},
            }
