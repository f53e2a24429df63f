"""Text composition: themes, sentences from the phrase banks, slots filled once per text, and the
whole text of a mention (reviews, posts, replies, crisis messages, press articles, employer
reviews)."""

from __future__ import annotations

from datetime import datetime

from vigie.core.dates import MONTHS_FR
from vigie.demo import corpus
from vigie.demo.generator.draws import _below, _choice, _pick, _randint
from vigie.demo.generator.state import _Person, _State
from vigie.demo.generator.timeline import PARIS
from vigie.demo.generator.weights import _LENGTH_CUM, _LOCATION_CUM, _REVIEW_PLATFORMS, _THEME_CUM
from vigie.demo.organisation import LOCATIONS_BY_KEY, ORG_INSTAGRAM_HANDLE, ORG_X_HANDLE, LocationSpec

# "One star is too much" belongs under a rating, not in a tweet.
_FR_CLOSERS_NOT_REVIEW = {
    mtype: tuple(closer for closer in closers if "étoile" not in closer)
    for mtype, closers in corpus.FR_CLOSERS.items()
}
_FR_TINY_NOT_REVIEW = {
    mtype: tuple(item for item in items if "étoile" not in item[0]) for mtype, items in corpus.FR_TINY.items()
}


_KEEP_CAPITAL = frozenset(
    {"I", "I've", "I'm", "Mutuelle", "Horizon", "Sophie", "Karim", "Mme", "M.", "Nathalie", "Yanis",
     "Élodie", "Thierry", "Aurélie", "Mehdi", "Sandrine", "Julie", "Ms", "Mr", "Sécu", "MH"}
)  # fmt: skip


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _after_opener(opener: str, sentence: str) -> str:
    """Glue an opener that ends mid-sentence ("Adhérente depuis 8 ans et") to what follows."""
    if opener.endswith((",", " et", " and", ":")):
        first_word = sentence.split(" ", 1)[0]
        if first_word not in _KEEP_CAPITAL and not first_word.startswith(("Mme", "M.")):
            sentence = sentence[:1].lower() + sentence[1:]
        return f"{opener} {sentence}"
    return f"{opener} {_capitalise(sentence)}"


class _Slots(dict[str, str]):
    """Slot values for one text, chosen on first use and then kept (same agency all along)."""

    def __init__(self, gen: _State, lang: str, location: LocationSpec | None, created: datetime) -> None:
        super().__init__()
        self.gen = gen
        self.lang = lang
        self.location = location
        self.location_used = False
        self.created = created

    def _location(self) -> LocationSpec:
        if self.location is None:
            self.location = LOCATIONS_BY_KEY[_pick(self.gen.rng, _LOCATION_CUM)]
        self.location_used = True
        return self.location

    def __missing__(self, key: str) -> str:
        rng = self.gen.rng
        value: str
        if key in corpus.FR_SLOTS and (self.lang == "fr" or key not in corpus.EN_SLOTS):
            value = _choice(rng, corpus.FR_SLOTS[key])
        elif key in corpus.EN_SLOTS:
            value = _choice(rng, corpus.EN_SLOTS[key])
        elif key == "agence":
            value = self._location().agence_de
        elif key in ("ville", "city"):
            value = self._location().city
        elif key == "branch":
            value = f"the {self._location().city} branch"
        elif key == "mois":
            value = MONTHS_FR[(self.created.month - 1 - _below(rng, 2)) % 12]
        elif key == "month":
            value = corpus.MONTHS_EN[(self.created.month - 1 - _below(rng, 2)) % 12]
        elif key in ("annee", "year"):
            value = str(self.created.year)
        elif key == "crisis_date":
            start = self.gen.crisis_start
            value = f"{start.day} {MONTHS_FR[start.month - 1]}"
        elif key == "crisis_date_en":
            start = self.gen.crisis_start
            value = f"{corpus.MONTHS_EN[start.month - 1]} {start.day}"
        elif key in ("crisis_jours", "crisis_days"):
            days = max(1, (self.created.astimezone(PARIS).date() - self.gen.crisis_start).days)
            value = count_of_days(days, "fr" if key == "crisis_jours" else "en")
        elif key == "handle":
            value = self.gen.org_handle
        elif key == "adh":
            value = str(_randint(rng, 10_000_000, 99_999_999))
        else:
            raise KeyError(key)
        self[key] = value
        return value


def count_of_days(days: int, language: str) -> str:
    """``days`` with its unit, singular for one: « 1 jour », « 3 jours », "1 day", "3 days"."""
    if language == "fr":
        return f"{days} jour" if days == 1 else f"{days} jours"
    return f"{days} day" if days == 1 else f"{days} days"


def _fill(template: str, slots: _Slots) -> str:
    return template.format_map(slots)


class Texts(_State):
    def _themes(self, mtype: str) -> list[str]:
        rng = self.rng
        primary = _pick(rng, _THEME_CUM[mtype])
        themes = [primary]
        if rng.random() < 0.3:
            second = _pick(rng, _THEME_CUM[mtype])
            if second != primary:
                themes.append(second)
        return themes

    def _sentences(self, lang: str, theme: str, mtype: str, count: int) -> list[str]:
        bank = (corpus.EN if lang == "en" else corpus.FR)[theme][mtype]
        return self.rng.sample(bank, min(count, len(bank)))

    def _text(
        self,
        source_key: str,
        platform: str,
        kind: str,
        mtype: str,
        lang: str,
        crisis: bool,
        viral: bool,
        parent: tuple[str, list[str], str] | None,
        slots: _Slots,
        person: _Person,
    ) -> tuple[str, str, list[str], str]:
        """Return (title, text, themes, sentiment) for one mention."""
        rng = self.rng
        en = lang == "en"
        if source_key == "press":
            return self._article(crisis, slots)
        if source_key == "employer":
            return self._employer_review(mtype, lang)
        if mtype == "spam":
            return "", _choice(rng, corpus.EN_SPAM if en else corpus.FR_SPAM), [], "neutral"
        if mtype == "troll":
            if crisis and not en:
                return "", _fill(_choice(rng, corpus.FR_CRISIS_TROLLS), slots), ["remboursement"], "negative"
            if not en and rng.random() < 0.12:
                self._legal = True
                return "", _fill(_choice(rng, corpus.FR_TROLLS_LEGAL), slots), [], "negative"
            return (
                "",
                _fill(_choice(rng, corpus.EN_TROLLS if en else corpus.FR_TROLLS), slots),
                [],
                "negative",
            )
        if parent is not None and mtype in ("complaint", "other"):
            if mtype == "complaint":
                bank = corpus.EN_REPLY_AGREE if en else corpus.FR_REPLY_AGREE
                agreed = list(parent[1]) or ["remboursement"]
                text = _fill(_choice(rng, bank), slots)
                if parent[2] and platform in ("x", "bluesky", "mastodon") and rng.random() < 0.6:
                    text = f"@{parent[2]} {text}"
                return "", text, agreed, "negative"
            text = _fill(_choice(rng, corpus.EN_REPLY_OTHER if en else corpus.FR_REPLY_OTHER), slots)
            return "", text, [], "neutral"
        if crisis:
            return self._crisis_text(platform, mtype, lang, viral, slots)
        title = ""
        length = _pick(
            rng, _LENGTH_CUM.get(platform if platform in _LENGTH_CUM else source_key, _LENGTH_CUM["facebook"])
        )
        if source_key == "forum" and kind == "reply":
            length = "short" if rng.random() < 0.6 else "medium"
        if mtype == "other":
            themes: list[str] = []
            if length == "tiny" or platform in _REVIEW_PLATFORMS:
                text, tiny_themes = _choice(rng, (corpus.EN_TINY if en else corpus.FR_TINY)["other"])
                themes = list(tiny_themes)
            else:
                text = _fill(_choice(rng, corpus.EN_OTHER if en else corpus.FR_OTHER), slots)
            sentiment = "neutral"
        elif length == "tiny":
            tiny = (
                corpus.EN_TINY
                if en
                else corpus.FR_TINY
                if platform in _REVIEW_PLATFORMS
                else _FR_TINY_NOT_REVIEW
            )
            text, tiny_themes = _choice(rng, tiny[mtype])
            themes = list(tiny_themes)
            sentiment = {"complaint": "negative", "praise": "positive"}.get(mtype, "neutral")
        else:
            themes = self._themes(mtype)
            text = self._compose(
                lang,
                mtype,
                themes,
                length,
                slots,
                forum=source_key == "forum" and kind == "post",
                review=platform in _REVIEW_PLATFORMS,
            )
            sentiment = {"complaint": "negative", "praise": "positive"}.get(mtype, "neutral")
            if mtype == "question" and rng.random() < 0.25:
                sentiment = "negative"  # an exasperated question
        if platform == "trustpilot" or (source_key == "forum" and kind == "post"):
            titles = corpus.EN_TITLES if en else corpus.FR_TITLES
            themed = () if en or not themes else corpus.FR_THEME_TITLES.get((mtype, themes[0]), ())
            title = _choice(rng, themed if themed and rng.random() < 0.7 else titles[mtype])
            if source_key == "forum":
                themed = corpus.FR_FORUM_THEME_TITLES.get(themes[0], ()) if themes else ()
                generic = corpus.FR_FORUM_TITLES
                title = _fill(_choice(rng, themed if themed and rng.random() < 0.75 else generic), slots)
        if platform == "x" and rng.random() < 0.6:
            text = f"@{ORG_X_HANDLE} {text}"
        elif platform == "instagram" and rng.random() < 0.3:
            text = f"@{ORG_INSTAGRAM_HANDLE} {text}"
        if platform == "google_business" and mtype in ("praise", "complaint") and rng.random() < 0.04:
            text, themes = "", []  # a rating without a comment
        return title, text, themes, sentiment

    def _compose(
        self,
        lang: str,
        mtype: str,
        themes: list[str],
        length: str,
        slots: _Slots,
        *,
        forum: bool = False,
        review: bool = False,
    ) -> str:
        """Write a text on ``themes``; a short one keeps only the first theme (``themes`` is trimmed)."""
        rng = self.rng
        en = lang == "en"
        openers = (corpus.EN_OPENERS if en else corpus.FR_OPENERS)[mtype]
        closers = (corpus.EN_CLOSERS if en else corpus.FR_CLOSERS if review else _FR_CLOSERS_NOT_REVIEW)[
            mtype
        ]
        primary = themes[0]
        if length == "short":
            del themes[1:]  # one sentence speaks of one theme: the ground truth must say so
            body = [_fill(s, slots) for s in self._sentences(lang, primary, mtype, 1)]
            if rng.random() < 0.35:
                body[0] = _after_opener(_fill(_choice(rng, openers), slots), body[0])
            if rng.random() < 0.4:
                body.append(_fill(_choice(rng, closers), slots))
            return " ".join(_capitalise(s) for s in body)
        count = 2 if length == "medium" else _choice(rng, (3, 3, 4))
        body = [_fill(s, slots) for s in self._sentences(lang, primary, mtype, count)]
        for theme in themes[1:]:
            extra = 1 if length == "medium" else _choice(rng, (1, 2))
            body += [_fill(s, slots) for s in self._sentences(lang, theme, mtype, extra)]
        if mtype == "complaint" and rng.random() < (0.25 if length == "medium" else 0.7):
            body.append(_fill(_choice(rng, corpus.EN_CONSEQUENCE if en else corpus.FR_CONSEQUENCE), slots))
        if mtype == "praise" and not en and rng.random() < 0.4:
            body.append(_fill(_choice(rng, corpus.FR_POSITIVE_DETAIL), slots))
        body = [_capitalise(s) for s in body]
        if rng.random() < 0.7:
            body[0] = _after_opener(_fill(_choice(rng, openers), slots), body[0])
        closer = _fill(_choice(rng, closers), slots) if rng.random() < 0.7 else ""
        if length == "medium":
            return " ".join([*body, closer] if closer else body)
        context = _fill(_choice(rng, corpus.EN_CONTEXT if en else corpus.FR_CONTEXT), slots)
        middle = max(1, len(body) // 2)
        paragraphs = [context + " " + " ".join(body[:middle]), " ".join(body[middle:])]
        if forum and not en:
            closer = f"{closer} {_choice(rng, corpus.FR_FORUM_ENDINGS)}".strip()
        if closer:
            paragraphs.append(closer)
        return "\n\n".join(p for p in paragraphs if p.strip())

    def _crisis_text(
        self, platform: str, mtype: str, lang: str, viral: bool, slots: _Slots
    ) -> tuple[str, str, list[str], str]:
        rng = self.rng
        themes = ["remboursement"]
        second = _choice(rng, ("site_app", "joignabilite", "attente", "site_app", ""))
        if second:
            themes.append(second)
        if lang == "en":
            if mtype == "question":
                return "", _fill(_choice(rng, corpus.EN_CRISIS_QUESTIONS), slots), themes, "neutral"
            if mtype == "troll":
                return "", _fill(_choice(rng, corpus.EN_TROLLS), slots), [], "negative"
            if mtype == "other":
                return "", _fill(_choice(rng, corpus.EN_REPLY_OTHER), slots), [], "neutral"
            text = _fill(_choice(rng, corpus.EN_CRISIS_COMPLAINTS), slots)
            return "", text, themes, "negative"
        if viral:
            text = _fill(_choice(rng, corpus.FR_CRISIS_VIRAL), slots)
            return "", text, ["remboursement", "joignabilite"], "negative"
        if mtype == "question":
            text = _fill(_choice(rng, corpus.FR_CRISIS_QUESTIONS), slots)
            return "", text, themes, "negative" if rng.random() < 0.5 else "neutral"
        if mtype == "other":
            text = _fill(_choice(rng, corpus.FR_REPLY_OTHER), slots)
            return "", text, ["remboursement"], "neutral"
        sentences = [
            _fill(s, slots) for s in rng.sample(corpus.FR_CRISIS_COMPLAINTS, _choice(rng, (1, 1, 2)))
        ]
        if second and platform not in ("x", "bluesky") and rng.random() < 0.5:
            sentences += [_fill(s, slots) for s in self._sentences("fr", second, "complaint", 1)]
        if rng.random() < 0.4:
            closers = corpus.FR_CLOSERS if platform in _REVIEW_PLATFORMS else _FR_CLOSERS_NOT_REVIEW
            sentences.append(_fill(_choice(rng, closers["complaint"]), slots))
        title = _choice(rng, ("Remboursements bloqués", "Plateforme en panne", "Plus aucun remboursement"))
        text = " ".join(_capitalise(s) for s in sentences)
        return (title if platform == "trustpilot" else ""), text, themes, "negative"

    def _article(self, crisis: bool, slots: _Slots) -> tuple[str, str, list[str], str]:
        rng = self.rng
        bank = corpus.PRESS_CRISIS_ARTICLES if crisis else corpus.PRESS_ARTICLES
        title, snippet, sentiment, themes = _choice(rng, bank)
        return _fill(title, slots), _fill(snippet, slots), list(themes), sentiment

    def _employer_review(self, mtype: str, lang: str) -> tuple[str, str, list[str], str]:
        rng = self.rng
        en = lang == "en"
        pros = rng.sample(corpus.EMPLOYER_PROS_EN if en else corpus.EMPLOYER_PROS_FR, _choice(rng, (1, 2)))
        cons = rng.sample(corpus.EMPLOYER_CONS_EN if en else corpus.EMPLOYER_CONS_FR, _choice(rng, (1, 2)))
        titles = corpus.EMPLOYER_TITLES_EN if en else corpus.EMPLOYER_TITLES_FR
        title = _choice(rng, titles[mtype if mtype in titles else "other"])
        labels = ("Pros", "Cons") if en else ("Avantages", "Inconvénients")
        text = f"{labels[0]} : {', '.join(pros)}.\n{labels[1]} : {', '.join(cons)}."
        if en:
            text = text.replace(" : ", ": ")
        sentiment = {"praise": "positive", "complaint": "negative"}.get(mtype, "neutral")
        # About working there, not about the service: no customer-service theme applies.
        return title, text, [], sentiment
