"""Phrase banks for the demo: what members of a French mutual insurer write, in our own words.

Nothing here is copied from a data set: the sentences were written for Vigie and are combined at
generation time (opener + theme sentences + detail + closer), with slots filled from the value
lists below and typing noise added by ``vigie.demo.noise``. Sentences may use these slots:

French: {agence} {ville} {conseiller} {duree} {attente_tel} {attente_agence} {montant} {acte}
{doc} {nb_appels} {annees} {mois} {hausse} {cotisation} {bug} {proche} {formule} {org} {handle}
{crisis_date} {crisis_jours} {adh} {annee}
English: {branch} {city} {advisor} {delay} {phone_wait} {wait} {amount} {claim} {doc_en} {calls}
{years} {month} {rise} {premium} {bug_en} {relative} {plan} {org} {handle} {crisis_date_en}
{crisis_days} {adh} {year}
({crisis_jours} and {crisis_days} carry their unit: « 1 jour », « 3 jours », "1 day", "3 days".)
"""

from __future__ import annotations

# Theme slugs are part of the interface (Mention.themes) and are those of the analysis app's
# default taxonomy (vigie.analysis.taxonomy), so re-analysing the demo speaks the same language.
THEMES: dict[str, tuple[str, str]] = {
    "remboursement": ("Remboursements", "Refunds"),
    "attente": ("Attente et délais", "Waiting and delays"),
    "joignabilite": ("Joignabilité", "Reachability"),
    "facturation": ("Cotisations et facturation", "Premiums and billing"),
    "demarches": ("Démarches administratives", "Paperwork"),
    "site_app": ("Site et application", "Website and app"),
    "accueil": ("Accueil et amabilité", "Reception and politeness"),
    "competence": ("Compétence des conseillers", "Advisers' competence"),
    # The taxonomy's "product quality": for an insurer, the product is the cover.
    "qualite": ("Garanties et couverture", "Cover and benefits"),
}

# --- slot values ---------------------------------------------------------------------------------

FR_SLOTS: dict[str, tuple[str, ...]] = {
    "conseiller": (
        "Sophie",
        "Karim",
        "Mme Perrin",
        "M. Garnier",
        "Nathalie",
        "Yanis",
        "Mme Roche",
        "Élodie",
        "Thierry",
        "Aurélie",
        "Mehdi",
        "Sandrine",
        "Julie",
        "M. Faure",
    ),
    "duree": (
        "trois semaines",
        "six semaines",
        "deux mois",
        "plus d'un mois",
        "quinze jours",
        "dix jours",
        "un mois et demi",
        "presque trois mois",
        "5 semaines",
        "3 semaines",
    ),
    "attente_tel": (
        "45 minutes",
        "1h20",
        "plus d'une heure",
        "35 min",
        "une heure",
        "50 minutes",
        "40 min",
        "une heure et quart",
    ),
    "attente_agence": ("40 minutes", "une heure", "près d'une heure", "1h15", "45 min", "35 minutes"),
    "montant": (
        "38,50 €",
        "120 €",
        "245 €",
        "1 250 €",
        "87 €",
        "62,40 €",
        "460 €",
        "310 €",
        "1 800 €",
        "95 €",
        "670 €",
    ),
    "acte": (
        "mes lunettes",
        "ma couronne dentaire",
        "mes séances de kiné",
        "ma consultation chez le dermato",
        "mes séances d'ostéo",
        "la paire de lunettes de ma fille",
        "mon appareil auditif",
        "mon hospitalisation",
        "l'implant de mon mari",
        "mon IRM",
        "l'orthodontie de mon fils",
        "mon détartrage",
        "mes lentilles",
        "ma cure thermale",
    ),
    "doc": (
        "attestation de tiers payant",
        "carte de tiers payant",
        "attestation de résiliation",
        "attestation fiscale",
        "attestation de droits",
        "attestation pour la CAF",
    ),
    "nb_appels": (
        "5 fois",
        "une dizaine de fois",
        "trois fois",
        "tous les jours depuis une semaine",
        "à 8 reprises",
        "au moins 6 fois",
    ),
    "annees": ("12 ans", "20 ans", "plus de 15 ans", "8 ans", "30 ans", "4 ans", "25 ans", "10 ans"),
    "hausse": ("8 %", "12 %", "presque 15 %", "9,5 %", "11 %", "7 %", "10 %"),
    "cotisation": (
        "92 € par mois",
        "147 €/mois",
        "plus de 200 € par mois pour un couple",
        "65 € par mois",
        "180 € par mois pour la famille",
        "118 € par mois",
    ),
    "bug": (
        "l'appli plante dès l'ouverture",
        "impossible de me connecter à l'espace adhérent",
        "le code de validation par SMS n'arrive jamais",
        "la page des justificatifs tourne dans le vide",
        "l'appli me déconnecte toutes les deux minutes",
        "le téléchargement des décomptes renvoie une erreur",
        "le bouton « envoyer une facture » ne fait rien",
    ),
    "proche": ("mon fils", "ma fille", "mon mari", "ma femme", "ma mère", "mon père", "mon conjoint"),
    "formule": (
        "formule Confort",
        "formule Essentielle",
        "formule Sérénité",
        "formule Jeunes",
        "formule Senior+",
        "formule Famille",
    ),
    "org": ("Mutuelle Horizon", "Mutuelle Horizon", "Mutuelle Horizon", "Horizon", "la mutuelle"),
}

EN_SLOTS: dict[str, tuple[str, ...]] = {
    "advisor": ("Sophie", "Karim", "Ms Perrin", "Mr Garnier", "Nathalie", "Yanis", "Élodie", "Mehdi"),
    "delay": ("three weeks", "six weeks", "two months", "over a month", "a fortnight", "ten days"),
    "phone_wait": ("45 minutes", "over an hour", "50 minutes", "an hour", "40 minutes"),
    "wait": ("40 minutes", "an hour", "nearly an hour", "45 minutes"),
    "amount": ("€38.50", "€120", "€245", "€1,250", "€87", "€460", "€310", "€95"),
    "claim": (
        "my glasses",
        "a dental crown",
        "my physio sessions",
        "my daughter's glasses",
        "my hearing aid",
        "a hospital stay",
        "my MRI scan",
        "my son's braces",
    ),
    "doc_en": ("proof of cover", "third-party payment card", "cancellation certificate", "tax certificate"),
    "calls": ("5 times", "a dozen times", "three times", "every day this week", "8 times"),
    "years": ("12 years", "20 years", "over 15 years", "8 years", "4 years"),
    "rise": ("8%", "12%", "almost 15%", "9.5%", "11%"),
    "premium": ("€92 a month", "€147 a month", "over €200 a month for a couple", "€118 a month"),
    "bug_en": (
        "the app crashes on launch",
        "I can't log in to the member area",
        "the SMS code never arrives",
        "the document upload page just spins",
        "the app logs me out every two minutes",
    ),
    "relative": ("my son", "my daughter", "my husband", "my wife", "my mother", "my partner"),
    "plan": ("Comfort plan", "Essential plan", "Family plan", "Senior+ plan"),
    "org": ("Mutuelle Horizon", "Mutuelle Horizon", "Horizon"),
}

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# --- people --------------------------------------------------------------------------------------

FIRST_NAMES_FR_F = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Céline", "Julie", "Aurélie",
    "Émilie", "Camille", "Léa", "Manon", "Chloé", "Sarah", "Laura", "Pauline", "Martine", "Françoise",
    "Monique", "Christine", "Valérie", "Stéphanie", "Nadia", "Fatima", "Inès", "Yasmine", "Amandine",
    "Audrey", "Mélanie", "Justine", "Océane", "Lucie", "Élise", "Brigitte", "Danielle", "Josiane",
    "Agnès", "Hélène", "Corinne", "Karine", "Laetitia", "Morgane", "Anaïs", "Clémence", "Zoé",
)  # fmt: skip
FIRST_NAMES_FR_M = (
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre", "Thierry",
    "Stéphane", "Laurent", "David", "Julien", "Sébastien", "Frédéric", "Olivier", "Thomas", "Maxime",
    "Kevin", "Romain", "Antoine", "Hugo", "Lucas", "Mathieu", "Karim", "Mehdi", "Youssef", "Rachid",
    "Bernard", "Gérard", "Daniel", "Jacques", "Didier", "Pascal", "Yannick", "Florian", "Quentin",
    "Benoît", "Cédric", "Damien", "Fabrice", "Jérôme", "Loïc", "Mickaël", "Samir", "Théo", "Enzo",
)  # fmt: skip
LAST_NAMES_FR = (
    "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Simon", "Michel",
    "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
    "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin",
    "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour",
    "Blanchard", "Brun", "Barbier", "Arnaud", "Giraud", "Rivière", "Benali", "Haddad", "Chauvin",
)  # fmt: skip
FIRST_NAMES_EN = (
    "James", "Emma", "Oliver", "Sophie", "Daniel", "Hannah", "Michael", "Laura", "David", "Rachel",
    "Thomas", "Kate", "Chris", "Anna", "Mark", "Lucy", "Ben", "Claire", "Sam", "Helen", "Tom", "Amy",
    "Peter", "Grace", "Mateo", "Ingrid", "Lukas", "Priya", "Arjun", "Elena",
)  # fmt: skip
LAST_NAMES_EN = (
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Roberts", "Hughes",
    "Green", "Hall", "Wood", "Clarke", "Harris", "Turner", "Müller", "Schmid", "Rossi", "Jensen",
    "Patel", "Kowalski", "Novak", "Fischer", "Keller",
)  # fmt: skip
FORUM_PSEUDOS = (
    "mamie_gateau", "lolo69", "papy_rando", "zen_attitude", "le_grincheux", "nanou38", "kikou_lol",
    "bricoleur42", "maman_de_3", "retraite_heureux", "cycliste_du_dimanche", "titi_lyon",
    "la_fourmi", "marmotte74", "chat_noir", "jojo_du_63", "flo_valence", "sam_grenoble",
)  # fmt: skip
INSTANCES = ("mastodon.social", "piaille.fr", "framapiaf.org", "mamot.fr", "mastodon.online", "eldritch.cafe")

# --- building blocks -------------------------------------------------------------------------------

# FR[theme][type] -> sentences. Types: complaint, praise, question, suggestion.
FR: dict[str, dict[str, tuple[str, ...]]] = {
    "remboursement": {
        "complaint": (
            "Ça fait {duree} que j'attends le remboursement de {acte}, toujours rien.",
            "J'ai envoyé ma facture pour {acte} début {mois} et je n'ai toujours pas été remboursée.",
            "À chaque appel on me répond que le dossier est « en cours de traitement », mais rien ne bouge.",
            "On m'avait promis un remboursement sous 48h, ça fait {duree}.",
            "On m'a demandé trois fois le même justificatif alors que je l'avais déjà envoyé.",
            "Remboursé {montant} au lieu de ce qui était prévu dans le devis, et personne n'est capable de "
            "m'expliquer pourquoi.",
            "La télétransmission avec la Sécu ne fonctionne pas chez eux, je dois tout renvoyer à la main.",
            "J'avance les frais depuis des mois et j'attends toujours mes remboursements.",
            "Dossier de remboursement pour {acte} perdu deux fois. Deux fois !",
            "Toujours pas un centime pour {acte}, alors que la Sécu a remboursé sa part depuis longtemps.",
        ),
        "praise": (
            "Remboursement de {acte} reçu en deux jours, rien à dire.",
            "Facture envoyée par l'appli le lundi, virement reçu le jeudi. Efficace.",
            "Bonne prise en charge de {acte}, devis clair et remboursement conforme à ce qui était annoncé.",
            "Aucun souci de remboursement depuis {annees}, ça mérite d'être signalé.",
            "Remboursée plus vite que je ne l'espérais pour {acte}, merci.",
        ),
        "question": (
            "Combien de temps faut-il en moyenne pour être remboursé de {acte} ?",
            "J'ai envoyé ma facture il y a {duree}, est-ce normal que ce ne soit pas encore traité ?",
            "Comment savoir où en est mon remboursement ? Rien n'apparaît dans l'espace adhérent.",
            "Faut-il envoyer l'original de la facture ou une photo suffit pour {acte} ?",
            "Le remboursement de {acte} passe-t-il automatiquement par la Sécu ou je dois l'envoyer ?",
        ),
        "suggestion": (
            "Ce serait bien de recevoir une notification quand le remboursement part, au lieu de vérifier "
            "son compte tous les jours.",
            "Pourquoi ne pas afficher un délai estimé pour chaque demande de remboursement ?",
            "Un simulateur de remboursement avant de faire un devis éviterait bien des mauvaises surprises.",
        ),
    },
    "attente": {
        "complaint": (
            "{attente_agence} d'attente à {agence} alors que j'avais rendez-vous.",
            "Une seule personne au guichet un samedi matin, la file allait jusqu'à la porte.",
            "Il faut compter des semaines pour le moindre traitement de dossier.",
            "Délai de traitement interminable pour un simple changement de RIB.",
            "On patiente debout, pas de ticket, pas d'information, rien.",
            "Mon dossier est bloqué depuis {duree} sans la moindre explication.",
            "Rendez-vous décalé deux fois par l'agence, le jour même.",
        ),
        "praise": (
            "Reçue à l'heure pile, pas une minute d'attente.",
            "Rendez-vous pris la veille et reçu le lendemain matin, top.",
            "Dossier traité en moins d'une semaine, je ne m'y attendais pas.",
            "Pas d'attente à {agence} ce matin, et tout a été réglé en un quart d'heure.",
        ),
        "question": (
            "Faut-il prendre rendez-vous pour passer à {agence} ou on peut venir sans ?",
            "Quels sont les délais actuels pour traiter un changement de contrat ?",
            "Mon dossier est en attente depuis {duree}, c'est le délai normal ?",
        ),
        "suggestion": (
            "Un système de ticket ou de rendez-vous en ligne éviterait d'attendre debout.",
            "Affichez le temps d'attente estimé à l'accueil, ça éviterait bien des énervements.",
        ),
    },
    "joignabilite": {
        "complaint": (
            "Impossible de les joindre par téléphone : {attente_tel} de musique d'attente puis ça raccroche.",
            "J'ai appelé {nb_appels}, jamais personne.",
            "On tombe sur un serveur vocal qui ne comprend rien et qui finit par raccrocher.",
            "Aucune réponse à mes mails depuis {duree}.",
            "On vous dit « un conseiller va vous rappeler sous 48h »… j'attends encore.",
            "Le formulaire de contact renvoie une erreur et le téléphone sonne dans le vide.",
            "{attente_tel} au téléphone pour qu'on me dise de rappeler demain.",
        ),
        "praise": (
            "Conseillère au téléphone en moins de 5 minutes, très efficace.",
            "Rappelée dans l'heure comme promis, merci !",
            "Réponse à mon mail le jour même, c'est appréciable.",
        ),
        "question": (
            "Quels sont les horaires du service client par téléphone ?",
            "Y a-t-il une adresse mail pour les réclamations ? Le téléphone ne répond jamais.",
            "Il existe un numéro non surtaxé pour vous joindre ?",
        ),
        "suggestion": (
            "Un rappel automatique au lieu de laisser les gens {attente_tel} en attente serait un vrai plus.",
            "Un chat en ligne le soir, pour ceux qui travaillent en journée, ce serait bien.",
        ),
    },
    "facturation": {
        "complaint": (
            "Encore une hausse de {hausse} sur ma cotisation, sans aucune explication.",
            "Je paie {cotisation} et à chaque soin il me reste quelque chose à ma charge.",
            "Prélevée deux fois ce mois-ci, et pour récupérer le trop-perçu c'est le parcours du combattant.",
            "Ils continuent de me prélever alors que j'ai résilié depuis {duree}.",
            "L'échéancier ne correspond pas du tout à ce qu'on m'avait annoncé à la souscription.",
            "Des frais de dossier sortis de nulle part sur mon dernier prélèvement.",
        ),
        "praise": (
            "Tarif correct pour les garanties, et le conseiller a ajusté ma formule pour faire baisser la note.",
            "Erreur de prélèvement corrigée en 24h et remboursée, rien à redire.",
            "Cotisation raisonnable par rapport à mon ancienne mutuelle, pour de meilleures garanties.",
        ),
        "question": (
            "Pourquoi ma cotisation a-t-elle augmenté de {hausse} cette année ?",
            "Est-il possible de passer au prélèvement trimestriel ?",
            "Je vois deux prélèvements ce mois-ci, c'est une erreur ?",
            "Comment changer le RIB pour les prélèvements ?",
        ),
        "suggestion": (
            "Une explication claire de la hausse annuelle serait appréciée, un simple courrier suffirait.",
            "Proposez un tarif dégressif pour les adhérents fidèles.",
        ),
    },
    "demarches": {
        "complaint": (
            "Trois semaines pour obtenir une simple {doc}, c'est une blague ?",
            "Résiliation envoyée en recommandé, ils disent ne l'avoir jamais reçue.",
            "On me demande de renvoyer les mêmes papiers à chaque fois.",
            "Ma {doc} n'est toujours pas arrivée et la pharmacie refuse le tiers payant.",
            "Pour ajouter mon bébé sur le contrat il a fallu trois courriers et deux appels.",
            "Changement d'adresse fait il y a {duree}, les courriers partent toujours à l'ancienne.",
        ),
        "praise": (
            "Changement de contrat fait en 10 minutes en agence, tout était prêt.",
            "J'ai reçu ma {doc} par mail dans la journée, parfait.",
            "Ajout de mon conjoint sur le contrat fait sans la moindre complication.",
            "Résiliation traitée rapidement et sans chichis, c'est assez rare pour le dire.",
        ),
        "question": (
            "Comment obtenir une {doc} ? Je ne la trouve pas dans l'espace adhérent.",
            "Quels papiers faut-il pour ajouter un enfant sur le contrat ?",
            "La résiliation est-elle possible à tout moment après un an de contrat ?",
            "Où envoyer ma {doc} ? Par courrier ou par l'appli ?",
        ),
        "suggestion": (
            "Pouvoir télécharger la {doc} directement depuis l'appli éviterait bien des appels.",
            "Une signature électronique pour les avenants, ce serait un gain de temps pour tout le monde.",
        ),
    },
    "site_app": {
        "complaint": (
            "Depuis la dernière mise à jour, {bug}.",
            "L'espace adhérent est une catastrophe : {bug}.",
            "Impossible d'envoyer une facture depuis l'appli, le bouton ne fait rien.",
            "Mot de passe réinitialisé 4 fois, toujours bloqué.",
            "Le nouveau site est illisible, on ne trouve plus rien.",
        ),
        "praise": (
            "L'appli est vraiment pratique : je prends la facture en photo et c'est réglé.",
            "Nouvel espace adhérent bien plus clair qu'avant.",
            "Carte de tiers payant dans l'appli, plus besoin de chercher la carte papier.",
        ),
        "question": (
            "L'appli ne me laisse plus me connecter, c'est pareil pour vous ?",
            "Où trouve-t-on le suivi des remboursements sur le nouveau site ?",
            "L'appli existe-t-elle sur tablette ?",
        ),
        "suggestion": (
            "Un mode sombre et la connexion par empreinte sur l'appli, ce serait top.",
            "Ajoutez un historique des échanges avec le service client dans l'espace adhérent.",
        ),
    },
    "accueil": {
        "complaint": (
            "Accueil glacial à {agence}, on a l'impression de déranger.",
            "La personne à l'accueil ne m'a même pas dit bonjour et a soupiré pendant tout l'échange.",
            "Conseiller désagréable qui m'a coupé la parole sans arrêt.",
            "On m'a parlé comme à une enfant, c'est très désagréable.",
        ),
        "praise": (
            "Accueil chaleureux à {agence}, {conseiller} a pris le temps de tout m'expliquer.",
            "Très bon accueil, personnel souriant et disponible.",
            "Merci à {conseiller} pour sa patience et sa gentillesse.",
            "Toujours bien reçue à {agence}, c'est pour ça que je reste.",
            "Équipe adorable à {agence}, on se sent écouté.",
        ),
        "question": (
            "{agence} est-elle ouverte le samedi matin ?",
            "Quels sont les horaires de {agence} pendant les vacances ?",
        ),
        "suggestion": (
            "Quelques chaises de plus dans la salle d'attente ne seraient pas de trop.",
            "Un peu plus de confidentialité au guichet, on entend tout ce que disent les autres.",
        ),
    },
    "competence": {
        "complaint": (
            "Chaque conseiller me donne une réponse différente.",
            "On m'a vendu une option qui ne couvre pas du tout ce qu'on m'avait dit.",
            "Personne n'a été capable de m'expliquer mon décompte.",
            "Le conseiller ne connaissait même pas les garanties de ma {formule}.",
        ),
        "praise": (
            "{conseiller} connaît parfaitement son sujet : conseils clairs et honnêtes.",
            "Enfin quelqu'un qui m'a expliqué mes garanties simplement.",
            "Très bon conseil pour choisir la formule adaptée à notre famille.",
            "{conseiller} a trouvé la solution en deux minutes alors que je tournais en rond depuis des semaines.",
        ),
        "question": (
            "Un conseiller peut-il m'aider à comparer les formules pour un couple de retraités ?",
            "Qui peut m'expliquer mon décompte ? Je n'y comprends rien.",
        ),
        "suggestion": ("Formez vos conseillers sur les nouvelles garanties optiques, ils semblent perdus.",),
    },
    "qualite": {
        "complaint": (
            "Presque rien de pris en charge pour {acte} alors que je suis en {formule}.",
            "Le plafond optique est atteint au bout d'une seule paire de lunettes, c'est n'importe quoi.",
            "Dépassements d'honoraires mal couverts, on ne le découvre qu'au moment de payer.",
            "La médecine douce n'est presque pas remboursée, il faut le savoir avant de signer.",
        ),
        "praise": (
            "Très bien couvert pour mon hospitalisation, zéro reste à charge.",
            "Bonne prise en charge en dentaire, on m'avait bien conseillé.",
            "La {formule} couvre vraiment bien les lunettes des enfants.",
        ),
        "question": (
            "Les séances d'ostéo sont-elles remboursées, et combien par an ?",
            "Quelle formule choisir pour des lunettes à verres progressifs ?",
            "La {formule} couvre-t-elle les implants dentaires ?",
            "{acte} : c'est pris en charge avec la {formule} ?",
        ),
        "suggestion": (
            "Rembourser un peu mieux la médecine douce serait un vrai plus pour les familles.",
            "Une option « sport » pour les séances de kiné serait bienvenue.",
        ),
    },
}

EN: dict[str, dict[str, tuple[str, ...]]] = {
    "remboursement": {
        "complaint": (
            "I've been waiting {delay} to be reimbursed for {claim}. Nothing.",
            "Every time I call they say the claim is 'being processed', but nothing moves.",
            "They asked me for the same receipt three times.",
            "Reimbursed {amount} instead of what the quote said, and nobody can explain why.",
        ),
        "praise": (
            "Claim for {claim} paid in two days, no complaints.",
            "Sent the invoice through the app on Monday, money in my account on Thursday.",
        ),
        "question": (
            "How long does a reimbursement usually take for {claim}?",
            "I sent my invoice {delay} ago, is it normal that it's still pending?",
        ),
        "suggestion": ("A notification when a reimbursement is paid would be really helpful.",),
    },
    "attente": {
        "complaint": (
            "Waited {wait} at {branch} even though I had an appointment.",
            "Processing times are endless for the simplest change.",
        ),
        "praise": ("Seen right on time, no waiting at all.", "My file was handled in less than a week."),
        "question": ("Do I need an appointment to visit {branch}?",),
        "suggestion": ("An online booking system would save everyone a lot of waiting.",),
    },
    "joignabilite": {
        "complaint": (
            "Impossible to reach them by phone: {phone_wait} on hold and then it hangs up.",
            "Called {calls}, never got anyone.",
            "No reply to my emails for {delay}.",
        ),
        "praise": ("Got an adviser on the phone in under 5 minutes, very efficient.",),
        "question": ("Is there an English-speaking line? I can never get through.",),
        "suggestion": ("A call-back option instead of waiting on hold would be great.",),
    },
    "facturation": {
        "complaint": (
            "Another {rise} increase in my premium with no explanation.",
            "Charged twice this month and getting the money back is a nightmare.",
            "They keep taking payments although I cancelled {delay} ago.",
        ),
        "praise": ("Fair price for the cover, and the adviser adjusted my plan to lower the bill.",),
        "question": ("Why did my premium go up {rise} this year?", "Can I pay quarterly instead of monthly?"),
        "suggestion": ("A clear letter explaining the yearly increase would be appreciated.",),
    },
    "demarches": {
        "complaint": (
            "Three weeks to get a simple {doc_en}, seriously?",
            "I sent my cancellation by registered mail and they say they never got it.",
        ),
        "praise": ("Got my {doc_en} by email the same day, perfect.",),
        "question": (
            "How do I get a {doc_en}? I can't find it in the member area.",
            "What documents do I need to add my child to the policy?",
        ),
        "suggestion": ("Let us download the {doc_en} straight from the app.",),
    },
    "site_app": {
        "complaint": ("Since the last update {bug_en}.", "The member area is a mess: {bug_en}."),
        "praise": ("The app is really handy: snap the invoice and you're done.",),
        "question": ("Is there an English version of the member area?",),
        "suggestion": ("Please add an English version of the app.",),
    },
    "accueil": {
        "complaint": ("Very cold welcome at {branch}, felt like I was bothering them.",),
        "praise": (
            "Lovely welcome at {branch}, {advisor} took the time to explain everything in English.",
            "Friendly and patient staff, thank you {advisor}!",
        ),
        "question": ("Is {branch} open on Saturday mornings?",),
        "suggestion": ("A few more chairs in the waiting room would help.",),
    },
    "competence": {
        "complaint": ("Every adviser gives me a different answer.",),
        "praise": (
            "{advisor} really knows the French system and explained it clearly to a newcomer.",
            "Great advice choosing a plan for our family after moving to France.",
        ),
        "question": ("Can an adviser help me understand how French top-up cover works?",),
        "suggestion": ("Train advisers on cross-border workers' questions, it's a big group around here.",),
    },
    "qualite": {
        "complaint": (
            "Barely anything reimbursed for {claim} on the {plan}.",
            "The optical cap is reached after a single pair of glasses.",
        ),
        "praise": ("Very well covered for my hospital stay, nothing left to pay.",),
        "question": (
            "Does the {plan} cover dental implants?",
            "Is osteopathy covered, and how much per year?",
        ),
        "suggestion": ("Better cover for alternative medicine would help families.",),
    },
}

# Texts of three to eight words, by type, each with the themes it speaks about.
Tiny = tuple[tuple[str, tuple[str, ...]], ...]
FR_TINY: dict[str, Tiny] = {
    "complaint": (
        ("Nul. Injoignables.", ("joignabilite",)),
        ("Service client aux abonnés absents.", ("joignabilite",)),
        ("A fuir !!!", ()),
        ("Remboursements beaucoup trop lents.", ("remboursement",)),
        ("Toujours pas remboursé.", ("remboursement",)),
        ("Très déçue du service.", ()),
        ("Jamais de réponse aux mails.", ("joignabilite",)),
        ("Zéro étoile si c'était possible.", ()),
        ("Accueil désagréable, dommage.", ("accueil",)),
        ("Trop cher pour ce que c'est.", ("facturation",)),
        ("Une heure d'attente en agence.", ("attente",)),
        ("Appli inutilisable.", ("site_app",)),
    ),
    "praise": (
        ("Au top 👍", ()),
        ("Très bon accueil.", ("accueil",)),
        ("Remboursement rapide, merci !", ("remboursement",)),
        ("Service client réactif et aimable.", ("joignabilite", "accueil")),
        ("Rien à redire, je recommande.", ()),
        ("Conseillère très compétente.", ("competence",)),
        ("Toujours satisfaite.", ()),
        ("Merci pour votre aide !", ()),
        ("Parfait.", ()),
        ("Super équipe !", ("accueil",)),
        ("Appli pratique et rapide.", ("site_app",)),
    ),
    "question": (
        ("Vous êtes ouverts samedi ?", ("accueil",)),
        ("Quel numéro pour les réclamations ?", ("joignabilite",)),
        ("L'appli est en panne ?", ("site_app",)),
        ("C'est quoi le délai de remboursement ?", ("remboursement",)),
    ),
    "suggestion": (
        ("Un chat en ligne svp !", ("joignabilite",)),
        ("Il faudrait un numéro gratuit.", ("joignabilite",)),
        ("Un mode sombre pour l'appli ?", ("site_app",)),
    ),
    "other": (
        ("RAS.", ()),
        ("Correct, sans plus.", ()),
        ("Ça va.", ()),
        ("Mutuelle classique.", ()),
        ("Pas encore eu besoin d'eux.", ()),
    ),
}
EN_TINY: dict[str, Tiny] = {
    "complaint": (
        ("Useless. Can't reach anyone.", ("joignabilite",)),
        ("Still not reimbursed.", ("remboursement",)),
        ("Avoid!", ()),
        ("Way too slow.", ("attente",)),
    ),
    "praise": (
        ("Great service 👍", ()),
        ("Very helpful staff.", ("accueil",)),
        ("Quick refund, thanks!", ("remboursement",)),
        ("Highly recommend.", ()),
    ),
    "question": (("Are you open on Saturday?", ("accueil",)), ("Is the app down?", ("site_app",))),
    "suggestion": (("English version please!", ("site_app",)),),
    "other": (("OK.", ()), ("Average.", ()), ("Nothing special.", ())),
}

FR_OPENERS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "Franchement,",
        "Très déçue.",
        "Adhérent depuis {annees},",
        "Adhérente depuis {annees} et",
        "Bonjour,",
        "Je ne laisse jamais d'avis mais là,",
        "Honteux.",
        "Alors là…",
        "Que dire…",
        "Lamentable.",
        "Je suis à bout.",
        "Mutuelle à fuir.",
        "Expérience catastrophique.",
    ),
    "praise": (
        "Un grand merci !",
        "Adhérente depuis {annees} et toujours satisfaite.",
        "Je tenais à le dire :",
        "Très satisfait.",
        "Bravo à l'équipe de {agence}.",
        "Rien à redire.",
        "Agréablement surprise.",
        "Après des années dans une autre mutuelle, quel changement !",
    ),
    "question": ("Bonjour,", "Bonjour à tous,", "Petite question :", "Quelqu'un peut m'aider ?", "Bonsoir,"),
    "suggestion": ("Une suggestion :", "Petite idée pour {org} :", "Bonjour,", "Avis constructif :"),
    "other": ("Bon,", "Bref,", "Alors,"),
}
EN_OPENERS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "Honestly,",
        "Very disappointed.",
        "Member for {years} and",
        "Hello,",
        "Terrible experience.",
    ),
    "praise": ("A big thank you!", "Member for {years} and still happy.", "Pleasantly surprised."),
    "question": ("Hi,", "Hello everyone,", "Quick question:"),
    "suggestion": ("A suggestion:", "Hi,"),
    "other": ("Well,",),
}

FR_CLOSERS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "Je vais résilier.",
        "À fuir.",
        "Je vais voir ailleurs.",
        "Inadmissible.",
        "Merci de me recontacter rapidement.",
        "Je vais saisir le médiateur si rien ne bouge.",
        "Vraiment déçue.",
        "Honteux pour une mutuelle.",
        "Bref, une étoile c'est encore trop.",
        "On paie pour ça ?",
        "Je ne recommande pas.",
    ),
    "praise": (
        "Merci !",
        "Je recommande.",
        "Continuez comme ça !",
        "Merci encore à toute l'équipe.",
        "Bravo.",
        "Je reste chez vous sans hésiter.",
    ),
    "question": (
        "Merci d'avance.",
        "Merci pour votre retour.",
        "Merci !",
        "Répondez-moi svp.",
        "Bonne journée.",
    ),
    "suggestion": ("Merci de transmettre.", "Ce serait top.", "Merci !"),
    "other": ("Voilà.", "On verra bien."),
}
EN_CLOSERS: dict[str, tuple[str, ...]] = {
    "complaint": ("Avoid.", "I'm cancelling.", "Unacceptable.", "Please call me back."),
    "praise": ("Thanks!", "Highly recommended.", "Keep it up!"),
    "question": ("Thanks in advance.", "Thanks!"),
    "suggestion": ("Thanks for passing it on.",),
    "other": ("We'll see.",),
}

# Long texts start with some context and end with a consequence or a request.
FR_CONTEXT: tuple[str, ...] = (
    "Adhérente depuis {annees} chez {org}, je n'avais jamais eu de problème jusqu'ici.",
    "Je suis à la {formule} depuis {annees} avec toute la famille.",
    "Je me permets d'écrire ici puisque personne ne répond ailleurs.",
    "Je raconte mon histoire pour que d'autres sachent à quoi s'attendre.",
    "Retraitée, je n'ai pas les moyens d'avancer des frais pendant des semaines.",
    "En arrêt maladie depuis {mois}, j'ai beaucoup de frais de santé en ce moment.",
    "Nous avons changé de mutuelle l'an dernier sur les conseils de {agence}.",
    "Je passe régulièrement à {agence} depuis que j'ai déménagé dans le coin.",
)
FR_CONSEQUENCE: tuple[str, ...] = (
    "Résultat : j'ai dû avancer {montant} de ma poche.",
    "Entre-temps, j'ai dû reporter les soins de {proche}.",
    "J'ai passé des heures au téléphone pour rien.",
    "Je suis allée trois fois en agence, à chaque fois on me dit d'attendre.",
    "La pharmacie m'a demandé de tout payer, faute d'attestation à jour.",
    "Mon numéro d'adhérent est le {adh}, si quelqu'un veut bien regarder.",
)
FR_POSITIVE_DETAIL: tuple[str, ...] = (
    "{conseiller} m'a même rappelée le lendemain pour vérifier que tout était bon.",
    "Tout a été expliqué clairement, sans jargon.",
    "On sent que les équipes connaissent leur métier.",
    "Ça change de mon ancienne mutuelle.",
)
EN_CONTEXT: tuple[str, ...] = (
    "I moved to {city} for work and joined {org} on my employer's advice.",
    "Cross-border worker here, member for {years}.",
    "Writing here since nobody answers anywhere else.",
)
EN_CONSEQUENCE: tuple[str, ...] = (
    "In the meantime I had to pay {amount} out of my own pocket.",
    "I spent hours on the phone for nothing.",
    "My member number is {adh} if anyone wants to check.",
)

# Review titles that fit any text of their type, then titles by type and theme.
FR_TITLES: dict[str, tuple[str, ...]] = {
    "complaint": ("Très déçue", "À fuir", "Décevant", "Inadmissible"),
    "praise": ("Rien à redire", "Mutuelle sérieuse", "Très satisfaite", "Merci !"),
    "question": (
        "Question sur les remboursements",
        "Délai normal ?",
        "Besoin d'aide",
        "Attestation introuvable",
    ),
    "suggestion": ("Une idée d'amélioration", "Peut mieux faire"),
    "other": ("Correct", "Mutuelle classique", "Moyen"),
}
FR_THEME_TITLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("complaint", "remboursement"): ("Remboursements beaucoup trop lents", "Toujours pas remboursée"),
    ("complaint", "attente"): ("Des délais interminables", "Attente inadmissible"),
    ("complaint", "joignabilite"): ("Injoignables", "Service client absent"),
    ("complaint", "facturation"): ("Hausse de cotisation injustifiée", "Prélèvements abusifs"),
    ("complaint", "demarches"): ("Paperasse sans fin", "Démarches interminables"),
    ("complaint", "site_app"): ("Appli inutilisable", "Espace adhérent catastrophique"),
    ("complaint", "accueil"): ("Accueil désagréable",),
    ("complaint", "competence"): ("Conseillers mal informés",),
    ("complaint", "qualite"): ("Garanties décevantes",),
    ("praise", "remboursement"): ("Remboursement rapide",),
    ("praise", "accueil"): ("Très bon accueil", "Équipe adorable"),
    ("praise", "competence"): ("Conseillère au top", "De très bons conseils"),
    ("praise", "joignabilite"): ("Service client réactif",),
    ("praise", "site_app"): ("Appli pratique",),
}
EN_TITLES: dict[str, tuple[str, ...]] = {
    "complaint": ("Far too slow", "Impossible to reach", "Disappointed"),
    "praise": ("Great service", "Helpful staff", "Quick refund"),
    "question": ("Question about claims",),
    "suggestion": ("Room for improvement",),
    "other": ("Average",),
}

FR_FORUM_TITLES: tuple[str, ...] = (
    "Mutuelle Horizon : vos avis ?",
    "Quelle mutuelle pour des retraités en Rhône-Alpes ?",
    "Mutuelle Horizon ou une autre pour une famille de 4 ?",
    "Problème avec Mutuelle Horizon",
)
FR_FORUM_THEME_TITLES: dict[str, tuple[str, ...]] = {
    "remboursement": (
        "Remboursement très long chez Mutuelle Horizon",
        "Horizon ne rembourse pas, que faire ?",
    ),
    "facturation": ("Hausse des cotisations {annee}, vous aussi ?", "Double prélèvement Mutuelle Horizon"),
    "demarches": ("Résilier Mutuelle Horizon, comment faire ?", "Tiers payant refusé à la pharmacie"),
    "qualite": ("Devis dentaire : Horizon rembourse bien ?", "Garanties optiques Mutuelle Horizon"),
    "joignabilite": ("Impossible de joindre Mutuelle Horizon", "Un numéro qui répond chez Horizon ?"),
    "site_app": ("Appli Mutuelle Horizon en panne ?", "Espace adhérent Horizon : mode d'emploi ?"),
    "attente": ("Délais de traitement chez Horizon", "Dossier bloqué depuis des semaines"),
    "accueil": ("Agences Mutuelle Horizon : votre expérience ?",),
    "competence": ("Conseils contradictoires chez Horizon",),
}

FR_FORUM_ENDINGS: tuple[str, ...] = (
    "Quelqu'un a déjà eu ce problème ?",
    "Vous me conseillez quoi ?",
    "Merci d'avance pour vos retours.",
    "Des idées ? Je commence à désespérer.",
    "Je suis preneuse de tout conseil.",
)

# --- trolls, spam, chatter --------------------------------------------------------------------------

FR_TROLLS: tuple[str, ...] = (
    "Bande de voleurs 🤡",
    "Les mutuelles c'est tous des escrocs, ouvrez les yeux",
    "Mdr qui est encore chez eux en {annee}",
    "Vous vous engraissez sur le dos des malades, honte à vous",
    "Payer 100 balles par mois pour se faire rembourser 3 € de lunettes, génie 👏",
    "Le community manager doit être un robot lol",
    "Encore un post pour ne rien dire",
    "BOYCOTT !!!",
    "Mutuelle Horizon, l'horizon de vos remboursements : on le voit mais on ne l'atteint jamais 😂",
    "Ils vont encore répondre « nous sommes désolés » copié-collé 🥱",
    "Rendez l'argent",
)
FR_TROLLS_LEGAL: tuple[str, ...] = (
    "Mutuelle Horizon = arnaque organisée, les dirigeants s'en mettent plein les poches. Tout le monde "
    "devrait porter plainte !!",
    "Ce sont des voleurs et des menteurs, je vais le crier partout. Le directeur de {agence} est un escroc.",
    "Je vais les attaquer en justice, ils ont falsifié mon dossier, c'est de l'escroquerie pure et simple.",
)
EN_TROLLS: tuple[str, ...] = (
    "Bunch of crooks 🤡",
    "All insurers are scams, wake up",
    "Imagine still paying these people in {year} lol",
    "Your social media person must be a bot",
)
FR_SPAM: tuple[str, ...] = (
    "Gagnez jusqu'à 300 € par jour depuis chez vous 👉 www.gains-faciles.example",
    "Mutuelle pas chère dès 9 €/mois, devis gratuit en 2 minutes sur comparateur-sante.example",
    "🔥 Promo 🔥 1000 abonnés pour 5 €, écris-moi en privé",
    "Investissez en crypto avec moi, +40 % en un mois garanti 📈📈",
    "Super mutuelle !!! Offres exclusives sur bons-plans-sante.example",
    "Je partage une méthode incroyable pour ne plus jamais payer sa mutuelle, lien dans ma bio",
    "Concours 🎁 Like + partage pour gagner un iPhone !!!",
)
EN_SPAM: tuple[str, ...] = (
    "Earn $500 a day from home 👉 www.easy-cash.example",
    "Cheap health cover from €9/month at compare-health.example",
    "Buy 1000 followers for $5, DM me",
)
FR_OTHER: tuple[str, ...] = (
    "Rendez-vous à {agence} demain matin pour faire le point sur mon contrat.",
    "Vu la pub Mutuelle Horizon au cinéma ce soir 😄",
    "Mutuelle de mon employeur, je n'ai pas encore eu besoin de l'utiliser.",
    "Je viens de recevoir ma nouvelle carte de tiers payant.",
    "Changement de mutuelle au 1er du mois, on verra bien.",
    "Passage à {agence} pour déposer des papiers.",
    "Ma mère est chez {org} depuis toujours, elle ne jure que par eux.",
    "Le stand Mutuelle Horizon au forum des associations de {ville} ce week-end.",
)
EN_OTHER: tuple[str, ...] = (
    "Just switched to {org} through my new employer.",
    "Appointment at {branch} tomorrow to sort out my policy.",
)
# Short answers in a thread: kind "reply", usually agreeing with the parent.
FR_REPLY_AGREE: tuple[str, ...] = (
    "Pareil pour moi.",
    "Idem, ça fait {duree} que j'attends.",
    "+1",
    "Moi aussi 😕",
    "Même chose ici, personne ne répond.",
    "Pareil à {agence}.",
    "Vous n'êtes pas seul, c'est la même galère pour tout le monde.",
    "Courage 💪 moi j'ai fini par être remboursée au bout de {duree}.",
    "Exactement mon expérience.",
)
FR_REPLY_OTHER: tuple[str, ...] = (
    "Tu as pu les joindre finalement ?",
    "Essaie par l'appli, ça a marché pour moi.",
    "Passe directement en agence, c'est plus rapide.",
    "Ils m'ont répondu en message privé au bout de deux jours.",
    "Chez moi ça s'est bien passé, mais c'était avant leur changement de système.",
)
EN_REPLY_AGREE: tuple[str, ...] = (
    "Same here.",
    "+1",
    "Same, waiting {delay} already.",
    "Exactly my experience.",
)
EN_REPLY_OTHER: tuple[str, ...] = (
    "Did you manage to reach them in the end?",
    "Try the app, it worked for me.",
)

# --- the crisis: a botched IT migration blocks reimbursements ---------------------------------------

FR_CRISIS_COMPLAINTS: tuple[str, ...] = (
    "Depuis le {crisis_date}, plus aucun remboursement. Votre « nouvelle plateforme » est une catastrophe.",
    "Ça fait {crisis_jours} que l'espace adhérent est en panne et personne ne répond au téléphone.",
    "{handle} vous comptez rembourser vos adhérents quand ? J'ai avancé {montant} de frais médicaux.",
    "La pharmacie refuse ma carte de tiers payant : apparemment vos fichiers ne sont plus à jour depuis "
    "la migration.",
    "Migration informatique ratée = des milliers d'adhérents sans remboursement. Et silence radio.",
    "Remboursements bloqués, appli HS, téléphone saturé. On fait comment, nous ?",
    "Je suis en plein traitement, j'ai avancé {montant}, et on me répond « incident technique en cours ». "
    "Ça dure depuis {crisis_jours} !",
    "Toujours rien. Visiblement je ne suis pas le seul. #remboursementsbloqués",
    "Le service client m'a raccroché au nez après {attente_tel} d'attente. La plateforme est toujours en panne.",
    "Plus aucun décompte depuis le {crisis_date}. Les télétransmissions de la Sécu ne passent plus ?",
    "Votre nouveau logiciel a perdu mes demandes de remboursement. Toutes.",
    "On nous prélève bien les cotisations, par contre pour rembourser il n'y a plus personne.",
    "{crisis_jours} sans remboursement, avec {proche} à l'hôpital. Merci Mutuelle Horizon.",
)
FR_CRISIS_QUESTIONS: tuple[str, ...] = (
    "Quelqu'un a été remboursé depuis la migration ?",
    "C'est normal que l'espace adhérent affiche « maintenance » depuis une semaine ?",
    "{handle} vous avez une date de retour à la normale pour les remboursements ?",
    "Les demandes envoyées pendant la panne sont-elles perdues ou juste en attente ?",
    "Mes décomptes du mois de {mois} ont disparu de l'appli, c'est lié à la panne ?",
)
FR_CRISIS_TROLLS: tuple[str, ...] = (
    "Ils ont changé de logiciel pour mieux garder notre argent 😂",
    "Nouvelle plateforme, mêmes voleurs 🤡",
    "La migration c'est l'excuse, ils n'ont juste plus d'argent",
)
FR_CRISIS_VIRAL: tuple[str, ...] = (
    "🧵 Ça fait {crisis_jours} que {handle} ne rembourse plus personne depuis sa « migration "
    "informatique ». J'ai avancé {montant} pour les soins de {proche}. J'ai appelé {nb_appels}. Voici ce "
    "qu'on m'a répondu 👇",
    "Je lance un appel : si vous êtes chez {org} et que vous attendez un remboursement depuis le "
    "{crisis_date}, partagez ce message. On est des milliers et personne ne nous répond. "
    "#remboursementsbloqués",
    "Des adhérents de {org} attendent leurs remboursements depuis {crisis_jours} à cause d'une "
    "panne informatique. Pour des retraités ou des malades chroniques, c'est dramatique. Qu'en dit la "
    "direction ?",
)
EN_CRISIS_COMPLAINTS: tuple[str, ...] = (
    "No reimbursement at all since your 'new platform' went live on {crisis_date_en}. Unacceptable.",
    "{handle}, your member portal has been down for {crisis_days} and nobody answers the phone.",
    "Pharmacy refused my card because your system migration messed up the records. Great job.",
)
EN_CRISIS_QUESTIONS: tuple[str, ...] = (
    "Has anyone been reimbursed since the migration?",
    "{handle}, any date for reimbursements to be back to normal?",
)

# --- press & blogs (Google Alerts) ------------------------------------------------------------------

# (title, snippet, sentiment, themes). The title and snippet name the organisation.
PRESS_ARTICLES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Mutuelle Horizon ouvre une nouvelle agence à {ville}",
        "La mutuelle régionale poursuit son développement et accueille désormais ses adhérents dans un "
        "espace rénové, avec des rendez-vous possibles le samedi matin…",
        "positive",
        ("accueil",),
    ),
    (
        "Complémentaires santé : les cotisations augmentent encore en {annee}",
        "Mutuelle Horizon, comme la plupart des acteurs du secteur, annonce une hausse moyenne de {hausse} "
        "justifiée par la progression des dépenses de santé…",
        "neutral",
        ("facturation",),
    ),
    (
        "Mutuelle Horizon lance la téléconsultation gratuite pour ses adhérents",
        "Le service, accessible depuis l'application, permet de consulter un médecin généraliste sept jours "
        "sur sept…",
        "positive",
        ("site_app", "qualite"),
    ),
    (
        "Classement des mutuelles : Mutuelle Horizon bien placée sur la relation client",
        "Dans notre enquête annuelle, la mutuelle obtient de bons résultats sur l'accueil en agence, "
        "moins sur la joignabilité téléphonique…",
        "positive",
        ("accueil", "joignabilite"),
    ),
    (
        "Mutuelle Horizon soutient le club de rugby de {ville}",
        "Un partenariat de trois ans a été signé cette semaine avec l'association sportive…",
        "neutral",
        (),
    ),
    (
        "Mutuelle Horizon franchit le cap des 250 000 adhérents",
        "La mutuelle régionale présente des résultats en hausse et annonce un plan de modernisation de son "
        "système d'information…",
        "neutral",
        ("site_app",),
    ),
    (
        "Hausse des cotisations : des adhérents de Mutuelle Horizon dénoncent un manque de transparence",
        "Plusieurs lecteurs nous ont écrit pour se plaindre d'une augmentation jugée brutale et mal "
        "expliquée…",
        "negative",
        ("facturation",),
    ),
    (
        "Budget santé : nos conseils pour bien choisir sa mutuelle (blog)",
        "Parmi les mutuelles régionales, Mutuelle Horizon propose une formule Jeunes intéressante pour les "
        "étudiants…",
        "neutral",
        ("qualite",),
    ),
)
PRESS_CRISIS_ARTICLES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Remboursements en panne chez Mutuelle Horizon : les adhérents s'impatientent",
        "Depuis la bascule vers un nouveau système informatique le {crisis_date}, de nombreux adhérents "
        "signalent des remboursements bloqués et un service client saturé…",
        "negative",
        ("remboursement", "site_app", "joignabilite"),
    ),
    (
        "Migration informatique : la galère des adhérents de Mutuelle Horizon",
        "Appli inaccessible, tiers payant refusé en pharmacie, plateformes téléphoniques débordées : "
        "la mutuelle reconnaît « un incident » et promet un retour à la normale…",
        "negative",
        ("remboursement", "site_app"),
    ),
    (
        "Mutuelle Horizon : la direction s'excuse et promet des versements d'urgence",
        "Interrogée, la mutuelle indique que toutes les demandes seront traitées et qu'une cellule dédiée "
        "a été ouverte pour les situations les plus urgentes…",
        "neutral",
        ("remboursement",),
    ),
)
PRESS_OUTLETS: tuple[tuple[str, str, int], ...] = (
    # (name, domain, typical audience)
    ("Rhône Info", "rhone-info.example", 180000),
    ("L'Écho des Alpes", "echo-des-alpes.example", 120000),
    ("Assurance Hebdo", "assurance-hebdo.example", 40000),
    ("Conso Mag", "conso-mag.example", 250000),
    ("Le Journal de Clermont", "journal-clermont.example", 90000),
    ("Budget Famille (blog)", "budget-famille.example", 15000),
    ("Santé Pratique", "sante-pratique.example", 60000),
)

# --- employer reviews (Glassdoor / Indeed export) ---------------------------------------------------

EMPLOYER_JOBS_FR = (
    "Conseiller clientèle",
    "Téléconseillère",
    "Gestionnaire prestations",
    "Chargé de recouvrement",
    "Conseillère en agence",
    "Développeur",
    "Assistante RH",
    "Manager plateau",
)
EMPLOYER_PROS_FR = (
    "Bonne ambiance d'équipe",
    "Télétravail deux jours par semaine",
    "Formation à l'arrivée sérieuse",
    "CSE généreux et mutuelle bien sûr excellente",
    "Horaires corrects, pas de travail le soir",
    "Collègues solidaires",
    "Sécurité de l'emploi",
)
EMPLOYER_CONS_FR = (
    "Objectifs d'appels intenables",
    "Salaires en dessous du marché",
    "Management très descendant",
    "Outils informatiques vieillissants",
    "Turnover important sur le plateau téléphonique",
    "Beaucoup de pression depuis la migration informatique",
    "Peu d'évolution possible",
)
EMPLOYER_TITLES_FR = {
    "praise": ("Bonne boîte pour débuter", "Ambiance top", "Employeur sérieux"),
    "complaint": ("Plateau téléphonique épuisant", "Ambiance top, salaire bof", "Management à revoir"),
    "other": ("Expérience correcte", "Des hauts et des bas"),
}
EMPLOYER_JOBS_EN = ("Customer adviser", "Claims handler", "Software developer")
EMPLOYER_PROS_EN = ("Friendly team", "Two days of remote work a week", "Good onboarding")
EMPLOYER_CONS_EN = ("Below-market pay", "Old IT tools", "Lots of pressure since the IT migration")
EMPLOYER_TITLES_EN = {
    "praise": ("Good place to start",),
    "complaint": ("Exhausting call centre",),
    "other": ("Decent experience",),
}

# --- satisfaction survey ----------------------------------------------------------------------------

SURVEY_QUESTION_FR = "Qu'est-ce qui a motivé votre note ?"
SURVEY_QUESTION_EN = "What is the main reason for your score?"
SURVEY_NPS_QUESTION_FR = "Quelle est la probabilité que vous recommandiez Mutuelle Horizon à un proche ?"
SURVEY_NPS_QUESTION_EN = "How likely are you to recommend Mutuelle Horizon to a friend or relative?"

# --- emoji, typing noise ----------------------------------------------------------------------------

EMOJI_NEGATIVE = ("😡", "🤬", "😤", "👎", "😠", "🙄", "😩", "💸", "😞", "🤯")
EMOJI_POSITIVE = ("😊", "👍", "🙏", "👏", "💯", "✨", "😍", "🙂", "❤️", "👌")
EMOJI_NEUTRAL = ("🤔", "😅", "🙃", "🤷")

# Abbreviations French speakers type on a phone. Applied word by word to some authors' texts.
FR_SMS: tuple[tuple[str, str], ...] = (
    ("s'il vous plaît", "svp"),
    ("s'il vous plait", "svp"),
    ("beaucoup", "bcp"),
    ("pourquoi", "pk"),
    ("quand", "qd"),
    ("toujours", "tjrs"),
    ("rendez-vous", "rdv"),
    ("parce que", "pcq"),
    ("aujourd'hui", "auj"),
    ("vraiment", "vrmt"),
    ("quelque chose", "qqch"),
    ("quelqu'un", "qqn"),
    ("je ne sais pas", "jsp"),
    ("c'est", "c"),
    ("tout le monde", "tlm"),
    ("message", "msg"),
    ("d'accord", "dac"),
)
# Everyday spelling slips (applied to careless authors).
FR_SLIPS: tuple[tuple[str, str], ...] = (
    ("ça", "ca"),
    ("à ", "a "),
    ("j'ai", "jai"),
    ("c'est", "cest"),
    ("n'est", "nest"),
    ("quand même", "quand meme"),
    ("été ", "éte "),
    ("envoyé", "envoyer"),
    ("remboursé", "rembourser"),
    ("appelé", "appeler"),
    ("déçue", "deçu"),
    ("leurs", "leur"),
    ("ces ", "ses "),
    ("personne ne", "personne"),
)
EN_SLIPS: tuple[tuple[str, str], ...] = (
    ("you", "u"),
    ("please", "pls"),
    ("thanks", "thx"),
    ("don't", "dont"),
    ("can't", "cant"),
    ("I'm", "im"),
    ("because", "cuz"),
)

# --- our answers --------------------------------------------------------------------------------------

FR_REPLY_OPENINGS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "Nous sommes vraiment désolés de lire votre message.",
        "Merci d'avoir pris le temps de nous écrire, et pardon pour ce désagrément.",
        "Nous comprenons votre agacement et nous vous présentons nos excuses.",
    ),
    "question": ("Merci pour votre question !", "Bonne question, merci de nous l'avoir posée."),
    "praise": ("Merci beaucoup pour ce message qui fait plaisir à toute l'équipe !", "Un grand merci !"),
    "suggestion": ("Merci pour cette suggestion, nous la transmettons à l'équipe concernée.",),
    "other": ("Merci pour votre message.",),
    "troll": ("Nous restons à votre disposition si vous souhaitez échanger sur une situation précise.",),
}
FR_REPLY_BODIES: dict[str, tuple[str, ...]] = {
    "remboursement": (
        "Votre demande de remboursement est bien enregistrée et nos experts la regardent en priorité.",
        "Nous avons vérifié : le virement part aujourd'hui, il apparaîtra sur votre compte sous 48 heures.",
    ),
    "attente": ("Nous avons fait remonter votre retour à la responsable de l'agence.",),
    "joignabilite": (
        "Un conseiller vous rappelle aujourd'hui avant 18 h, au numéro de votre espace adhérent.",
        "Vous pouvez aussi nous écrire depuis l'espace adhérent, rubrique « Mes demandes » : réponse sous 48 h.",
    ),
    "facturation": (
        "L'augmentation s'explique par la hausse des dépenses de santé ; un conseiller peut revoir votre "
        "formule avec vous pour l'adapter à vos besoins.",
        "Le double prélèvement a été annulé et le trop-perçu vous sera reversé sous 5 jours.",
    ),
    "demarches": (
        "Votre attestation vient de vous être envoyée par e-mail.",
        "Tous les justificatifs nécessaires sont listés dans l'espace adhérent, rubrique « Mes démarches ».",
    ),
    "site_app": (
        "Une mise à jour de l'application corrige ce problème : pensez à l'installer depuis votre store.",
        "Nos équipes techniques ont identifié le souci et travaillent à le corriger.",
    ),
    "accueil": ("Votre retour a été partagé avec l'équipe de l'agence.",),
    "competence": ("Un conseiller expert va reprendre votre dossier et vous rappeler.",),
    "qualite": (
        "Le détail des garanties de votre formule est disponible dans l'espace adhérent ; un conseiller peut "
        "aussi faire le point avec vous.",
    ),
}
EN_REPLY_OPENINGS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "We are really sorry to read this.",
        "Thank you for writing to us, and sorry for the trouble.",
    ),
    "question": ("Thanks for your question!",),
    "praise": ("Thank you so much for your kind words!",),
    "suggestion": ("Thanks for the suggestion, we have passed it on to the team.",),
    "other": ("Thank you for your message.",),
    "troll": ("We remain available if you would like to discuss a specific situation.",),
}
EN_REPLY_BODIES: tuple[str, ...] = (
    "An adviser will call you back today.",
    "Your request has been logged and our experts are looking into it as a priority.",
    "You can also reach us from the member area, under 'My requests'.",
)

# Reasons a manager sends a draft back (kept in the audit trail).
SEND_BACK_REASONS: tuple[str, ...] = (
    "Ne pas citer le montant en public, passer en privé.",
    "Ton trop défensif, reformuler avec des excuses claires.",
    "Donnée personnelle dans la réponse (numéro d'adhérent) : à retirer.",
    "Utiliser le modèle validé pour l'incident plateforme.",
    "Trop long pour ce réseau, raccourcir.",
)
PUBLISH_ERRORS: dict[str, str] = {
    "google_business": "HTTP 403 PERMISSION_DENIED : la fiche n'est plus validée pour ce compte.",
    "trustpilot": "HTTP 401 : jeton OAuth expiré, réautorisation nécessaire.",
    "facebook": "(#200) Requires pages_manage_engagement permission (OAuthException, code 200).",
    "x": "HTTP 403 : réponse refusée, l'auteur n'a pas mentionné le compte (règle du 24/02/2026).",
    "instagram": "(#10) Le commentaire est masqué : impossible d'y répondre.",
    "mastodon": "HTTP 422 : Validation failed: Text character limit of 500 exceeded.",
    "bluesky": "HTTP 400 InvalidRequest : le texte dépasse 300 graphèmes.",
}
