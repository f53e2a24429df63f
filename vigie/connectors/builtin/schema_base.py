"""The base of the built-in connectors' payload models.

Platforms differ in how they say "nothing here": Google and Meta leave the key out, Trustpilot,
Yelp, Tripadvisor, Reddit, Mastodon or App Store Connect send ``null``. A model reads both alike:
a ``null`` value takes the field's default, so one ``"displayName": null`` among a hundred reviews
never makes the whole page unreadable (and the source stuck on it). A required field sent as
``null`` is still refused, as when it is missing.

An id is text, but a platform (or a relay re-encoding its delivery) may send it as a JSON number:
a number where text is expected is read as its text, so ``17841400000000777`` and
``"17841400000000777"`` are the same author and the same item, never a refused delivery.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class PlatformModel(BaseModel):
    """A platform payload: unknown keys ignored, ``null`` read as absent."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data
