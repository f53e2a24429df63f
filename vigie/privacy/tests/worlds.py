"""A person's data spread over two sources, a case, a private thread and a callback (test data)."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.core.models import Organisation
from vigie.inbox.models import (
    CallbackLog,
    CallbackOutcome,
    Case,
    MessageDirection,
    MessageState,
    Note,
    PrivateMessage,
    PrivateThread,
)
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Author, Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source


@dataclass
class Person:
    twitter_author: Author
    google_author: Author
    tweet: Mention
    review: Mention
    naming: Mention  # someone else's mention that names her
    unrelated: Mention
    case: Case
    thread: PrivateThread
    callback: CallbackLog


def marie(organisation: Organisation) -> Person:
    """Marie Dupont: @marie_d on Twitter, a Google review, an e-mail thread and a phone callback."""
    twitter = make_source(organisation, "twitter", name="Twitter Acme")
    google = make_source(organisation, "google", name="Google Paris")
    on_twitter = make_author(
        organisation, "twitter", external_id="tw-42", handle="marie_d", display_name="Marie Dupont"
    )
    on_google = make_author(organisation, "google", external_id="g-77", display_name="Marie Dupont")
    tweet = make_mention(organisation, source=twitter, author=on_twitter, text="@acme colis perdu, encore !")
    review = make_mention(
        organisation,
        source=google,
        author=on_google,
        text="Livraison ratée, joignable au 06 12 34 56 78",
        rating=1,
    )
    naming = make_mention(
        organisation,
        source=twitter,
        text="Comme @marie_d je n'ai rien reçu. Écrivez à marie.dupont@example.com",
    )
    unrelated = make_mention(organisation, source=google, text="Très bon accueil.")
    case = make_case(organisation, review)
    make_reply(case, body="Bonjour Marie Dupont, nous sommes désolés.")
    Note.objects.create(
        organisation=organisation, case=case, body="Cliente fidèle, Marie Dupont rappelle souvent."
    )
    thread = PrivateThread.objects.create(
        organisation=organisation,
        case=case,
        address="marie.dupont@example.com",
        subject="Votre commande 123",
        token=f"tok-{organisation.pk}-{review.pk}",
    )
    PrivateMessage.objects.create(
        organisation=organisation,
        thread=thread,
        direction=MessageDirection.INBOUND,
        state=MessageState.RECEIVED,
        message_id=f"<m{review.pk}@example.com>",
        sender="marie.dupont@example.com",
        subject="Re: Votre commande 123",
        body="J'habite 3 rue des Lilas, Paris.",
    )
    callback = CallbackLog.objects.create(
        organisation=organisation,
        case=case,
        phone="+33 6 12 34 56 78",
        outcome=CallbackOutcome.REACHED,
        notes="Rappelée",
    )
    return Person(on_twitter, on_google, tweet, review, naming, unrelated, case, thread, callback)
