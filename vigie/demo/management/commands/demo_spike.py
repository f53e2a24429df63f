"""vigie demo_spike [--org demo] [--count 40] [--minutes 15] [--now]

Injects a spike of negative reviews into an organisation (the demo by default) through ingestion
and analysis, then queues the alert detection job for it. A running `vigie serve` picks the job up
within seconds; ``--now`` runs the queued jobs in this process instead (detection, then the
e-mail, chat and webhook deliveries).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vigie.alerts.models import Alert
from vigie.alerts.tasks import DETECT_JOB
from vigie.core import jobs, pipeline
from vigie.core.management.base import fail
from vigie.core.queries import get_organisation
from vigie.core.tenancy import scoped
from vigie.demo import DEMO_SLUG
from vigie.demo.spike import NoSourceError, do_inject_spike


class Command(BaseCommand):
    help = "Injecte un pic de mentions négatives (démo) et lance la détection d'alertes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", default=DEMO_SLUG, help="organisation (par défaut : demo)")
        parser.add_argument("--count", type=int, default=40, help="nombre de mentions négatives")
        parser.add_argument("--minutes", type=int, default=15, help="sur combien de minutes")
        parser.add_argument(
            "--now", action="store_true", help="exécute les tâches ici, sans attendre le serveur"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = get_organisation(options["org"])
        if organisation is None:
            raise fail(_("Organisation inconnue : %(slug)s") % {"slug": options["org"]})
        if not (1 <= options["count"] <= 10_000) or not (1 <= options["minutes"] <= 600):
            raise fail(_("--count va de 1 à 10 000 et --minutes de 1 à 600."))
        try:
            ids = do_inject_spike(organisation, count=options["count"], minutes=options["minutes"])
        except NoSourceError:
            raise fail(_("L'organisation n'a aucune source à laquelle rattacher les mentions.")) from None
        # Analysis first (sentiment, themes…), as ingestion would have queued it, then routing, so
        # detection sees the spike as negative.
        pipeline.run_now(pipeline.ANALYSE, ids)
        jobs.enqueue(DETECT_JOB, {"organisation_id": organisation.pk})
        self.stdout.write(
            _("%(count)s mentions injectées ; détection d'alertes en file.") % {"count": len(ids)}
        )
        if options["now"] and settings.JOBS_MODE != "celery":
            jobs.run_pending()
            for alert in scoped(Alert, organisation).filter(status="open").order_by("-opened_at")[:5]:
                self.stdout.write(f"  {alert.title}: {alert.explanation}")
