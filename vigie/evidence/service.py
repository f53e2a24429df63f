"""Capture a mention end to end: collect, sign and chain, timestamp. Used by the page, the command and
the jobs."""

from __future__ import annotations

import hashlib

from vigie.core.models import User
from vigie.evidence.actions import do_attach_timestamp, do_record_capture
from vigie.evidence.capture import collect
from vigie.evidence.models import Capture, CaptureTrigger
from vigie.evidence.timestamping import TimestampError, request_timestamp, tsa_url
from vigie.mentions.models import Mention


def timestamp_capture(capture: Capture) -> Capture:
    """Ask the configured authority to date the capture's manifest; no authority, no timestamp."""
    url = tsa_url()
    if not url:
        return capture
    digest = hashlib.sha256(capture.manifest.encode("utf-8")).digest()
    try:
        token = request_timestamp(url, digest)
    except (TimestampError, ValueError) as exc:
        # EgressRefused is a ValueError: an authority on a forbidden address is refused like any page.
        return do_attach_timestamp(capture, token=None, error=str(exc))
    return do_attach_timestamp(capture, token=token)


def capture_mention(
    mention: Mention, *, trigger: str = CaptureTrigger.MANUAL, actor: User | None = None
) -> Capture:
    """Capture ``mention``'s page now; a page that cannot render still gives a signed capture that
    says why."""
    collected = collect(mention)
    capture = do_record_capture(mention, collected, trigger=trigger, actor=actor)
    return timestamp_capture(capture)
