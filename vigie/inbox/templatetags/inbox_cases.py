"""Template filters of the inbox's case lists."""

from django import template

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
