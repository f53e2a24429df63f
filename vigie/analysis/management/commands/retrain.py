"""vigie retrain --org SLUG [--seed N]: an organisation-specific sentiment model, adopted only if it
beats the shipped model on a held-back slice of the organisation's own data."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


class Command(BaseCommand):
    help = (
        "Train a sentiment model on the organisation's star ratings and agents' corrections; adopt it "
        "only when it beats the shipped model on held-back data (both numbers are shown)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        from vigie.analysis.actions import do_retrain_sentiment

        organisation = organisation_or_fail(options["org"])
        try:
            report = do_retrain_sentiment(organisation, seed=options["seed"])
        except ValueError as exc:
            raise fail(str(exc)) from None
        self.stdout.write(
            f"labelled mentions: {report.examples} for training "
            f"({report.from_ratings} star ratings, {report.from_corrections} corrections in all), "
            f"{report.held_back} held back for evaluation"
        )
        if report.shipped_accuracy is not None:
            self.stdout.write(
                f"shipped model ({report.shipped}): accuracy {_percent(report.shipped_accuracy)}"
            )
        else:
            self.stdout.write(
                f"no shipped sentiment model installed; majority class: accuracy {_percent(report.majority_accuracy)}"
            )
        self.stdout.write(f"organisation model: accuracy {_percent(report.organisation_accuracy)}")
        if report.adopted:
            self.stdout.write(
                f"adopted (model #{report.model.pk}); run vigie reanalyze --org {organisation.slug}"
            )
        else:
            self.stdout.write("not adopted: it does not beat the reference on this organisation's data")
