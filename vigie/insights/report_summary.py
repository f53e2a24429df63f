"""The report's first page in sentences: what moved, by how much, and where it came from.

"La note moyenne a baissé de 0,3 point, à 2,86 / 5, tirée vers le bas par Agence Lyon et la hausse
des mentions négatives sur le thème Remboursements": the location and the theme named are those
that weigh most in the change (a location's change of average times its number of rated reviews;
a theme's change in negative mentions), in words that follow the change's direction ("portée par"
a location and "le recul" of a theme for a rise). Every sentence says which way a number moved
in its own words ("de plus" / "de moins", "atteint" / "sous l'objectif").
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vigie.insights.queries.kpis import KpiReport
from vigie.insights.report_content import AlertRow, LocationRow, SentimentRow
from vigie.insights.report_format import delay, number, percent, stars

# Under this change of average rating the sentence says it held steady (0,05 rounds to 0,1).
STEADY_RATING = 0.05


def _rating_driver(locations: list[LocationRow], falling: bool) -> LocationRow | None:
    moved = [r for r in locations if r.rating_change is not None and r.rated]
    if not moved:
        return None
    weight = {id(r): (r.rating_change or 0) * r.rated for r in moved}
    driver = min(moved, key=lambda r: weight[id(r)]) if falling else max(moved, key=lambda r: weight[id(r)])
    if (weight[id(driver)] < 0) != falling or weight[id(driver)] == 0:
        return None
    return driver


def _theme_driver(themes: list[SentimentRow], falling: bool) -> SentimentRow | None:
    """The theme whose negative mentions grew most (rating falling) or shrank most (rising)."""
    if not themes:
        return None
    sign = 1 if falling else -1
    driver = max(themes, key=lambda t: ((t.board_negative - t.previous_board_negative) * sign, t.volume))
    change = driver.board_negative - driver.previous_board_negative
    return driver if (change > 0) == falling and change != 0 else None


def rating_points(change: float) -> str:
    """A change of average rating in points, rounded as printed: "0,2 point", "2,5 points",
    "0.2 points" (French takes the plural from 2, English for anything but one)."""
    rounded = round(abs(change), 1)
    values = {"n": number(rounded, 1)}
    return (_("%(n)s points") if rounded >= 2 else _("%(n)s point")) % values


def rating_sentence(kpis: KpiReport, locations: list[LocationRow], themes: list[SentimentRow]) -> str:
    """The change of average rating and what weighs most in it, in words that follow its
    direction: a fall is "tirée vers le bas par" a location and "la hausse des mentions
    négatives" of a theme, a rise "portée par" a location and "le recul" of a theme."""
    now = kpis.average_rating
    kpi = kpis.kpi("average_rating")
    before = kpi.previous if kpi is not None else None
    if now is None:
        return _("Aucun avis noté sur la période.")
    if before is None:
        return _("La note moyenne est de %(now)s, sans point de comparaison sur la période précédente.") % {
            "now": stars(now)
        }
    change = now - before
    if abs(change) < STEADY_RATING:
        return _("La note moyenne est stable à %(now)s.") % {"now": stars(now)}
    falling = change < 0
    values = {"delta": rating_points(change), "now": stars(now)}
    sentence = (
        _("La note moyenne a baissé de %(delta)s, à %(now)s")
        if falling
        else _("La note moyenne a progressé de %(delta)s, à %(now)s")
    ) % values
    # One location alone does not drive its own rating: a site's report named itself.
    place = _rating_driver(locations, falling) if len(locations) > 1 else None
    theme = _theme_driver(themes, falling)
    names = {"place": place.name if place else "", "theme": theme.label if theme else ""}
    if falling and place and theme:
        sentence += (
            _(", tirée vers le bas par %(place)s et la hausse des mentions négatives sur le thème %(theme)s")
            % names
        )
    elif falling and place:
        sentence += _(", tirée vers le bas par %(place)s") % names
    elif falling and theme:
        sentence += (
            _(", tirée vers le bas par la hausse des mentions négatives sur le thème %(theme)s") % names
        )
    elif place and theme:
        sentence += (
            _(", portée par %(place)s et le recul des mentions négatives sur le thème %(theme)s") % names
        )
    elif place:
        sentence += _(", portée par %(place)s") % names
    elif theme:
        sentence += _(", portée par le recul des mentions négatives sur le thème %(theme)s") % names
    return sentence + "."


def volume_sentence(kpis: KpiReport, previous_volume: int | None) -> str:
    negative = next((s for s in kpis.sentiments if s.key == "negative"), None)
    values = {
        "n": number(kpis.mention_volume),
        "neg": percent(negative.share if negative else None),
    }
    if not kpis.mention_volume:
        # "0 mentions ; — sont négatives" read as a fault; say plainly there were none.
        if previous_volume:
            return _("Aucune mention sur la période (%(before)s la période précédente).") % {
                "before": number(previous_volume)
            }
        return _("Aucune mention sur la période.")
    if previous_volume:
        change = (kpis.mention_volume - previous_volume) / previous_volume
        values["change"] = percent(abs(change))
        if abs(change) < 0.01:
            text = _("%(n)s mentions, autant que la période précédente ; %(neg)s sont négatives.")
        elif change > 0:
            text = _("%(n)s mentions, %(change)s de plus que la période précédente ; %(neg)s sont négatives.")
        else:
            text = _(
                "%(n)s mentions, %(change)s de moins que la période précédente ; %(neg)s sont négatives."
            )
        return text % values
    return _("%(n)s mentions sur la période ; %(neg)s sont négatives.") % values


def response_sentence(kpis: KpiReport) -> str | None:
    if kpis.response_rate is None:
        return None
    target = kpis.kpi("response_rate")
    values = {
        "rate": percent(kpis.response_rate),
        "target": percent(target.target if target else None),
        "delay": delay(kpis.median_first_response_business_seconds),
    }
    met = target is not None and target.met
    text = (
        _("Taux de réponse de %(rate)s, objectif de %(target)s atteint")
        if met
        else _("Taux de réponse de %(rate)s, sous l'objectif de %(target)s")
    ) % values
    if kpis.median_first_response_business_seconds is not None:
        text += _(" ; première réponse en %(delay)s ouvrées en médiane") % values
    return text + "."


def problem_sentence(themes: list[SentimentRow]) -> str | None:
    worst = max(themes, key=lambda t: (t.negative, t.volume), default=None)
    if worst is None:
        return None
    if not worst.negative:
        # The report has no problem sheet then: the summary says why.
        return _("Aucun thème négatif sur la période.")
    return _("Premier sujet de mécontentement : %(theme)s, %(n)s mentions dont %(neg)s négatives.") % {
        "theme": worst.label,
        "n": number(worst.volume),
        "neg": percent(worst.negative_share),
    }


def locations_sentence(locations: list[LocationRow]) -> str | None:
    rated = [r for r in locations if r.average_rating is not None]
    if len(rated) < 2:
        return None
    best, worst = rated[0], rated[-1]
    return _("Meilleure note : %(best)s (%(b)s) ; la plus basse : %(worst)s (%(w)s).") % {
        "best": best.name,
        "b": stars(best.average_rating),
        "worst": worst.name,
        "w": stars(worst.average_rating),
    }


def alerts_sentence(alert_total: int, crisis_lines: list[str], shown: list[AlertRow]) -> str:
    if not alert_total and not crisis_lines:
        return _("Aucune alerte ni crise sur la période.")
    crises = len(crisis_lines)
    alerts_text = (
        _("Aucune alerte")
        if not alert_total
        else (_("1 alerte") if alert_total == 1 else _("%(n)s alertes") % {"n": number(alert_total)})
    )
    crisis_text = (
        _("aucune crise")
        if not crises
        else (_("1 crise") if crises == 1 else _("%(n)s crises") % {"n": number(crises)})
    )
    return _("%(alerts)s et %(crises)s sur la période.") % {"alerts": alerts_text, "crises": crisis_text}


def summary_sentences(
    kpis: KpiReport,
    previous_volume: int | None,
    locations: list[LocationRow],
    themes: list[SentimentRow],
    alert_total: int,
    crisis_lines: list[str],
    shown_alerts: list[AlertRow],
) -> list[str]:
    """Five or six sentences a director reads first, in the active language."""
    sentences = [
        rating_sentence(kpis, locations, themes),
        volume_sentence(kpis, previous_volume),
        response_sentence(kpis),
        problem_sentence(themes),
        locations_sentence(locations),
        alerts_sentence(alert_total, crisis_lines, shown_alerts),
    ]
    return [s for s in sentences if s]


def follow_up_sentence(plans: int, testimonials: int) -> str | None:
    """Said on the summary when there is no follow-up page to show it."""
    if plans or testimonials:
        return None
    return _("Aucun plan d'action en cours ni témoignage choisi sur la période.")
