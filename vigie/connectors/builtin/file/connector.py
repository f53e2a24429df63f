"""The ``file`` connector: reviews and mentions imported from CSV, XLSX, JSON and JSONL files.

What has no API (employer review sites, survey tools, exports of platforms Vigie does not poll)
comes in through files. Columns are matched to Vigie fields by a preset (``generic``,
``trustpilot``, ``google_takeout``, ``skeepers``, ``employer``, and the exports of ``x``,
``youtube``, ``reddit``, ``linkedin``, ``glassdoor`` and ``indeed``, with their likes, shares and
replies) and explicit ``COL=FIELD`` mappings; a row that cannot be read is rejected with its line
number and the others import.
The file is read as a stream (``vigie import``): memory stays flat whatever its size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from vigie.connectors.builtin.file.reader import FileReader, guess_format
from vigie.connectors.builtin.file.schemas import (
    PRESET_LABELS,
    PRESET_TIMEZONES,
    PRESET_URL_BASES,
    PRESETS,
    SNOWFLAKE_PRESETS,
    TARGET_FIELDS,
    MappedRow,
    normalise_header,
)
from vigie.connectors.contract import AuthorIn, Capability, Connector, ConnectorConfig, MentionIn
from vigie.connectors.normalise import (
    aware_datetime,
    rating_to_five,
    raw_rating,
    snowflake_time,
    text_and_html,
    zone,
)
from vigie.connectors.platforms import gettext_noop
from vigie.connectors.platforms import runtime_gettext as _

KINDS = ("review", "post", "comment", "reply", "article", "survey_answer")
# The words the Sources form shows for a mention's kind (the mentions' own labels, French msgids).
KIND_LABELS = {
    "review": gettext_noop("Avis"),
    "post": gettext_noop("Publication"),
    "comment": gettext_noop("Commentaire"),
    "reply": gettext_noop("Réponse"),
    "article": gettext_noop("Article"),
    "survey_answer": gettext_noop("Réponse à une enquête"),
}
FORMAT_LABELS = {
    "": gettext_noop("D'après l'extension du fichier"),
    "csv": "CSV",
    "xlsx": gettext_noop("XLSX (Excel)"),
    "json": "JSON",
    "jsonl": gettext_noop("JSONL (un objet JSON par ligne)"),
}


class FileConfig(ConnectorConfig):
    """Defaults for files imported into this source (each ``vigie import`` may override them)."""

    preset: Literal[
        "generic",
        "trustpilot",
        "google_takeout",
        "skeepers",
        "employer",
        "x",
        "youtube",
        "reddit",
        "linkedin",
        "glassdoor",
        "indeed",
    ] = Field(
        "generic", description="Préréglage des colonnes", json_schema_extra={"labels": {**PRESET_LABELS}}
    )
    format: Literal["", "csv", "xlsx", "json", "jsonl"] = Field(
        "",
        description="Format (vide : d'après l'extension du fichier)",
        json_schema_extra={"labels": {**FORMAT_LABELS}},
    )
    mapping: dict[str, str] = Field(
        default_factory=dict, description="Correspondances colonne → champ Vigie, en plus du préréglage"
    )
    kind: Literal["review", "post", "comment", "reply", "article", "survey_answer"] = Field(
        "review", description="Type des mentions importées", json_schema_extra={"labels": {**KIND_LABELS}}
    )
    rating_scale_max: int = Field(5, ge=2, le=100, description="Note maximale de l'échelle du fichier")
    timezone: str = Field(
        "", description="Fuseau des dates sans fuseau (vide : celui du lieu de la source, sinon Europe/Paris)"
    )

    @field_validator("mapping")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for column, target in value.items():
            if target not in TARGET_FIELDS:
                raise ValueError(
                    f"{column!r} maps to unknown field {target!r} (known: {', '.join(TARGET_FIELDS)})"
                )
        return value


class RowError(ValueError):
    """One row cannot become a mention; the message names the field."""


@dataclass(frozen=True)
class ParsedRow:
    """A row read from a file: a mention, or the reason it was rejected."""

    line: int
    mention: MentionIn | None
    error: str
    record: dict[str, Any] | None


def resolve_columns(headers: list[str], preset: str, mapping: dict[str, str]) -> dict[str, str]:
    """Vigie field → column name, from the preset's aliases then the explicit ``mapping``."""
    by_normal = {normalise_header(h): h for h in headers}
    resolved: dict[str, str] = {}
    for target, aliases in PRESETS[preset].items():
        for alias in aliases:
            column = by_normal.get(normalise_header(alias))
            if column is not None:
                resolved[target] = column
                break
    for column, target in mapping.items():
        resolved[target] = by_normal.get(normalise_header(column), column)
    return resolved


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _count(value: str, field: str) -> int:
    """An engagement count (likes, shares, replies): empty is 0, anything else a whole number ≥ 0."""
    text = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not text:
        return 0
    try:
        number = int(Decimal(text))
    except (ArithmeticError, ValueError):
        raise RowError(f"{field}: not a number {value[:40]!r}") from None
    if number < 0 or number > 2**62:
        raise RowError(f"{field}: out of range {value[:40]!r}")
    return number


class FileConnector(Connector[FileConfig]):
    """Turns rows of a file into mentions; it has no API to poll."""

    slug: ClassVar[str] = "file"
    label: ClassVar[str] = gettext_noop("Import de fichiers")
    # Nothing to poll, no API: its form asks for neither a polling interval nor an API address.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    uses_base_url: ClassVar[bool] = False
    Config: ClassVar[type[ConnectorConfig]] = FileConfig

    def test_connection(self) -> str:
        """Nothing to reach: the configuration is valid once it got here."""
        return _("préréglage %(preset)s, mentions de type %(kind)s") % {
            "preset": self.config.preset,
            "kind": self.config.kind,
        }

    def read(self, path: Path, *, fmt: str = "", local_zone: str = "") -> FileRows:
        """A stream of ``ParsedRow`` for ``path`` (see ``FileRows``)."""
        return FileRows(self.config, path, fmt or self.config.format or guess_format(path), local_zone)


class FileRows:
    """Iterates a file as ``ParsedRow`` values; ``reader.progress()`` tells how far it got."""

    def __init__(self, config: FileConfig, path: Path, fmt: str, local_zone: str) -> None:
        self.config = config
        self.reader = FileReader(path, fmt)
        self.zone: tzinfo = zone(
            config.timezone or PRESET_TIMEZONES.get(config.preset) or local_zone or "Europe/Paris"
        )
        self._columns: dict[str, str] | None = None
        self._headers: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[ParsedRow]:
        for line, record, error in self.reader:
            if record is None:
                yield ParsedRow(line, None, error, None)
                continue
            try:
                yield ParsedRow(line, self.mention(record), "", record)
            except RowError as exc:
                yield ParsedRow(line, None, str(exc), record)

    def columns(self, record: dict[str, Any]) -> dict[str, str]:
        headers = tuple(record)
        # JSON records may differ in keys; CSV/XLSX resolve once.
        if self._columns is None or headers != self._headers:
            self._columns = resolve_columns(list(headers), self.config.preset, self.config.mapping)
            self._headers = headers
        return self._columns

    def mention(self, record: dict[str, Any]) -> MentionIn:
        """The mention for one record, or ``RowError`` naming the faulty field."""
        columns = self.columns(record)
        values = {field: record.get(column) for field, column in columns.items()}
        row = MappedRow.model_validate(
            {k: _cell(v) if k not in ("created_at", "rating") else v for k, v in values.items()}
        )
        created = self._created_at(row.created_at, row.external_id)
        rating = None
        raw_value = row.rating
        if raw_value not in (None, ""):
            rating = rating_to_five(raw_value, scale_max=self.config.rating_scale_max)
            if rating is None:
                raise RowError(f"rating: unreadable value {str(raw_value)[:40]!r}")
            number = _rating_number(raw_value)
            if number is not None and not (0 <= number <= self.config.rating_scale_max):
                # Refused, not clamped: a 99 on a 1–5 scale is a wrong column or a typo, not a 5.
                raise RowError(
                    f"rating: {str(raw_value)[:40]} is outside the scale 1–{self.config.rating_scale_max}"
                )
        text = row.text
        extras = [
            f"{label} : {value}"
            for label, value in (("Avantages", row.pros), ("Inconvénients", row.cons))
            if value
        ]
        if extras:
            text = "\n".join([text, *extras]).strip()
        plain, html = text_and_html(text)
        if not (plain or row.title or rating is not None):
            raise RowError("text: the row has no text, title or rating")
        kind = row.kind.lower() if row.kind.lower() in KINDS else self.config.kind
        external_id = (
            row.external_id
            or "row:"
            + hashlib.sha256(
                "|".join([created.isoformat(), row.author_name, row.title, plain]).encode("utf-8")
            ).hexdigest()[:32]
        )
        author = None
        if row.author_id or row.author_name or row.author_handle:
            author = AuthorIn(
                # A name alone identifies nobody ("Marie D.", "Un utilisateur de Google", a job
                # title): without an id or a handle, each row's author is its own, keyed by the
                # row, so namesakes never merge into one author.
                external_id=row.author_id or row.author_handle or f"row-author:{external_id}",
                handle=row.author_handle,
                display_name=row.author_name,
            )
        return MentionIn(
            external_id=external_id,
            kind=kind,
            created_at=created,
            title=row.title,
            text=plain,
            html=html,
            url=self._url(row.url),
            author=author,
            rating=rating,
            rating_raw=raw_rating(raw_value) if rating is not None else "",
            parent_external_id=row.parent_id,
            likes=_count(row.likes, "likes"),
            shares=_count(row.shares, "shares"),
            replies_count=_count(row.replies_count, "replies_count"),
            language=row.language[:8].lower(),
            owner_reply_text=row.owner_reply,
            raw={key: _cell(value) for key, value in record.items()},
        )

    def _url(self, value: str) -> str:
        base = PRESET_URL_BASES.get(self.config.preset)
        if base and value.startswith("/"):
            value = base + value
        return value if value.startswith(("http://", "https://")) else ""

    def _created_at(self, value: Any, external_id: str = "") -> datetime:
        if value in (None, ""):
            carried = snowflake_time(external_id) if self.config.preset in SNOWFLAKE_PRESETS else None
            if carried is not None:
                return carried
            raise RowError("created_at: missing date")
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time(12, 0))
        if isinstance(value, Decimal):
            value = float(value)
        try:
            return aware_datetime(value, self.zone)
        except ValueError:
            raise RowError(f"created_at: unreadable date {str(value)[:40]!r}") from None


def _rating_number(value: Any) -> Decimal | None:
    """The number a rating cell holds (``"4,5"``, ``"4/5"`` too), None for a star word."""
    text = str(value).strip().replace(",", ".").split("/")[0].strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
