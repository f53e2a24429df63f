"""The template library: writes, variant selection, suggestions, usage, and the default library."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vigie.conftest import Tenant
from vigie.core.queries import audit_events_for
from vigie.inbox.models import Template
from vigie.inbox.quality import check_reply, is_blocked
from vigie.inbox.templating.actions import (
    TemplateFields,
    do_create_template,
    do_delete_template,
    do_load_default_templates,
    do_record_template_use,
    do_update_template,
)
from vigie.inbox.templating.library import DEFAULT_LIBRARY
from vigie.inbox.templating.queries import LibraryFilters, library, templates_for, variant_for
from vigie.inbox.templating.render import FILL_IN_RE, render_template, template_context
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_author, make_location, make_mention, make_source


def fields(**overrides: object) -> TemplateFields:
    values: dict[str, object] = {
        "name": "Excuses",
        "category": "apology",
        "language": "fr",
        "body": "Bonjour {{customer_name}}, toutes nos excuses. {{signature}}",
        "key": "excuses",
    }
    values.update(overrides)
    return TemplateFields(**values)  # type: ignore[arg-type]


def test_a_manager_creates_edits_and_deletes_a_template_with_an_audit_trail(tenant: Tenant) -> None:
    user = tenant.manager.user
    template = do_create_template(tenant.organisation, fields(), actor=user)
    do_update_template(template, fields(body="Bonjour, pardon. {{signature}}"), actor=user)
    template.refresh_from_db()
    assert template.body == "Bonjour, pardon. {{signature}}"
    pk = template.pk
    do_delete_template(template, actor=user)
    assert not Template.objects.filter(pk=pk).exists()
    verbs = [e.verb for e in audit_events_for(tenant.organisation, "inbox.template", str(pk))]
    assert verbs[:2] == ["template.created", "template.updated"]


def test_unknown_variables_and_duplicate_variants_are_refused(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        do_create_template(tenant.organisation, fields(body="Bonjour {{numero_secu}}"), actor=None)
    assert "numero_secu" in str(error.value.message_dict["body"])
    do_create_template(tenant.organisation, fields(), actor=None)
    with pytest.raises(ValidationError) as error:
        do_create_template(tenant.organisation, fields(), actor=None)
    assert "name" in error.value.message_dict
    # The same name in English, or for X, is another variant and is welcome.
    do_create_template(tenant.organisation, fields(language="en", body="Hello, sorry."), actor=None)
    do_create_template(tenant.organisation, fields(platform="x", body="Pardon !"), actor=None)


def test_usage_statistics_increase_when_a_template_is_used(tenant: Tenant) -> None:
    template = do_create_template(tenant.organisation, fields(), actor=None)
    do_record_template_use(template, actor=tenant.agent.user)
    do_record_template_use(template, actor=tenant.agent.user)
    template.refresh_from_db()
    assert template.usage_count == 2
    assert template.last_used_at is not None
    events = audit_events_for(tenant.organisation, "inbox.template", str(template.pk))
    assert [e.verb for e in events].count("template.used") == 2


def test_the_variant_for_the_language_and_platform_is_chosen(tenant: Tenant) -> None:
    org = tenant.organisation
    generic_fr = do_create_template(org, fields(name="Excuses"), actor=None)
    x_fr = do_create_template(
        org, fields(name="Excuses courtes", platform="x", body="Pardon ! {{signature}}"), actor=None
    )
    generic_en = do_create_template(
        org, fields(name="Apology", language="en", body="Sorry. {{signature}}"), actor=None
    )
    do_create_template(
        org, fields(name="Excuses LinkedIn", platform="linkedin", body="Nos excuses."), actor=None
    )
    assert variant_for(org, "excuses", language="fr", platform="x") == x_fr
    assert variant_for(org, "excuses", language="fr", platform="google_business") == generic_fr
    assert variant_for(org, "excuses", language="en", platform="x") == generic_en
    # No variant is written for another platform than the one asked: LinkedIn's never goes to Google.
    assert variant_for(org, "excuses", language="fr", platform="google_business").platform == ""  # type: ignore[union-attr]


def test_templates_for_a_case_put_routings_suggestions_first_then_its_themes(tenant: Tenant) -> None:
    org = tenant.organisation
    do_load_default_templates(org, actor=None)
    source = make_source(org, platform="x")
    mention = make_mention(
        org, source=source, language="en", themes=["livraison"], sentiment=Sentiment.NEGATIVE
    )
    follow_up = Template.objects.get(organisation=org, key="follow-up", language="en")
    case = make_case(org, mention, suggested_template_ids=[str(follow_up.pk), "not-an-id"])
    found = templates_for(case, tenant.agent)
    assert found[0] == follow_up
    assert found[1].key == "apology-delay"
    assert found[1].platform == "x"  # the short variant on X
    assert {t.language for t in found} == {"en"}
    assert len({t.key for t in found}) == len(found)  # one variant per answer
    assert all(not t.is_snippet for t in found)
    assert all(t.is_snippet for t in templates_for(case, tenant.agent, snippets=True))


def test_the_library_is_filtered_and_never_shows_another_organisations_templates(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    do_load_default_templates(tenant.organisation, actor=None)
    do_create_template(other_tenant.organisation, fields(name="Secret de Globex"), actor=None)
    rows = list(
        library(tenant.organisation, LibraryFilters(category="apology", language="en", snippets=False))
    )
    assert rows
    assert {(t.category, t.language, t.is_snippet) for t in rows} == {("apology", "en", False)}
    assert not library(tenant.organisation, LibraryFilters(text="Globex")).exists()


def test_loading_the_default_library_twice_adds_nothing_and_keeps_edits(tenant: Tenant) -> None:
    org = tenant.organisation
    assert do_load_default_templates(org, actor=tenant.manager.user) == len(DEFAULT_LIBRARY)
    edited = Template.objects.filter(organisation=org).first()
    assert edited is not None
    Template.objects.filter(pk=edited.pk).update(body="Texte maison. {{signature}}")
    assert do_load_default_templates(org, actor=None) == 0
    edited.refresh_from_db()
    assert edited.body == "Texte maison. {{signature}}"


@pytest.mark.parametrize("customer", ["Sophie Martin", "Élodie", ""])
def test_every_default_template_fits_its_platform_and_passes_the_gate_once_filled(
    tenant: Tenant, customer: str
) -> None:
    """Filled as the case fills them (an unknown customer too) and checked as an agent's reply:
    nothing to fix, nothing to approve; with its fill-in left, it is blocked."""
    org = tenant.organisation
    location = make_location(org, "Agence de Lyon")
    for spec in DEFAULT_LIBRARY:
        platform = spec.platform or "google_business"
        source = make_source(org, platform=platform)
        author = make_author(org, platform=platform, display_name=customer) if customer else None
        mention = make_mention(
            org,
            source=source,
            author=author,
            location=location,
            language=spec.language,
            sentiment=Sentiment.NEGATIVE
            if spec.category in ("apology", "private_channel")
            else Sentiment.POSITIVE,
        )
        case = make_case(org, mention)
        rendered = render_template(spec.body, template_context(case, tenant.agent))
        assert rendered.missing == [], spec.name
        text = FILL_IN_RE.sub(
            "Votre attestation est disponible." if spec.language == "fr" else "It is ready.", rendered.text
        )
        findings = check_reply(
            text,
            platform=platform,
            language=spec.language,
            organisation=org,
            mention=None if spec.is_snippet else mention,
            membership=tenant.agent,
        )
        assert findings == [], (spec.name, spec.platform, customer, [f.as_dict() for f in findings])
        if rendered.fill_ins:
            assert is_blocked(check_reply(rendered.text, platform=platform, language=spec.language))


def test_the_context_fills_customer_location_reference_and_charter_signature(tenant: Tenant) -> None:
    org = tenant.organisation
    author = make_author(org, display_name="Sophie Martin")
    mention = make_mention(org, author=author, location=make_location(org, "Agence de Lyon"))
    case = make_case(org, mention)
    member = tenant.agent
    member.user.first_name = "Julie"
    member.user.save()
    context = template_context(case, member)
    assert context["customer_name"] == "Sophie"
    assert context["location"] == "Agence de Lyon"
    assert context["case_reference"] == case.reference
    assert context["signature"] == f"Julie, service client {org.name}"
    nameless = make_case(org, make_mention(org, with_author=False))
    assert (
        render_template("Bonjour {{customer_name}},", template_context(nameless, member)).text == "Bonjour,"
    )
