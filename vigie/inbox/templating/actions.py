"""Writes of the template library: create, edit, delete, record a use, load the default library.

Kept apart from ``actions.py`` (the case and reply writes) so the two grow without stepping on
each other. Every function runs in one transaction and records an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vigie.core.actions import do_record_audit_event
from vigie.core.models import Organisation, User
from vigie.core.tenancy import scoped
from vigie.inbox.models import Template, TemplateCategory
from vigie.inbox.templating.render import VARIABLE_RE, VARIABLES, canonical

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class TemplateFields:
    """What a manager writes for one template or snippet."""

    name: str
    category: str
    language: str
    body: str
    platform: str = ""
    key: str = ""
    is_snippet: bool = False
    pre_approved: bool = False
    themes: tuple[str, ...] = ()


def _validate(organisation: Organisation, fields: TemplateFields, *, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not fields.name.strip():
        errors["name"] = _("Donnez un nom au modèle.")
    if not fields.body.strip():
        errors["body"] = _("Le texte du modèle est vide.")
    if fields.category not in TemplateCategory.values:
        errors["category"] = _("Catégorie inconnue.")
    if fields.language not in LANGUAGES:
        errors["language"] = _("Langue non prise en charge (fr ou en).")
    unknown = sorted(
        {m.group(1) for m in VARIABLE_RE.finditer(fields.body) if canonical(m.group(1)) not in VARIABLES}
    )
    if unknown and "body" not in errors:
        errors["body"] = _("Variables inconnues : %(names)s. Variables possibles : %(known)s.") % {
            "names": ", ".join(unknown),
            "known": ", ".join("{{" + name + "}}" for name in VARIABLES),
        }
    clash = scoped(Template, organisation).filter(
        name=fields.name.strip(), language=fields.language, platform=fields.platform
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if "name" not in errors and clash.exists():
        errors["name"] = _("Un modèle de ce nom existe déjà pour cette langue et cette plateforme.")
    if errors:
        raise ValidationError(errors, code="invalid_template")


def _values(fields: TemplateFields) -> dict[str, object]:
    return {
        "name": fields.name.strip(),
        "key": slugify(fields.key or fields.name)[:80],
        "category": fields.category,
        "language": fields.language,
        "platform": fields.platform,
        "body": fields.body.strip(),
        "is_snippet": fields.is_snippet,
        "pre_approved": fields.pre_approved,
        "themes": list(fields.themes),
    }


@transaction.atomic
def do_create_template(organisation: Organisation, fields: TemplateFields, *, actor: User | None) -> Template:
    """Add a template (or snippet) to the library; ``ValidationError`` keyed by field otherwise.

    Variants of one answer share a ``key`` (by default the name's slug).
    """
    _validate(organisation, fields)
    template = Template.objects.create(organisation=organisation, created_by=actor, **_values(fields))
    do_record_audit_event(
        organisation, "template.created", actor=actor, obj=template, data={"name": template.name}
    )
    return template


@transaction.atomic
def do_update_template(template: Template, fields: TemplateFields, *, actor: User | None) -> Template:
    """Change a template; the audit event keeps the previous body so edits can be reviewed."""
    _validate(template.organisation, fields, exclude_pk=template.pk)
    previous = {"body": template.body, "pre_approved": template.pre_approved}
    values = _values(fields)
    values["updated_at"] = timezone.now()
    Template.objects.filter(pk=template.pk).update(**values)
    for name, value in values.items():
        setattr(template, name, value)
    do_record_audit_event(
        template.organisation,
        "template.updated",
        actor=actor,
        obj=template,
        data={"name": template.name, "previous": previous},
    )
    return template


@transaction.atomic
def do_delete_template(template: Template, *, actor: User | None) -> None:
    """Remove a template; replies written from it keep their text (their link is emptied)."""
    organisation = template.organisation
    data = {"name": template.name, "language": template.language, "platform": template.platform}
    pk = template.pk
    template.delete()
    do_record_audit_event(organisation, "template.deleted", actor=actor, data={**data, "id": pk})


@transaction.atomic
def do_record_template_use(template: Template, *, actor: User | None) -> Template:
    """Count one use of ``template`` (an agent started a reply from it or inserted the snippet).

    The counter is incremented in SQL so two agents using it at once both count.
    """
    at = timezone.now()
    Template.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1, last_used_at=at)
    template.refresh_from_db(fields=["usage_count", "last_used_at"])
    do_record_audit_event(
        template.organisation, "template.used", actor=actor, obj=template, data={"name": template.name}
    )
    return template


@transaction.atomic
def do_load_default_templates(
    organisation: Organisation, *, actor: User | None, languages: tuple[str, ...] = LANGUAGES
) -> int:
    """Add Vigie's default library (French and English) to ``organisation``; return how many were added.

    Templates the organisation already has (same name, language and platform) are left as they
    are, so loading twice adds nothing and never overwrites a manager's edits.
    """
    from vigie.inbox.templating.library import DEFAULT_LIBRARY

    existing = set(scoped(Template, organisation).values_list("name", "language", "platform"))
    created = [
        Template(
            organisation=organisation,
            created_by=actor,
            name=spec.name,
            key=spec.key,
            category=spec.category,
            language=spec.language,
            platform=spec.platform,
            body=spec.body,
            is_snippet=spec.is_snippet,
            pre_approved=spec.pre_approved,
            themes=list(spec.themes),
        )
        for spec in DEFAULT_LIBRARY
        if spec.language in languages and (spec.name, spec.language, spec.platform) not in existing
    ]
    Template.objects.bulk_create(created)
    if created:
        do_record_audit_event(
            organisation, "template.library_loaded", actor=actor, data={"added": len(created)}
        )
    return len(created)
