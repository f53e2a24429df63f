"""The names and constants of the evidence formats, shared by the writer and the offline verifier."""

CAPTURE_FORMAT = "vigie-evidence/1"
BUNDLE_FORMAT = "vigie-evidence-bundle/1"
# The first link of an organisation's chain names this as its predecessor.
GENESIS = "0" * 64
# The ZIP comment of a bundle: this prefix and the hex Ed25519 signature of every byte before it.
SEAL_PREFIX = b"VIGIE-SEAL-ED25519:"
SEAL_LENGTH = len(SEAL_PREFIX) + 128


def french_count(count: int, singular: str, plural: str) -> str:
    """« 1 fichier », « 0 fichier », « 2 fichiers »: the legal file is written in French, where 0
    and 1 take the singular (it read « 2 fichier(s) »)."""
    return f"{count} {singular if count <= 1 else plural}"
