"""vigie worker: a Celery worker for scale mode."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from vigie.core.management.base import fail


class Command(BaseCommand):
    help = "Run a Celery worker (needs CELERY_BROKER_URL). Start as many as you like, on any machine."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--concurrency", type=int, default=None, help="processes (default: CPU count)")
        parser.add_argument("--queues", default="celery", help="comma-separated queues to consume")
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise fail("vigie worker needs CELERY_BROKER_URL; without it `vigie serve` runs the jobs itself")
        from vigie.core.celery import get_celery_app

        argv = ["worker", f"--loglevel={options['loglevel']}", f"--queues={options['queues']}"]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        get_celery_app().worker_main(argv)
