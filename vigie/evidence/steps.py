"""What a capture did, step by step, and the French sentences that say it.

A capture records each step it took (or could not take) in its signed manifest (``steps``): the
mention's stored payload, the check of the page's address, the direct HTTP request, the rendering in
Chromium, the description of the environment. The manifest's ``method`` and the cover note are
written from these steps, never from a fixed text: a failed capture must not read as a full one.

Manifests written before steps were recorded are described from the files they list.
"""

from __future__ import annotations

from typing import Any

# Each step's name in the cover note (all feminine nouns, so one set of outcome words fits them).
STEP_LABELS = {
    "payload": "Conservation de la publication telle que Vigie la détient (données transmises par la plateforme)",
    "address": "Vérification de l'adresse de la page (politique de sortie réseau)",
    "direct_fetch": "Requête HTTP directe de la page (échange HTTP, certificats TLS, adresse IP)",
    "render": "Capture de la page dans Chromium sans interface, piloté par Playwright "
    "(capture pleine page, PDF, HTML, MHTML)",
    "environment": "Description de l'environnement de capture (navigateur, système, heures de début et de fin)",
}
OUTCOME_LABELS = {
    "done": "effectuée",
    "incomplete": "effectuée en partie",
    "failed": "échouée",
    "refused": "refusée",
    "not_run": "non effectuée",
}
ORDER = ["payload", "address", "direct_fetch", "render", "environment"]


def step(name: str, outcome: str, detail: str = "", files: list[str] | None = None) -> dict[str, Any]:
    return {"step": name, "outcome": outcome, "detail": detail, "files": sorted(files or [])}


def steps_from_files(files: list[str] | set[str]) -> list[dict[str, Any]]:
    """The steps of a manifest that does not list them, as far as its files tell."""
    present = set(files)
    found: list[dict[str, Any]] = []
    if "payload.json" in present:
        found.append(step("payload", "done", files=["payload.json"]))
    fetched = sorted(present & {"http.json", "served.html"})
    found.append(step("direct_fetch", "done", files=fetched) if fetched else step("direct_fetch", "not_run"))
    rendered = sorted(present & {"screenshot.png", "page.pdf", "page.html", "rendered.html", "page.mhtml"})
    found.append(step("render", "done", files=rendered) if rendered else step("render", "not_run"))
    if "environment.json" in present:
        found.append(step("environment", "done", files=["environment.json"]))
    return found


def steps_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps a capture's manifest records (or, for an older manifest, what its files show)."""
    recorded = manifest.get("steps")
    if isinstance(recorded, list) and recorded:
        return [item for item in recorded if isinstance(item, dict)]
    return steps_from_files(list(manifest.get("files", {})))


def step_sentence(item: dict[str, Any]) -> str:
    """« Requête HTTP directe de la page … : échouée (connexion impossible) — fichiers : http.json »."""
    name = str(item.get("step", ""))
    label = STEP_LABELS.get(name, name)
    outcome = OUTCOME_LABELS.get(str(item.get("outcome", "")), str(item.get("outcome", "")))
    sentence = f"{label} : {outcome}"
    if item.get("detail"):
        sentence += f" ({item['detail']})"
    files = item.get("files") or []
    if files:
        sentence += " ; fichiers : " + ", ".join(str(name) for name in files)
    return sentence


def method_text(steps: list[dict[str, Any]], *, timestamp_requested: bool) -> str:
    """The manifest's ``method``: the steps as they happened, then how the files are secured."""
    sentences = [step_sentence(item) for item in steps]
    closing = (
        "Chaque fichier conservé est haché en SHA-256, le manifeste est signé Ed25519 par la clé de "
        "l'organisation et chaîné au précédent"
    )
    closing += (
        " ; un horodatage RFC 3161 du manifeste est demandé à l'autorité configurée."
        if timestamp_requested
        else " ; aucune autorité d'horodatage n'est configurée : pas d'horodatage RFC 3161."
    )
    return "Étapes : " + " ; ".join(sentences) + ". " + closing
