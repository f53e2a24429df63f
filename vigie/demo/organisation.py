"""Who "Mutuelle Horizon" is: agencies, teams, people, sources and answer templates.

Everything here is fixed data (no randomness): the generator draws mentions *about* this
organisation, and the loader writes these rows first. The organisation is fictitious; the
places are real cities of Auvergne-Rhône-Alpes, the addresses and every identifier are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigie.demo import DEMO_LOGINS

ORG_NAME = "Mutuelle Horizon"
ORG_TIMEZONE = "Europe/Paris"
ORG_LANGUAGE = "fr"
ORG_WEBSITE = "https://www.mutuelle-horizon.example"
ORG_X_HANDLE = "MutuelleHorizon"
ORG_INSTAGRAM_HANDLE = "mutuelle.horizon"
ORG_MASTODON_ACCT = "mutuellehorizon@mastodon.social"
ORG_BLUESKY_HANDLE = "mutuellehorizon.bsky.social"
ORG_BLUESKY_DID = "did:plc:mhorizon7q2xk4vd3wz5ylbe"
ORG_FACEBOOK_PAGE_ID = "104729583310562"
ORG_GBP_ACCOUNT_ID = "118274650093341276512"
ORG_GBP_OAUTH_CLIENT_ID = "204981736152-demo.apps.googleusercontent.com"
ORG_TRUSTPILOT_BUSINESS_UNIT = "5f3c8a91d2e4b70001a6c3e2"


@dataclass(frozen=True)
class LocationSpec:
    key: str
    name: str
    city: str
    address: str
    postcode: str
    # "l'agence de Grenoble" / "l'agence d'Annecy": French elision, precomputed.
    agence_de: str
    gbp_location_id: str
    gbp_place_id: str
    weight: float  # share of the Google reviews this agency receives


LOCATIONS: tuple[LocationSpec, ...] = (
    LocationSpec(
        "lyon",
        "Agence Lyon Part-Dieu",
        "Lyon",
        "27 rue de la Villette",
        "69003",
        "l'agence de Lyon Part-Dieu",
        "4218830571926402871",
        "ChIJx9Lr7cLq9EcRmH0dExmplL1",
        0.26,
    ),
    LocationSpec(
        "grenoble",
        "Agence Grenoble",
        "Grenoble",
        "8 boulevard Gambetta",
        "38000",
        "l'agence de Grenoble",
        "9904127736152908134",
        "ChIJf4Xr0Sb0ikcRk2GrExmplG2",
        0.19,
    ),
    LocationSpec(
        "saint-etienne",
        "Agence Saint-Étienne",
        "Saint-Étienne",
        "14 rue Michelet",
        "42000",
        "l'agence de Saint-Étienne",
        "1650398874412093357",
        "ChIJ2cQm9Yqr9UcRd8WnExmplS3",
        0.16,
    ),
    LocationSpec(
        "clermont",
        "Agence Clermont-Ferrand",
        "Clermont-Ferrand",
        "3 place de Jaude",
        "63000",
        "l'agence de Clermont-Ferrand",
        "7731254409985126640",
        "ChIJw1Bz3q0c90cRk7TbExmplC4",
        0.16,
    ),
    LocationSpec(
        "annecy",
        "Agence Annecy",
        "Annecy",
        "21 avenue de Genève",
        "74000",
        "l'agence d'Annecy",
        "3385120997704561218",
        "ChIJe6Hq1Vmfi0cRz0PkExmplA5",
        0.13,
    ),
    LocationSpec(
        "valence",
        "Agence Valence",
        "Valence",
        "46 avenue Victor-Hugo",
        "26000",
        "l'agence de Valence",
        "5502981734026675193",
        "ChIJm8Zp4Kxj9RIRa2VcExmplV6",
        0.10,
    ),
)


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    description: str


TEAM_SERVICE_CLIENT = "service_client"
TEAM_REMBOURSEMENTS = "remboursements"
TEAM_COMMUNITY = "community"
TEAM_JURIDIQUE = "juridique"

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        TEAM_SERVICE_CLIENT,
        "Service client",
        "Avis Google et Trustpilot des agences, enquêtes de satisfaction, questions générales.",
    ),
    TeamSpec(
        TEAM_REMBOURSEMENTS,
        "Experts remboursements",
        "Réclamations sur les remboursements, la facturation et les garanties.",
    ),
    TeamSpec(
        TEAM_COMMUNITY,
        "Community management",
        "Réseaux sociaux, forums, presse ; modération des trolls et du spam.",
    ),
    TeamSpec(
        TEAM_JURIDIQUE,
        "Juridique",
        "Propos diffamatoires ou injurieux, menaces de procédure, saisines du médiateur.",
    ),
)


@dataclass(frozen=True)
class PersonSpec:
    """A member of staff who signs in to Vigie."""

    email: str
    role: str
    first_name: str
    last_name: str
    teams: tuple[str, ...] = ()
    # Share of their team's cases this person takes; 0 means they never handle cases.
    load: float = 0.0
    # Newcomers' public replies go through approval whatever the case.
    junior: bool = False


STAFF: tuple[PersonSpec, ...] = (
    PersonSpec(DEMO_LOGINS["admin"], "admin", "Claire", "Vasseur"),
    PersonSpec(
        DEMO_LOGINS["manager"],
        "manager",
        "Marc",
        "Delorme",
        (TEAM_SERVICE_CLIENT, TEAM_REMBOURSEMENTS, TEAM_JURIDIQUE),
        load=0.05,
    ),
    PersonSpec(
        DEMO_LOGINS["agent"],
        "agent",
        "Emma",
        "Girard",
        (TEAM_SERVICE_CLIENT, TEAM_COMMUNITY),
        load=0.3,
    ),
    PersonSpec(DEMO_LOGINS["viewer"], "viewer", "Paul", "Renaud"),
    PersonSpec("lea.dubois@demo.example", "manager", "Léa", "Dubois", (TEAM_COMMUNITY,), load=0.25),
    PersonSpec("camille.martin@demo.example", "agent", "Camille", "Martin", (TEAM_SERVICE_CLIENT,), load=0.3),
    PersonSpec(
        "lucas.bernard@demo.example",
        "agent",
        "Lucas",
        "Bernard",
        (TEAM_SERVICE_CLIENT,),
        load=0.2,
        junior=True,
    ),
    PersonSpec("ines.moreau@demo.example", "agent", "Inès", "Moreau", (TEAM_REMBOURSEMENTS,), load=0.5),
    PersonSpec("julien.petit@demo.example", "agent", "Julien", "Petit", (TEAM_REMBOURSEMENTS,), load=0.45),
    PersonSpec(
        "sarah.haddad@demo.example",
        "agent",
        "Sarah",
        "Haddad",
        (TEAM_COMMUNITY,),
        load=0.45,
        junior=True,
    ),
    PersonSpec("antoine.lefevre@demo.example", "agent", "Antoine", "Lefèvre", (TEAM_JURIDIQUE,), load=0.9),
)

# Who approves replies, per team (the charter: a manager signs off sensitive public answers).
APPROVERS: dict[str, tuple[str, ...]] = {
    TEAM_SERVICE_CLIENT: (DEMO_LOGINS["manager"],),
    TEAM_REMBOURSEMENTS: (DEMO_LOGINS["manager"],),
    TEAM_COMMUNITY: ("lea.dubois@demo.example", DEMO_LOGINS["manager"]),
    TEAM_JURIDIQUE: (DEMO_LOGINS["manager"],),
}


@dataclass(frozen=True)
class SourceSpec:
    """A demo source. ``config`` holds the connector's non-secret settings, named as its ``Config``
    names them; credentials stay empty (there is no real account behind the demo)."""

    key: str
    platform: str
    name: str
    account_handle: str
    language: str
    config: dict[str, object]
    poll_interval_seconds: int
    location_key: str | None = None
    # The health shown on the Sources page when the demo cannot read the platform (no account,
    # no sandbox): "needs_reauth" with the reason rather than a false "Opérationnelle".
    state: str = "ok"
    last_error: str = ""


# The demo's connected sources talk to the platforms' stand-ins that `vigie demo` serves in process
# (vigie/demo/sandbox/). Until it runs, they point at a closed port of loopback, so a source
# polled without it says "unreachable" rather than reaching a real platform with fake credentials.
SANDBOX_OFFLINE = "http://127.0.0.1:9"
SANDBOX_SECRET = "demo-sandbox-credential"  # noqa: S105 - not a secret: only the sandbox reads it


def sandbox_url(platform: str, base: str = SANDBOX_OFFLINE) -> str:
    """The address of ``platform``'s stand-in on the sandbox served at ``base``."""
    return f"{base}/{platform}"


def _google_sources() -> tuple[SourceSpec, ...]:
    return tuple(
        SourceSpec(
            key=f"google_{loc.key}",
            platform="google_business",
            name=f"Google — {loc.name}",
            account_handle=f"accounts/{ORG_GBP_ACCOUNT_ID}/locations/{loc.gbp_location_id}",
            language="fr",
            config={
                "base_url": sandbox_url("google"),
                "token_url": sandbox_url("google") + "/token",
                "account_id": ORG_GBP_ACCOUNT_ID,
                "location_ids": [loc.gbp_location_id],
                "client_id": ORG_GBP_OAUTH_CLIENT_ID,
                "client_secret": SANDBOX_SECRET,
                "refresh_token": SANDBOX_SECRET,
            },
            poll_interval_seconds=1800,
            location_key=loc.key,
        )
        for loc in LOCATIONS
    )


SOURCES: tuple[SourceSpec, ...] = (
    *_google_sources(),
    SourceSpec(
        "trustpilot",
        "trustpilot",
        "Trustpilot",
        "mutuelle-horizon.example",
        "fr",
        {
            "base_url": sandbox_url("trustpilot"),
            "business_unit_id": ORG_TRUSTPILOT_BUSINESS_UNIT,
            "api_key": SANDBOX_SECRET,
            "api_secret": SANDBOX_SECRET,
            "business_user_id": "5f3c8a91d2e4b70001a6c3f0",
            "per_page": 100,
            "rescan_days": 7,
        },
        1800,
    ),
    SourceSpec(
        "facebook",
        "facebook",
        "Facebook — Mutuelle Horizon",
        ORG_FACEBOOK_PAGE_ID,
        "fr",
        {
            "base_url": sandbox_url("meta") + "/v21.0",
            "page_id": ORG_FACEBOOK_PAGE_ID,
            "page_access_token": SANDBOX_SECRET,
            "app_secret": SANDBOX_SECRET,
            "read_visitor_posts": True,
            # Messenger conversations are polled from the sandbox too (in production, the
            # ``messages`` webhook brings them).
            "read_messages": True,
        },
        600,
    ),
    SourceSpec(
        "x",
        "x",
        f"X — @{ORG_X_HANDLE}",
        f"@{ORG_X_HANDLE}",
        "fr",
        {
            "base_url": sandbox_url("x"),
            "bearer_token": SANDBOX_SECRET,
            "user_id": "1287346650192384001",
            "query": '"Mutuelle Horizon" OR @MutuelleHorizon -is:retweet',
            "access_token": SANDBOX_SECRET,
            "refresh_token": SANDBOX_SECRET,
            "client_id": "vigie-demo",
            "client_secret": SANDBOX_SECRET,
            "read_direct_messages": True,
        },
        300,
    ),
    SourceSpec(
        "instagram",
        "instagram",
        f"Instagram — @{ORG_INSTAGRAM_HANDLE}",
        f"@{ORG_INSTAGRAM_HANDLE}",
        "fr",
        {
            "base_url": sandbox_url("meta") + "/v21.0",
            "ig_user_id": "17841405829374651",
            "access_token": SANDBOX_SECRET,
            "app_secret": SANDBOX_SECRET,
            "read_messages": True,
        },
        900,
    ),
    SourceSpec(
        "youtube",
        "youtube",
        "YouTube — Mutuelle Horizon",
        "@mutuellehorizon",
        "fr",
        {
            "base_url": sandbox_url("youtube"),
            "api_key": SANDBOX_SECRET,
            "channel_id": "UCm7HorizonMutuelle0Demo",
            "video_ids": [],
            "search_terms": "",
            "refresh_token": SANDBOX_SECRET,
            "client_id": "vigie-demo.apps.googleusercontent.com",
            "client_secret": SANDBOX_SECRET,
        },
        1800,
    ),
    SourceSpec(
        "reddit",
        "reddit",
        "Reddit — r/france et recherche",
        "u/MutuelleHorizon",
        "fr",
        {
            "base_url": sandbox_url("reddit"),
            "client_id": "vigie-demo-reddit",
            "client_secret": SANDBOX_SECRET,
            "subreddits": ["france"],
            "queries": ['"Mutuelle Horizon"'],
            "username": "MutuelleHorizon",
            "password": SANDBOX_SECRET,
        },
        1800,
    ),
    SourceSpec(
        "mastodon",
        "mastodon",
        f"Mastodon — @{ORG_MASTODON_ACCT}",
        f"@{ORG_MASTODON_ACCT}",
        "fr",
        {
            "base_url": sandbox_url("mastodon"),
            "access_token": SANDBOX_SECRET,
            "keywords": ["Mutuelle Horizon"],
            "hashtags": ["MutuelleHorizon", "remboursementsbloqués"],
            "include_mentions": True,
            "reply_visibility": "public",
        },
        900,
    ),
    SourceSpec(
        "bluesky",
        "bluesky",
        f"Bluesky — @{ORG_BLUESKY_HANDLE}",
        f"@{ORG_BLUESKY_HANDLE}",
        "fr",
        {
            "base_url": sandbox_url("bluesky"),
            "handle": ORG_BLUESKY_HANDLE,
            "app_password": SANDBOX_SECRET,
            "keywords": ['"Mutuelle Horizon"'],
        },
        900,
    ),
    SourceSpec(
        "press",
        "feed",
        "Presse et blogs (Google Alerts)",
        "",
        "fr",
        {"url": sandbox_url("feeds") + "/press", "preset": "google_alerts"},
        3600,
    ),
    SourceSpec(
        "forum",
        "feed",
        "Forum Conso Entraide — Assurances et mutuelles",
        "",
        "fr",
        {"url": sandbox_url("feeds") + "/forum", "preset": "generic"},
        3600,
    ),
    SourceSpec(
        "employer",
        "file",
        "Avis employeur (export Glassdoor / Indeed)",
        "",
        "fr",
        {
            "preset": "employer",
            "format": "csv",
            "kind": "review",
            "rating_scale_max": 5,
            "timezone": ORG_TIMEZONE,
        },
        86400,
    ),
    SourceSpec(
        "survey",
        "webhook",
        "Enquête de satisfaction (après contact)",
        "",
        "fr",
        # The webhook's only setting is its signing secret (stored encrypted, as any credential).
        {"secret": SANDBOX_SECRET},
        0,
    ),
)

SOURCES_BY_KEY: dict[str, SourceSpec] = {source.key: source for source in SOURCES}
LOCATIONS_BY_KEY: dict[str, LocationSpec] = {location.key: location for location in LOCATIONS}


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str
    category: str
    language: str
    body: str
    pre_approved: bool
    platform: str = ""
    themes: tuple[str, ...] = field(default=())


# Placeholders: {prenom_client}, {agence}, {signature}, {reference}. Filled when a reply is drafted.
TEMPLATES: tuple[TemplateSpec, ...] = (
    TemplateSpec(
        "merci_avis",
        "Remerciement — avis positif",
        "thanks",
        "fr",
        "Bonjour {prenom_client},\n\nMerci beaucoup pour votre avis et pour votre fidélité ! Toute l'équipe "
        "de {agence} est ravie d'avoir pu vous accompagner. N'hésitez pas à revenir nous voir.\n\n"
        "Belle journée,\n{signature}",
        True,
    ),
    TemplateSpec(
        "thanks_review",
        "Thank you — positive review",
        "thanks",
        "en",
        "Hello {prenom_client},\n\nThank you for taking the time to share your experience! The whole team "
        "at {agence} is glad we could help.\n\nBest regards,\n{signature}",
        True,
    ),
    TemplateSpec(
        "excuses_remboursement",
        "Excuses — délai de remboursement",
        "apology",
        "fr",
        "Bonjour {prenom_client},\n\nNous sommes sincèrement désolés pour ce délai de remboursement, "
        "qui n'est pas à la hauteur de ce que vous attendez de nous. Votre dossier ({reference}) est "
        "transmis en priorité à nos experts remboursements, qui reviennent vers vous sous 48 heures "
        "ouvrées.\n\n{signature}",
        False,
        themes=("remboursement",),
    ),
    TemplateSpec(
        "excuses_accueil",
        "Excuses — attente ou accueil en agence",
        "apology",
        "fr",
        "Bonjour {prenom_client},\n\nMerci d'avoir pris le temps de nous écrire, et pardon pour cette "
        "visite à {agence} qui ne s'est pas passée comme elle aurait dû. Votre retour a été partagé avec "
        "la responsable de l'agence. Nous aimerions en parler avec vous : pouvez-vous nous contacter en "
        "message privé en rappelant la référence {reference} ?\n\n{signature}",
        False,
        themes=("accueil", "attente"),
    ),
    TemplateSpec(
        "sorry_delay",
        "Apology — delay",
        "apology",
        "en",
        "Hello {prenom_client},\n\nWe are truly sorry for the delay. Your file ({reference}) has been passed "
        "to our claims experts as a priority and they will get back to you within two working days.\n\n"
        "{signature}",
        False,
    ),
    TemplateSpec(
        "passage_prive",
        "Passage en message privé",
        "private_channel",
        "fr",
        "Bonjour {prenom_client},\n\nNous sommes désolés de lire cela. Pour ne pas exposer vos données "
        "personnelles ici, pouvez-vous nous écrire en message privé en indiquant la référence {reference} ? "
        "Nous regardons votre dossier dès réception.\n\n{signature}",
        True,
    ),
    TemplateSpec(
        "move_private",
        "Move to private messages",
        "private_channel",
        "en",
        "Hello {prenom_client},\n\nSorry to hear that. To keep your personal details private, could you send "
        "us a direct message quoting {reference}? We will look into it straight away.\n\n{signature}",
        True,
    ),
    TemplateSpec(
        "prive_court",
        "Passage en privé — réponse courte",
        "private_channel",
        "fr",
        "Bonjour {prenom_client}, désolés pour ce désagrément. Pouvez-vous nous écrire en MP avec la "
        "référence {reference} ? On s'en occupe. {signature}",
        True,
        platform="x",
    ),
    TemplateSpec(
        "info_attestation",
        "Information — attestation et espace adhérent",
        "information",
        "fr",
        "Bonjour {prenom_client},\n\nVous pouvez télécharger vos attestations (tiers payant, fiscale, "
        "résiliation) à tout moment depuis votre espace adhérent, rubrique « Mes documents ». Si le "
        "document n'y figure pas, répondez-nous en message privé avec la référence {reference} et nous "
        "vous l'envoyons par e-mail.\n\n{signature}",
        True,
        themes=("demarches", "site_app"),
    ),
    TemplateSpec(
        "info_tiers_payant",
        "Information — carte de tiers payant",
        "information",
        "fr",
        "Bonjour {prenom_client},\n\nVotre carte de tiers payant est valable jusqu'au 31 décembre et reste "
        "disponible dans l'application. Si un professionnel de santé la refuse, nos conseillers de "
        "{agence} peuvent l'appeler directement pour confirmer vos droits.\n\n{signature}",
        False,
        themes=("demarches", "qualite"),
    ),
    TemplateSpec(
        "incident_plateforme",
        "Incident — plateforme de remboursement",
        "information",
        "fr",
        "Bonjour {prenom_client},\n\nDepuis la mise en service de notre nouvelle plateforme de gestion, "
        "une partie des remboursements a pris du retard. Nos équipes y travaillent jour et nuit et aucune "
        "demande n'est perdue : elles seront toutes traitées, par ordre d'arrivée. Si vous avez avancé des "
        "frais importants, écrivez-nous en privé avec la référence {reference} : nous pouvons déclencher "
        "un versement en urgence.\n\n{signature}",
        True,
        themes=("remboursement", "site_app"),
    ),
    TemplateSpec(
        "relance",
        "Relance — sans nouvelles",
        "follow_up",
        "fr",
        "Bonjour {prenom_client},\n\nNous revenons vers vous au sujet de votre demande {reference}. "
        "Avez-vous pu obtenir une réponse satisfaisante ? Sans retour de votre part d'ici une semaine, nous "
        "considérerons le dossier comme clos.\n\n{signature}",
        True,
    ),
    TemplateSpec(
        "follow_up",
        "Follow-up — no news",
        "follow_up",
        "en",
        "Hello {prenom_client},\n\nWe are following up on your request {reference}. Did you get the answer "
        "you needed? Just reply here if anything is still pending.\n\n{signature}",
        True,
    ),
)

TEMPLATES_BY_KEY: dict[str, TemplateSpec] = {template.key: template for template in TEMPLATES}
