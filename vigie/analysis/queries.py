"""Reads of the analysis app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext

from vigie.analysis.builtin.priority.analyzer import reason_text
from vigie.analysis.builtin.suspicious.analyzer import BURST, DUPLICATE, reason_codes
from vigie.analysis.jsonl import user_toxicity
from vigie.analysis.models import AnalysisResult, AnalysisSettings, Correction, Theme
from vigie.analysis.taxonomy import DEFAULT_TAXONOMY
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.mentions.models import Mention, Sentiment


def mention_ids_since(organisation: Organisation, since: datetime | None = None) -> list[int]:
    """Ids of the organisation's mentions, oldest first, published at or after ``since``."""
    mentions = scoped(Mention, organisation)
    if since is not None:
        mentions = mentions.filter(created_at__gte=since)
    return list(mentions.order_by("created_at", "pk").values_list("pk", flat=True))


def results_by_mention(
    organisation: Organisation, mention_ids: Iterable[int], analyzers: Iterable[str]
) -> dict[int, dict[str, Any]]:
    """The stored results of ``analyzers`` for many mentions in one query, merged per mention
    (what the route step's rules look at: toxicity, legal risk, stars)."""
    merged: dict[int, dict[str, Any]] = {}
    rows = scoped(AnalysisResult, organisation).filter(
        mention_id__any_of=list(mention_ids), analyzer__in=analyzers
    )
    for mention_id, result in rows.values_list("mention_id", "result"):
        if isinstance(result, dict):
            merged.setdefault(mention_id, {}).update(result)
    return merged


def organisation_themes(organisation: Organisation, *, active_only: bool = True) -> QuerySet[Theme]:
    themes = scoped(Theme, organisation)
    return themes.filter(active=True) if active_only else themes


@dataclass(frozen=True)
class MentionAnalysis:
    """What the case page shows of a mention's analysis."""

    results: dict[str, dict[str, Any]]  # analyzer name -> its stored result
    versions: dict[str, str]
    priority_reasons: list[str]
    personal_data: list[dict[str, Any]]
    toxicity: dict[str, Any] | None
    suspicious_reasons: list[str]  # in the reader's language
    corrections: list[Correction]
    # A rated review whose stars gave its side against what its words say: the words' reading
    # ({"label": display label, "score"}), shown beside it; None otherwise or once a person set it.
    text_sentiment: dict[str, Any] | None = None


def suspicious_reason_text(entry: dict[str, Any]) -> str:
    """One suspicious-review reason (a code of ``reason_codes``) in the active language: the
    reader's, never the language the analysis ran in."""
    if entry.get("code") == DUPLICATE:
        return gettext("Texte quasi identique à celui d'un autre auteur")
    if entry.get("code") == BURST:
        return gettext("Vague de notes basses venant de comptes récents (%(count)s en 24 heures)") % {
            "count": entry.get("count", 0)
        }
    return str(entry.get("text") or entry.get("code") or "")


def priority_reason_texts(priority: dict[str, Any]) -> list[str]:
    """The priority's reasons in the active language (the reader's) where the result stored their
    codes (priority 1.3 on), else as they were stored (in the organisation's language)."""
    codes = priority.get("codes")
    if not isinstance(codes, list):
        return [str(reason) for reason in priority.get("reasons") or []]
    english = (get_language() or "fr").startswith("en")
    texts = [reason_text(entry, english) for entry in codes if isinstance(entry, dict)]
    return [text for text in texts if text]


def mention_analysis(mention: Mention) -> MentionAnalysis:
    """The stored analysis of ``mention`` (empty parts when it has not been analysed yet)."""
    rows = list(scoped(AnalysisResult, mention.organisation).filter(mention=mention))
    flat: dict[str, Any] = {}
    for row in rows:
        flat.update(row.result)
    priority = flat.get("priority") if isinstance(flat.get("priority"), dict) else {}
    suspicious = flat.get("suspicious") if isinstance(flat.get("suspicious"), dict) else {}
    toxicity = user_toxicity(flat) if isinstance(flat.get("toxicity"), dict) else None
    corrections = list(
        scoped(Correction, mention.organisation).filter(mention=mention).select_related("corrected_by")
    )
    return MentionAnalysis(
        results={row.analyzer: row.result for row in rows},
        versions={row.analyzer: row.version for row in rows},
        priority_reasons=priority_reason_texts(priority or {}),
        personal_data=list(flat.get("personal_data") or []),
        toxicity=toxicity,
        suspicious_reasons=[suspicious_reason_text(entry) for entry in reason_codes(suspicious or {})],
        corrections=corrections,
        text_sentiment=_text_sentiment(mention, flat.get("sentiment"), corrections),
    )


def _text_sentiment(mention: Mention, stored: Any, corrections: list[Correction]) -> dict[str, Any] | None:
    if not isinstance(stored, dict) or stored.get("text_label") not in Sentiment.values:
        return None
    if stored["text_label"] == mention.sentiment or any(c.field == "sentiment" for c in corrections):
        return None
    return {"label": Sentiment(stored["text_label"]).label, "score": stored.get("text_score")}


def correction_labels(organisation: Organisation, field: str) -> list[tuple[int, Any]]:
    """``(mention id, corrected value)`` pairs, latest correction per mention: training labels."""
    latest: dict[int, Any] = {}
    for mention_id, value in (
        scoped(Correction, organisation)
        .filter(field=field)
        .order_by("corrected_at", "pk")
        .values_list("mention_id", "new_value")
    ):
        latest[mention_id] = value
    return list(latest.items())


def theme_choices(
    organisation: Organisation, *, extra: list[str] | tuple[str, ...] = (), language: str | None = None
) -> list[tuple[str, str]]:
    """``(slug, label)`` of the organisation's active themes (the default taxonomy when it has
    none yet, in ``language``, the organisation's by default), plus any slug of ``extra`` not among
    them, labelled by its slug."""
    from vigie.analysis.taxonomy import default_labels

    choices = list(organisation_themes(organisation).values_list("slug", "label"))
    if not choices:
        choices = list(default_labels(language or organisation.language).items())
    known = {slug for slug, _ in choices}
    choices += [(slug, slug) for slug in extra if slug not in known]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def reader_theme_choices(
    organisation: Organisation, *, extra: list[str] | tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """``theme_choices`` for a page: the default taxonomy's themes in its reader's language (an
    English agent of a French organisation read "Remboursements" in the filters, "Refunds" on the
    dashboard); an organisation's own themes keep the labels it gave them."""
    return theme_choices(organisation, extra=extra, language=(get_language() or "")[:2] or None)


def unthemed_mentions(
    organisation: Organisation, *, since: datetime | None = None, limit: int = 20_000
) -> list[tuple[int, str]]:
    """``(id, text)`` of the organisation's latest analysed mentions that fit no theme."""
    mentions = scoped(Mention, organisation).filter(themes=[]).exclude(text="").exclude(language="")
    if since is not None:
        mentions = mentions.filter(created_at__gte=since)
    return list(mentions.order_by("-created_at").values_list("pk", "text")[:limit])


def theme_candidates(organisation: Organisation) -> QuerySet[Any]:
    """The clusters found by the last discovery that nobody has promoted yet, largest first."""
    from vigie.analysis.models import ThemeCandidate

    return scoped(ThemeCandidate, organisation).filter(promoted_to__isnull=True)


def taxonomy_for_settings(organisation: Organisation) -> list[dict[str, Any]]:
    """The organisation's themes as the settings page lists them (``slug``, ``label``,
    ``keywords``, ``active``): its own, or the default taxonomy it uses until it has some."""
    from vigie.analysis.taxonomy import TAXONOMY_LANGUAGES

    own = list(scoped(Theme, organisation).order_by("label"))
    if own:
        return [
            {"slug": t.slug, "label": t.label, "keywords": list(t.keywords), "active": t.active} for t in own
        ]
    # The taxonomy its texts in its language are read with (English labels and keywords for an
    # English organisation).
    defaults = TAXONOMY_LANGUAGES.get(organisation.language, DEFAULT_TAXONOMY)
    return [{**spec.as_dict(), "active": True} for spec in sorted(defaults, key=lambda s: s.label)]


def free_theme_slug(organisation: Organisation, label: str) -> str:
    """A slug made from ``label`` that none of the organisation's themes has yet."""
    from django.utils.text import slugify

    base = slugify(label).replace("-", "_")[:40].strip("_") or "theme"
    taken = set(scoped(Theme, organisation).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}_{number}", number + 1
    return slug


@dataclass(frozen=True)
class TextReading:
    """What the analysis reads in a text nobody stored: the facts routing tests."""

    language: str
    sentiment: str
    type: str
    themes: tuple[str, ...]
    toxic: bool
    legal_risk: bool


def read_text(
    organisation: Organisation, text: str, *, platform: str = "", rating: float | None = None
) -> TextReading:
    """Analyse ``text`` as a mention of ``organisation`` would be (its taxonomy and patterns), and
    store nothing: the routing dry-run's "describe a mention" reads a typed text this way."""
    # Imported here: the pipeline loads the models, which a page that never asks must not pay for.
    from vigie.analysis.contract import Item
    from vigie.analysis.jsonl import output_record
    from vigie.analysis.pipeline import analyze_items

    item = Item(
        id="dry-run",
        text=text,
        platform=platform,
        rating=rating,
        language_hint=organisation.language,
        context=organisation_context(organisation),
    )
    [results] = analyze_items([item])
    record = output_record(item.id, results)
    toxicity = user_toxicity(results) or {}
    return TextReading(
        language=str(record.get("language") or ""),
        sentiment=str((record.get("sentiment") or {}).get("label") or ""),
        type=str(record.get("type") or ""),
        themes=tuple(record.get("themes") or ()),
        toxic=bool(toxicity.get("toxic")),
        legal_risk=bool(toxicity.get("legal_risk")),
    )


def organisation_context(organisation: Organisation) -> dict[str, Any]:
    """What the analyzers need to know of ``organisation``: taxonomy, patterns, names."""
    themes = list(scoped(Theme, organisation).filter(active=True))
    taxonomy = (
        [{"slug": t.slug, "label": t.label, "keywords": t.keywords, "examples": t.examples} for t in themes]
        if themes
        else [theme.as_dict() for theme in DEFAULT_TAXONOMY]
    )
    settings = AnalysisSettings.objects.filter(organisation=organisation).first()
    return {
        "taxonomy": taxonomy,
        "order_patterns": list(settings.order_patterns) if settings else [],
        "number_patterns": [["customer_number", p] for p in settings.customer_patterns] if settings else [],
        "organisation_terms": [organisation.name, *(settings.organisation_terms if settings else [])],
    }


def theme_clauses(organisation: Organisation, language: str) -> Callable[[str], list[frozenset[str]]]:
    """A reader of texts of ``organisation`` in ``language``: the text cut into sentences and
    contrast clauses as the themes analyzer cuts them, with the themes each clause names by its
    keywords (the organisation's taxonomy, as ``organisation_context`` gives it to the analyzer).
    The report weighs with it how much a quote is about the theme it illustrates."""
    from vigie.analysis.builtin.themes.analyzer import clauses, index_for

    index = index_for(organisation_context(organisation)["taxonomy"], language)

    def read(text: str) -> list[frozenset[str]]:
        return [frozenset(index.themes(clause)) for clause in clauses(text)]

    return read
