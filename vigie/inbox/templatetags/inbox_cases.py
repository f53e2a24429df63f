"""Template filters of the inbox's case lists."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigie.inbox.handling import no_answer_label
from vigie.inbox.models import Case
from vigie.inbox.quality.labels import finding_label as _finding_label

register = template.Library()


@register.filter
def no_answer_reason(case: Case) -> str:
    """Why the case has no deadline ("" when it needs an answer)."""
    return no_answer_label(case)


@register.filter
def finding_label(code: str) -> str:
    """A quality-gate finding's name for people ("generic_reply" -> "réponse trop générique")."""
    return _finding_label(code)


def countdown_text(due: datetime, now: datetime | None = None) -> str:
    """The time left before ``due`` as the case page's live clock writes it (inbox.js): "53 h 03"
    in French, "53h 03m" in English, with a true minus sign once it is past."""
    minutes = round((due - (now or timezone.now())).total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    english = (get_language() or "fr").startswith("en")
    text = f"{hours}h {rest:02d}m" if english else f"{hours} h {rest:02d}"
    return ("\u2212" if minutes < 0 else "") + text


@register.simple_tag
def sla_countdown(due: datetime) -> SafeString:
    """The live clock of a case's deadline, written at once (without JavaScript it stays right
    at the moment the page was loaded); inbox.js refreshes it every minute."""
    return format_html(
        '<span class="sla-countdown" data-due="{}" title="{}">{}</span>',
        due.isoformat(),
        _("Temps restant avant l’échéance"),
        countdown_text(due),
    )
