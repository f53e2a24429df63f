"""Forms of the outreach pages: campaign settings, review sites, CSV uploads, the public survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.charter.document import ReviewSite
from vigie.outreach.models import LegalBasis

CSV_MAX_BYTES = 2 * 1024 * 1024
HOUR_MINUTE = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CampaignForm(forms.Form):
    enabled = forms.BooleanField(label=_("Envoyer les invitations"), required=False)
    after_resolved_case = forms.BooleanField(label=_("Inviter après chaque dossier résolu"), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Base légale"),
        choices=[("", _("— à choisir : rien n'est envoyé sans base légale —")), *LegalBasis.choices],
        required=False,
    )
    period_days = forms.IntegerField(
        label=_("Une invitation par client tous les (jours)"), min_value=1, max_value=3650
    )
    reminder_after_days = forms.IntegerField(
        label=_("Un rappel après (jours, vide : aucun rappel)"), min_value=1, max_value=60, required=False
    )
    # Hours and minutes ("21:00", not "21:00:00"), in the browser's time picker.
    quiet_start = forms.TimeField(label=_("Heures calmes : de"), widget=HOUR_MINUTE)
    quiet_end = forms.TimeField(label=_("à"), widget=HOUR_MINUTE)
    with_survey = forms.BooleanField(label=_("Joindre l'enquête de satisfaction"), required=False)
    sms = forms.BooleanField(label=_("Inviter par SMS les clients sans e-mail"), required=False)
    reply_to = forms.EmailField(
        label=_("Adresse de réponse (Reply-To)"),
        help_text=_(
            "L'adresse de l'organisation où arrivent les réponses des clients ; vide : pas de Reply-To. "
            "L'expéditeur reste l'adresse d'envoi de Vigie, sous le nom de l'organisation."
        ),
        required=False,
        max_length=254,
    )
    population = forms.CharField(
        label=_("Population invitée (une règle par ligne, « critère = valeur » ; vide : tout le monde)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reminder, period = data.get("reminder_after_days"), data.get("period_days")
        if reminder is not None and period is not None and reminder >= period:
            # No reminder goes out after the period (it would be a new invitation in disguise):
            # such a setting was saved and silently never sent.
            self.add_error(
                "reminder_after_days",
                _("Le rappel doit partir avant la fin de la période (%(days)s jours).") % {"days": period},
            )
        return data


class ReviewSitesForm(forms.Form):
    """One line per location: ``lieu | plateforme | identifiant`` (place id, domain or https link)."""

    sites = forms.CharField(
        label=_("Plateforme d'avis par lieu"),
        help_text=_(
            "Une ligne par lieu : « lieu | plateforme | identifiant ». Lieu vide : tous les autres. "
            "Identifiant : le place id Google, le domaine Trustpilot ou le lien https de la page d'avis."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=8000,
    )

    def __init__(self, *args: Any, locations: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The organisation's location names; None: not checked.
        self.locations = locations

    def clean_sites(self) -> list[dict[str, Any]]:
        sites = []
        known = {name.casefold(): name for name in self.locations or []}
        for number, line in enumerate(self.cleaned_data["sites"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not parts[1] or not parts[2]:
                raise forms.ValidationError(
                    _("Ligne %(n)s : écrivez « lieu | plateforme | identifiant ».") % {"n": number}
                )
            location, platform, ident = parts
            if location and self.locations is not None:
                # A line matches a location by its exact name: a typo or another spelling was
                # saved, never used, and that location's customers sent to the default page.
                if location.casefold() not in known:
                    raise forms.ValidationError(
                        _("Ligne %(n)s : lieu inconnu « %(location)s » (lieux : %(known)s).")
                        % {
                            "n": number,
                            "location": location[:150],
                            "known": ", ".join(sorted(known.values())) or "—",
                        }
                    )
                location = known[location.casefold()]
            data: dict[str, Any] = {"location": location, "platform": platform.lower()}
            if "://" in ident:
                data["url"] = ident
            elif platform.lower() == "trustpilot":
                data["domain"] = ident
            else:
                data["place_id"] = ident
            try:
                sites.append(ReviewSite.model_validate(data).model_dump())
            except ValueError:
                raise forms.ValidationError(
                    _("Ligne %(n)s : identifiant invalide pour cette plateforme.") % {"n": number}
                ) from None
        return sites


def sites_text(sites: list[ReviewSite]) -> str:
    return "\n".join(f"{s.location} | {s.platform} | {s.url or s.domain or s.place_id}" for s in sites)


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV"))
    dry_run = forms.BooleanField(label=_("Essai à blanc (rien n'est envoyé)"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("Fichier trop gros (2 Mo au plus)."))
        return upload


class AddressForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    kind = forms.ChoiceField(
        label=_("Motif"),
        choices=[("bounce", _("Rebond (adresse invalide)")), ("complaint", _("Plainte (spam)"))],
    )


class SurveyForm(forms.Form):
    csat = forms.TypedChoiceField(
        label=_("Êtes-vous satisfait(e) de notre réponse ?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    nps = forms.TypedChoiceField(
        label=_("Recommanderiez-vous notre organisation à un proche ?"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Voulez-vous nous en dire plus ?"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, about_reply: bool = True, organisation: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The brand the customer knows, in the language active when the form is built.
        self.fields["nps"].label = (
            _("Recommanderiez-vous %(organisation)s à un proche ?") % {"organisation": organisation}
            if organisation
            else _("Recommanderiez-vous notre organisation à un proche ?")
        )
        if not about_reply:
            # A contact from an imported list or the API never wrote to us: there is no reply of
            # ours to judge, so the question is about their experience.
            self.fields["csat"].label = _("Êtes-vous satisfait(e) de votre expérience avec nous ?")


class TestimonialForm(forms.Form):
    consent_note = forms.CharField(
        label=_("Consentement du client (comment et quand il a été donné)"), required=False, max_length=300
    )
    featured = forms.BooleanField(label=_("Dans le rapport de direction"), required=False)
