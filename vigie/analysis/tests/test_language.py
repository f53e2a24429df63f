from __future__ import annotations

import json
import os
import select
import signal

import pytest

from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer, function_word_language
from vigie.analysis.contract import Item


@pytest.fixture(scope="module")
def analyzer() -> LanguageAnalyzer:
    language = LanguageAnalyzer()
    language.load()
    return language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Une heure d'attente au téléphone pour rien, je suis vraiment déçue.", "fr"),
        ("Waited two weeks for my refund, nobody answers the phone.", "en"),
        ("Esperé dos semanas el reembolso y nadie contesta el teléfono.", "es"),
        ("Ich habe zwei Wochen auf meine Erstattung gewartet.", "de"),
        ("Ho aspettato due settimane per il rimborso, nessuno risponde.", "it"),
        ("Ik heb twee weken op mijn terugbetaling gewacht, niemand neemt op.", "nl"),
        ("Esperei duas semanas pelo reembolso e ninguém atende o telefone.", "pt"),
    ],
)
def test_it_recognises_the_seven_languages(analyzer: LanguageAnalyzer, text: str, expected: str) -> None:
    assert analyzer.detect(text, hint="") == expected


@pytest.mark.parametrize(
    "text",
    [
        "La liste noire des plantes invasives s'allonge | @user via @user http",
        "Refinancement de 5 #centralessolaires dans le Sud de la France - http",
        "RT @user: Le piège de l’#énergie verte (via @user) http://t.co/x",
        "l'éolien volant : des éoliennes en altitude https://example.org/eolien",
    ],
)
def test_links_handles_and_hashtag_signs_do_not_decide_a_posts_language(
    analyzer: LanguageAnalyzer, text: str
) -> None:
    # Each was called Portuguese: "http", "@user" and "#" weighed more than the French words.
    assert analyzer.detect(text) == "fr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Portuguese to lingua's trigrams (0.73, French 0.02): the frequent French words settle it.
        ("@SNCF encore 40 minutes de retard ce matin #greve", "fr"),
        ("encore en retard ce matin, merci la ligne B", "fr"),
        # Other languages keep theirs, even with a word or two shared with French or English.
        ("Non è possibile, il servizio è pessimo e nessuno risponde", "it"),
        ("Que mal servicio, no vuelvo nunca más a esta tienda", "es"),
        ("Muito bom atendimento, recomendo a todos", "pt"),
        ("Het pakket kwam te laat en de doos was kapot", "nl"),
    ],
)
def test_frequent_words_overrule_trigrams_that_give_a_post_to_another_language(
    analyzer: LanguageAnalyzer, text: str, expected: str
) -> None:
    assert analyzer.detect(text) == expected


@pytest.mark.parametrize("text", ["ok", "Top 👍", "👏👏👏", ""])
def test_short_texts_take_the_sources_language(analyzer: LanguageAnalyzer, text: str) -> None:
    assert analyzer.detect(text, hint="de") == "de"


def test_a_short_text_without_hint_has_no_language(analyzer: LanguageAnalyzer) -> None:
    assert analyzer.detect("ok", hint="") is None


def test_a_title_helps_a_short_text(analyzer: LanguageAnalyzer) -> None:
    item = Item(
        id="1", title="Service client injoignable depuis des semaines", text="Nul.", language_hint="en"
    )
    assert analyzer.analyze([item], [{}]) == [{"language": "fr"}]


def test_function_words_settle_clear_cases_without_lingua() -> None:
    assert (
        function_word_language("Je ne suis pas du tout content de la mutuelle et de mon conseiller") == "fr"
    )
    assert function_word_language("I was not happy with the service and the wait was very long") == "en"
    assert function_word_language("Un système de ticket en ligne") is None  # too few words: lingua decides


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_process_forked_after_loading_still_detects(analyzer: LanguageAnalyzer) -> None:
    # The parent has used lingua's thread pool; a forked child has lingua's memory but not the
    # pool's threads (vigie analyze --workers forks its workers after loading the models).
    texts = [
        "Ho aspettato due settimane per il rimborso, nessuno risponde.",
        "Esperei duas semanas pelo reembolso e ninguém atende o telefone.",
    ]
    batch = [Item(id=str(i), text=text) for i, text in enumerate(texts)]

    def detect() -> list[str]:
        return [result["language"] for result in analyzer.analyze(batch, [{} for _ in batch])]

    expected = detect()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which exits without returning
        try:
            os.write(writing, json.dumps(detect()).encode())
        finally:
            os._exit(0)
    os.close(writing)
    try:
        ready, _, _ = select.select([reading], [], [], 30)
        answer = os.read(reading, 1000) if ready else b""
    finally:
        os.close(reading)
        if not ready:
            os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert ready, "language detection hung in a forked process"
    assert json.loads(answer) == expected == ["it", "pt"]


# Issue 16: texts of 30 characters or fewer were wrong one time in six.
@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Awesome skirt", "fr", "en"),
        ("Site à recommander.", "", "fr"),
        ("A recommander!", "", "fr"),
        ("merci a l'équipe", "en", "fr"),
        ("Did what it said on the tin", "fr", "en"),
        ("Sehr gut, danke", "fr", "de"),
        ("Leonard Cohen rocks", "en", "en"),
        ("Excellent VFM", "fr", "fr"),  # unsure: the organisation's language
    ],
)
def test_short_texts_are_read_by_word_lists_then_the_hint(
    analyzer: LanguageAnalyzer, text: str, hint: str, expected: str
) -> None:
    assert analyzer.detect(text, hint=hint) == expected
