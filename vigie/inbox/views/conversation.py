"""One case's conversation, in order: the customer's item, its replies on the platform, our public
replies, the private messages (e-mail, direct messages on the platform, callbacks, tickets),
internal notes and the case's events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from vigie.core.models import AuditEvent
from vigie.core.tenancy import scoped
from vigie.inbox.models import CallbackLog, ExternalTicket, PrivateChannel, PrivateMessage
from vigie.inbox.queries import CaseDetail

# Events already told by an entry of their own (the note, the message, the call, the ticket).
_TOLD_BY_AN_ENTRY = {
    "case.note_added",
    "case.callback_logged",
    "case.external_ticket_linked",
    "case.private_email_received",
    "case.private_message_received",
}


@dataclass(frozen=True)
class Entry:
    """One line of the conversation."""

    kind: str  # item, platform, reply, email_out, email_in, callback, ticket, note, event
    at: datetime
    who: str
    text: str
    label: str
    obj: Any = None
    # The item's parent post on the platform, shown as context before the item.
    is_parent: bool = False
    # Where a reply can be read on the platform (a web address only: it is a link).
    url: str = ""


def _author_name(author: Any) -> str:
    # Shown alone as the entry's author: capitalised. The platform's id ("comment:1029…") means
    # nothing to an agent: a person without a name is unknown.
    if author is None:
        return _("Auteur inconnu")
    return str(author.display_name or author.handle or _("Auteur inconnu"))


def person_name(user: Any) -> str:
    if user is None:
        return _("système")
    return str(user.get_full_name() or user.email)


def _published_at(reply: Any) -> str:
    """The link of a reply on the platform: the API's, or the one pasted by whoever posted it."""
    publication = getattr(reply, "publication", None)
    url = str(publication.url if publication is not None else "")
    return url if url.lower().startswith(("https://", "http://")) else ""


def event_actor_name(event: AuditEvent) -> str:
    # A person by their name (their address when they gave none); Vigie itself as the log says.
    if event.actor is not None:
        return str(event.actor.get_full_name() or event.actor_label)
    return event.actor_label


def conversation(detail: CaseDetail, describe: Callable[[AuditEvent], str]) -> list[Entry]:
    """Every entry of the case's story, oldest first; the customer's item first of its instant."""
    case = detail.case
    mention = detail.mention.mention
    entries: list[Entry] = [
        Entry("item", mention.created_at, _author_name(mention.author), mention.text, _("Message du client"))
    ]
    for item in detail.thread:
        if item.pk == mention.pk:
            continue
        is_parent = item.pk == mention.parent_id
        entries.append(
            Entry(
                "platform",
                item.created_at,
                _author_name(item.author),
                # A post's title and its text: the title alone hid what the customer wrote.
                "\n\n".join(
                    part for part in (str(item.title or "").strip(), str(item.text or "").strip()) if part
                ),
                _("Publication d'origine") if is_parent else _("Sur la plateforme"),
                is_parent=is_parent,
            )
        )
    for reply in detail.replies:
        entries.append(
            Entry(
                "reply",
                reply.published_at or reply.submitted_at or reply.created_at,
                person_name(reply.author),
                reply.body,
                str(reply.get_channel_display()),
                obj=reply,
                url=_published_at(reply),
            )
        )
    organisation = case.organisation
    messages = (
        scoped(PrivateMessage, organisation)
        .filter(thread__case=case)
        .select_related("thread", "author")
        .order_by("created_at", "pk")
    )
    for message in messages:
        inbound = message.direction == "in"
        if message.thread.channel == PrivateChannel.DIRECT_MESSAGE:
            label = _("Message privé reçu") if inbound else _("Message privé au client")
        else:
            label = _("E-mail reçu") if inbound else _("E-mail au client")
        entries.append(
            Entry(
                "email_in" if inbound else "email_out",
                message.created_at,
                message.sender if inbound else person_name(message.author),
                message.body,
                label,
                obj=message,
            )
        )
    for callback in scoped(CallbackLog, organisation).filter(case=case).select_related("called_by"):
        entries.append(
            Entry(
                "callback",
                callback.called_at,
                person_name(callback.called_by),
                callback.notes,
                _("Rappel : %(outcome)s") % {"outcome": callback.get_outcome_display()},
            )
        )
    for ticket in scoped(ExternalTicket, organisation).filter(case=case).select_related("linked_by"):
        entries.append(
            Entry(
                "ticket",
                ticket.created_at,
                person_name(ticket.linked_by),
                ticket.reference,
                _("Ticket externe"),
                obj=ticket,
            )
        )
    for note in detail.notes:
        entries.append(Entry("note", note.created_at, person_name(note.author), note.body, _("Note interne")))
    for event in detail.timeline:
        if event.verb in _TOLD_BY_AN_ENTRY:
            continue
        entries.append(
            Entry("event", event.created_at, event_actor_name(event), describe(event), "", obj=event)
        )
    order = {"item": 1, "platform": 0}
    # Stable: entries of one instant keep the order above (the parent post, then the item).
    entries.sort(key=lambda entry: (entry.at, order.get(entry.kind, 2)))
    return entries
