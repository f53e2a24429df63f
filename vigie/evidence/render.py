"""The page as a browser shows it: headless Chromium through Playwright.

Every request the page makes (the page itself, images, scripts, frames) passes the egress policy;
a refused one is aborted and listed. Playwright's sync API runs in a thread of its own so it never
meets an event loop of the caller (a test, a web request).
"""

from __future__ import annotations

import os
import platform
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ViewportSize

from vigie.core.egress import EgressRefused, check_url
from vigie.evidence.proxy import EgressProxy

DEFAULT_CHROMIUM = "/usr/bin/chromium"
NAVIGATION_TIMEOUT_MS = 30_000
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Keep the browser's own background calls to a minimum: the capture is about the page.
    "--no-default-browser-check",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    "--metrics-recording-only",
]
# What a login wall looks like: a sign-in address after redirects, or a password field on the page.
_LOGIN_PATH = re.compile(r"/(login|signin|sign-in|connexion|auth|accounts/login|checkpoint)\b", re.I)
# Full-page screenshots of endless pages are cut at this height (pixels).
MAX_PAGE_HEIGHT = 20_000


def chromium_path() -> str:
    return os.environ.get("VIGIE_CHROMIUM", DEFAULT_CHROMIUM)


@dataclass
class Rendering:
    """What the browser produced; ``problems`` say why something is missing or suspicious."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    # Connections the browser opened that the proxy refused: redirect hops to forbidden addresses,
    # and the browser's own background calls (updates, safe browsing) where those are not allowed.
    refused_connections: list[str] = field(default_factory=list)
    final_url: str = ""
    status: int | None = None
    browser: dict[str, Any] = field(default_factory=dict)
    server_address: dict[str, Any] | None = None
    security_details: dict[str, Any] | None = None
    rendered: bool = False


def _render(url: str) -> Rendering:
    result = Rendering()
    executable = chromium_path()
    if not Path(executable).exists():
        result.problems.append(f"navigateur absent ({executable})")
        return result
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, sync_playwright

    def guard(route: Route) -> None:
        target = route.request.url
        if target.startswith(("data:", "blob:", "about:")):
            route.continue_()
            return
        try:
            check_url(target)
        except EgressRefused:
            result.blocked.append(target[:500])
            route.abort("blockedbyclient")
            return
        route.continue_()

    try:
        with EgressProxy() as proxy, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=[*CHROMIUM_ARGS, *proxy.chromium_args]
            )
            try:
                # A page behind a certificate that does not verify is still shown and kept: the direct
                # fetch records the chain and says it did not verify, so the reader can weigh it.
                context = browser.new_context(
                    locale="fr-FR", viewport=VIEWPORT, service_workers="block", ignore_https_errors=True
                )
                context.route("**/*", guard)
                page = context.new_page()
                result.browser = {
                    "name": "chromium",
                    "version": browser.version,
                    "executable": executable,
                    "user_agent": "",
                    "viewport": VIEWPORT,
                    "headless": True,
                }
                try:
                    response = page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
                except PlaywrightError as exc:
                    message = str(exc).splitlines()[0][:300]
                    if "Timeout" in message:
                        result.problems.append("la page ne s'est pas chargée dans le délai (30 s)")
                    elif result.blocked and result.blocked[0] == url[:500]:
                        result.problems.append("adresse non autorisée")
                    else:
                        result.problems.append(f"la page n'a pas pu être ouverte : {message}")
                    response = None
                result.browser["user_agent"] = page.evaluate("navigator.userAgent")
                result.final_url = page.url
                if response is not None:
                    result.status = response.status
                    if response.status >= 400:
                        result.problems.append(
                            f"la page répond HTTP {response.status} (publication supprimée ou inaccessible ?)"
                        )
                    try:
                        result.files["page.html"] = response.body()
                    except PlaywrightError:
                        result.problems.append("le HTML servi n'a pas pu être lu")
                    result.server_address = dict(response.server_addr() or {}) or None
                    details = response.security_details()
                    result.security_details = dict(details) if details else None
                    login_field = page.locator("input[type=password]").count() > 0
                    if _LOGIN_PATH.search(page.url.split("?", 1)[0]) or login_field:
                        result.problems.append("mur de connexion : la page demande de se connecter")
                if response is not None or page.url.startswith("http"):
                    height = page.evaluate("document.documentElement.scrollHeight") or 0
                    clip = int(height) > MAX_PAGE_HEIGHT
                    if clip:
                        result.problems.append(
                            f"page très longue : capture limitée à {MAX_PAGE_HEIGHT} pixels"
                        )
                        result.files["screenshot.png"] = page.screenshot(
                            clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": MAX_PAGE_HEIGHT},
                            full_page=True,
                        )
                    else:
                        result.files["screenshot.png"] = page.screenshot(full_page=True)
                    result.files["page.pdf"] = page.pdf(format="A4", print_background=True)
                    result.files["rendered.html"] = page.content().encode("utf-8")
                    session = context.new_cdp_session(page)
                    snapshot = session.send("Page.captureSnapshot", {"format": "mhtml"})
                    result.files["page.mhtml"] = str(snapshot.get("data", "")).encode("utf-8")
                    result.rendered = response is not None
                context.close()
            finally:
                browser.close()
                result.refused_connections = list(proxy.blocked)
    except PlaywrightError as exc:
        result.problems.append(f"le navigateur a échoué : {str(exc).splitlines()[0][:300]}")
    return result


def render(url: str) -> Rendering:
    """Render ``url`` in headless Chromium; never raises for a page that cannot be shown."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_render, url).result()


def system_description() -> dict[str, Any]:
    """The machine that made the capture (no secret: no environment, no paths but the browser's)."""
    from importlib.metadata import PackageNotFoundError, version

    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return ""

    return {
        "os": platform.platform(),
        "machine": platform.machine(),
        "hostname": platform.node(),
        "python": platform.python_version(),
        "playwright": package("playwright"),
        "vigie": package("vigie"),
    }
