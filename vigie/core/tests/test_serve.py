"""`vigie serve`: one process, a production WSGI server, migrations applied, clean stop."""

from pathlib import Path

import httpx

from vigie.core.tests.servers import running_server


def test_serve_migrates_a_fresh_database_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        login = httpx.get(f"{server.url}/login/")
        assert login.status_code == 200
        assert login.headers["server"] == "Vigie"
        assert login.headers["x-frame-options"] == "DENY"
        assert login.headers["x-content-type-options"] == "nosniff"
        assert "vigie_csrf" in login.headers.get("set-cookie", "")
        inbox = httpx.get(f"{server.url}/inbox/")
        assert inbox.status_code == 302
        assert "/login/" in inbox.headers["location"]
        css = httpx.get(f"{server.url}/static/vigie/vigie.css")
        assert css.status_code == 200, "static files are served without a collectstatic step"
        server.process.terminate()
        server.process.wait(30)
        output = server.process.stdout.read() if server.process.stdout else ""
    assert server.process.returncode == 0
    assert "jobs: embedded" in output
    assert "Vigie stopped." in output
    assert (tmp_path / "vigie.sqlite3").exists()
