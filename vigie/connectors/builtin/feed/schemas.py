"""Shapes of what the feed connector reads: feed entries as ``feedparser`` exposes them.

Feeds are XML, not JSON, so these models describe the normalised dictionaries feedparser gives
for RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom alike. Unknown keys are ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ContentPart(BaseModel):
    """One ``content`` element of an Atom entry (or RSS ``content:encoded``)."""

    model_config = ConfigDict(extra="ignore")

    value: str = ""
    type: str = ""


class SourceRef(BaseModel):
    """An RSS ``<source>`` element: the publication the item was taken from (Talkwalker)."""

    model_config = ConfigDict(extra="ignore")

    title: str = ""
    href: str = ""


class FeedEntry(BaseModel):
    """One entry of a feed, the fields Vigie reads."""

    model_config = ConfigDict(extra="ignore")

    id: str = ""
    link: str = ""
    title: str = ""
    summary: str = ""
    content: list[ContentPart] = []
    author: str = ""
    published: str = ""
    updated: str = ""
    published_parsed: Any = None
    updated_parsed: Any = None
    source: SourceRef | None = None
    language: str = ""
