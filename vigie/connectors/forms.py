"""Forms of the Sources pages, generated from each connector's pydantic ``Config``.

Secret fields are password inputs that never render a value: on an edit, leaving one empty
keeps the stored secret. Lists are edited one item per line, dictionaries as JSON.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vigie.connectors.credentials import secret_fields
from vigie.connectors.models import Source
from vigie.core.models import Location


def _fallback_label(name: str) -> str:
    """A label for a configuration field that declares no description."""
    known = {
        "base_url": _("Adresse de l'API (vide : celle de la plateforme ; pour un proxy ou un test)"),
        "per_page": _("Éléments lus par page"),
    }
    return str(known.get(name) or name.replace("_", " ").capitalize())


def _base(annotation: Any) -> Any:
    """``X`` for ``X | None``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _kind(info: FieldInfo) -> str:
    annotation = _base(info.annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "choice"
    if origin in (list, tuple, set):
        return "list"
    if origin is dict or annotation is dict:
        return "json"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    return "text"


def _labels(info: FieldInfo) -> dict[str, str]:
    """The words a choice field shows for its values (``json_schema_extra={"labels": …}``)."""
    extra = info.json_schema_extra
    labels = extra.get("labels") if isinstance(extra, dict) else None
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def config_form_class(
    config_class: type[BaseModel],
    *,
    editing: bool,
    choices: dict[str, list[tuple[str, str]]] | None = None,
    base_url: bool = True,
) -> type[forms.Form]:
    """A Django form class with one field per configuration field of ``config_class``.

    ``choices`` turns a list field into boxes to tick (the places a connector discovered on the
    account, for instance); no box ticked leaves the list empty. ``base_url=False`` leaves out the
    API address, for a connector that calls no API (``Connector.uses_base_url``)."""
    secrets = secret_fields(config_class)
    fields: dict[str, forms.Field] = {}
    # base_url (tests and proxies) goes last: most users never touch it.
    names = [n for n in config_class.model_fields if n != "base_url"] + (["base_url"] if base_url else [])
    for name in names:
        info = config_class.model_fields.get(name)
        if info is None:
            continue
        # A description is a French msgid of the catalogue (connectors load without Django); a
        # field without one still gets words, never its attribute name ("per_page").
        label = _(info.description) if info.description else _fallback_label(name)
        help_text = ""
        required = info.is_required()
        kind = _kind(info)
        field: forms.Field
        if name in secrets:
            field = forms.CharField(
                label=label,
                required=required and not editing,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text=_("Laisser vide pour conserver la valeur enregistrée.") if editing else help_text,
            )
        elif kind == "choice":
            # Words, not codes ("Export Trustpilot", not "trustpilot"), where the connector gives them.
            words = _labels(info)
            options = [
                (str(value), _(words[str(value)]) if str(value) in words else (str(value) or "—"))
                for value in typing.get_args(_base(info.annotation))
            ]
            field = forms.ChoiceField(label=label, choices=options, required=required, help_text=help_text)
        elif kind == "bool":
            field = forms.BooleanField(label=label, required=False, help_text=help_text)
        elif kind == "int":
            field = forms.IntegerField(label=label, required=required, help_text=help_text)
        elif kind == "float":
            field = forms.FloatField(label=label, required=required, help_text=help_text)
        elif kind == "list" and choices and name in choices:
            field = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=choices[name],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Aucune case cochée : tous."),
            )
        elif kind == "list":
            field = forms.CharField(
                label=label,
                required=required,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Une valeur par ligne."),
            )
        elif kind == "json":
            field = forms.CharField(
                label=label,
                required=required,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_('Objet JSON, par exemple {"colonne": "text"}.'),
            )
        else:
            field = forms.CharField(label=label, required=required, help_text=help_text)
        field.widget.attrs["data-kind"] = kind
        fields[name] = field
    form_class: type[forms.Form] = type("ConfigForm", (forms.Form,), dict(fields))
    return form_class


def initial_config(config_class: type[BaseModel], stored: dict[str, Any]) -> dict[str, Any]:
    """Initial form values from a stored public configuration (secrets are never in it)."""
    initial: dict[str, Any] = {}
    for name, info in config_class.model_fields.items():
        if name not in stored:
            continue
        value = stored[name]
        kind = _kind(info)
        if kind == "list" and isinstance(value, list):
            initial[name] = "\n".join(str(v) for v in value)
        elif kind == "json":
            initial[name] = json.dumps(value, ensure_ascii=False) if value else ""
        else:
            initial[name] = value
    return initial


def config_data(
    config_class: type[BaseModel], cleaned: dict[str, Any], form: forms.Form
) -> dict[str, Any] | None:
    """The configuration dict from a valid form; ``None`` (with errors added) if a JSON field is bad.

    Empty optional values are left out so the connector's defaults apply; an empty secret is
    left out so the stored one is kept.
    """
    data: dict[str, Any] = {}
    for name, value in cleaned.items():
        info = config_class.model_fields[name]
        kind = _kind(info)
        if kind == "bool":
            data[name] = bool(value)
            continue
        if isinstance(value, list):  # boxes ticked
            data[name] = [str(v) for v in value]
            continue
        if value in (None, ""):
            continue
        if kind == "list":
            data[name] = [line.strip() for line in str(value).splitlines() if line.strip()]
        elif kind == "json":
            try:
                data[name] = json.loads(value)
            except ValueError:
                form.add_error(name, _("JSON invalide."))
                return None
        else:
            data[name] = value
    return data


class SourceForm(forms.Form):
    """What every source has, whatever its platform."""

    name = forms.CharField(label=_("Nom"), max_length=150)
    location = forms.ModelChoiceField(
        label=_("Lieu"), queryset=Location.objects.none(), required=False, empty_label="—"
    )
    poll_interval_minutes = forms.IntegerField(
        label=_("Intervalle de relève (minutes)"), min_value=1, max_value=7 * 24 * 60, required=False
    )

    test_after_save = forms.BooleanField(
        label=_("Tester la connexion après l'enregistrement"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, locations: Any, source: Source | None = None, polls: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.source = source
        if not polls:  # a file import, a webhook: nothing is polled, no interval to ask for
            del self.fields["poll_interval_minutes"]


class RemoveForm(forms.Form):
    keep_mentions = forms.TypedChoiceField(
        label=_("Mentions de cette source"),
        choices=[("1", _("Les conserver")), ("0", _("Les supprimer avec la source"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
