"""Capture a mention end to end: collect, sign and chain, timestamp. Used by the page, the command and
the jobs."""

from __future__ import annotations

from django.utils import translation

from vigie.core.models import User
from vigie.evidence.actions import do_record_capture, timestamp_capture
from vigie.evidence.capture import collect
from vigie.evidence.models import Capture, CaptureTrigger
from vigie.mentions.models import Mention


def capture_mention(
    mention: Mention, *, trigger: str = CaptureTrigger.MANUAL, actor: User | None = None
) -> Capture:
    """Capture ``mention``'s page now; a page that cannot render still gives a signed capture that
    says why.

    In French whoever asks: the signed manifest and the cover note are one French record (a refusal
    asked from a page in English wrote "address not allowed : la page n'a pas été demandée")."""
    with translation.override("fr"):
        collected = collect(mention)
        capture = do_record_capture(mention, collected, trigger=trigger, actor=actor)
        return timestamp_capture(capture)
