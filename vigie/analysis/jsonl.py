"""The JSON Lines format of ``vigie analyze``: reading input lines into items, writing results.

Input line: ``{"id": "...", "text": "...", "title"?: "...", "platform"?: "...", "rating"?: 1-5}``.
Output line: ``{"id", "language", "sentiment": {"label", "score"}, "stars", "type", "themes": [slugs],
"toxicity": {"toxic", "score"}, "personal_data": [{"kind", "start", "end"}], "priority": {"score",
"reasons"}}`` — every key always present; null (or empty) where no analyzer provides it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from vigie.analysis.contract import Item, Results

ALLOWED_FIELDS = frozenset({"id", "text", "title", "platform", "rating"})


class InputError(ValueError):
    """A line of the input file is not a valid item; the message names the line."""


def parse_line(
    line: str, number: int, *, language_hint: str = "", context: dict[str, Any] | None = None
) -> Item:
    """The item of input line ``number`` (1-based), or ``InputError`` saying what is wrong."""
    return _parse(line, number, language_hint=language_hint, context=context)[1]


def _parse(
    line: str, number: int, *, language_hint: str = "", context: dict[str, Any] | None = None
) -> tuple[Any, Item]:
    """``(original id, item)`` of input line ``number``, decoding the JSON once."""
    where = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(data).__name__}")
    identifier = data.get("id")
    if isinstance(identifier, bool) or not isinstance(identifier, str | int) or identifier == "":
        raise InputError(f'{where}: "id" is required (a non-empty string)')
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f'{where}: "text" is required and must be a string')
    for name in ("title", "platform"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InputError(f'{where}: "{name}" must be a string')
    rating = data.get("rating")
    if rating is not None:
        if isinstance(rating, bool) or not isinstance(rating, int | float) or not 1 <= rating <= 5:
            raise InputError(f'{where}: "rating" must be a number from 1 to 5 (got {rating!r})')
        rating = float(rating)
    return identifier, Item(
        id=str(identifier),
        text=text,
        title=data.get("title") or "",
        platform=data.get("platform") or "",
        kind="review" if rating is not None else "",
        rating=rating,
        language_hint=language_hint,
        context=context or {},
    )


def read_items(
    lines: Iterable[str], *, language_hint: str = "", context: dict[str, Any] | None = None
) -> Iterator[tuple[Any, Item]]:
    """``(original id, item)`` for every non-blank line, lazily; ``InputError`` on a bad line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield _parse(line, number, language_hint=language_hint, context=context)


def user_sentiment(results: Results) -> Any:
    """The sentiment a user sees: the sentence encoder's where it gave one (social posts,
    uncertain English reviews), else the sentiment analyzer's."""
    return results.get("sentiment_encoder") or results.get("sentiment")


def user_toxicity(results: Results) -> Any:
    """The toxicity a user sees: the toxicity analyzer's result, its verdict and score replaced by
    the sentence encoder's where the fast score was doubtful (categories and legal risk stay)."""
    toxicity = results.get("toxicity")
    second = results.get("toxicity_encoder")
    if not isinstance(toxicity, dict) or not isinstance(second, dict):
        return toxicity
    return {**toxicity, "toxic": second.get("toxic"), "score": second.get("score")}


def _pick(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    source = value if isinstance(value, dict) else {}
    return {key: source.get(key) for key in keys}


def _slugs(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [entry["slug"] if isinstance(entry, dict) else str(entry) for entry in value]


def _aspects(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(slug): str(label) for slug, label in value.items()}


def output_record(identifier: Any, results: Results) -> dict[str, Any]:
    """One output line's object, complete whatever analyzers ran."""
    stars = results.get("stars")
    return {
        "id": identifier,
        "language": results.get("language"),
        "sentiment": _pick(user_sentiment(results), ("label", "score")),
        "stars": round(float(stars), 2) if isinstance(stars, int | float) else None,
        "type": results.get("type"),
        "themes": _slugs(results.get("themes")),
        "toxicity": _pick(user_toxicity(results), ("toxic", "score")),
        "personal_data": [
            _pick(span, ("kind", "start", "end")) for span in results.get("personal_data") or []
        ],
        "priority": _pick(results.get("priority"), ("score", "reasons")),
        # Added last, after the keys the format has always had: the sentiment of each theme
        # ({"facturation": "negative", "accueil": "positive"}).
        "aspects": _aspects(results.get("aspects")),
    }


def write_record(stream: IO[str], record: dict[str, Any]) -> None:
    stream.write(json.dumps(record, ensure_ascii=False) + "\n")


def analyze_lines(
    lines: list[str], *, language_hint: str = "", context: dict[str, Any] | None = None
) -> list[str]:
    """The output lines (newline-terminated) of already validated, non-blank input ``lines``,
    analysed with the process's default pipeline. A worker process of ``vigie analyze --workers``
    runs this on its share of the file."""
    from vigie.analysis.pipeline import default_pipeline

    parsed = [
        _parse(line, number, language_hint=language_hint, context=context)
        for number, line in enumerate(lines, 1)
    ]
    results = default_pipeline().analyze([item for _, item in parsed])
    return [
        json.dumps(output_record(identifier, result), ensure_ascii=False) + "\n"
        for (identifier, _), result in zip(parsed, results, strict=True)
    ]
