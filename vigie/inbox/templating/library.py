"""Vigie's default template library, in French and English, loaded on demand for an organisation.

Written to pass the quality gate once the fill-ins are written: each answer to an unhappy
customer thanks, apologises, gives the next step and offers a private channel. Variants of one
answer share a key: the generic one suits Google, Trustpilot and Facebook; the X and Bluesky ones
are short; the LinkedIn ones formal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str
    category: str
    language: str
    body: str
    platform: str = ""
    pre_approved: bool = True
    is_snippet: bool = False
    themes: tuple[str, ...] = ()


DEFAULT_LIBRARY: tuple[TemplateSpec, ...] = (
    # --- Thanks ------------------------------------------------------------------------------
    TemplateSpec(
        "thanks-review",
        "Merci pour votre avis",
        "thanks",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci beaucoup pour votre avis et pour votre confiance ! Toute "
        "l'équipe de {{location}} est ravie d'avoir pu vous accompagner. Au plaisir de vous revoir.\n\n"
        "{{signature}}",
    ),
    TemplateSpec(
        "thanks-review",
        "Thank you for your review",
        "thanks",
        "en",
        "Hello {{customer_name}},\n\nThank you for your review and for your trust! The whole team at "
        "{{location}} is delighted we could help. We look forward to seeing you again.\n\n{{signature}}",
    ),
    TemplateSpec(
        "thanks-review",
        "Merci — réponse courte",
        "thanks",
        "fr",
        "Merci {{customer_name}} pour ce message, toute l'équipe est ravie ! {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "thanks-review",
        "Thanks — short reply",
        "thanks",
        "en",
        "Thank you {{customer_name}}, the whole team is delighted to read this! {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "thanks-review",
        "Merci — réponse courte Bluesky",
        "thanks",
        "fr",
        "Merci {{customer_name}} pour ce message, toute l'équipe est ravie ! {{signature}}",
        platform="bluesky",
    ),
    TemplateSpec(
        "thanks-review",
        "Remerciement — ton institutionnel",
        "thanks",
        "fr",
        "Bonjour {{customer_name}},\n\nNous vous remercions sincèrement pour ce retour, que nous avons "
        "partagé avec nos équipes de {{location}}. La qualité de l'accompagnement de nos clients est au "
        "cœur de notre engagement, et votre message en témoigne.\n\nBien cordialement,\n{{signature}}",
        platform="linkedin",
    ),
    TemplateSpec(
        "thanks-review",
        "Thanks — formal tone",
        "thanks",
        "en",
        "Hello {{customer_name}},\n\nWe sincerely thank you for this feedback, which we have shared with "
        "our teams at {{location}}. Supporting our customers well is at the heart of our commitment, and "
        "your message shows it.\n\nKind regards,\n{{signature}}",
        platform="linkedin",
    ),
    TemplateSpec(
        "thanks-suggestion",
        "Merci pour votre suggestion",
        "thanks",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour cette suggestion, c'est grâce à des retours comme le "
        "vôtre que nous progressons. Nous l'avons transmise à l'équipe concernée, qui l'étudiera avec "
        "attention.\n\n{{signature}}",
    ),
    TemplateSpec(
        "thanks-suggestion",
        "Thank you for your suggestion",
        "thanks",
        "en",
        "Hello {{customer_name}},\n\nThank you for this suggestion: feedback like yours is how we improve. "
        "We have passed it on to the team concerned, who will look at it carefully.\n\n{{signature}}",
    ),
    # --- Apology -----------------------------------------------------------------------------
    TemplateSpec(
        "apology-delay",
        "Excuses — retard",
        "apology",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci de nous avoir fait part de votre mécontentement, et toutes nos "
        "excuses pour ce retard : ce n'est pas le service que vous êtes en droit d'attendre. Votre demande "
        "({{case_reference}}) est transmise en priorité à l'équipe concernée, qui reviendra vers vous sous "
        "48 heures ouvrées. Pour ne pas exposer vos informations ici, pouvez-vous nous écrire en message "
        "privé ?\n\n{{signature}}",
        themes=("remboursement", "delai", "livraison", "attente"),
    ),
    TemplateSpec(
        "apology-delay",
        "Apology — delay",
        "apology",
        "en",
        "Hello {{customer_name}},\n\nThank you for letting us know, and we are truly sorry for this delay: "
        "it is not the service you are entitled to expect. Your request ({{case_reference}}) has been "
        "passed as a priority to the team concerned, who will get back to you within two working days. "
        "To keep your details private, could you send us a private message?\n\n{{signature}}",
        themes=("remboursement", "delai", "livraison", "attente"),
    ),
    TemplateSpec(
        "apology-delay",
        "Excuses — retard, réponse courte",
        "apology",
        "fr",
        "{{customer_name}}, merci de nous avoir alertés et désolés pour ce retard. Écrivez-nous en message "
        "privé avec la référence {{case_reference}} : nous revenons vers vous rapidement. {{signature}}",
        platform="x",
        themes=("remboursement", "delai", "livraison", "attente"),
    ),
    TemplateSpec(
        "apology-delay",
        "Apology — delay, short reply",
        "apology",
        "en",
        "{{customer_name}}, thanks for flagging this and sorry for the delay. Please send us a direct "
        "message quoting {{case_reference}}: we will get back to you shortly. {{signature}}",
        platform="x",
        themes=("remboursement", "delai", "livraison", "attente"),
    ),
    TemplateSpec(
        "apology-delay",
        "Excuses — retard, Bluesky",
        "apology",
        "fr",
        "{{customer_name}}, merci de nous avoir alertés et désolés pour ce retard. Écrivez-nous en message "
        "privé avec la référence {{case_reference}} : nous revenons vers vous rapidement. {{signature}}",
        platform="bluesky",
        themes=("remboursement", "delai", "livraison", "attente"),
    ),
    TemplateSpec(
        "apology-service",
        "Excuses — accueil ou qualité de service",
        "apology",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci d'avoir pris le temps de nous écrire, et pardon pour votre "
        "expérience ({{location}}), qui ne s'est pas passée comme elle aurait dû. Votre retour a été "
        "partagé avec le responsable, qui souhaite en parler avec vous. Pouvez-vous nous contacter en "
        "message privé en rappelant la référence {{case_reference}} ?\n\n{{signature}}",
        themes=("accueil", "attente", "qualite"),
    ),
    TemplateSpec(
        "apology-service",
        "Apology — service quality",
        "apology",
        "en",
        "Hello {{customer_name}},\n\nThank you for taking the time to write to us, and we are sorry your "
        "visit to {{location}} did not go as it should have. Your feedback has been shared with the "
        "manager, who would like to talk it through with you. Could you contact us by private message "
        "quoting {{case_reference}}?\n\n{{signature}}",
        themes=("accueil", "attente", "qualite"),
    ),
    TemplateSpec(
        "apology-service",
        "Excuses — ton institutionnel",
        "apology",
        "fr",
        "Bonjour {{customer_name}},\n\nNous vous remercions pour votre message et regrettons sincèrement "
        "que votre expérience n'ait pas été à la hauteur de nos engagements. Votre retour a été transmis "
        "à la direction de {{location}}, qui reviendra vers vous rapidement. Nous vous proposons de "
        "poursuivre cet échange par message privé.\n\nBien cordialement,\n{{signature}}",
        platform="linkedin",
        themes=("accueil", "attente", "qualite"),
    ),
    # --- Information -------------------------------------------------------------------------
    TemplateSpec(
        "information-answer",
        "Information — réponse à une question",
        "information",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour votre question. [[à compléter : la réponse précise]]\n\n"
        "Si besoin, nos conseillers de {{location}} restent à votre disposition.\n\n{{signature}}",
    ),
    TemplateSpec(
        "information-answer",
        "Information — answering a question",
        "information",
        "en",
        "Hello {{customer_name}},\n\nThank you for your question. [[to complete: the precise answer]]\n\n"
        "If you need anything else, our advisers at {{location}} are happy to help.\n\n{{signature}}",
    ),
    TemplateSpec(
        "information-answer",
        "Information — réponse courte",
        "information",
        "fr",
        "Bonjour {{customer_name}}, [[à compléter : la réponse en une phrase]] {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "information-answer",
        "Information — short reply",
        "information",
        "en",
        "Hi {{customer_name}}, [[to complete: the answer in one sentence]] {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "information-incident",
        "Information — incident en cours",
        "information",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour votre message et désolés pour la gêne occasionnée. Un "
        "incident perturbe actuellement [[à compléter : le service concerné]]. Nos équipes y travaillent "
        "et nous publierons un point d'étape ici dès que possible. Pour toute situation urgente, "
        "écrivez-nous en message privé.\n\n{{signature}}",
        themes=("site_app",),
    ),
    TemplateSpec(
        "information-incident",
        "Information — ongoing incident",
        "information",
        "en",
        "Hello {{customer_name}},\n\nThank you for your message and sorry for the inconvenience. An "
        "incident is currently affecting [[to complete: the service concerned]]. Our teams are working on "
        "it and we will post an update here as soon as possible. If your situation is urgent, please send "
        "us a private message.\n\n{{signature}}",
        themes=("site_app",),
    ),
    # --- Move to a private channel ------------------------------------------------------------
    TemplateSpec(
        "private-channel",
        "Passage en message privé",
        "private_channel",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour votre message, et désolés pour ce désagrément. Pour ne pas "
        "exposer vos données personnelles ici, pouvez-vous nous écrire en message privé en indiquant la "
        "référence {{case_reference}} ? Nous regardons votre dossier dès réception.\n\n{{signature}}",
    ),
    TemplateSpec(
        "private-channel",
        "Move to private messages",
        "private_channel",
        "en",
        "Hello {{customer_name}},\n\nThank you for your message, and sorry for the trouble. To keep your "
        "personal details private, could you send us a direct message quoting {{case_reference}}? We "
        "will look into it as soon as we receive it.\n\n{{signature}}",
    ),
    TemplateSpec(
        "private-channel",
        "Passage en privé — réponse courte",
        "private_channel",
        "fr",
        "{{customer_name}}, merci pour votre message et désolés pour ce désagrément. Pouvez-vous nous écrire "
        "en message privé avec la référence {{case_reference}} ? Nous nous en occupons. {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "private-channel",
        "Move to DM — short reply",
        "private_channel",
        "en",
        "{{customer_name}}, thanks for your message and sorry for the trouble. Could you send us a direct "
        "message quoting {{case_reference}}? We will take care of it. {{signature}}",
        platform="x",
    ),
    TemplateSpec(
        "private-channel",
        "Passage en privé — Bluesky",
        "private_channel",
        "fr",
        "{{customer_name}}, merci pour votre message et désolés pour ce désagrément. Pouvez-vous nous écrire "
        "en message privé avec la référence {{case_reference}} ? Nous nous en occupons. {{signature}}",
        platform="bluesky",
    ),
    TemplateSpec(
        "callback",
        "Proposition de rappel",
        "private_channel",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour votre message, et désolés pour ces difficultés. Un "
        "conseiller peut vous rappeler le [[à compléter : date et créneau]] pour faire le point avec vous. "
        "Si ce créneau vous convient, confirmez-le-nous en message privé avec la référence "
        "{{case_reference}}.\n\n{{signature}}",
        pre_approved=False,
    ),
    TemplateSpec(
        "callback",
        "Offer of a call back",
        "private_channel",
        "en",
        "Hello {{customer_name}},\n\nThank you for your message, and sorry for the difficulties. One of our "
        "advisers can call you back on [[to complete: date and time slot]] to go through it with you. If "
        "that suits you, please confirm by private message quoting {{case_reference}}.\n\n{{signature}}",
        pre_approved=False,
    ),
    # --- Follow-up and closing ------------------------------------------------------------------
    TemplateSpec(
        "follow-up",
        "Relance — sans nouvelles",
        "follow_up",
        "fr",
        "Bonjour {{customer_name}},\n\nNous revenons vers vous au sujet de votre demande {{case_reference}}. "
        "Avez-vous obtenu une réponse satisfaisante ? Si un point reste en suspens, répondez simplement à "
        "ce message.\n\n{{signature}}",
    ),
    TemplateSpec(
        "follow-up",
        "Follow-up — no news",
        "follow_up",
        "en",
        "Hello {{customer_name}},\n\nWe are following up on your request {{case_reference}}. Did you get the "
        "answer you needed? If anything is still pending, just reply to this message.\n\n{{signature}}",
    ),
    TemplateSpec(
        "closing-resolved",
        "Clôture — problème résolu",
        "follow_up",
        "fr",
        "Bonjour {{customer_name}},\n\nMerci pour votre patience : votre demande {{case_reference}} est "
        "désormais traitée. [[à compléter : ce qui a été fait]] N'hésitez pas à revenir vers nous si "
        "besoin.\n\n{{signature}}",
    ),
    TemplateSpec(
        "closing-resolved",
        "Closing — issue resolved",
        "follow_up",
        "en",
        "Hello {{customer_name}},\n\nThank you for your patience: your request {{case_reference}} has now "
        "been handled. [[to complete: what was done]] Do not hesitate to come back to us if needed.\n\n"
        "{{signature}}",
    ),
    # --- Snippets ------------------------------------------------------------------------------
    TemplateSpec(
        "snippet-private-offer",
        "Bloc — proposition de message privé",
        "private_channel",
        "fr",
        "Pour ne pas exposer vos données personnelles ici, écrivez-nous en message privé avec la référence "
        "{{case_reference}}.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-private-offer",
        "Snippet — private message offer",
        "private_channel",
        "en",
        "To keep your personal details private, please send us a direct message quoting {{case_reference}}.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-patience",
        "Bloc — merci pour votre patience",
        "apology",
        "fr",
        "Merci pour votre patience, et toutes nos excuses pour l'attente.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-patience",
        "Snippet — thank you for your patience",
        "apology",
        "en",
        "Thank you for your patience, and we apologise for the wait.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-next-step",
        "Bloc — prochaine étape",
        "information",
        "fr",
        "Nous revenons vers vous au plus tard le [[à compléter : date]] avec une réponse.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-next-step",
        "Snippet — next step",
        "information",
        "en",
        "We will get back to you by [[to complete: date]] at the latest with an answer.",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-signature",
        "Bloc — signature",
        "thanks",
        "fr",
        "Belle journée,\n{{signature}}",
        is_snippet=True,
    ),
    TemplateSpec(
        "snippet-signature",
        "Snippet — signature",
        "thanks",
        "en",
        "Have a good day,\n{{signature}}",
        is_snippet=True,
    ),
)
