"""The Content-Security-Policy of Vigie's pages (``SecurityHeadersMiddleware`` sends it; a page
whose form must lead elsewhere sends its own, built here)."""

from __future__ import annotations

from collections.abc import Iterable


# Scripts only from our own static files: no inline <script>, no on…= attribute, no eval (htmx's
# hx-on and filters are not used). Styles allow inline attributes (the dashboard's bars, the
# self-contained reports): a style cannot run code, and every customer text is escaped anyway.
# Forms post to Vigie only (form-action): an injected <form action="https://elsewhere"> cannot
# carry what a person types (a password, a reply) away. Browsers also hold the redirects that
# follow a form's submission to it, so a page whose form leads to a platform's consent screen
# (Google's OAuth) names that origin: ``content_security_policy(form_action=[origin])``.
def content_security_policy(*, form_action: Iterable[str] = ()) -> str:
    """The policy of Vigie's pages; ``form_action``: origins a page's form may lead to besides Vigie."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(("form-action 'self'", *form_action)),
            "frame-ancestors 'none'",
        )
    )


CONTENT_SECURITY_POLICY = content_security_policy()
