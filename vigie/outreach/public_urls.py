"""The customers' public pages, mounted under /o/ (no login)."""

from vigie.outreach.urls import public_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]
