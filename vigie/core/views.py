"""Pages of the web shell: sign-in and out, password reset, organisation switch, settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from vigie.core import actions, queries
from vigie.core.decorators import current_membership, member_required
from vigie.core.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    InviteMemberForm,
    LocationForm,
    LocationGroupForm,
    LoginForm,
    MemberRoleForm,
    ProfileForm,
    TeamForm,
    VigiePasswordResetForm,
    add_model_errors,
    normalise_email,
)
from vigie.core.middleware import SESSION_ORG_KEY
from vigie.core.models import Location, LocationGroup, Membership, Team, User
from vigie.core.proxies import client_address
from vigie.core.roles import ADMINISTER, MANAGE, Role
from vigie.core.tenancy import get_in_org, scoped


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """``candidate`` if it points inside this site, else None (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _current_user(request: HttpRequest) -> User:
    # Only called behind member_required or login_required, where the user is signed in.
    user = request.user
    assert isinstance(user, User)
    return user


def home(request: HttpRequest) -> HttpResponse:
    """``/``: the inbox for a signed-in person, the login page for anyone else."""
    if request.user.is_authenticated:
        return redirect("inbox")
    return redirect("login")


def _throttle_keys(request: HttpRequest, email: str) -> list[str]:
    keys = [f"email:{email}"]
    # The client's, not the reverse proxy's: one lockout must not lock everybody out.
    address = client_address(request)
    if address:
        keys.append(f"ip:{address}")
    return keys


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in by e-mail and password, with throttling of repeated failures.

    The throttle is consulted before the password is even checked, so a locked-out client
    learns nothing about the password, right or wrong, until the wait is over.
    """
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(next_url or reverse("inbox"))

    status = 200
    wait = 0
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        keys = _throttle_keys(request, email)
        # Taken and counted in one locked step, so parallel guesses cannot overtake the count.
        wait = actions.do_claim_login_attempt(keys)
        if wait > 0:
            form.add_error(
                None,
                ngettext(
                    "Trop de tentatives, réessayez dans %(seconds)d seconde.",
                    "Trop de tentatives, réessayez dans %(seconds)d secondes.",
                    wait,
                )
                % {"seconds": wait},
            )
            status = 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("Adresse e-mail ou mot de passe incorrect."))
                status = 400
            else:
                actions.do_clear_login_failures(keys)
                auth_login(request, user)
                return HttpResponseRedirect(next_url or reverse("inbox"))
    elif request.method == "POST":
        status = 400
    response = render(request, "core/login.html", {"form": form, "next": next_url or ""}, status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out. POST only, so a link or an image on another site cannot sign anyone out."""
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; the answer is the same whether the address exists or not."""

    form_class = VigiePasswordResetForm
    template_name = "core/password_reset_form.html"
    email_template_name = "core/emails/password_reset.txt"
    subject_template_name = "core/emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: VigiePasswordResetForm) -> HttpResponse:  # type: ignore[override]
        # Each request counts like a failed sign-in, so nobody can flood an inbox with reset
        # e-mails: past a few requests per address or client, they must wait, then are locked.
        keys = ["reset:" + key for key in _throttle_keys(self.request, form.cleaned_data["email"].lower())]
        wait = actions.do_claim_login_attempt(keys)
        if wait > 0:
            form.add_error(
                None,
                ngettext(
                    "Trop de tentatives, réessayez dans %(seconds)d seconde.",
                    "Trop de tentatives, réessayez dans %(seconds)d secondes.",
                    wait,
                )
                % {"seconds": wait},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever proved they own the mailbox may try the new password at once, even if
        # someone else's guesses had locked the address.
        actions.do_clear_login_failures([f"email:{normalise_email(form.user.email)}"])
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Work in another of one's organisations; an organisation one is not an active member of is 404."""
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    membership = queries.membership_for(_current_user(request), organisation_id)
    if membership is None:
        raise Http404
    request.session[SESSION_ORG_KEY] = membership.organisation_id
    messages.success(
        request, _("Vous travaillez maintenant dans %(name)s.") % {"name": membership.organisation.name}
    )
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next")) or reverse("inbox"))


# --- Settings -----------------------------------------------------------------------------------


def _settings_page(request: HttpRequest, status: int = 200, **overrides: Any) -> HttpResponse:
    """Render the settings page; ``overrides`` replace parts of the context, such as the bound form
    of the section that failed, so its errors show next to its fields."""
    membership = current_membership(request)
    organisation = membership.organisation
    user = _current_user(request)
    context: dict[str, Any] = {
        "nav": "settings",
        "profile_form": ProfileForm(
            initial={"first_name": user.first_name, "last_name": user.last_name, "language": user.language}
        ),
        "password_form": ChangePasswordForm(user),
        "token_form": ApiTokenForm(),
        "tokens": queries.user_api_tokens(membership),
        "teams": scoped(Team, organisation).prefetch_related("members__user"),
        "locations": scoped(Location, organisation),
        "location_groups": queries.organisation_location_groups(organisation),
        "new_token": None,
    }
    if membership.can(MANAGE):
        context["team_form"] = TeamForm()
        # Who can join each team: the organisation's active members not in it yet.
        active = [m for m in queries.organisation_members(organisation) if m.is_active]
        teams = list(context["teams"])
        for team in teams:
            inside = {m.pk for m in team.members.all()}
            team.candidates = sorted(
                ((m.pk, m.user.get_full_name() or m.user.email) for m in active if m.pk not in inside),
                key=lambda choice: choice[1].casefold(),
            )
        context["teams"] = teams
        context["location_form"] = LocationForm()
        locations = list(queries.organisation_locations(organisation))
        context["location_group_form"] = LocationGroupForm(locations=locations)
        context["group_forms"] = [
            (group, _group_form(group, locations)) for group in context["location_groups"]
        ]
    if membership.can(ADMINISTER):
        context["invite_form"] = InviteMemberForm()
        context["members"] = [
            (member, MemberRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}"))
            for member in queries.organisation_members(organisation)
        ]
    context.update(overrides)
    return render(request, "core/settings.html", context, status=status)


def _group_form(group: LocationGroup, locations: list[Location], data: Any = None) -> LocationGroupForm:
    """The form changing ``group``'s locations; each group's has its own prefix on the page."""
    return LocationGroupForm(
        data,
        locations=locations,
        with_name=False,
        prefix=f"g{group.pk}",
        initial={"locations": [location.pk for location in group.locations.all()]},
    )


def _to_settings(anchor: str) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse('settings')}#{anchor}")


# Shown in the Members section (its forms post to a URL ending in #membres, and their redirects
# land there), not at the top of the page, 2,000 px above what was just done.
MEMBER_MESSAGE = "in-section membres"


def _in_section(anchor: str) -> str:
    """The tag of a message shown in the settings section ``anchor`` instead of the page's top: its
    forms post to (and redirect to) that anchor, and "Votre mot de passe est changé." or "Lieu
    « Lyon » créé." was written at the top of a page that opened at the section, out of sight."""
    return f"in-section {anchor}"


def _members_refused(request: HttpRequest, form: forms.Form, **overrides: Any) -> HttpResponse:
    """The settings page again after a refused members form: its errors next to its fields and,
    repeated, at the top of the Members section the page opens at."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error), extra_tags=MEMBER_MESSAGE)
    return _settings_page(request, 400, **overrides)


@member_required()
@require_http_methods(["GET"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The settings page: profile, password, organisation, members, teams, locations, API tokens."""
    return _settings_page(request)


@member_required()
@require_POST
def settings_profile(request: HttpRequest) -> HttpResponse:
    """Save one's name and interface language."""
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, 400, profile_form=form)
    user = _current_user(request)
    actions.do_update_user_profile(
        user, first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"]
    )
    actions.do_set_user_language(user, form.cleaned_data["language"])
    # Said in the language just chosen: the next page is in it ("Your profile is saved." greeted
    # someone who had just switched to French).
    with translation.override(user.language or current_membership(request).organisation.language):
        messages.success(request, _("Votre profil est enregistré."))
    return _to_settings("profil")


@sensitive_post_parameters()
@member_required()
@require_POST
def settings_password(request: HttpRequest) -> HttpResponse:
    """Change one's password; the current one is asked first, and this session stays signed in."""
    user = _current_user(request)
    # The current password is checked here too: throttled as on the sign-in page (same keys), or a
    # borrowed session could guess it without limit.
    keys = _throttle_keys(request, user.email)
    wait = actions.do_claim_login_attempt(keys)
    if wait > 0:
        messages.error(
            request,
            ngettext(
                "Trop de tentatives, réessayez dans %(seconds)d seconde.",
                "Trop de tentatives, réessayez dans %(seconds)d secondes.",
                wait,
            )
            % {"seconds": wait},
            extra_tags=_in_section("mot-de-passe"),
        )
        response = _settings_page(request, 429)
        response["Retry-After"] = str(wait)
        return response
    form = ChangePasswordForm(user, request.POST)
    if not form.is_valid():
        if "old_password" not in form.errors:
            actions.do_clear_login_failures(keys)
        return _settings_page(request, 400, password_form=form)
    actions.do_clear_login_failures(keys)
    actions.do_set_user_password(user, form.cleaned_data["new_password1"])
    update_session_auth_hash(request, user)
    messages.success(request, _("Votre mot de passe est changé."), extra_tags=_in_section("mot-de-passe"))
    return _to_settings("mot-de-passe")


@member_required(ADMINISTER)
@require_POST
def settings_invite(request: HttpRequest) -> HttpResponse:
    """Invite someone with a role; they receive an e-mail to choose their password."""
    membership = current_membership(request)
    form = InviteMemberForm(request.POST)
    if form.is_valid() and queries.is_member_email(membership.organisation, form.cleaned_data["email"]):
        form.add_error("email", _("Cette personne fait déjà partie de l'organisation."))
    if not form.is_valid():
        return _members_refused(request, form, invite_form=form)
    try:
        actions.do_invite_member(
            membership.organisation,
            form.cleaned_data["email"],
            form.cleaned_data["role"],
            actor=_current_user(request),
        )
    except ValidationError as error:
        add_model_errors(form, error, default_field="email")
        return _members_refused(request, form, invite_form=form)
    messages.success(
        request,
        _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]},
        extra_tags=MEMBER_MESSAGE,
    )
    return _to_settings("membres")


@member_required(ADMINISTER)
@require_POST
def settings_member_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the invitation again, with a fresh link, to a member who has not come in yet."""
    membership = current_membership(request)
    member = get_in_org(Membership, membership.organisation, pk)
    try:
        actions.do_resend_invitation(member, actor=_current_user(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message, extra_tags=MEMBER_MESSAGE)
        return _to_settings("membres")
    messages.success(
        request,
        _("Invitation renvoyée à %(email)s, avec un nouveau lien : le précédent ne fonctionne plus.")
        % {"email": member.user.email},
        extra_tags=MEMBER_MESSAGE,
    )
    return _to_settings("membres")


def _would_leave_no_admin(member: Membership, *, new_role: str | None = None, active: bool = True) -> bool:
    """True when the change takes away the organisation's last active administrator."""
    if not (member.is_active and member.role == Role.ADMIN and member.user.is_active):
        return False
    still_admin = active and (new_role is None or new_role == Role.ADMIN)
    return not still_admin and queries.active_admin_count(member.organisation) <= 1


@member_required(ADMINISTER)
@require_POST
def settings_member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role; the last active administrator keeps theirs."""
    membership = current_membership(request)
    member = get_in_org(Membership, membership.organisation, pk)
    form = MemberRoleForm(request.POST, prefix=f"m{member.pk}")
    if form.is_valid() and _would_leave_no_admin(member, new_role=form.cleaned_data["role"]):
        form.add_error(
            "role",
            _("L'organisation doit garder au moins un administrateur actif."),
        )
    if not form.is_valid():
        return _members_refused(request, form, **_with_member_form(request, member, form))
    actions.do_set_member_role(member, form.cleaned_data["role"], actor=_current_user(request))
    messages.success(
        request,
        _("Rôle de %(email)s : %(role)s.") % {"email": member.user.email, "role": member.get_role_display()},
        extra_tags=MEMBER_MESSAGE,
    )
    return _to_settings("membres")


def _with_member_form(request: HttpRequest, member: Membership, form: MemberRoleForm) -> dict[str, Any]:
    # Rebuild the members list with the failing row's bound form so its error shows in place.
    rows = [
        (
            other,
            form
            if other.pk == member.pk
            else MemberRoleForm(initial={"role": other.role}, prefix=f"m{other.pk}"),
        )
        for other in queries.organisation_members(member.organisation)
    ]
    return {"members": rows}


@member_required(ADMINISTER)
@require_POST
def settings_member_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend or restore a member; the last active administrator cannot be suspended."""
    membership = current_membership(request)
    member = get_in_org(Membership, membership.organisation, pk)
    active = request.POST.get("active") == "1"
    if _would_leave_no_admin(member, active=active):
        messages.error(
            request,
            _("L'organisation doit garder au moins un administrateur actif."),
            extra_tags=MEMBER_MESSAGE,
        )
        return _settings_page(request, 400)
    actions.do_set_member_active(member, active, actor=_current_user(request))
    if active:
        message = _("Accès rétabli pour %(email)s.") % {"email": member.user.email}
    else:
        message = _("Accès suspendu pour %(email)s.") % {"email": member.user.email}
    messages.success(request, message, extra_tags=MEMBER_MESSAGE)
    return _to_settings("membres")


@member_required(MANAGE)
@require_POST
def settings_team_create(request: HttpRequest) -> HttpResponse:
    """Create a team."""
    membership = current_membership(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            actions.do_create_team(
                membership.organisation,
                form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=_current_user(request),
            )
        except ValidationError as error:
            add_model_errors(form, error, default_field="name")
    if not form.is_valid():
        return _settings_page(request, 400, team_form=form)
    messages.success(
        request,
        _("Équipe « %(name)s » créée.") % {"name": form.cleaned_data["name"]},
        extra_tags=TEAM_MESSAGE,
    )
    return _to_settings("equipes")


# Shown in the Teams section the redirect lands on, not at the top of the page.
TEAM_MESSAGE = "in-section equipes"


def _team_and_member(request: HttpRequest, pk: int, member_id: int | str | None) -> tuple[Team, Membership]:
    """The team ``pk`` and the membership ``member_id``, both of the current organisation (404 else)."""
    organisation = current_membership(request).organisation
    team = get_in_org(Team, organisation, pk)
    if not str(member_id or "").isdecimal():
        raise Http404
    member = get_in_org(Membership, organisation, int(str(member_id)))
    return team, member


@member_required(MANAGE)
@require_POST
def settings_team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an active member of the organisation in a team (routing assigns the team's cases to its
    members: a team without members gets its cases assigned to nobody)."""
    if not str(request.POST.get("member") or "").isdecimal():
        messages.error(request, _("Choisissez le membre à ajouter."), extra_tags=TEAM_MESSAGE)
        return _to_settings("equipes")
    team, member = _team_and_member(request, pk, request.POST.get("member"))
    if not member.is_active:
        messages.error(request, _("Ce membre est suspendu : réactivez-le d'abord."), extra_tags=TEAM_MESSAGE)
        return _to_settings("equipes")
    actions.do_add_team_member(team, member, actor=_current_user(request))
    messages.success(
        request,
        _("%(who)s fait maintenant partie de l'équipe « %(team)s ».")
        % {"who": member.user.get_full_name() or member.user.email, "team": team.name},
        extra_tags=TEAM_MESSAGE,
    )
    return _to_settings("equipes")


@member_required(MANAGE)
@require_POST
def settings_team_member_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """Take a member out of a team."""
    team, membership = _team_and_member(request, pk, member)
    actions.do_remove_team_member(team, membership, actor=_current_user(request))
    messages.success(
        request,
        _("%(who)s ne fait plus partie de l'équipe « %(team)s ».")
        % {"who": membership.user.get_full_name() or membership.user.email, "team": team.name},
        extra_tags=TEAM_MESSAGE,
    )
    return _to_settings("equipes")


@member_required(MANAGE)
@require_POST
def settings_location_create(request: HttpRequest) -> HttpResponse:
    """Create a location (site, agency or shop)."""
    membership = current_membership(request)
    form = LocationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_create_location(
                membership.organisation,
                data["name"],
                kind=data["kind"],
                address=data["address"],
                city=data["city"],
                postcode=data["postcode"],
                store_code=data["store_code"],
                timezone_name=data["timezone"] or None,
                actor=_current_user(request),
            )
        except ValidationError as error:
            add_model_errors(form, error, default_field="name")
    if not form.is_valid():
        return _settings_page(request, 400, location_form=form)
    messages.success(
        request,
        _("Lieu « %(name)s » créé.") % {"name": form.cleaned_data["name"]},
        extra_tags=_in_section("lieux"),
    )
    return _to_settings("lieux")


@member_required(MANAGE)
@require_POST
def settings_location_group_create(request: HttpRequest) -> HttpResponse:
    """Create a group of locations ("Région Sud-Est", "Franchisés")."""
    membership = current_membership(request)
    locations = list(queries.organisation_locations(membership.organisation))
    form = LocationGroupForm(request.POST, locations=locations)
    if form.is_valid():
        try:
            actions.do_create_location_group(
                membership.organisation,
                form.cleaned_data["name"],
                form.chosen_locations(),
                actor=_current_user(request),
            )
        except ValidationError as error:
            add_model_errors(form, error, default_field="name")
    if not form.is_valid():
        return _settings_page(request, 400, location_group_form=form)
    messages.success(
        request,
        _("Groupe « %(name)s » créé.") % {"name": form.cleaned_data["name"]},
        extra_tags=_in_section("groupes-de-lieux"),
    )
    return _to_settings("groupes-de-lieux")


@member_required(MANAGE)
@require_POST
def settings_location_group_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change which locations a group holds."""
    membership = current_membership(request)
    group = get_in_org(LocationGroup, membership.organisation, pk)
    locations = list(queries.organisation_locations(membership.organisation))
    form = _group_form(group, locations, request.POST)
    if not form.is_valid():
        groups = queries.organisation_location_groups(membership.organisation)
        forms = [(g, form if g.pk == group.pk else _group_form(g, locations)) for g in groups]
        return _settings_page(request, 400, group_forms=forms)
    actions.do_set_location_group_locations(group, form.chosen_locations(), actor=_current_user(request))
    messages.success(
        request,
        _("Groupe « %(name)s » mis à jour.") % {"name": group.name},
        extra_tags=_in_section("groupes-de-lieux"),
    )
    return _to_settings("groupes-de-lieux")


@member_required(MANAGE)
@require_POST
def settings_location_group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a group (its locations stay)."""
    membership = current_membership(request)
    group = get_in_org(LocationGroup, membership.organisation, pk)
    name = group.name
    actions.do_delete_location_group(group, actor=_current_user(request))
    messages.success(
        request,
        _("Groupe « %(name)s » supprimé.") % {"name": name},
        extra_tags=_in_section("groupes-de-lieux"),
    )
    return _to_settings("groupes-de-lieux")


@member_required()
@require_POST
def settings_token_create(request: HttpRequest) -> HttpResponse:
    """Create an API token for oneself; its secret is shown on this response only, never again."""
    membership = current_membership(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, 400, token_form=form)
    token, secret = actions.do_create_api_token(
        membership, form.cleaned_data["name"], actor=_current_user(request)
    )
    # Rendered rather than redirected: the secret must not travel through the session or a URL.
    response = _settings_page(request, 200, new_token={"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@member_required()
@require_POST
def settings_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens; someone else's token is 404, even for an admin."""
    membership = current_membership(request)
    token = queries.user_api_tokens(membership).filter(pk=pk).first()
    if token is None:
        raise Http404
    actions.do_revoke_api_token(token, actor=_current_user(request))
    messages.success(
        request, _("Jeton « %(name)s » révoqué.") % {"name": token.name}, extra_tags=_in_section("jetons")
    )
    return _to_settings("jetons")


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own sign-in page is replaced by Vigie's, which throttles guesses.

    A signed-in person without staff rights is refused rather than sent back to the sign-in page
    (which would send them back to the admin: a loop).
    """
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = _safe_next(request, request.GET.get("next")) or reverse("admin:index")
    return redirect_to_login(next_url, reverse("login"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token: a page left open too long (the token changed
    when someone signed in again), or a browser that blocks this site's cookies (a customer
    answering a survey). Django's own page is an English technical notice; this one says what to
    do, in the reader's language, and leads back to the form."""
    return render(request, "403_csrf.html", {"back": request.path}, status=403)
