"""Cases and replies: which mentions open a case, the team it goes to, and the case lived forward
from its creation (assignment, drafts, approvals, publication, follow-up, resolution) up to
"now"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from vigie.charter.calendar import Calendar, due_at
from vigie.demo import corpus
from vigie.demo.generator.draws import _choice, _expo, _pick, _randint, _seconds
from vigie.demo.generator.ids import _X_EPOCH_MS, _tid, _z
from vigie.demo.generator.records import (
    VERB_CASE_ANSWERED_ON_PLATFORM,
    VERB_CASE_ASSIGNED,
    VERB_CASE_CREATED,
    VERB_CASE_NO_ANSWER,
    VERB_CASE_RESOLVED,
    VERB_CASE_STATUS,
    VERB_REPLY_APPROVED,
    VERB_REPLY_FAILED,
    VERB_REPLY_POSTED_BY_HAND,
    VERB_REPLY_PUBLISHED,
    VERB_REPLY_SENT_BACK,
    VERB_REPLY_SUBMITTED,
    CaseRecord,
    EventRecord,
    MentionRecord,
    ReplyRecord,
)
from vigie.demo.generator.state import _Person, _State
from vigie.demo.generator.timeline import PARIS
from vigie.demo.generator.weights import _REVIEW_PLATFORMS, _SOCIAL
from vigie.demo.organisation import (
    APPROVERS,
    LOCATIONS_BY_KEY,
    ORG_BLUESKY_DID,
    ORG_NAME,
    SOURCES_BY_KEY,
    TEAM_COMMUNITY,
    TEAM_JURIDIQUE,
    TEAM_REMBOURSEMENTS,
    TEAM_SERVICE_CLIENT,
    TEMPLATES_BY_KEY,
    LocationSpec,
)

# Every case asks for a first answer within 24 business hours of the mention (the charter's default:
# weekdays 9:00-18:00 in Paris, French public holidays off), as routing counts them: a post of Friday
# evening is not late on Saturday.
SLA_HOURS = 24
SLA_CALENDAR = Calendar()


class Cases(_State):
    def _work_time(self, moment: datetime, team_key: str) -> datetime:
        """The first moment at or after ``moment`` when the team is at work (weekdays 8:30–18:30)."""
        local = moment.astimezone(PARIS)
        weekend_ok = team_key == TEAM_COMMUNITY and local.weekday() == 5
        opens, closes = time(8, 30), time(18, 30) if not weekend_ok else time(13, 0)
        if local.weekday() < 5 or weekend_ok:
            if opens <= local.time() < closes:
                return moment
            if local.time() < opens:
                start = datetime.combine(local.date(), opens, tzinfo=PARIS)
                return (start + timedelta(minutes=_randint(self.rng, 0, 50))).astimezone(UTC)
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5 and not (team_key == TEAM_COMMUNITY and day.weekday() == 5):
            day += timedelta(days=1)
        start = datetime.combine(day, time(8, 30), tzinfo=PARIS)
        return (start + timedelta(minutes=_randint(self.rng, 0, 80))).astimezone(UTC)

    def _needs_case(self, m: MentionRecord) -> bool:
        rng = self.rng
        source_key = m.source_key
        mtype = m.mention_type
        if source_key == "employer":
            return False
        if source_key == "press":
            return m.sentiment == "negative" or (m.crisis and rng.random() < 0.5)
        if source_key == "survey":
            return mtype == "complaint" or (mtype == "suggestion" and rng.random() < 0.5)
        if m.kind == "review":
            if mtype == "praise":
                return rng.random() < 0.75
            return mtype != "other" or rng.random() < 0.4
        if mtype in ("complaint", "question", "suggestion"):
            return m.kind != "reply" or rng.random() < 0.5
        if mtype == "praise":
            return rng.random() < 0.35
        if mtype == "troll":
            return rng.random() < 0.8
        if mtype == "spam":
            return rng.random() < 0.5
        return False

    def _route(self, m: MentionRecord, person: _Person) -> str:
        if m.legal_risk:
            return TEAM_JURIDIQUE
        social = SOURCES_BY_KEY[m.source_key].platform in _SOCIAL
        if m.crisis and social:
            return TEAM_COMMUNITY  # a social-media crisis is answered by community management
        money = {"remboursement", "facturation", "qualite"} & set(m.themes)
        if m.mention_type in ("complaint", "question") and money:
            return TEAM_REMBOURSEMENTS
        if m.source_key in ("press", "forum") or SOURCES_BY_KEY[m.source_key].platform in _SOCIAL:
            return TEAM_COMMUNITY
        return TEAM_SERVICE_CLIENT

    def _case(self, m: MentionRecord, person: _Person, location: LocationSpec | None) -> CaseRecord | None:
        if not self._needs_case(m):
            return None
        rng = self.rng
        team = self._route(m, person)
        tags: list[str] = []
        if m.crisis:
            tags.append("incident-plateforme")
        if person.role in ("influencer", "journalist"):
            tags.append(person.role)
        if m.legal_risk:
            tags.append("risque-juridique")
        if m.mention_type in ("troll", "spam"):
            tags.append(m.mention_type)
        if m.kind == "article":
            tags.append("presse")
        answerable = m.mention_type not in ("troll", "spam") and m.kind != "article" and not m.legal_risk
        if m.mention_type == "troll" and rng.random() < 0.1:
            answerable = True
        # A one-star review always gets an answer, even when it reads like a troll's (routing's rule).
        if m.mention_type == "troll" and m.rating is not None and m.rating <= 1:
            answerable = True
        case = CaseRecord(
            status="new",
            team_key=team,
            assignee=None,
            priority=m.priority,
            needs_answer=answerable,
            sla_due_at=due_at(m.created_at, SLA_HOURS, SLA_CALENDAR) if answerable else None,
            first_response_at=None,
            resolved_at=None,
            tags=tags,
            created_at=m.fetched_at,
            updated_at=m.fetched_at,
        )
        case.events.append(
            EventRecord(
                m.fetched_at,
                VERB_CASE_CREATED,
                None,
                {"team": self._team_names[team], "priority": m.priority},
            )
        )
        if answerable:
            self._answer(case, m, person, location)
            # Decided after the Vigie story is drawn, which it then replaces: the demo's other
            # draws stay the same.
            self._answered_in_google_app(case, m)
        else:
            self._triage(case, m, person)
        case.updated_at = case.events[-1].at
        return case

    def _answered_in_google_app(self, case: CaseRecord, m: MentionRecord) -> None:
        """A few praising Google reviews were answered by the agency from the Google app before
        anyone did in Vigie: the review carries that answer (``reviewReply``), and the next poll
        closed its case as already answered there, as routing does with a live review
        (``vigie.inbox.routing.platform_replies``). Chosen and timed from the mention's reference,
        not the shared random stream."""
        if not m.source_key.startswith("google_") or m.mention_type != "praise" or m.ref % 11 != 3:
            return
        answered = m.created_at + timedelta(hours=1 + (m.ref * 7919) % 30, minutes=(m.ref * 31) % 60)
        noticed = answered + timedelta(minutes=5 + m.ref % 25)  # the next poll
        if noticed > self.now:
            return
        agency = LOCATIONS_BY_KEY[m.source_key.removeprefix("google_")]
        first_name = m.author.display_name.split()[0] if m.author and m.author.display_name else ""
        if m.language == "en":
            hello = f"Thank you {first_name}!" if first_name else "Thank you!"
            text = (
                f"{hello} The whole team of our {agency.city} branch is delighted to read this. See you soon."
            )
        else:
            hello = f"Merci {first_name} !" if first_name else "Merci pour votre avis !"
            text = f"{hello} Toute l'équipe de {agency.agence_de} est ravie de vous lire. À bientôt."
        m.owner_reply_text, m.owner_reply_at = text, answered
        m.raw["reviewReply"] = {"comment": text, "updateTime": _z(answered)}
        case.replies.clear()
        del case.events[1:]
        case.events[0].data.pop("assignee", None)
        case.assignee = None
        case.status = "no_answer"
        case.no_answer_reason = "answered_elsewhere"
        case.first_response_at = answered
        case.resolved_at = noticed
        case.events.append(
            EventRecord(
                noticed, VERB_CASE_STATUS, None, {"from": "new", "to": "no_answer", "reopened": False}
            )
        )
        case.events.append(
            EventRecord(
                noticed,
                VERB_CASE_ANSWERED_ON_PLATFORM,
                None,
                {"answered_at": answered.isoformat(), "platform": "google_business"},
            )
        )

    def _assign(self, case: CaseRecord, at: datetime, actor: str | None) -> str:
        agent = _pick(self.rng, self._agents[case.team_key])
        case.assignee = agent
        if actor is None and at == case.created_at:
            # The routing rule assigned it on arrival: part of the creation step, not a step of its own.
            case.events[0].data["assignee"] = agent
            return agent
        data = {"assignee": agent, "team": self._team_names[case.team_key]}
        case.events.append(EventRecord(at, VERB_CASE_ASSIGNED, actor, data))
        return agent

    def _triage(self, case: CaseRecord, m: MentionRecord, person: _Person) -> None:
        """Trolls, spam, press: someone looks, decides there is nothing to answer, closes."""
        rng = self.rng
        now = self.now
        legal = m.legal_risk
        delay = _expo(rng, 3600 if legal else 10800)
        at = self._work_time(case.created_at + delay, case.team_key)
        if at > now:
            return
        agent = self._assign(case, at, None)
        if legal:
            case.status = "in_progress"
            case.events.append(EventRecord(at, VERB_CASE_STATUS, agent, {"from": "new", "to": "in_progress"}))
            closed = self._work_time(at + _seconds(rng, 86400, 8 * 86400), case.team_key)
            if closed > now:
                return
            reason = "constat d'huissier demandé et signalement à la plateforme"
        else:
            closed = at + timedelta(minutes=_randint(rng, 1, 15))
            if closed > now:
                return
            reason = {"troll": "troll : ne pas nourrir", "spam": "spam masqué"}.get(
                m.mention_type, "veille presse"
            )
        # As the product records a person's closing: the status change (which routing reads as a
        # person's decision, so a re-analysis does not reopen the case), then the closing itself.
        case.events.append(
            EventRecord(closed, VERB_CASE_STATUS, agent, {"from": case.status, "to": "no_answer"})
        )
        case.status = "no_answer"
        case.events.append(EventRecord(closed, VERB_CASE_NO_ANSWER, agent, {"reason": reason}))

    def _template(self, m: MentionRecord, platform: str) -> str | None:
        rng = self.rng
        en = m.language == "en"
        mtype = m.mention_type
        themes = set(m.themes)
        if mtype == "praise":
            if platform in _REVIEW_PLATFORMS or platform == "webhook":
                return "thanks_review" if en else "merci_avis"
            return None
        if m.crisis:
            if platform == "bluesky":
                return None
            return "sorry_delay" if en else ("prive_court" if platform == "x" else "incident_plateforme")
        if mtype == "complaint":
            if platform == "bluesky":
                return None  # 300 graphemes: a short answer of our own
            if platform in _SOCIAL:
                if en:
                    return "move_private"
                return "prive_court" if platform == "x" else "passage_prive"
            if "remboursement" in themes:
                return "sorry_delay" if en else "excuses_remboursement"
            if themes & {"accueil", "attente"} and not en:
                return "excuses_accueil"
            return None if rng.random() < 0.5 else ("move_private" if en else "passage_prive")
        if mtype == "question" and m.themes and m.themes[0] == "demarches" and not en:
            return "info_attestation" if rng.random() < 0.6 else "info_tiers_payant"
        return None

    def _reply_body(
        self,
        m: MentionRecord,
        template_key: str | None,
        agent: str,
        location: LocationSpec | None,
        person: _Person,
    ) -> str:
        rng = self.rng
        en = m.language == "en"
        staff = self._staff[agent]
        platform = SOURCES_BY_KEY[m.source_key].platform
        short = platform in ("x", "bluesky", "instagram")
        if short:
            signature = f"^{staff.first_name}"
        elif en:
            signature = f"{staff.first_name}, Mutuelle Horizon customer care"
        else:
            signature = f"{staff.first_name}, {self._team_names[self._route(m, person)]} — Mutuelle Horizon"
        client = person.first if m.author is not None and m.source_key != "press" else ""
        agence = location.agence_de if location else ORG_NAME
        if template_key is not None:
            body = TEMPLATES_BY_KEY[template_key].body
            if not client:
                body = body.replace(" {prenom_client}", "")
            extra = ""
            if not TEMPLATES_BY_KEY[template_key].pre_approved and m.themes and not en and rng.random() < 0.6:
                extra = _choice(rng, corpus.FR_REPLY_BODIES.get(m.themes[0], ("",)))
            body = body.replace("{prenom_client}", client).replace("{agence}", agence)
            body = body.replace("{signature}", signature)
            if extra:
                body = body.replace(f"\n\n{signature}", f" {extra}\n\n{signature}")
            return body  # {reference} stays until the case has an id
        mtype = m.mention_type if m.mention_type in corpus.FR_REPLY_OPENINGS else "other"
        greeting = ("Hello" if en else "Bonjour") + (f" {client}" if client else "")
        opening = _choice(rng, (corpus.EN_REPLY_OPENINGS if en else corpus.FR_REPLY_OPENINGS)[mtype])
        if en:
            body_text = _choice(rng, corpus.EN_REPLY_BODIES) if mtype in ("complaint", "question") else ""
        else:
            theme = m.themes[0] if m.themes else ""
            body_text = _choice(rng, corpus.FR_REPLY_BODIES[theme]) if theme in corpus.FR_REPLY_BODIES else ""
            if mtype == "praise":
                body_text = ""
        parts = [f"{greeting},", opening]
        if body_text:
            parts.append(body_text)
        if short:
            return " ".join([*parts, signature])
        return f"{parts[0]}\n\n{' '.join(parts[1:])}\n\n{signature}"

    def _published_id(self, m: MentionRecord, at: datetime) -> str:
        n = next(self._reply_seq)
        platform = SOURCES_BY_KEY[m.source_key].platform
        seconds = int(at.timestamp())
        if platform == "google_business":
            return f"{m.external_id}/reply"
        if platform == "trustpilot":
            return f"{m.external_id}/reply"
        if platform == "facebook":
            return f"{m.external_id.split('_')[0]}_{10_175_000_000_000_000 + n}"
        if platform == "x":
            return str(((seconds * 1000 + 999 - n % 1000 - _X_EPOCH_MS) << 22) | (0x200000 + n % 0x1FFFFF))
        if platform == "instagram":
            return str(18_100_000_000_000_000 + n)
        if platform == "mastodon":
            return str(((seconds * 1000 + n % 1000) << 16) | (0x8000 + n % 0x7FFF))
        if platform == "bluesky":
            return f"at://{ORG_BLUESKY_DID}/app.bsky.feed.post/{_tid(seconds * 1_000_000 + n, n)}"
        return f"email-{n}"

    def _answer(
        self, case: CaseRecord, m: MentionRecord, person: _Person, location: LocationSpec | None
    ) -> None:
        """Live the case forward from its creation; wherever "now" falls is its current state."""
        rng = self.rng
        now = self.now
        team = case.team_key
        platform = SOURCES_BY_KEY[m.source_key].platform
        slow = 3.0 if m.crisis else 1.0
        # A few cases get stuck at some stage whatever their age: forgotten, or waiting on someone.
        stuck = (
            _choice(rng, ("new", "draft", "awaiting", "approved", "waiting", "failed"))
            if rng.random() < 0.05
            else ""
        )

        if rng.random() < 0.65:
            assigned_at = case.created_at
            actor = None  # routing rule
        else:
            assigned_at = self._work_time(case.created_at + _seconds(rng, 600, 14400), team)
            actor = _choice(rng, APPROVERS[team])
        if assigned_at > now:
            return
        agent = self._assign(case, assigned_at, actor)
        if stuck == "new":
            return
        started = self._work_time(assigned_at + _expo(rng, 9000 * slow), team)
        if started > now:
            return
        case.status = "in_progress"

        by_hand = platform in ("feed", "file", "webhook")
        channel = "public"
        if platform == "webhook":
            channel = _choice(rng, ("phone", "phone", "email"))
        template_key = self._template(m, platform)
        if template_key == "incident_plateforme" and rng.random() < 0.3:
            template_key = "passage_prive"
        pre_approved = template_key is not None and TEMPLATES_BY_KEY[template_key].pre_approved
        needs_approval = channel == "public" and (
            case.priority >= 65
            or self._staff[agent].junior
            or (template_key is not None and not pre_approved)
        )
        reply = ReplyRecord(
            author=agent,
            template_key=template_key,
            channel=channel,
            body=self._reply_body(m, template_key, agent, location, person),
            status="draft",
            idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            created_at=started,
        )
        case.replies.append(reply)
        ready = started + _seconds(rng, 180, 1500)
        if ready > now or stuck == "draft":
            return
        if needs_approval:
            reply = self._approval(case, reply, ready, agent, stuck, m, location, person)
            if reply.approved_at is None:
                return
            publish_at = reply.approved_at + timedelta(seconds=_randint(rng, 5, 120))
            if by_hand:
                publish_at = self._work_time(reply.approved_at + _seconds(rng, 300, 5400), team)
            if publish_at > now or stuck == "approved":
                return
            publisher: str | None = agent if by_hand else None
        else:
            publish_at = ready
            publisher = agent
        index = case.replies.index(reply)
        if not by_hand and (stuck == "failed" or rng.random() < 0.03):
            reply.status = "failed"
            reply.error = corpus.PUBLISH_ERRORS.get(platform, "Erreur de publication.")
            case.events.append(
                EventRecord(publish_at, VERB_REPLY_FAILED, None, {"error": reply.error}, index)
            )
            retry_at = self._work_time(publish_at + _seconds(rng, 1800, 18000), team)
            if stuck == "failed" or retry_at > now:
                return
            reply = ReplyRecord(
                author=agent,
                template_key=reply.template_key,
                channel=channel,
                body=reply.body,
                # The same text goes out again: still approved if it had been.
                status="approved" if reply.approved_at else "draft",
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=retry_at,
                approved_at=reply.approved_at,
                approved_by=reply.approved_by,
                submitted_at=reply.submitted_at,
            )
            case.replies.append(reply)
            index = len(case.replies) - 1
            publish_at = retry_at + timedelta(seconds=_randint(rng, 20, 300))
            if publish_at > now:
                return
            publisher = agent
        reply.published_at = publish_at
        if by_hand:
            reply.status = "posted_by_hand"
            case.events.append(
                EventRecord(publish_at, VERB_REPLY_POSTED_BY_HAND, agent, {"channel": channel}, index)
            )
        else:
            reply.status = "published"
            reply.external_id = self._published_id(m, publish_at)
            case.events.append(
                EventRecord(
                    publish_at,
                    VERB_REPLY_PUBLISHED,
                    publisher,
                    {"channel": channel, "external_id": reply.external_id},
                    index,
                )
            )
        case.first_response_at = publish_at
        private = template_key in ("passage_prive", "prive_court", "move_private", "excuses_accueil") or (
            m.mention_type == "complaint" and rng.random() < 0.3
        )
        if private:
            case.status = "waiting_customer"
            case.events.append(
                EventRecord(
                    publish_at, VERB_CASE_STATUS, agent, {"from": "in_progress", "to": "waiting_customer"}
                )
            )
            if stuck == "waiting":
                return
            if rng.random() < 0.8:
                answered = publish_at + _expo(rng, 72000 * slow)
                resolved = self._work_time(answered + _seconds(rng, 600, 10800), team)
                if resolved > now:
                    return
                self._resolve(case, resolved, agent, "réglé en message privé")
                return
            follow_at = self._work_time(publish_at + timedelta(days=5), team)
            if follow_at > now:
                return
            follow = ReplyRecord(
                author=agent,
                template_key="follow_up" if m.language == "en" else "relance",
                channel=channel,
                body=self._reply_body(
                    m, "follow_up" if m.language == "en" else "relance", agent, location, person
                ),
                status="posted_by_hand" if by_hand else "published",
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=follow_at,
                published_at=follow_at + timedelta(minutes=2),
            )
            case.replies.append(follow)
            verb = VERB_REPLY_POSTED_BY_HAND if by_hand else VERB_REPLY_PUBLISHED
            data: dict[str, Any] = {"channel": channel}
            if not by_hand:
                follow.external_id = self._published_id(m, follow_at)
                data["external_id"] = follow.external_id
            if follow.published_at is None or follow.published_at > now:
                case.replies.pop()
                return
            case.events.append(EventRecord(follow.published_at, verb, agent, data, len(case.replies) - 1))
            closed = self._work_time(follow_at + timedelta(days=7), team)
            if closed > now:
                return
            self._resolve(case, closed, agent, "sans réponse du client après relance")
            return
        resolved = (
            publish_at
            if rng.random() < 0.6
            else self._work_time(publish_at + _seconds(rng, 720, 108000), team)
        )
        if resolved > now:
            return
        self._resolve(case, resolved, agent, "")

    def _approval(
        self,
        case: CaseRecord,
        reply: ReplyRecord,
        ready: datetime,
        agent: str,
        stuck: str,
        m: MentionRecord,
        location: LocationSpec | None,
        person: _Person,
    ) -> ReplyRecord:
        """Submit ``reply`` for approval; returns the reply that ended up approved (or the last one)."""
        rng = self.rng
        now = self.now
        team = case.team_key
        approver = _choice(rng, APPROVERS[team])
        for attempt in range(3):
            reply.status = "awaiting_approval"
            reply.submitted_at = ready
            case.status = "awaiting_approval"
            index = case.replies.index(reply)
            case.events.append(
                EventRecord(ready, VERB_REPLY_SUBMITTED, agent, {"channel": reply.channel}, index)
            )
            reviewed = self._work_time(ready + _expo(rng, 7200), team)
            if reviewed > now or stuck == "awaiting":
                return reply
            if attempt < 2 and rng.random() < 0.12:
                reply.status = "sent_back"
                reason = _choice(rng, corpus.SEND_BACK_REASONS)
                case.status = "in_progress"
                case.events.append(
                    EventRecord(reviewed, VERB_REPLY_SENT_BACK, approver, {"comment": reason}, index)
                )
                redo = self._work_time(reviewed + _seconds(rng, 600, 5400), team)
                if redo > now:
                    return reply
                reply = ReplyRecord(
                    author=agent,
                    template_key=reply.template_key,
                    channel=reply.channel,
                    body=self._reply_body(m, reply.template_key, agent, location, person),
                    status="draft",
                    idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    created_at=redo,
                )
                case.replies.append(reply)
                ready = redo + _seconds(rng, 180, 1200)
                if ready > now:
                    return reply
                continue
            reply.status = "approved"
            reply.approved_at = reviewed
            reply.approved_by = approver
            case.status = "in_progress"
            case.events.append(EventRecord(reviewed, VERB_REPLY_APPROVED, approver, {}, index))
            return reply
        return reply

    def _resolve(self, case: CaseRecord, at: datetime, agent: str, note: str) -> None:
        case.status = "resolved"
        case.resolved_at = at
        case.events.append(EventRecord(at, VERB_CASE_RESOLVED, agent, {"note": note} if note else {}))
