"""Outreach: review requests after a resolved case, satisfaction surveys (CSAT, NPS), testimonials."""

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "vigie.outreach"
    label = "outreach"

    def ready(self) -> None:
        from vigie.inbox.actions import case_resolved
        from vigie.outreach.signals import on_case_resolved

        case_resolved.connect(on_case_resolved, dispatch_uid="outreach.case_resolved")
