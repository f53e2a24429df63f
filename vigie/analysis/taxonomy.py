"""Theme taxonomies without a database: the default customer-service taxonomy and the YAML form
``vigie analyze --taxonomy`` reads.

A taxonomy is a list of ``ThemeSpec``. Analyzers receive it as plain dicts in
``Item.context["taxonomy"]`` (``slug``, ``label``, ``keywords``, ``examples``); when an item carries
no taxonomy, ``DEFAULT_TAXONOMY`` applies. Slugs are stable identifiers stored on mentions
(``Mention.themes``): never rename one. Those shared with the demo generator (attente, facturation,
remboursement, accueil, competence, joignabilite, demarches, site_app) keep the demo and the
taxonomy in agreement.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


@dataclass(frozen=True)
class ThemeSpec:
    slug: str
    label: str
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        data["examples"] = list(self.examples)
        return data


class TaxonomyError(ValueError):
    """A taxonomy file or entry is malformed."""


DEFAULT_TAXONOMY: tuple[ThemeSpec, ...] = (
    ThemeSpec(
        "attente",
        "Attente et délais",
        (
            "attente",
            "fait attendre",
            "délai",
            "retard",
            "lent",
            "lenteur",
            "toujours pas",
            "depuis des semaines",
            "file d'attente",
            "rendez-vous",
        ),
        (
            "Une heure d'attente en agence alors que j'avais rendez-vous.",
            "Mon dossier est en attente depuis trois semaines.",
            "Toujours pas de nouvelles après un mois.",
        ),
    ),
    ThemeSpec(
        "facturation",
        "Prix et facturation",
        (
            "prix",
            "tarif",
            "cher",
            "facture",
            "facturation",
            "cotisation",
            "prélèvement",
            "paiement",
            "réduction",
            "promotion",
            "augmentation",
            "hausse",
            "frais",
        ),
        (
            "Trop cher pour ce que c'est.",
            "Ma cotisation a encore augmenté de 12 %.",
            "Prélevé deux fois ce mois-ci.",
        ),
    ),
    ThemeSpec(
        "remboursement",
        "Remboursements",
        (
            "remboursement",
            "remboursé",
            "un avoir",
            "bon d'achat",
            "indemnisation",
            "indemnité",
            "dédommagement",
            "geste commercial",
        ),
        (
            "Toujours pas remboursé de ma consultation.",
            "J'attends le remboursement de ma commande annulée.",
            "Remboursée en 48 heures, parfait.",
        ),
    ),
    ThemeSpec(
        "accueil",
        "Accueil et amabilité",
        (
            "accueil",
            "amabilité",
            "gentillesse",
            "écoute",
            "sympa",
            "accueillant",
            "chaleureux",
            "aimable",
            "souriant",
            "poli",
            "impoli",
            "désagréable",
            "mépris",
            "courtois",
            "sympathique",
            "gentil",
        ),
        (
            "Accueil chaleureux, conseillère très souriante.",
            "Personnel désagréable, on m'a parlé avec mépris.",
            "Très bon accueil.",
        ),
    ),
    ThemeSpec(
        "competence",
        "Compétence des conseillers",
        (
            "compétent",
            "incompétent",
            "conseiller",
            "conseil",
            "expliqué",
            "professionnel",
            "mauvaise information",
            "connaissait",
        ),
        (
            "Le conseiller ne connaissait même pas mon contrat.",
            "Enfin quelqu'un qui m'a tout expliqué simplement.",
            "Chacun me donne une information différente.",
        ),
    ),
    ThemeSpec(
        "joignabilite",
        "Joignabilité",
        (
            "impossible de joindre",
            "pas pu joindre",
            "réussi à joindre",
            "injoignable",
            "téléphone",
            "appel",
            "rappel",
            "messagerie",
            "ne répond pas",
            "ne répondent pas",
            "standard",
            "raccroché",
            "mail sans réponse",
            "personne ne répond",
        ),
        ("Impossible de les joindre par téléphone.", "Dix appels, aucun rappel.", "On m'a raccroché au nez."),
    ),
    ThemeSpec(
        "demarches",
        "Démarches administratives",
        (
            "dossier",
            "démarche",
            "formulaire",
            "justificatif",
            "papiers",
            "document",
            "attestation",
            "résiliation",
            "paperasse",
        ),
        (
            "On me redemande les mêmes justificatifs pour la troisième fois.",
            "Résiliation impossible sans courrier recommandé.",
            "Mon attestation n'est jamais arrivée.",
        ),
    ),
    ThemeSpec(
        "livraison",
        "Livraison",
        (
            "livraison",
            "livré",
            "colis",
            "livreur",
            "expédition",
            "commande",
            "transporteur",
            "point relais",
            "suivi de colis",
            "suivi de commande",
            "numéro de suivi",
        ),
        (
            "Colis jamais livré.",
            "Livraison en retard d'une semaine.",
            "Le livreur a laissé le colis devant la porte.",
        ),
    ),
    ThemeSpec(
        "qualite",
        "Qualité du produit ou du service",
        (
            "qualité",
            "défectueux",
            "cassé",
            "panne",
            "abîmé",
            "fonctionne pas",
            "médiocre",
            "excellent produit",
            "bon produit",
            "bons produits",
            "produits de qualité",
            "conforme",
        ),
        ("Produit arrivé cassé.", "Qualité médiocre pour le prix.", "Service impeccable, rien à redire."),
    ),
    ThemeSpec(
        "site_app",
        "Site et application",
        (
            "site",
            "application",
            "appli",
            "espace client",
            "espace adhérent",
            "bug",
            "connexion",
            "mot de passe",
            "en ligne",
            "mise à jour",
        ),
        (
            "L'application plante à chaque connexion.",
            "Impossible de me connecter à mon espace client.",
            "Le site est enfin clair et rapide.",
        ),
    ),
    ThemeSpec(
        "proprete",
        "Propreté",
        ("propre", "propreté", "sale", "saleté", "hygiène", "odeur", "poussière", "toilettes", "nettoyage"),
        (
            "Locaux sales et toilettes dégoûtantes.",
            "Salle d'attente propre et agréable.",
            "Une odeur désagréable dans l'agence.",
        ),
    ),
    ThemeSpec(
        "securite",
        "Sécurité",
        (
            "sécurité",
            "dangereux",
            "danger",
            "volé",
            "agression",
            "accident sur",
            "accident dans",
            "blessé",
            "piratage",
            "fuite de données",
            "arnaque",
            "fraude",
        ),
        (
            "Mes données ont fuité après le piratage.",
            "Le parking n'est pas éclairé, c'est dangereux.",
            "Tentative d'arnaque par SMS à votre nom.",
        ),
    ),
)


# The same themes (same slugs, so stored mentions and routing rules do not depend on the language)
# for English texts: English labels and keywords, chosen by the text's detected language. English
# words are stemmed the English way ("charged", "charging" → "charg"; themes analyzer). Checked on
# English product reviews (docs/models.md): words that are also ordinary product words are only
# kept in phrases ("phone" is a product, "by phone" a contact; "form", "clean", "smell", "bug",
# "application", "professional", "friendly", "welcome", "attitude", "waiting" and "slow" alone
# named a theme in reviews that spoke of none), and no bare verb ("wait", "call", "explain").
ENGLISH_TAXONOMY: tuple[ThemeSpec, ...] = (
    ThemeSpec(
        "attente",
        "Waiting and delays",
        (
            "wait time",
            "waiting time",
            "long wait",
            "still waiting",
            "kept waiting",
            "waiting list",
            "delay",
            "delayed",
            "slow service",
            "slow to respond",
            "slow response",
            "took ages",
            "took forever",
            "queue",
            "appointment",
            "on hold",
        ),
    ),
    ThemeSpec(
        "facturation",
        "Prices and billing",
        (
            "price",
            "pricey",
            "expensive",
            "overpriced",
            "cheap",
            "cheaper",
            "cost",
            "worth the money",
            "value for money",
            "good value",
            "great value",
            "discount",
            "on sale",
            "invoice",
            "billing",
            "billed twice",
            "billed me",
            "been billed",
            "overcharged",
            "double charged",
            "charged me",
            "charged twice",
            "been charged",
            "hidden charges",
            "rip off",
            "ripoff",
            "ripped off",
            "fee",
            "my premium",
            "insurance premium",
            "premium increase",
        ),
    ),
    ThemeSpec(
        "remboursement",
        "Refunds",
        (
            "refund",
            "reimburse",
            "reimbursement",
            "money back",
            "compensation",
            "store credit",
        ),
    ),
    ThemeSpec(
        "accueil",
        "Welcome and courtesy",
        (
            "warm welcome",
            "unwelcoming",
            "very friendly",
            "so friendly",
            "friendly staff",
            "friendly service",
            "unfriendly",
            "polite",
            "impolite",
            "rude",
            "rudeness",
            "courteous",
            "discourteous",
            "helpful staff",
            "bad attitude",
            "poor attitude",
            "lovely staff",
            "staff were lovely",
            "staff were friendly",
            "staff were rude",
            "staff was rude",
        ),
    ),
    ThemeSpec(
        "competence",
        "Staff competence",
        (
            "competent",
            "incompetent",
            "incompetence",
            "knowledgeable",
            "clueless",
            "advisor",
            "adviser",
            "good advice",
            "bad advice",
            "wrong advice",
            "explained everything",
            "clearly explained",
            "very professional",
            "unprofessional",
            "wrong information",
        ),
    ),
    ThemeSpec(
        "joignabilite",
        "Reachability",
        (
            "by phone",
            "over the phone",
            "call centre",
            "call center",
            "called them",
            "call back",
            "called back",
            "hotline",
            "helpline",
            "unreachable",
            "hung up on",
            "answer the phone",
            "answers the phone",
            "answering the phone",
            "impossible to reach",
            "unable to reach",
            "could not reach",
            "no answer",
            "no reply",
            "never replied",
            "never answered",
            "no response from",
            "voicemail",
            "couldn't get through",
            "could not get through",
        ),
    ),
    ThemeSpec(
        "demarches",
        "Paperwork",
        (
            "paperwork",
            "the documents",
            "cancellation",
            "cancel my",
            "claim form",
            "my claim",
            "insurance claim",
            "proof of purchase",
            "proof of address",
        ),
    ),
    ThemeSpec(
        "livraison",
        "Delivery",
        (
            "delivery",
            "delivered",
            "deliveries",
            "parcel",
            "poor packaging",
            "badly packaged",
            "poorly packaged",
            "well packaged",
            "badly packed",
            "poorly packed",
            "well packed",
            "package arrived",
            "courier",
            "shipping",
            "shipped",
            "shipment",
            "postage",
            "tracking number",
            "tracking information",
            "dispatch",
            "never arrived",
            "never received",
            "not received",
            "haven't received",
            "didn't receive",
            "hasn't arrived",
            "didn't arrive",
            "arrived late",
            "arrived quickly",
            "arrived promptly",
            "arrived on time",
            "arrived early",
            "lost in the post",
        ),
    ),
    ThemeSpec(
        "qualite",
        "Product or service quality",
        (
            "quality",
            "defective",
            "defect",
            "broken",
            "broke",
            "faulty",
            "damaged",
            "well made",
            "badly made",
            "poorly made",
            "cheaply made",
            "flimsy",
            "sturdy",
            "well built",
            "poorly built",
            "workmanship",
            "stitching",
            "dented",
            "durable",
            "torn",
            "shrunk",
            "shrank",
            "fell apart",
            "falls apart",
            "came apart",
            "stopped working",
            "stop working",
            "quit working",
            "not as described",
            "not as advertised",
            "not as pictured",
            "what was advertised",
        ),
    ),
    ThemeSpec(
        "site_app",
        "Website and app",
        (
            "website",
            "web site",
            "app",
            "login",
            "log in",
            "password",
            "online account",
            "my account",
            "buggy",
            "glitch",
            "keeps crashing",
        ),
    ),
    ThemeSpec(
        "proprete",
        "Cleanliness",
        (
            "cleanliness",
            "unclean",
            "dirty",
            "filthy",
            "hygiene",
            "bad smell",
            "smells bad",
            "smelly",
            "stench",
        ),
    ),
    ThemeSpec(
        "securite",
        "Safety and security",
        (
            "safety",
            "unsafe",
            "dangerous",
            "theft",
            "stolen",
            "assault",
            "hacked",
            "data breach",
            "phishing",
            "fraud",
            "fraudulent",
        ),
    ),
)


TAXONOMY_LANGUAGES = {"fr": DEFAULT_TAXONOMY, "en": ENGLISH_TAXONOMY}


def default_taxonomy(language: str = "fr") -> list[dict[str, Any]]:
    """The default taxonomy as the plain dicts analyzers receive: English for ``language`` "en",
    French otherwise (Vigie's first language)."""
    return [theme.as_dict() for theme in TAXONOMY_LANGUAGES.get(language, DEFAULT_TAXONOMY)]


def default_label(slug: str, language: str = "fr") -> str:
    """A default theme's label in ``language`` (French when unknown); the slug for another theme."""
    return default_labels(language).get(slug, slug)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def parse_taxonomy(data: Any) -> list[ThemeSpec]:
    """Validate a taxonomy given as a list of mappings (``slug``, ``label``, ``keywords``, ``examples``)."""
    if not isinstance(data, list) or not data:
        raise TaxonomyError("a taxonomy is a non-empty YAML list of themes")
    themes: list[ThemeSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(data, start=1):
        where = f"theme {index}"
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{where} must be a mapping with slug, label, keywords, examples")
        slug = entry.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise TaxonomyError(f"{where}: slug must be lowercase letters, digits, _ or - (got {slug!r})")
        if slug in seen:
            raise TaxonomyError(f"{where}: slug {slug!r} appears twice")
        seen.add(slug)
        unknown = sorted(set(entry) - {"slug", "label", "keywords", "examples"})
        if unknown:
            raise TaxonomyError(f"{where} ({slug}): unknown field(s) {', '.join(unknown)}")
        label = entry.get("label", slug)
        if not isinstance(label, str):
            raise TaxonomyError(f"{where} ({slug}): label must be a string")
        keywords = _strings(entry.get("keywords"), f"{where} ({slug}): keywords")
        examples = _strings(entry.get("examples"), f"{where} ({slug}): examples")
        if not keywords and not examples:
            raise TaxonomyError(f"{where} ({slug}): give at least one keyword or example")
        themes.append(ThemeSpec(slug, label or slug, keywords, examples))
    return themes


def load_taxonomy_file(path: Path) -> list[ThemeSpec]:
    """Read and validate a YAML taxonomy file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path} is not valid YAML: {exc}") from exc
    return parse_taxonomy(data)


def default_labels(language: str = "fr") -> dict[str, str]:
    """Slug -> label of the default taxonomy's themes in ``language`` (French unless "en"): the
    names an organisation reads until it writes its own themes (an English organisation read
    "Prix et facturation" on its dashboard)."""
    return {theme.slug: theme.label for theme in TAXONOMY_LANGUAGES.get(language, DEFAULT_TAXONOMY)}
