"""vigie beat: the Celery beat scheduler for periodic jobs (run exactly one)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from vigie.core.management.base import fail


class Command(BaseCommand):
    help = "Run Celery beat, which enqueues the periodic jobs. Run one per deployment."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise fail("vigie beat needs CELERY_BROKER_URL; without it `vigie serve` schedules the jobs")
        from vigie.core.celery import get_celery_app

        schedule = settings.DATA_DIR / "celerybeat-schedule"
        get_celery_app().start(["beat", f"--loglevel={options['loglevel']}", f"--schedule={schedule}"])
