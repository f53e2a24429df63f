"""Pydantic models of the Skeepers (Avis Vérifiés) Published API payloads Vigie reads.

Skeepers documents the endpoints, the query parameters and the OAuth exchange of its Published
API, not the key names of a review (see doc.md): each field below accepts the names of the
Published API as Vigie expects them and those of the legacy NetReviews API, and unknown keys are
ignored.
"""

from __future__ import annotations

from pydantic import AliasChoices, ConfigDict, Field

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Customer(_Lenient):
    first_name: str = Field(default="", validation_alias=AliasChoices("first_name", "firstname"))
    last_name: str = Field(default="", validation_alias=AliasChoices("last_name", "lastname"))


class Product(_Lenient):
    product_variation_id: str = Field(
        default="", validation_alias=AliasChoices("product_variation_id", "ref", "id_product")
    )
    name: str = Field(default="", validation_alias=AliasChoices("name", "product_name"))
    url: str = Field(default="", validation_alias=AliasChoices("url", "product_url"))


class Comment(_Lenient):
    """One message of the exchange under a review: the merchant's answer or the customer's."""

    origin: str = ""
    content: str = Field(default="", validation_alias=AliasChoices("content", "comment", "text"))
    comment_date: str | None = Field(default=None, validation_alias=AliasChoices("comment_date", "date"))


class Review(_Lenient):
    review_id: str = Field(validation_alias=AliasChoices("review_id", "id", "id_review"))
    review_rate: int | float | str | None = Field(
        default=None, validation_alias=AliasChoices("review_rate", "rate", "rating")
    )
    review_title: str | None = Field(default="", validation_alias=AliasChoices("review_title", "title"))
    review_content: str | None = Field(
        default="", validation_alias=AliasChoices("review_content", "review", "content")
    )
    publish_date: str = Field(validation_alias=AliasChoices("publish_date", "review_date", "date"))
    language: str | None = Field(default=None, validation_alias=AliasChoices("language", "lang"))
    moderation_status: str | None = Field(
        default=None, validation_alias=AliasChoices("moderation_status", "status")
    )
    customer: Customer | None = None
    product: Product | None = None
    comments: list[Comment] = Field(default=[], validation_alias=AliasChoices("comments", "moderation"))


class TokenResponse(_Lenient):
    access_token: str
    expires_in: int | str | None = None
    token_type: str | None = None
