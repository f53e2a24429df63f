"""One form per charter section. Each form reads its part of the document and gives back the
dictionary that replaces it; the whole document is then validated by ``CharterDocument``."""

from __future__ import annotations

import re
from typing import Any, get_args

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.charter.calendar import span_problems
from vigie.charter.document import (
    APPROVAL_TOPICS,
    FIRST_RESPONSE_HOURS,
    PROMISED_DEADLINE_HOURS,
    RESOLUTION_HOURS,
    WARN_BEFORE_HOURS,
    CharterDocument,
    CommentType,
    HoursRange,
    Weekday,
)
from vigie.connectors.platforms import all_platforms, platform_label, platform_of

WEEKDAY_LABELS = {
    "mon": gettext_lazy("Lundi"),
    "tue": gettext_lazy("Mardi"),
    "wed": gettext_lazy("Mercredi"),
    "thu": gettext_lazy("Jeudi"),
    "fri": gettext_lazy("Vendredi"),
    "sat": gettext_lazy("Samedi"),
    "sun": gettext_lazy("Dimanche"),
}
TYPE_LABELS = {
    "question": gettext_lazy("Question"),
    "complaint": gettext_lazy("Réclamation"),
    "praise": gettext_lazy("Compliment"),
    "suggestion": gettext_lazy("Suggestion"),
    "troll": gettext_lazy("Troll"),
    "spam": gettext_lazy("Spam"),
    "other": gettext_lazy("Autre"),
}
ROLE_LABELS = {
    "lead": gettext_lazy("Pilote de la cellule"),
    "spokesperson": gettext_lazy("Porte-parole"),
    "customer_service": gettext_lazy("Service client"),
    "marketing": gettext_lazy("Marketing"),
    "legal": gettext_lazy("Juridique"),
    "management": gettext_lazy("Direction"),
}
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def hours_field(label: Any, bounds: HoursRange, **options: Any) -> forms.FloatField:
    """A delay in hours within ``bounds``; outside, the error gives the range in the reader's
    language ("Indiquez un délai entre 0,25 et 720 heures.")."""
    message = lazy(bounds.message, str)()
    return forms.FloatField(
        label=label,
        min_value=bounds.low,
        max_value=bounds.high,
        error_messages={"min_value": message, "max_value": message},
        **options,
    )


def _plain(value: Any) -> Any:
    """A whole number without its ".0" ("24", not "24.0", in a number field)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _platform_names() -> list[str]:
    """The names of the platforms people may write, once each (an older name is left out)."""
    return sorted(
        {platform_label(slug) for slug, facts in all_platforms().items() if not facts.same_as},
        key=str.casefold,
    )


def platform_slug(name: str) -> str:
    """The platform ``name`` means, as its slug: a slug ("facebook"), an older one ("twitter" ->
    "x"), or its name for people in French or the active language ("Google Business Profile");
    "" when no platform is called so. Case and spacing do not matter."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return ""
    for slug, facts in all_platforms().items():
        names = {slug, facts.label, platform_label(slug)}
        if wanted in {n.casefold() for n in names}:
            return platform_of(slug)
    return ""


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def parse_spans(value: str) -> list[tuple[str, str]]:
    """``"09:00-12:00, 14:00-18:00"`` into pairs; ValidationError on anything else."""
    spans = []
    for part in [p for p in re.split(r"[,;]", value) if p.strip()]:
        match = _SPAN.match(part)
        if not match:
            raise ValidationError(_("Écrivez des plages comme « 09:00-12:00, 14:00-18:00 »."))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h2 == 24 and m2):
            raise ValidationError(_("Heure invalide : %(span)s") % {"span": part.strip()})
        if (h2, m2) <= (h1, m1):
            raise ValidationError(_("La fin doit suivre le début : %(span)s") % {"span": part.strip()})
        spans.append((f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"))
    # "09:00-12:00, 11:00-14:00": the hour both hold would count twice; say so rather than guess.
    for _day, problem in span_problems({"day": spans}):
        raise ValidationError(problem)
    return spans


# What the signature may hold, filled in when a reply is written (vigie.inbox.templating.render).
SIGNATURE_VARIABLES = frozenset({"agent_first_name", "organisation"})


class GeneralForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("Pourquoi nous répondons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_or_private = forms.CharField(
        label=gettext_lazy("Ce qui se dit en public, ce qui passe en privé"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    signature = forms.CharField(
        label=gettext_lazy("Signature des agents"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Variables : {agent_first_name}, {organisation}."),
    )
    internal_jargon = forms.CharField(
        label=gettext_lazy("Jargon interne à éviter en public"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Un terme par ligne."),
    )

    def clean_signature(self) -> str:
        """Only the variables a reply can fill: "{prenom_agent}" was saved and then printed as is
        at the foot of public replies."""
        signature: str = self.cleaned_data["signature"]
        unknown = sorted(set(re.findall(r"\{(\w*)\}", signature)) - SIGNATURE_VARIABLES)
        if unknown:
            raise ValidationError(
                _(
                    "Variables inconnues : %(unknown)s. Variables possibles : {agent_first_name}, {organisation}."
                )
                % {"unknown": ", ".join("{" + name + "}" for name in unknown)}
            )
        return signature

    @staticmethod
    def initial_from(document: CharterDocument) -> dict[str, Any]:
        """The form's values from ``document``."""
        return {
            "purpose": document.purpose,
            "public_or_private": document.public_or_private,
            "signature": document.signature,
            "internal_jargon": "\n".join(document.internal_jargon),
        }

    def patch(self) -> dict[str, Any]:
        """The part of the document this form replaces."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "public_or_private": data["public_or_private"],
            "signature": data["signature"],
            "internal_jargon": _lines(data["internal_jargon"]),
        }


class ChannelForm(forms.Form):
    platform = forms.SlugField(label=gettext_lazy("Plateforme"), required=False, max_length=40)
    engaged = forms.BooleanField(label=gettext_lazy("Nous y répondons"), required=False)
    why = forms.CharField(label=gettext_lazy("Pourquoi"), required=False, max_length=500)
    tone = forms.CharField(label=gettext_lazy("Ton"), required=False, max_length=300)
    max_length = forms.IntegerField(label=gettext_lazy("Longueur maximale"), required=False, min_value=1)


class ResponseForm(forms.Form):
    type = forms.ChoiceField(choices=list(TYPE_LABELS.items()), widget=forms.HiddenInput)
    answer = forms.BooleanField(label=gettext_lazy("Répondre"), required=False)
    first_response_hours = hours_field(gettext_lazy("Délai (heures ouvrées)"), FIRST_RESPONSE_HOURS)
    approach = forms.CharField(label=gettext_lazy("Conduite à tenir"), required=False, max_length=500)


class PlaybookStepForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Étape"), required=False, max_length=300)
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=list(ROLE_LABELS.items()))
    detail = forms.CharField(label=gettext_lazy("Détail"), required=False, max_length=1000)


ChannelFormSet = formset_factory(ChannelForm, extra=3)
ResponseFormSet = formset_factory(ResponseForm, extra=0)
PlaybookFormSet = formset_factory(PlaybookStepForm, extra=2)


class SlaForm(forms.Form):
    first_response_hours = hours_field(
        gettext_lazy("Première réponse (heures ouvrées)"), FIRST_RESPONSE_HOURS
    )
    resolution_hours = hours_field(gettext_lazy("Résolution (heures ouvrées)"), RESOLUTION_HOURS)
    warn_before_hours = hours_field(
        gettext_lazy("Alerter avant l'échéance (heures ouvrées)"), WARN_BEFORE_HOURS
    )
    per_platform_hours = forms.CharField(
        label=gettext_lazy("Délais par plateforme"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Une ligne par plateforme : « X = 2 »."),
    )
    pause_while_waiting_customer = forms.BooleanField(
        label=gettext_lazy("Suspendre le délai quand on attend le client"), required=False
    )
    holidays_country = forms.ChoiceField(
        label=gettext_lazy("Jours fériés"),
        choices=[
            ("FR", gettext_lazy("France")),
            ("GB", gettext_lazy("Royaume-Uni (Angleterre et pays de Galles)")),
            ("", gettext_lazy("Aucun")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAY_LABELS.items():
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label, required=False, max_length=100, help_text=gettext_lazy("Vide : fermé.")
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day in WEEKDAY_LABELS]

    def other_fields(self) -> list[forms.BoundField]:
        return [field for field in self if not field.name.startswith("hours_")]

    @staticmethod
    def initial_from(document: CharterDocument) -> dict[str, Any]:
        """The form's values from ``document``."""
        sla = document.sla
        days: dict[str, Any] = {str(day): spans for day, spans in sla.business_hours.days.items()}
        initial: dict[str, Any] = {
            "first_response_hours": _plain(sla.first_response_hours),
            "resolution_hours": _plain(sla.resolution_hours),
            "warn_before_hours": _plain(sla.warn_before_hours),
            "per_platform_hours": "\n".join(
                f"{platform_label(p)} = {h:g}" for p, h in sla.per_platform_hours.items()
            ),
            "pause_while_waiting_customer": sla.pause_while_waiting_customer,
            "holidays_country": sla.business_hours.holidays_country,
        }
        for day in WEEKDAY_LABELS:
            initial[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in days.get(day, []))
        return initial

    def clean_per_platform_hours(self) -> dict[str, float]:
        result: dict[str, float] = {}
        for line in _lines(self.cleaned_data["per_platform_hours"]):
            platform, sep, hours = line.partition("=")
            try:
                value = float(hours.strip().replace(",", "."))
            except ValueError:
                value = -1
            if not sep or not platform.strip() or value <= 0:
                raise ValidationError(
                    _("Ligne illisible : « %(line)s » (attendu : plateforme = heures).") % {"line": line}
                )
            if problem := FIRST_RESPONSE_HOURS.problem(value):
                raise ValidationError(_("%(label)s : %(value)s") % {"label": line, "value": problem})
            slug = platform_slug(platform)
            if not slug:
                # A name the SLA clock would never meet (the platform's slug is compared) was
                # accepted and silently ignored.
                raise ValidationError(
                    _("Plateforme inconnue : « %(name)s ». Plateformes connues : %(known)s.")
                    % {"name": platform.strip(), "known": ", ".join(_platform_names())}
                )
            result[slug] = value
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in WEEKDAY_LABELS:
            name = f"hours_{day}"
            if name in data:
                try:
                    data[name] = parse_spans(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def patch(self) -> dict[str, Any]:
        """The part of the document this form replaces."""
        data = self.cleaned_data
        days: dict[Weekday, list[tuple[str, str]]] = {}
        for day in get_args(Weekday):
            if data[f"hours_{day}"]:
                days[day] = data[f"hours_{day}"]
        return {
            "sla": {
                "first_response_hours": data["first_response_hours"],
                "resolution_hours": data["resolution_hours"],
                "warn_before_hours": data["warn_before_hours"],
                "per_platform_hours": data["per_platform_hours"],
                "pause_while_waiting_customer": data["pause_while_waiting_customer"],
                "business_hours": {"days": days, "holidays_country": data["holidays_country"] or ""},
            }
        }


# How the charter names each commitment the quality gate recognises (``APPROVAL_TOPICS``); a new
# topic without a label here fails at import rather than showing a code to an admin.
_COMMITMENT_LABELS = {
    "refund": gettext_lazy("un remboursement"),
    "gesture": gettext_lazy("un geste commercial"),
    "money": gettext_lazy("une somme d'argent, une indemnité"),
    "fault": gettext_lazy("la reconnaissance d'une faute"),
    "liability": gettext_lazy("une responsabilité juridique"),
    "deadline": gettext_lazy("un délai plus court que le seuil des délais"),
}
COMMITMENT_CHOICES = [(topic, _COMMITMENT_LABELS[topic]) for topic in APPROVAL_TOPICS]


class ApprovalForm(forms.Form):
    stars_at_most = forms.IntegerField(
        label=gettext_lazy("Valider les réponses aux avis de N étoiles ou moins"),
        required=False,
        min_value=1,
        max_value=5,
        help_text=gettext_lazy("Vide : pas de validation liée à la note."),
    )
    legal_risk = forms.BooleanField(
        label=gettext_lazy("Valider quand il y a un risque juridique"), required=False
    )
    capture_legal_risk = forms.BooleanField(
        label=gettext_lazy("Capturer comme preuve la page d'un message à risque juridique"), required=False
    )
    template_edit_threshold = forms.IntegerField(
        label=gettext_lazy("Part d'un modèle pré-approuvé modifiable sans validation (%)"),
        min_value=0,
        max_value=100,
    )
    reply_commitments = forms.MultipleChoiceField(
        label=gettext_lazy("Engagements qu'un agent ne prend pas sans validation"),
        required=False,
        choices=COMMITMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Une réponse d'agent qui promet l'un d'eux part en validation auprès d'un superviseur."
        ),
    )
    shortest_deadline_hours = hours_field(
        gettext_lazy("Délai le plus court qu'un agent peut promettre seul (heures)"),
        PROMISED_DEADLINE_HOURS,
        required=False,
        help_text=gettext_lazy("Vide : tout délai. « Dans l'heure » promet 1 heure."),
    )

    @staticmethod
    def initial_from(document: CharterDocument) -> dict[str, Any]:
        """The form's values from ``document``."""
        approval = document.approval
        return {
            "stars_at_most": approval.stars_at_most,
            "legal_risk": approval.legal_risk,
            "capture_legal_risk": approval.capture_legal_risk,
            "template_edit_threshold": round(approval.template_edit_threshold * 100),
            "reply_commitments": list(approval.reply_commitments),
            "shortest_deadline_hours": _plain(approval.shortest_deadline_hours),
        }

    def patch(self) -> dict[str, Any]:
        """The part of the document this form replaces."""
        data = self.cleaned_data
        return {
            "approval": {
                "stars_at_most": data["stars_at_most"],
                "legal_risk": data["legal_risk"],
                "capture_legal_risk": data["capture_legal_risk"],
                "template_edit_threshold": data["template_edit_threshold"] / 100,
                "reply_commitments": list(data["reply_commitments"]),
                "shortest_deadline_hours": data["shortest_deadline_hours"],
            }
        }


class KpiForm(forms.Form):
    average_rating = forms.FloatField(label=gettext_lazy("Note moyenne visée"), min_value=1, max_value=5)
    response_rate = forms.IntegerField(
        label=gettext_lazy("Taux de réponse visé (%)"), min_value=0, max_value=100
    )
    first_response_hours = hours_field(
        gettext_lazy("Délai de première réponse visé (heures)"), FIRST_RESPONSE_HOURS
    )
    sla_compliance = forms.IntegerField(
        label=gettext_lazy("Respect des délais visé (%)"), min_value=0, max_value=100
    )

    @staticmethod
    def initial_from(document: CharterDocument) -> dict[str, Any]:
        """The form's values from ``document``."""
        kpi = document.kpi_targets
        return {
            "average_rating": _plain(kpi.average_rating),
            "response_rate": round(kpi.response_rate * 100),
            "first_response_hours": _plain(kpi.first_response_hours),
            "sla_compliance": round(kpi.sla_compliance * 100),
        }

    def patch(self) -> dict[str, Any]:
        """The part of the document this form replaces."""
        data = self.cleaned_data
        return {
            "kpi_targets": {
                "average_rating": data["average_rating"],
                "response_rate": data["response_rate"] / 100,
                "first_response_hours": data["first_response_hours"],
                "sla_compliance": data["sla_compliance"] / 100,
            }
        }


RETENTION_LABELS = {
    "mentions": gettext_lazy("Mentions (avis, commentaires, messages publics)"),
    "authors": gettext_lazy("Auteurs (pseudo, nom, profil)"),
    "private_messages": gettext_lazy("Messages privés"),
    "attachments": gettext_lazy("Pièces jointes"),
    "audit_events": gettext_lazy("Journal d'audit"),
}
RETENTION_ACTION_LABELS = {
    "pseudonymise": gettext_lazy("Pseudonymiser (garder les chiffres)"),
    "delete": gettext_lazy("Supprimer"),
}


class RetentionForm(forms.Form):
    """Delays per kind of data, and per source for mentions. Empty: kept until erased."""

    # The view passes the organisation: the form has one field per source.
    per_organisation = True

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from vigie.connectors.models import Source

        initial = self.initial or {}
        for kind, label in RETENTION_LABELS.items():
            self.fields[f"{kind}_days"] = forms.IntegerField(
                label=_("%(kind)s : durée de conservation (jours)") % {"kind": label},
                required=False,
                min_value=1,
                max_value=36500,
                help_text=_("Vide : conservé jusqu'à un effacement."),
            )
            if kind != "audit_events":  # the audit log is append-only: its oldest events go
                self.fields[f"{kind}_action"] = forms.ChoiceField(
                    label=_("%(kind)s : à échéance") % {"kind": label},
                    choices=list(RETENTION_ACTION_LABELS.items()),
                )
        self.source_fields: list[str] = []
        sources = Source.objects.filter(organisation=organisation).order_by("name") if organisation else []
        per_source = initial.get("mentions_per_source", {})
        for source in sources:
            name = f"source_{source.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Mentions de « %(source)s » (jours)") % {"source": source.name},
                required=False,
                min_value=1,
                max_value=36500,
                help_text=_("Vide : la durée des mentions ci-dessus."),
            )
            self.initial.setdefault(name, per_source.get(str(source.pk)))
            self.source_fields.append(name)

    @staticmethod
    def initial_from(document: CharterDocument) -> dict[str, Any]:
        """The form's values from ``document``."""
        retention = document.retention
        values: dict[str, Any] = {"mentions_per_source": dict(retention.mentions_per_source)}
        for kind in RETENTION_LABELS:
            rule = getattr(retention, kind)
            values[f"{kind}_days"] = rule.days
            values[f"{kind}_action"] = rule.action
        return values

    def patch(self) -> dict[str, Any]:
        """The part of the document this form replaces."""
        data = self.cleaned_data
        retention: dict[str, Any] = {
            kind: {"days": data[f"{kind}_days"], "action": data.get(f"{kind}_action") or "delete"}
            for kind in RETENTION_LABELS
        }
        retention["mentions_per_source"] = {
            name.removeprefix("source_"): data[name] for name in self.source_fields if data.get(name)
        }
        return {"retention": retention}


def channels_initial(document: CharterDocument) -> list[dict[str, Any]]:
    """The channels section as formset rows."""
    return [channel.model_dump() for channel in document.channels]


def channels_patch(formset: Any) -> dict[str, Any]:
    """The channels section from the formset's filled rows."""
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("platform")]
    return {"channels": [{k: v for k, v in row.items() if k != "DELETE"} for row in rows]}


def responses_initial(document: CharterDocument) -> list[dict[str, Any]]:
    """One row per comment type, with the charter's policy for it."""
    return [
        {key: _plain(value) for key, value in document.response_for(kind).model_dump().items()}
        for kind in get_args(CommentType)
    ]


def responses_patch(formset: Any) -> dict[str, Any]:
    """The responses section from the formset."""
    return {"responses": [f.cleaned_data for f in formset.forms if f.cleaned_data.get("type")]}


def playbook_initial(document: CharterDocument) -> list[dict[str, Any]]:
    """The crisis playbook as formset rows."""
    return [step.model_dump() for step in document.crisis_playbook]


def playbook_patch(formset: Any) -> dict[str, Any]:
    """The crisis playbook from the formset's rows that have a title."""
    return {"crisis_playbook": [f.cleaned_data for f in formset.forms if f.cleaned_data.get("title")]}


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Ce qui change, et pourquoi"),
        required=False,
        max_length=300,
    )
