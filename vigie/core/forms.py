"""Forms of the web shell: sign-in, password reset, settings.

Forms only validate input; the writes they lead to go through ``vigie.core.actions``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Language, Location, LocationKind, User
from vigie.core.roles import Role


def normalise_email(value: str) -> str:
    """The form in which e-mail addresses are stored and throttled: trimmed, lower case."""
    return value.strip().lower()


class LoginForm(forms.Form):
    """E-mail and password; checking them is the view's job, after the throttle."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class VigiePasswordResetForm(PasswordResetForm):
    """Django's reset form, adjusted to Vigie.

    Invited members have no usable password yet, and must still be able to ask for a new link,
    so every active account is eligible (Django skips unusable passwords for external auth,
    which Vigie does not have). Each e-mail is written in the recipient's language and links to
    ``VIGIE_BASE_URL`` rather than to whatever Host header the request carried.
    """

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email: str) -> Iterator[Any]:
        return iter(User.objects.filter(email__iexact=normalise_email(email), is_active=True))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        context["base_url"] = settings.BASE_URL
        with translation.override(context["user"].language_for()):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class ProfileForm(forms.Form):
    """Name and interface language of the signed-in user."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Langue de l'interface"),
        choices=[("", _("Celle de l'organisation")), *Language.choices],
        required=False,
    )


class InviteMemberForm(forms.Form):
    """Invite someone by e-mail with a role."""

    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.AGENT)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class MemberRoleForm(forms.Form):
    """A new role for an existing member."""

    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class TeamForm(forms.Form):
    """A new team."""

    name = forms.CharField(label=_("Nom de l'équipe"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the settings page holds this form beside others with a "name" field, and
        # every label « Nom … » pointed at the first « id_name » of the page (the team's).
        kwargs.setdefault("auto_id", "team_%s")
        super().__init__(*args, **kwargs)


class LocationForm(forms.Form):
    """A new site, agency or shop."""

    name = forms.CharField(label=_("Nom du lieu"), max_length=150)
    kind = forms.ChoiceField(label=_("Type"), choices=LocationKind.choices, initial=LocationKind.AGENCY)
    address = forms.CharField(label=_("Adresse"), max_length=250, required=False)
    postcode = forms.CharField(label=_("Code postal"), max_length=12, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    store_code = forms.CharField(
        label=_("Code magasin"),
        max_length=64,
        required=False,
        help_text=_("Le code du lieu sur Google Business Profile : ses avis Google y sont rangés."),
    )
    timezone = forms.CharField(
        label=_("Fuseau horaire"),
        max_length=64,
        required=False,
        help_text=_("Vide : celui de l'organisation."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the settings page holds this form beside others with a "name" field, and
        # every label « Nom … » pointed at the first « id_name » of the page (the team's).
        kwargs.setdefault("auto_id", "location_%s")
        super().__init__(*args, **kwargs)

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data["timezone"].strip()
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValidationError(_("Fuseau horaire inconnu."), code="invalid") from None
        return value


class ApiTokenForm(forms.Form):
    """A name for a new API token, so its owner recognises it later."""

    name = forms.CharField(label=_("Nom du jeton"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the settings page holds this form beside others with a "name" field, and
        # every label « Nom … » pointed at the first « id_name » of the page (the team's).
        kwargs.setdefault("auto_id", "token_%s")
        super().__init__(*args, **kwargs)


class LocationGroupForm(forms.Form):
    """A group of locations: its name (on creation only) and which locations it holds."""

    name = forms.CharField(label=_("Nom du groupe"), max_length=150)
    locations = forms.TypedMultipleChoiceField(
        label=_("Lieux du groupe"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, locations: list[Location], with_name: bool = True, **kwargs: Any) -> None:
        # Its own ids: the team and location forms of the same page already have an "id_name".
        kwargs.setdefault("auto_id", "group_%s")
        super().__init__(*args, **kwargs)
        self.known = {location.pk: location for location in locations}
        field = self.fields["locations"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(pk), location.name) for pk, location in self.known.items()]
        if not with_name:
            del self.fields["name"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Donnez un nom au groupe."), code="required")
        return name

    def chosen_locations(self) -> list[Location]:
        return [self.known[pk] for pk in self.cleaned_data.get("locations", []) if pk in self.known]


def add_model_errors(form: forms.Form, error: ValidationError, default_field: str | None = None) -> None:
    """Show a model ``ValidationError`` raised by an action on the form, field by field.

    Unique constraints come back as non-field errors; ``default_field`` puts them next to the
    field the person has to change.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else default_field
            for item in errors:
                form.add_error(target, item)
    else:
        for item in error.error_list:
            form.add_error(default_field, item)


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change form, without its autofocus: on the settings page the focus must
    not jump past the profile section."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
