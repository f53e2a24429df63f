"""Commitments only a supervisor may make: refunds, gestures, money, fault, liability, deadlines.

The charter decides which of them need approval (``ApprovalPolicy.reply_commitments``) and the
shortest delay an agent may promise alone (``ApprovalPolicy.shortest_deadline_hours``). Each is a
warning that also says ``approval_topic``: the agent confirms it, and the reply then waits for a
supervisor (``vigie.inbox.actions.approval_reasons``).

Where a commitment starts:

- a **promise** is in the present or the future ("nous vous remboursons", "vous serez remboursé",
  "we will refund"); a fact in the past ("nous vous avons remboursé le 3 mars", "your refund was
  issued") commits to nothing new and passes;
- an **admission of fault** names the organisation as the cause ("c'est notre faute", "une erreur
  de notre part", "notre technicien a endommagé votre…", "our mistake"); acknowledging what the
  customer went through ("nous reconnaissons que l'attente a été trop longue", "ce n'est pas
  normal", "nous sommes désolés de ce désagrément", "une erreur s'est produite") is empathy and
  passes;
- **legal liability** is the vocabulary of the law: "notre responsabilité est engagée", "nous
  assumons l'entière responsabilité", "nous prendrons en charge les frais de réparation",
  "réparer votre préjudice", "we accept full liability";
- a **deadline** is a promised delay ("sous 2 heures", "dans l'heure", "nous revenons vers vous
  aujourd'hui", "within 48 hours"): shorter than the charter allows, it needs approval.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vigie.inbox.quality.findings import WARN, Finding

_APOS = "['’]"
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")


def _compile(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_GESTURES_FR = (
    rf"geste commercial|gestes commerciaux|bons? d{_APOS}achat|bons? de réduction|avoir|dédommagement|"
    r"compensation|indemnisation|remboursement|code promo|remise|réduction|mois offerts?"
)
_GESTURES_EN = r"voucher|compensation|refund|credit|goodwill gesture|goodwill|discount|coupon|gift card"

_PATTERNS: dict[str, dict[str, re.Pattern[str]]] = {
    "refund": {
        "fr": _compile(
            r"\b(nous|on|je) (allons |va |vais |pouvons |pourrons )?(vous )?(le |la |les )?"
            r"rembours(er|ons|erons|era|erai|e)\b",
            r"\bvous (serez|allez être|êtes|seriez|serez donc) (intégralement |entièrement |totalement )?"
            r"remboursée?s?\b",
            r"\b(nous|je) (procédons|procéderons|allons procéder|vais procéder|procède|procéderai) "
            r"(au|à un|à votre|à son) remboursement",
            r"\b(votre|le|un) remboursement (intégral |total |complet )?(vous )?(sera|va être|sera bien) "
            r"(effectué|versé|fait|crédité|envoyé|émis)",
            r"\bvous sera (intégralement |entièrement )?remboursée?s?\b",
            # A guarantee or a pledge is a promise too: "nous vous garantissons un remboursement".
            r"\b(nous|je) (vous )?(garantissons|garantis|promettons|promets|assurons|certifions) "
            rf"(un |le |votre |d{_APOS}un |l{_APOS})?(remboursement|rembourser)",
            r"\b(nous nous engageons|je m'engage|je m’engage) à (vous )?(rembourser|(un |votre )?remboursement)",
        ),
        "en": _compile(
            r"\b(we|i)(?: wi|')ll (fully )?refund\b",
            r"\b(we|i) (are|'re|am|'m) (going to )?(fully )?refund(ing)?\b",
            r"\bwe (fully )?refund (you|your)\b",
            r"\byou(?: wi|')ll (be (fully )?refunded|get (a|your) (full )?refund|receive (a|your) (full )?refund)",
            r"\byour refund (will|is going to) be\b",
            r"\b(we|i)(?: wi|')ll (issue|process|arrange) (you )?(a |your )?(full )?refund\b",
            r"\b(we|i) (are|'re|am|'m) (issuing|processing|arranging) (you )?(a |your )?(full )?refund\b",
            r"\b(we|i) (guarantee|promise|commit to|pledge) (you )?(a |your |to )?(full )?refund",
        ),
    },
    "gesture": {
        "fr": _compile(
            r"\b(nous|je) (vous )?(offrons|offre|accordons|accorde|proposons|propose|ferons|ferai|envoyons|"
            r"envoie|allons vous (offrir|accorder|proposer|faire|envoyer)|vais vous (offrir|accorder|proposer|"
            rf"faire|envoyer)) (un |une |le |la |les |des |d{_APOS})?({_GESTURES_FR})",
            r"\b(vous )?(offrons|accordons|ferons|octroyons) (un |une |le |la |les |des )?"
            rf"({_GESTURES_FR})",
            r"\bvous (recevrez|allez recevoir|bénéficierez|allez bénéficier|aurez droit à) "
            rf"(d{_APOS}|de |à )?(un |une )?({_GESTURES_FR})",
            rf"\b({_GESTURES_FR}) de \d[\d  ]{{0,15}}(?:[.,]\d+)? ?(€|euros?)(?! (?:ont|a) été)",
            r"\b(nous|je) (vous )?(dédommag|indemnis)\w+",
            r"\bà titre (gracieux|exceptionnel|commercial)\b",
            r"\b(nous|je) vous (l|les|la|le)?{a}?(offrons|offre|offrirons)\b".replace("{a}", _APOS),
            r"\bvous (sera|seront) (offert|offerte|offerts|offertes|accordée?s?)\b",
            r"\b(nous|je) (vous )?(garantissons|garantis|promettons|promets) "
            rf"(un |une |le |la |les |des |d{_APOS})?(?!remboursement)({_GESTURES_FR})",  # a refund: above
        ),
        "en": _compile(
            rf"\b(we|i)(?: wi|')ll (offer|give|send|issue) you (a |an )?({_GESTURES_EN})",
            rf"\b(we|i) (are|'re|am|'m) (offering|giving|sending|issuing) you (a |an )?({_GESTURES_EN})",
            rf"\byou(?: wi|')ll (receive|get) (a |an )?({_GESTURES_EN})",
            r"\b(we|i)(?: wi|')ll compensate\b",
            r"\bfree of charge\b",
            r"\bon the house\b",
        ),
    },
    "money": {
        "fr": _compile(
            r"\b(nous|je) (vous )?(verserons|versons|verse|verserai|virerons|virons|créditerons|créditons|"
            r"paierons|payerons|payons|allons (vous )?(verser|virer|créditer|payer)|vais (vous )?(verser|virer|"
            r"créditer|payer))\b",
            r"\bvous (toucherez|percevrez|serez crédité(e)?s?|recevrez (un virement|la somme|\d))",
            r"\bvous (sera|seront) (reversée?s?|versée?s?|virée?s?|créditée?s?|restituée?s?)\b",
            r"\b\d[\d  ]{0,15}(?:[.,]\d+)? ?(€|euros?) (vous )?(seront|sera|vont être) (versés?|virés?|crédités?|"
            r"remboursés?|offerts?)",
        ),
        "en": _compile(
            r"\b(we|i)(?: wi|')ll (pay|credit|transfer|send) you\b",
            r"\b(we|i) (are|'re|am|'m) (paying|crediting|transferring) you\b",
            r"\byou(?: wi|')ll (receive|get) [$£€] ?\d",
            r"\b(we|i)(?: wi|')ll (cover|pay for) (the |your |all )?(cost|costs|bill|expenses)\b",
        ),
    },
    "fault": {
        "fr": _compile(
            rf"\bc{_APOS}est (entièrement |totalement |bien |vraiment |uniquement )?(de )?notre faute\b",
            r"\b(par|de) notre faute\b",
            r"\bnotre (erreur|faute|négligence)\b",
            r"\b(une|cette|l') ?(erreur|faute|négligence) (est |était )?(de notre part|de nos (équipes|services|"
            r"techniciens|conseillers)|de notre (équipe|service|technicien|livreur|conseiller))",
            r"\b(nous avons|j'ai|j’ai|notre (équipe|technicien|livreur|conseiller|service) a) (commis|fait) "
            r"(une|des) (erreurs?|fautes?)\b",
            r"\bnous (reconnaissons|admettons|avouons) (notre|une|l'|l’|cette|nos) ?(erreur|faute|négligence|tort)s?\b",
            r"\bnous (sommes|étions) (entièrement |totalement |les seuls |seuls )?(fautifs|en tort)\b",
            r"\bnous avons eu tort\b",
            r"\bmea culpa\b",
            r"\b(nous avons|notre (technicien|livreur|équipe|conseiller|transporteur) a) (endommagé|cassé|abîmé|"
            r"perdu|égaré|détérioré|rayé) (votre|vos)\b",
        ),
        "en": _compile(
            r"\b(it's|it is|it was|this was|that was|this is|that is) (entirely |completely |all |totally )?"
            r"our (fault|mistake|error)\b",
            r"\bour (fault|negligence)\b",
            r"\bwe (made|have made|'ve made) (a|an|this) (mistake|error)\b",
            r"\bwe (are|'re|were) (entirely |fully |completely )?(at fault|to blame)\b",
            r"\bwe (admit|acknowledge) (our|that we made (a|an)) (fault|mistake|error|negligence)\b",
            r"\b(we|our (technician|driver|team|courier)) (damaged|broke|lost) your\b",
            r"\bwe were wrong\b",
        ),
    },
    "liability": {
        "fr": _compile(
            r"\bnotre responsabilité (est|sera|serait|se trouve) (pleinement |entièrement )?engagée\b",
            r"\bnous (assumons|reconnaissons|endossons|acceptons|prenons) (l'|l’)?(entière |toute la |pleine |"
            r"notre |la pleine |la )?responsabilité\b",
            r"\bnous (sommes|serons) (juridiquement |légalement |pleinement |entièrement )?responsables? "
            r"(du|des|de ce|de la|de votre|de vos) (préjudices?|dommages?|dégâts|sinistres?|pertes?)\b",
            r"\b(nous )?(prendrons|prenons|allons prendre) (intégralement )?en charge (les|l'ensemble des|tous les|"
            r"la totalité des|vos|les éventuels) (frais|réparations|dommages|dégâts|coûts|soins)\b",
            r"\b(réparer|indemniser|compenser) (le|votre|ce) préjudice\b",
        ),
        "en": _compile(
            r"\bwe (accept|take|assume|acknowledge) (full |all |complete |legal )*(legal )?(responsibility|liability)\b",
            r"\bwe (are|'re|will be) (legally |fully )?(liable|responsible for (the|any|all|your) "
            r"(damage|damages|losses|costs))\b",
            r"\b(we|i)(?: wi|')ll (cover|pay for) (all |the |any )*(damages|repairs)\b",
        ),
    },
}

# Deadlines: "sous 2 heures", "dans 3 jours", "within 48 hours"...
_NUMBERS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "dix": 10, "douze": 12, "quinze": 15, "vingt-quatre": 24, "quarante-huit": 48, "quelques": 2,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "ten": 10, "twelve": 12, "fifteen": 15, "few": 2,
}  # fmt: skip
_UNIT_HOURS = {
    "min": 1 / 60,
    "h": 1,
    "heure": 1,
    "hour": 1,
    "jour": 24,
    "j": 24,
    "day": 24,
    "semaine": 168,
    "week": 168,
}
_AMOUNT = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_DELAY_RE = {
    "fr": re.compile(
        rf"\b(sous|dans|d{_APOS}ici|en moins de|d{_APOS}ici à) (les )?{_AMOUNT} ?"
        r"(minutes?|min|h|heures?|jours?|j|semaines?)(?!\w)( ouvr(?:és|ées|ables))?",
        re.IGNORECASE,
    ),
    "en": re.compile(
        rf"\b(within|in the next|in less than|under) (the next )?{_AMOUNT} ?(minutes?|min|h|hours?|days?|weeks?)"
        r"(?!\w)",
        re.IGNORECASE,
    ),
}
# Deadlines said in words, with the hours they leave.
_NAMED_DEADLINES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "fr": [
        (re.compile(r"\bdans l'heure\b|\bdans l’heure\b", re.IGNORECASE), 1),
        (
            re.compile(
                rf"\b(d{_APOS}ici|avant) (ce soir|la fin de (la )?journée)\b|\bdans la journée\b|"
                rf"\baujourd{_APOS}hui même\b",
                re.IGNORECASE,
            ),
            8,
        ),
        (
            re.compile(
                r"\b(vers vous|vous (rappel|recontact|répond|rembours|livr)\w*|(livré|expédié|remboursé|réparé|"
                r"réglé|résolu|traité)e?s?) (?P<when>(dès |d'ici |d’ici )?(aujourd'hui|aujourd’hui|ce soir))\b",
                re.IGNORECASE,
            ),
            8,
        ),
        (re.compile(rf"\b(d{_APOS}ici|dès|avant) demain\b", re.IGNORECASE), 24),
    ],
    "en": [
        (re.compile(r"\bwithin the hour\b", re.IGNORECASE), 1),
        (
            re.compile(
                r"\b(by|before) (tonight|the end of (the )?day|end of day|close of business)\b|\blater today\b",
                re.IGNORECASE,
            ),
            8,
        ),
        (
            re.compile(
                r"\b(back to you|call you( back)?|contact you|refund(ed)?|shipped|delivered|fixed|resolved|sorted)"
                r" (?P<when>today)\b",
                re.IGNORECASE,
            ),
            8,
        ),
        (re.compile(r"\b(by|before) tomorrow\b", re.IGNORECASE), 24),
    ],
}


@dataclass(frozen=True)
class _Hit:
    topic: str
    start: int
    end: int


def _delay_hours(amount: str, unit: str) -> float | None:
    amount = amount.lower()
    value = float(amount.replace(",", ".")) if amount[0].isdigit() else float(_NUMBERS.get(amount, 0))
    unit = unit.lower().rstrip("s")
    if unit.startswith("min"):
        unit = "min"
    hours = _UNIT_HOURS.get(unit)
    return None if hours is None else value * hours


def _deadlines(text: str, language: str) -> list[tuple[int, int, float]]:
    found: list[tuple[int, int, float]] = []
    pattern = _DELAY_RE.get(language)
    if pattern is not None:
        for match in pattern.finditer(text):
            hours = _delay_hours(match.group(3), match.group(4))
            if hours is not None:
                found.append((match.start(), match.end(), hours))
    for named, hours in _NAMED_DEADLINES.get(language, []):
        for m in named.finditer(text):
            # Only the delay is highlighted ("aujourd'hui" of "nous revenons vers vous aujourd'hui").
            group = "when" if "when" in named.groupindex and m.group("when") else 0
            found.append((m.start(group), m.end(group), hours))
    return found


_CLAUSE_END_RE = re.compile(r"[.!?\n,;:]")
_NEGATION_RE = re.compile(
    rf"\b(ne|n{_APOS})\b.*\b(pas|plus|jamais|aucun|aucune|guère)\b|\b(pas|aucune?|sans)\s+(de\s+|d{_APOS}\s*)?$|"
    r"\b(not|never|cannot|can't|unable to)\b",
    re.IGNORECASE,
)


def _negated(text: str, start: int) -> bool:
    """True when the clause holding ``start`` denies it ("nous ne pouvons pas…", "aucun geste…").

    Only the clause counts: in "si vous n'êtes pas satisfait, nous vous remboursons" the refund is
    promised."""
    ends = [m.end() for m in _CLAUSE_END_RE.finditer(text, 0, start)]
    clause_start = ends[-1] if ends else 0
    return bool(_NEGATION_RE.search(text[clause_start:start]))


def commitment_hits(
    text: str, language: str, topics: Collection[str], shortest_deadline_hours: float | None
) -> list[tuple[_Hit, float | None]]:
    """Every commitment of ``text`` in one of ``topics``, with the promised hours for deadlines."""
    hits: list[tuple[_Hit, float | None]] = []
    for topic, patterns in _PATTERNS.items():
        pattern = patterns.get(language)
        if topic not in topics or pattern is None:
            continue
        for match in pattern.finditer(text):
            if topic in ("refund", "gesture", "money") and _negated(text, match.start()):
                continue
            hits.append((_Hit(topic, match.start(), match.end()), None))
    if "deadline" in topics and shortest_deadline_hours is not None:
        for start, end, hours in _deadlines(text, language):
            if hours < shortest_deadline_hours:
                hits.append((_Hit("deadline", start, end), hours))
    # One finding per place: a longer match of one topic hides an overlapping one of the same topic.
    hits.sort(key=lambda hit: (hit[0].start, -(hit[0].end - hit[0].start)))
    kept: list[tuple[_Hit, float | None]] = []
    for hit in hits:
        if any(k.topic == hit[0].topic and k.start <= hit[0].start < k.end for k, _hours in kept):
            continue
        kept.append(hit)
    return kept


def _message(topic: str, words: str, hours: float | None, shortest: float | None) -> str:
    if topic == "refund":
        return _(
            "« %(words)s » promet un remboursement : la charte demande qu'un responsable valide la réponse."
        ) % {"words": words}
    if topic == "gesture":
        return _(
            "« %(words)s » promet un geste commercial (avoir, bon d'achat, compensation) : la charte demande "
            "qu'un responsable valide la réponse."
        ) % {"words": words}
    if topic == "money":
        return _(
            "« %(words)s » engage l'organisation à verser de l'argent : la charte demande qu'un responsable "
            "valide la réponse."
        ) % {"words": words}
    if topic == "fault":
        return _(
            "« %(words)s » reconnaît une faute de l'organisation : la charte demande qu'un responsable valide "
            "la réponse. Pour compatir sans reconnaître de faute, écrivez par exemple « nous comprenons votre "
            "mécontentement »."
        ) % {"words": words}
    if topic == "liability":
        return _(
            "« %(words)s » engage la responsabilité juridique de l'organisation : la charte demande qu'un "
            "responsable valide la réponse."
        ) % {"words": words}
    return _(
        "« %(words)s » promet un délai plus court que ce que la charte autorise (%(shortest)s h au moins) : "
        "un responsable doit valider la réponse, ou annoncez un délai plus prudent."
    ) % {"words": words, "shortest": f"{shortest:g}" if shortest is not None else "0"}


# The code of each topic's finding: refunds, gestures and money keep the gate's first code.
CODES = {
    "refund": "unauthorised_promise",
    "gesture": "unauthorised_promise",
    "money": "unauthorised_promise",
    "fault": "admission_of_fault",
    "liability": "legal_liability",
    "deadline": "unauthorised_deadline",
}


def check_commitments(
    text: str,
    language: str,
    *,
    topics: Collection[str],
    shortest_deadline_hours: float | None = 24,
) -> list[Finding]:
    """What the reply commits the organisation to that the charter reserves to a supervisor."""
    return [
        Finding(
            CODES[hit.topic],
            WARN,
            _message(hit.topic, text[hit.start : hit.end], hours, shortest_deadline_hours),
            hit.start,
            hit.end,
            approval_topic=hit.topic,
        )
        for hit, hours in commitment_hits(text, language, topics, shortest_deadline_hours)
    ]
