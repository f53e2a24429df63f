"""People: the recurring cast and the passers-by who write mentions, and the author record each
platform shows for them."""

from __future__ import annotations

import base64
import math

from vigie.demo import corpus
from vigie.demo.generator.draws import _below, _choice, _pick, _randint
from vigie.demo.generator.ids import _ascii_slug, _digest
from vigie.demo.generator.records import AuthorRecord
from vigie.demo.generator.state import _Person, _State
from vigie.demo.generator.weights import _LOCATION_CUM, _STYLE_CUM


class People(_State):
    def _new_person(self, lang: str, role: str) -> _Person:
        rng = self.rng
        pid = next(self._pid)
        if lang == "fr":
            female = rng.random() < 0.56
            first = _choice(rng, corpus.FIRST_NAMES_FR_F if female else corpus.FIRST_NAMES_FR_M)
            last = _choice(rng, corpus.LAST_NAMES_FR)
        else:
            first = _choice(rng, corpus.FIRST_NAMES_EN)
            last = _choice(rng, corpus.LAST_NAMES_EN)
        if role == "troll":
            style = _choice(rng, ("sms", "enerve", "enerve"))
        elif role in ("spammer", "journalist"):
            style = "soigne"
        elif role == "influencer":
            style = _choice(rng, ("soigne", "courant"))
        else:
            style = _pick(rng, _STYLE_CUM)
        if role == "influencer":
            followers = int(rng.uniform(20_000, 420_000))
        elif role == "journalist":
            followers = int(rng.uniform(3_000, 60_000))
        else:
            followers = min(int(math.exp(rng.gauss(5.0, 1.3))), 15_000)
        base = (
            _ascii_slug(first) + _choice(rng, ("", "_", ".")) + _ascii_slug(last)[: _choice(rng, (1, 3, 20))]
        )
        handle = f"{base}{_choice(rng, ('', str(pid % 100), str(_randint(rng, 60, 99))))}"
        location_key = _pick(rng, _LOCATION_CUM)
        return _Person(pid, lang, first, last, style, role, location_key, followers, handle)

    def _person(self, lang: str, mtype: str, viral: bool) -> _Person:
        rng = self.rng
        if viral:
            return _choice(rng, self._cast[(lang, "influencer")] or self._cast[("fr", "influencer")])
        if mtype == "spam":
            if rng.random() < 0.6:
                return _choice(rng, self._cast[(lang, "spammer")])
            return self._new_person(lang, "spammer")
        if mtype == "troll" and rng.random() < 0.7:
            return _choice(rng, self._cast[(lang, "troll")])
        if lang == "fr" and mtype == "complaint" and rng.random() < 0.01:
            return _choice(rng, self._cast[(lang, "journalist")])
        draw = rng.random()
        if draw < 0.08:
            return _choice(rng, self._cast[(lang, "regular")])
        recent = self._recent[lang]
        if draw < 0.3 and recent:
            return recent[_below(rng, len(recent))]
        person = self._new_person(lang, "member")
        recent.append(person)
        return person

    def _author(self, person: _Person, platform: str, source_key: str) -> AuthorRecord | None:
        pid = person.pid
        name = f"{person.first} {person.last}"
        short = f"{person.first} {person.last[0]}."
        flags: tuple[str, ...] = ()
        if person.role == "influencer":
            flags = ("influencer",)
        elif person.role == "journalist":
            flags = ("journalist",)
        elif person.role == "troll" and pid % 3 == 0:
            flags = ("troll",)
        if platform == "google_business":
            ident = str(int.from_bytes(_digest("g", pid)[:9], "big"))[:21]
            return AuthorRecord(
                platform,
                ident,
                "",
                name if pid % 4 else short,
                f"https://www.google.com/maps/contrib/{ident}",
                None,
            )
        if platform == "trustpilot":
            ident = _digest("tp", pid).hex()[:24]
            return AuthorRecord(platform, ident, "", short, f"https://fr.trustpilot.com/users/{ident}", None)
        if platform == "facebook":
            ident = str(6_100_000_000_000_000 + pid * 97)
            return AuthorRecord(
                platform,
                ident,
                "",
                name,
                f"https://www.facebook.com/profile.php?id={ident}",
                person.followers,
                flags,
            )
        if platform == "x":
            ident = str(1_000_000_000 + pid * 7919)
            return AuthorRecord(
                platform,
                ident,
                person.handle,
                name,
                f"https://x.com/{person.handle}",
                person.followers,
                flags,
            )
        if platform == "instagram":
            handle = person.handle.replace("_", ".")
            ident = str(17_841_400_000_000_000 + pid * 31)
            return AuthorRecord(
                platform,
                ident,
                handle,
                name,
                f"https://www.instagram.com/{handle}/",
                person.followers,
                flags,
            )
        if platform == "mastodon":
            instance = corpus.INSTANCES[pid % len(corpus.INSTANCES)]
            acct = f"{person.handle}@{instance}"
            return AuthorRecord(
                platform,
                f"https://{instance}/users/{person.handle}",
                acct,
                person.first,
                f"https://{instance}/@{person.handle}",
                person.followers // 4,
                flags,
            )
        if platform == "bluesky":
            did = "did:plc:" + base64.b32encode(_digest("bsky", pid)).decode().lower()[:24]
            handle = f"{person.handle}.bsky.social"
            return AuthorRecord(
                platform,
                did,
                handle,
                name if pid % 2 else person.first,
                f"https://bsky.app/profile/{handle}",
                person.followers // 3,
                flags,
            )
        if source_key == "forum":
            pseudo = f"{corpus.FORUM_PSEUDOS[pid % len(corpus.FORUM_PSEUDOS)]}{pid % 97}"
            return AuthorRecord(
                "feed", pseudo, pseudo, pseudo, f"https://forum.conso-entraide.example/u/{pseudo}", None
            )
        if source_key == "survey":
            member = f"ADH-{4_000_000 + pid * 13:07d}"
            return AuthorRecord("webhook", member, "", short, "", None)
        return None
