"""The REST API: Django Ninja, versioned under /api/v1/, OpenAPI at /api/docs.

Each app keeps its own router in ``<app>/api.py``; this module only assembles them.
"""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Vigie API",
    version="1",
    description="E-reputation and social customer-care desk. Authenticate with `Authorization: Bearer <token>`.",
    docs_url="/docs",
    urls_namespace="api",
)
