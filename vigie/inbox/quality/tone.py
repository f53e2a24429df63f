"""Warnings on how a reply reads: defensive wording, shouting, jargon, missing parts.

Promises live in ``commitments`` (they need approval), insults in ``respect`` (they block)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from vigie.inbox.quality.findings import WARN, Finding


def _compile(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_APOS = "['’]"

# Wording that argues with the customer or puts the blame on them.
_DEFENSIVE = {
    "fr": _compile(
        r"\bvous (avez|aviez) tort\b",
        rf"\bc{_APOS}est (faux|n{_APOS}importe quoi|ridicule|un mensonge)\b",
        r"\bvous mentez\b",
        r"\bmensonges?\b",
        rf"\bn{_APOS}importe quoi\b",
        rf"\b(ce n{_APOS}est|c{_APOS}est) pas (de )?notre faute\b",
        r"\bcalmez[- ]vous\b",
        r"\bcomme (déjà|deja) (dit|indiqué|précisé|expliqué)\b",
        rf"\bcomme (nous l{_APOS}avons|on l{_APOS}a) (déjà )?(dit|indiqué|précisé|expliqué)\b",
        r"\bvous auriez dû\b",
        r"\bil (vous )?suffisait de\b",
        rf"\bvous n{_APOS}avez (qu{_APOS}à|qu{_APOS}a) \w+\b",
        rf"\bc{_APOS}est (de )?votre faute\b",
        r"\bmalhonnête\b",
        r"\bde mauvaise foi\b",
        r"\binadmissible\b",
    ),
    "en": _compile(
        r"\byou(?: a|')re wrong\b",
        r"\b(that|this) is (false|nonsense|ridiculous|a lie)\b",
        r"\byou(?: a|')re lying\b",
        r"\bnot our fault\b",
        r"\bcalm down\b",
        r"\bas (we )?(already|previously) (said|stated|explained|mentioned)\b",
        r"\byou should have\b",
        r"\ball you (had|have|need) to do\b",
        r"\b(it's|it is) your (own )?fault\b",
        r"\bdishonest\b",
        r"\bin bad faith\b",
        r"\bunacceptable behaviou?r\b",
    ),
}

# Whoever answers for the organisation, in the words replies use ("un conseiller", "notre équipe").
_FR_STAFF = (
    r"conseill(er|ère)s?|agent(e)?s?|technicien(ne)?s?|équipes?|services?|responsables?|collègues?|"
    r"interlocut(eur|rice)s?|spécialistes?|gestionnaires?|expert(e)?s?|référent(e)?s?|chargée? de clientèle"
)
# Contacting the customer, now or later: "vous contacte", "vous rappellera", "vous répond".
_FR_CONTACT_THIRD = (
    r"(re)?contact(e|ent|era|eront)|rappell(e|ent|era|eront)(?! qu)|appell(e|ent|era|eront)|"
    r"écri(t|vent|ra|ront)|répond(ent|ra|ront)?"
)
_FR_CONTACT_FIRST = (
    r"(re)?contact(e|ons|erai|erons)|rappell(e|erai|erons)|rappelons(?! qu)|appell(e|erai|erons)|appelons|"
    r"écri(s|vons|rai|rons)|répond(s|ons|rai|rons)"
)
_FR_STAFF_CONTACTS = (
    rf"(?<!\baucun )(?<!\baucune )\b({_FR_STAFF})( (?!ne\b|n{_APOS})\w+)? vous ({_FR_CONTACT_THIRD})\b"
)
_EN_STAFF = (
    r"advis[eo]rs?|agents?|colleagues?|technicians?|engineers?|team|specialists?|managers?|"
    r"representatives?|experts?|department|someone|somebody"
)
_EN_STAFF_CONTACTS = (
    rf"(?<!\bno )\b({_EN_STAFF}) (will|shall|is going to|are going to|is|are) "
    r"(call(ing)?|phon(e|ing)|ring(ing)?|e-?mail(ing)?|contact(ing)?|messag(e|ing)|writ(e|ing) to|"
    r"get(ting)? back to|reach(ing)? out to|follow(ing)? up with|be in touch with) you\b"
    rf"|(?<!\bno )\b({_EN_STAFF}) (will|shall|is going to|are going to) be in touch\b"
)

# The parts of a good answer to an unhappy customer, each recognised by a few phrasings.
_ELEMENTS: dict[str, dict[str, re.Pattern[str]]] = {
    "acknowledgement": {
        "fr": _compile(
            r"\bmerci",
            r"\bremerci\w*",
            r"\bnous (comprenons|entendons|avons bien (pris note|lu|reçu|noté))\b",
            r"\b(mauvaise|triste|désagréable) expérience\b",
            r"\b(prends|prenons|pris|tiendrons|tenons|tiens) (bien )?(en )?(compte|note)\b",
            rf"\b(n{_APOS}est|ne sont) pas (normale?s?|acceptables?|à la hauteur)\b",
            r"\bne correspond pas\b",
            r"\bdommage\b",
            r"\b(déçue?s?|décevante?s?)\b",
            r"\bvotre (réaction|impatience|agacement|inquiétude)\b",
            r"\bje (comprends|entends)\b",
            r"\b(votre|vos) (retours?|messages?|avis|colère|mécontentement|frustration|déception|remarques?|"
            r"expérience|réclamation|souci|situation)\b",
            r"\bpris (bonne )?note\b",
            r"\bcompréhensible\b",
        ),
        "en": _compile(
            r"\bthanks?\b",
            r"\bthank you\b",
            r"\bwe (understand|hear you|have (read|noted|received))\b",
            r"\bi (understand|hear you)\b",
            r"\byour (feedback|message|review|frustration|disappointment|experience|comments?)\b",
            r"\b(bad|poor|disappointing) experience\b",
            r"\b(isn't|is not|wasn't|was not) (acceptable|good enough|what we)\b",
            r"\bunderstandabl[ey]\b",
        ),
    },
    "apology": {
        "fr": _compile(
            r"\bdésolée?s?\b",
            r"\b(nos|toutes nos|mes) excuses\b",
            rf"\b(nous nous|je m{_APOS}|je me) excus\w+\b",
            r"\bpardon\b",
            r"\b(nous )?regrett\w+",
            r"\bnavrée?s?\b",
        ),
        "en": _compile(r"\bsorry\b", r"\bapologi[sz]\w*", r"\bapolog(y|ies)\b", r"\bregret\w*"),
    },
    "next_step": {
        "fr": _compile(
            r"\b(nous|je) (allons|vais|revenons|reviendrons|reviens|regardons|vérifions|transmettons|"
            r"rappelons|rappellerons|contactons|contacterons|traitons|relançons|avons transmis|avons relancé)\b",
            r"\b(je|nous) (vous )?(contacte|contactons|envoie|envoyons|transmets|transmettons|fais suivre|faisons suivre|"
            r"invite|invitons|propose|proposons|relance|relançons|vérifie|vérifions|regarde|regardons|"
            r"recontacte|recontactons)\b",
            rf"\b(j{_APOS}ai|nous avons) (transmis|fait suivre|relancé|demandé|signalé|remonté)\b",
            r"\b(faire|fera|feront|fait) le nécessaire\b",
            r"\bvous (sera|seront) (communiquée?s?|envoyée?s?|transmise?s?|proposée?s?)\b",
            r"(?<!\bne )\bvous (proposera|proposeront|contactera|contacteront|recontactera|rappellera|répondra)\b",
            # "Nous vous contacterons", "je vous recontacte", "nous vous écrirons demain".
            rf"\b(je|nous) vous ({_FR_CONTACT_FIRST})\b",
            # Someone of the organisation's: "un conseiller vous contacte aujourd'hui", "notre équipe
            # vous rappelle demain", "le service client vous répondra" (not "ne vous contacte", nor a
            # reminder: "le service vous rappelle que…").
            _FR_STAFF_CONTACTS,
            r"\b(dites-moi|dites-nous)\b",
            r"\bmerci de (me|nous) (fournir|transmettre|communiquer|donner|préciser|indiquer|envoyer)\b",
            r"\b(revenir|reviendra|reviendrons|revient|reviennent|revenons) vers vous\b",
            # A call back, not a reminder ("nous vous rappelons que…").
            r"\bvous rappel\w*\b(?! qu)",
            r"\b(rapidement|dès que possible|au plus vite|au plus tard)\b",
            r"\bsous \d+ ?(h|heures?|jours?)\b",
            rf"\b(dès|d{_APOS}ici) (aujourd{_APOS}hui|demain|ce soir|lundi|mardi|mercredi|jeudi|vendredi|réception)\b",
            r"\best (transmis|en cours|pris en charge)\b",
            rf"\b(vous pouvez|pouvez-vous|n{_APOS}hésitez pas)\b",
        ),
        "en": _compile(
            r"\b(we|i)(?: wi|')ll\b",
            r"\b(we|i) (will|are (looking|checking)|have (passed|escalated|forwarded))\b",
            r"\bget back to you\b",
            r"\bcall you back\b",
            r"\b(shortly|as soon as possible|at the latest)\b",
            r"\bwithin \d+ ?(h|hours?|days?|working days?)\b",
            r"\b(by|before) (today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday)\b",
            r"\b(has been|is being) (passed|escalated|forwarded|handled)\b",
            r"\b(you can|could you|please|feel free)\b",
            r"\b(i|we) (have )?(passed|forwarded|escalated|raised|flagged)\b",
            r"\b(i|we)('m| am|'re| are) (sending|contacting|checking|looking into|passing)\b",
            r"\blet (me|us) know\b",
            # Someone of the organisation's: "an advisor will call you", "our team is contacting you
            # today", "a colleague will get back to you" (not "no advisor will call you").
            _EN_STAFF_CONTACTS,
            r"\b(we|i)('re| are| am|'m) (calling|phoning|emailing|e-mailing|ringing|writing to) you\b",
        ),
    },
    "private_channel": {
        "fr": _compile(
            r"\b(en |par )?(message|messagerie) privée?\b",
            r"\ben privé\b",
            r"\bMP\b",
            r"\bDM\b",
            r"\bpar (e-?mail|mail|téléphone|courriel)\b",
            r"\b(nous|vous) (contacter|écrire|appeler|joindre)\b",
            r"\b(écrivez|contactez|appelez)[- ]nous\b",
            r"\bespace (adhérent|client)\b",
            r"\bnous vous (rappelons|rappellerons|contactons|contacterons|écrivons)\b",
            r"\b(je|nous) (vous )?(contacte|contacterai|contacterons|contactons|recontacte|recontactons|écris|"
            r"écrirai|écrivons)\b",
            r"\b(je vais|nous allons) vous (contacter|recontacter|écrire|appeler|rappeler)\b",
            r"\b(je|nous) vous envo\w+ (un|une) (message|mail|e-mail|courriel|demande)\b",
            r"\bpar (téléphone|messagerie|courrier)\b",
            r"\bréseaux sociaux\b",
            # A call or a message from a colleague is a private channel too.
            _FR_STAFF_CONTACTS,
        ),
        "en": _compile(
            _EN_STAFF_CONTACTS,
            r"\b(private|direct) message\b",
            r"\bDMs?\b",
            r"\bin private\b",
            r"\bprivately\b",
            r"\bby (e-?mail|phone)\b",
            r"\b(email|call|contact|message|write to) us\b",
            r"\b(we|i)(?: wi|')ll (call|email|e-mail|contact|message|write to) you\b",
            r"\b(i|we)('m| am|'re| are) (contacting|emailing|messaging|calling) you\b",
        ),
    },
}


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def check_defensive(text: str, language: str) -> list[Finding]:
    """Wording that argues with or blames the customer."""
    pattern = _DEFENSIVE.get(language)
    if pattern is None:
        return []
    return [
        Finding(
            "defensive_tone",
            WARN,
            _(
                "« %(words)s » peut paraître défensif ou agressif : reconnaissez le ressenti du client plutôt que de le contredire."
            )
            % {"words": text[start:end]},
            start,
            end,
        )
        for start, end in _spans(pattern, text)
    ]


_CAPS_WORD_RE = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{4,}\b")
_PUNCTUATION_RE = re.compile(r"!{2,}|\?{2,}|[!?]{3,}|\.{4,}")


def check_shouting(text: str, protected: Iterable[str] = ()) -> list[Finding]:
    """Words in capitals (read as shouting) and runs of !!! or ???."""
    allowed = {word.upper() for term in protected for word in re.findall(r"\w+", term)}
    findings = []
    words = [m for m in _CAPS_WORD_RE.finditer(text) if m.group() not in allowed]
    # One short acronym (SNCF, RGPD) is normal; two capitalised words in a row or a long one is not.
    runs: list[list[re.Match[str]]] = []
    for match in words:
        if runs and text[runs[-1][-1].end() : match.start()].strip(" ,") == "":
            runs[-1].append(match)
        else:
            runs.append([match])
    for run in runs:
        if len(run) >= 2 or len(run[0].group()) >= 6:
            findings.append(
                Finding(
                    "all_caps",
                    WARN,
                    _("Les majuscules se lisent comme des cris : écrivez « %(words)s » en minuscules.")
                    % {"words": text[run[0].start() : run[-1].end()]},
                    run[0].start(),
                    run[-1].end(),
                    text[run[0].start() : run[-1].end()].lower(),
                )
            )
    for match in _PUNCTUATION_RE.finditer(text):
        suggestion = match.group()[0] if match.group()[0] in "!?" else "…"
        findings.append(
            Finding(
                "punctuation",
                WARN,
                _("Ponctuation excessive « %(marks)s » : une seule marque suffit.")
                % {"marks": match.group()},
                match.start(),
                match.end(),
                suggestion,
            )
        )
    return findings


def check_jargon(text: str, jargon: Iterable[str]) -> list[Finding]:
    """Internal words from the charter's list, which customers do not understand."""
    findings = []
    for term in jargon:
        term = term.strip()
        if not term:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        findings += [
            Finding(
                "jargon",
                WARN,
                _("« %(term)s » est du jargon interne (charte) : employez un mot que le client comprend.")
                % {"term": m.group()},
                m.start(),
                m.end(),
            )
            for m in pattern.finditer(text)
        ]
    return findings


def missing_elements(text: str, language: str, *, private_offer: bool) -> list[str]:
    """The parts of a good answer to a complaint that ``text`` lacks, in the order they should come."""
    if language not in ("fr", "en"):
        return []
    present = {element for element, patterns in _ELEMENTS.items() if patterns[language].search(text)}
    if "apology" in present:
        # Apologising for the problem is acknowledging it.
        present.add("acknowledgement")
    if not private_offer:
        present.add("private_channel")
    return [element for element in _ELEMENTS if element not in present]


def check_answer_elements(text: str, language: str, *, private_offer: bool) -> list[Finding]:
    """For an unhappy customer: acknowledgement, apology, a next step and (in public) a private channel."""
    missing = missing_elements(text, language, private_offer=private_offer)
    if not missing:
        return []
    labels = {
        "acknowledgement": _("remercier ou reconnaître le problème"),
        "apology": _("présenter des excuses"),
        "next_step": _("annoncer une solution ou la prochaine étape"),
        "private_channel": _("proposer de poursuivre en privé"),
    }
    return [
        Finding(
            "incomplete_answer",
            WARN,
            _("Pour un client mécontent, la réponse devrait aussi : %(parts)s.")
            % {"parts": ", ".join(str(labels[element]) for element in missing)},
        )
    ]
