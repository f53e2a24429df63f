"""The English interface is complete: every French message has an English translation."""

from pathlib import Path

import polib

import vigie

CATALOGUE = Path(vigie.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_into_english() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy (guessed) translations to check: {fuzzy[:10]}"


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgstr:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(entry.msgstr)), (
                entry.msgid
            )


def test_every_message_of_the_source_is_in_the_catalogue(tmp_path: Path) -> None:
    """A message added to the code or a template but never extracted shows French to English
    readers while the catalogue test above stays green: extract again (``makemessages``, on a
    copy, so the working tree is untouched) and require a translation for every message found."""
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    source = Path(vigie.__file__).parent
    shutil.copytree(
        source,
        tmp_path / "vigie",
        ignore=shutil.ignore_patterns("modelfiles", "evaldata", "vendor", "__pycache__", "*.mo", "tests"),
    )
    shutil.copy(source.parent / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)},
        timeout=300,
    )
    extracted = polib.pofile(str(tmp_path / "vigie" / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    guessed = [entry.msgid for entry in extracted.fuzzy_entries()]
    assert not missing, f"in the source, not translated in the catalogue: {missing[:10]}"
    assert not guessed, f"in the source, only a guessed (fuzzy) translation: {guessed[:10]}"


def test_french_counts_zero_and_one_in_the_singular() -> None:
    """French writes "0 mention", "1 mention", "2 mentions": the messages are French, so without a
    French catalogue gettext counted the English way ("0 réponses importées")."""
    from django.template import Context, Template
    from django.utils import translation
    from django.utils.translation import ngettext

    singular, plural = (
        "Cette source a apporté %(counter)s mention.",
        "Cette source a apporté %(counter)s mentions.",
    )
    with translation.override("fr"):
        assert [ngettext(singular, plural, n) % {"counter": n} for n in (0, 1, 2)] == [
            "Cette source a apporté 0 mention.",
            "Cette source a apporté 1 mention.",
            "Cette source a apporté 2 mentions.",
        ]
        template = Template(
            "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} avertissement{% plural %}"
            "{{ counter }} avertissements{% endblocktranslate %}"
        )
        assert template.render(Context({"n": 0})) == "0 avertissement"
    with translation.override("en"):
        assert ngettext(singular, plural, 0) % {"counter": 0} == "This source brought 0 mentions."
