"""The population rules: gating refused with its reason, quiet hours, membership."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import ValidationError

from vigie.outreach.rules import in_population, in_quiet_hours, parse_rules, quiet_hours_end


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("sentiment = positif", "le sentiment du client"),
        ("note = 5", "la note ou la satisfaction du client"),
        ("Étoiles = 4", "la note ou la satisfaction du client"),
        ("rating = 5", "la note ou la satisfaction du client"),
        ("nps = 9", "la note ou la satisfaction du client"),
        ("issue = favorable", "l'issue ou la nature du dossier"),
        ("type = complaint", "l'issue ou la nature du dossier"),
    ],
)
def test_a_rule_on_satisfaction_is_refused_with_its_reason(line: str, what: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_rules(line)
    assert refused.value.code == "gating"
    message = " ".join(refused.value.messages)
    assert what in message
    assert "review gating" in message
    assert "ISO 20488" in message


def test_a_population_by_place_team_platform_or_trigger_is_allowed() -> None:
    rules = parse_rules("lieu = Agence Lyon\néquipe = Avis\nplateforme = google_business\n\ntrigger = case")
    assert [r.as_dict() for r in rules] == [
        {"field": "location", "value": "Agence Lyon"},
        {"field": "team", "value": "Avis"},
        {"field": "platform", "value": "google_business"},
        {"field": "trigger", "value": "case"},
    ]


def test_unknown_criteria_and_malformed_lines_are_refused() -> None:
    with pytest.raises(ValidationError) as unknown:
        parse_rules("couleur = bleu")
    assert unknown.value.code == "invalid"
    with pytest.raises(ValidationError):
        parse_rules("lieu Lyon")
    with pytest.raises(ValidationError):
        parse_rules([{"field": "location", "value": ""}])


def test_population_matching_is_by_alternatives_per_field() -> None:
    rules = [{"field": "location", "value": "Lyon"}, {"field": "location", "value": "Annecy"}]
    assert in_population(rules, {"location": "lyon"})
    assert in_population(rules, {"location": "Annecy"})
    assert not in_population(rules, {"location": "Grenoble"})
    assert in_population([], {"location": "anything"})


def test_quiet_hours_span_midnight() -> None:
    start, end = time(20, 0), time(9, 0)
    assert in_quiet_hours(datetime(2026, 3, 2, 22, 0), start, end)
    assert in_quiet_hours(datetime(2026, 3, 2, 7, 30), start, end)
    assert not in_quiet_hours(datetime(2026, 3, 2, 12, 0), start, end)
    assert quiet_hours_end(datetime(2026, 3, 2, 22, 0), start, end) == datetime(2026, 3, 3, 9, 0)
    assert quiet_hours_end(datetime(2026, 3, 2, 7, 30), start, end) == datetime(2026, 3, 2, 9, 0)
    assert not in_quiet_hours(datetime(2026, 3, 2, 22, 0), time(0, 0), time(0, 0))
