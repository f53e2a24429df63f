"""A mention's words as a reader sees them quoted: its title, then its text."""

from __future__ import annotations

# A title that ends like this already closes its sentence.
_CLOSING = ".!?…:;»)\"'"


def title_and_text(title: str | None, text: str | None) -> str:
    """``title`` then ``text`` as one quote: "Toujours pas remboursée. Remboursé 1 800 € au lieu…"
    rather than "Toujours pas remboursée Remboursé 1 800 €…", which reads as one garbled sentence.
    A title the text already starts with is not repeated."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title or text.startswith(title):
        return text
    if not text:
        return title
    return f"{title} {text}" if title.endswith(tuple(_CLOSING)) else f"{title}. {text}"
