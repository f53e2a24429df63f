"""Sign-in throttling against a live server: a burst of parallel guesses is counted as it comes."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from vigie.core.tests.servers import ACME, DataDirs, Server, running_server, vigie_env

PASSWORD = "correct-horse-battery-staple"
EMAIL = "manager@acme.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("burst")
    data_dirs.prepare(data_dir, *ACME)
    subprocess.run(
        [sys.executable, "-m", "vigie.cli", "user", "create", EMAIL, "--org", "acme", "--role", "manager",
         "--password-stdin"],
        input=PASSWORD + "\n", env=vigie_env(data_dir), check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # The third failure locks: no guess can slip in after a slowdown's wait ran out, so the count
    # is exact however slow the machine is.
    with running_server(data_dir, env={"VIGIE_LOGIN_LOCK_AFTER": "3"}) as running:
        yield running


def _form(server: Server) -> tuple[dict[str, str], str]:
    page = httpx.get(f"{server.url}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return dict(page.cookies), token.group(1)


def test_a_parallel_burst_of_wrong_passwords_gets_no_more_than_the_allowed_guesses(server: Server) -> None:
    cookies, token = _form(server)

    def guess(number: int) -> int:
        with httpx.Client(cookies=cookies, timeout=60) as client:
            answer = client.post(
                f"{server.url}/login/",
                data={"csrfmiddlewaretoken": token, "email": EMAIL, "password": f"wrong-{number}"},
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(guess, range(24)))
    checked = statuses.count(400)  # the password was compared
    assert checked <= 3, statuses  # LOGIN_LOCK_AFTER
    assert statuses.count(429) == 24 - checked, statuses
    assert 500 not in statuses
    # The right password, right after, is not even checked.
    right = httpx.post(
        f"{server.url}/login/",
        data={"csrfmiddlewaretoken": token, "email": EMAIL, "password": PASSWORD},
        cookies=cookies,
        timeout=30,
    )
    assert right.status_code == 429


def test_pages_carry_a_strict_content_security_policy(server: Server) -> None:
    policy = httpx.get(f"{server.url}/login/", timeout=10).headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_signs_in_only_through_the_throttled_page(server: Server) -> None:
    answer = httpx.get(f"{server.url}/admin/login/?next=/admin/", timeout=10)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith("/login/?next=")
    cookies, token = _form(server)
    posted = httpx.post(
        f"{server.url}/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": EMAIL, "password": PASSWORD},
        cookies=cookies,
        timeout=10,
    )
    assert posted.status_code == 302
    assert "sessionid" not in posted.cookies
