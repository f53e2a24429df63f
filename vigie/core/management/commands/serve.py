"""vigie serve [--host H] [--port P]: web, scheduler and workers in one process."""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger("vigie.serve")


class Command(BaseCommand):
    help = "Serve Vigie with a production WSGI server (waitress) and, in embedded mode, run the jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="web request threads")
        parser.add_argument("--no-jobs", action="store_true", help="do not run the embedded jobs here")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations")
        parser.add_argument(
            "--trusted-proxy",
            default="",
            help="address of the reverse proxy whose X-Forwarded-For/-Proto headers are believed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from vigie.core.jobs import EmbeddedRunner
        from vigie.wsgi import application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        runner = None
        if settings.JOBS_MODE == "embedded" and not options["no_jobs"]:
            runner = EmbeddedRunner(threads=settings.JOBS_WORKER_THREADS)
            runner.start()
            self.stdout.write(f"jobs: embedded, {settings.JOBS_WORKER_THREADS} worker threads")
        else:
            self.stdout.write(f"jobs: {settings.JOBS_MODE} (run `vigie worker` and `vigie beat`)")

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Vigie is listening on http://{options['host']}:{options['port']}/")
        proxy: dict[str, Any] = {}
        if settings.TRUSTED_PROXIES and not options["trusted_proxy"]:
            # VIGIE_TRUSTED_PROXIES names the proxies (several, or ranges, which waitress's single
            # address cannot): the forwarding headers reach Vigie, which believes them from those
            # proxies only (vigie.core.proxies) and drops them from anyone else (its middleware).
            proxy = {"clear_untrusted_proxy_headers": False}
        elif options["trusted_proxy"]:
            # The client's address (used by sign-in throttling) is then the one the proxy saw.
            proxy = {
                "trusted_proxy": options["trusted_proxy"],
                "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            }
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Vigie",
                **({"clear_untrusted_proxy_headers": True} | proxy),
            )
        except KeyboardInterrupt:
            pass
        finally:
            if runner is not None:
                runner.stop()
            self.stdout.write("Vigie stopped.")
