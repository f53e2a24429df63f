"""Template filters of the inbox's case lists."""

from django import template

from vigie.inbox.handling import no_answer_label
from vigie.inbox.models import Case

register = template.Library()


@register.filter
def no_answer_reason(case: Case) -> str:
    """Why the case has no deadline ("" when it needs an answer)."""
    return no_answer_label(case)
