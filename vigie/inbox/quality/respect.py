"""What no reply may say to a customer: insults and vulgarity, contempt, sarcasm. These block.

Both languages' lists are read whatever the reply's language (an English swear word in a French
reply is still one). Words the reply quotes between quotation marks are the customer's, not the
agent's ("vous trouvez notre service « nul » : …"), so they are not flagged. Arguing or blaming
without contempt ("vous avez tort") stays a warning (``tone.check_defensive``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from vigie.inbox.quality.findings import BLOCK, Finding

_A = "['’]"


def _compile(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_INSULT = _compile(
    # French
    r"\bconneries?\b",
    r"\bconnard\w*",
    r"\bconnasses?\b",
    r"\b(gros|petit|pauvre|vieux|sale|espèce de) (cons?|conne)\b",
    r"\bvous êtes (un |une )?(cons?|connes?)\b",
    r"\babrutie?s?\b",
    r"\bcrétine?s?\b",
    r"\bdébiles?\b",
    r"\bimbéciles?\b",
    r"\benfoirée?s?\b",
    r"\bsalauds?\b",
    r"\bsalopes?\b",
    r"\bpétasses?\b",
    r"\bpouffiasses?\b",
    r"\bmerd(e|es|ique|iques)\b",
    r"\bputains?\b",
    r"\bbordel\b",
    r"\bemmerd\w+",
    r"\bfoutaises?\b",
    r"\b(vous (vous )?foutez|se foutre|rien à foutre|vous fout)\b",
    r"\bta gueule\b",
    r"\b(fermez|ferme)[- ]la\b",
    r"\b(dégagez|casse-toi|cassez-vous|barrez-vous)\b",
    r"\btrou du cul\b",
    r"\bpauvres? (type|mec|fille|idiote?|imbécile|abrutie?)s?\b",
    rf"\bespèce d{_A} ?(idiote?|imbécile|abrutie?|andouille|crétine?|incapable)s?\b",
    # English
    r"\bbullshit\b",
    r"\bcrap(py)?\b",
    r"\bshit\w*",
    r"\bfuck\w*",
    r"\bbitch\w*",
    r"\bassholes?\b",
    r"\bmoron(s|ic)?\b",
    r"\bidiots?\b",
    r"\bshut up\b",
    r"\bpiss off\b",
    r"\bscrew you\b",
    r"\bgo to hell\b",
    r"\bget lost\b",
)

_CONTEMPT = _compile(
    # French
    r"\b(savez|sachez)[- ]vous (donc )?lire\b",
    r"\bapprenez (donc )?à lire\b",
    r"\bsi vous (saviez|aviez su|preniez la peine de|aviez pris la peine de) lire\b",
    r"\b(il faut|faut|fallait|il fallait) (savoir|apprendre à) lire\b",
    r"\bvous (êtes|semblez|avez l'air|avez l’air) (vraiment |bien |un peu |complètement |totalement )?"
    r"(bête|idiote?|stupide|débile|incapable|ridicule|pénible|lourde?|nulle?|bornée?|ignorante?|inculte)s?\b",
    rf"\bvous n{_A}y (connaissez|comprenez) rien\b",
    r"\b(allez|aller) (donc )?(voir|vous servir|vous faire servir|acheter) ailleurs\b",
    r"\ballez (donc )?chez (la concurrence|nos concurrents)\b",
    r"\bpersonne ne vous (oblige|force|retient)\b",
    r"\bestimez-vous heureu(x|se|ses)\b",
    rf"\b(nous ne sommes|on n{_A}est|on est) pas (vos|à votre) (larbins|esclaves|domestiques|bonnes|service)\b",
    r"\bbon débarras\b",
    r"\bon se passera (bien |très bien )?de (vous|votre|clients comme vous)\b",
    rf"\b(ce n{_A}est|c{_A}est) pas (notre|mon) problème\b",
    r"\bvous (nous )?faites perdre (notre|du) temps\b",
    # English
    r"\blearn (how )?to read\b",
    r"\bcan('t| not|not) you (even )?read\b|\bcan you even read\b",
    r"\bif you (could|bothered to|took the time to) read\b",
    r"\byou('re| are) (so |really |just |clearly )?(stupid|dumb|clueless|ridiculous|pathetic|an idiot|ignorant)\b",
    r"\bnobody (forces|is forcing|made) you\b",
    r"\btake your business elsewhere\b",
    r"\bgo (somewhere|shop|buy) elsewhere\b",
    r"\bgood riddance\b",
    r"\bnot our problem\b",
    r"\byou people\b",
    r"\byou (are )?wasting our time\b",
)

_SARCASM = _compile(
    # French
    r"\bmerci (pour|de) (cette|votre|la) (leçon|brillante analyse|magnifique (analyse|leçon))\b",
    r"\bmerci de nous apprendre (notre|le) métier\b",
    r"\bsans blague\b",
    rf"\bcomme c{_A}est (original|surprenant)\b",
    r"\b(si|puisque) vous le dites\b",
    r"\bvous nous en (direz|dites) tant\b",
    rf"\bon (en tremble|s{_A}en remettra)\b",
    r"\bça nous fait une belle jambe\b",
    r"\bvous avez (sûrement|sans doute|certainement) mieux à faire\b",
    r"\b(mdr|ptdr|lol)\b",
    "[\U0001f644\U0001f60f\U0001f921]",  # eye roll, smirk, clown
    # English
    r"\bthanks? (you )?for the lesson\b",
    r"\b(thanks?|thank you) for teaching us (our job|how to)\b",
    r"\byeah,? right\s*[.!…]",
    r"\bif you say so\b",
    r"\bgood luck with that\b",
    r"\bnice try\b",
    r"\bno kidding\b",
    r"\bsherlock\b",
    r"\bwhat a genius\b",
)

_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"\n]*\"")


def _quoted(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def check_respect(text: str) -> list[Finding]:
    """Insults, contempt or sarcasm toward the customer: these block the reply."""
    quotes = _quoted(text)
    findings: list[Finding] = []
    kinds = (
        (
            "insult",
            _INSULT,
            _(
                "« %(words)s » est insultant ou vulgaire : une réponse au client ne peut pas le contenir. "
                "Retirez-le et décrivez calmement la situation."
            ),
        ),
        (
            "contempt",
            _CONTEMPT,
            _(
                "« %(words)s » est méprisant envers le client : reformulez avec respect, en reconnaissant "
                "son ressenti."
            ),
        ),
        (
            "sarcasm",
            _SARCASM,
            _(
                "« %(words)s » se lit comme de l'ironie ou du sarcasme envers le client : dites les choses "
                "simplement et sincèrement."
            ),
        ),
    )
    taken: list[tuple[int, int]] = []
    for code, pattern, message in kinds:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(q_start <= start and end <= q_end for q_start, q_end in quotes):
                continue
            if any(t_start < end and start < t_end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            findings.append(Finding(code, BLOCK, message % {"words": match.group()}, start, end))
    return findings
