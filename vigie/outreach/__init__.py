"""Outreach: review requests after a resolved case, satisfaction surveys (CSAT, NPS), testimonials."""
