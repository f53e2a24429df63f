"""Synonyms learned from data for theme matching: PPMI word co-occurrence + truncated SVD over the
review corpora, then each frequent word stem's nearest neighbours, shipped as JSON.

Distributional neighbours are words used in the same places, not words of the same meaning: the
raw table gave "obtenir" and "faire" for "avoir", "sinistre" and "responsable" for "accident",
"heure" and "semaine" for "attente". So the table is filtered before it is saved (``filtered``):
verbs and generic words (``STOP_STEMS``) are dropped everywhere, and the neighbours of the default
taxonomy's keywords are replaced by the ones a person checked and accepted (``REVIEWED``).
``python -m vigie.analysis.training.synonyms`` re-filters the shipped file in place.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.linalg import svds  # type: ignore[import-untyped]

from vigie.analysis.builtin.themes.analyzer import _WORD, MIN_STEM, fold, stem

VOCABULARY = 15_000
MIN_COUNT = 10
WINDOW = 4
DIMENSIONS = 80
NEIGHBOURS = 4
MIN_SIMILARITY = 0.55


def learn(texts: Sequence[str], seed: int) -> dict[str, list[str]]:
    """``{stem: [nearest stems]}`` for the frequent stems of ``texts``."""
    docs = [[stem(w) for w in _WORD.findall(fold(t))] for t in texts]
    counts = Counter(w for doc in docs for w in doc if len(w) >= MIN_STEM and not w.isdigit())
    vocab = [w for w, c in counts.most_common(VOCABULARY) if c >= MIN_COUNT]
    ids = {w: i for i, w in enumerate(vocab)}
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for doc in docs:
        seq = np.array([ids.get(w, -1) for w in doc], dtype=np.int32)
        for offset in range(1, WINDOW + 1):
            a, b = seq[:-offset], seq[offset:]
            keep = (a >= 0) & (b >= 0) & (a != b)
            left.append(a[keep])
            right.append(b[keep])
    rows = np.concatenate(left + right)
    cols = np.concatenate(right + left)
    size = len(vocab)
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(size, size))
    total = matrix.sum()
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    col_sums = np.asarray(matrix.sum(axis=0)).ravel() ** 0.75
    col_sums *= row_sums.sum() / col_sums.sum()
    coo = matrix.tocoo()
    pmi = np.log(coo.data * total / (row_sums[coo.row] * col_sums[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(size, size))
    u, s, _ = svds(ppmi, k=DIMENSIONS, random_state=seed)
    vectors = u * np.sqrt(s)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    found: dict[str, list[str]] = {}
    for start in range(0, size, 2000):
        sims = vectors[start : start + 2000] @ vectors.T
        for offset, row in enumerate(sims):
            i = start + offset
            row[i] = -1
            best = np.argsort(-row)[:NEIGHBOURS]
            close = [vocab[j] for j in best if row[j] >= MIN_SIMILARITY]
            if close:
                found[vocab[i]] = close
    return found


# Stems (``themes.analyzer.stem`` of accent-folded words) that never name a theme by themselves:
# frequent verbs (any of their forms met in the table), time words, quantities, intensifiers and
# the vocabulary every review shares. Neither a key nor a neighbour.
_STOP_WORDS = """
    avoir obtenir fair faire fait faut etre etait sont etai pouvoir pouvez peut peuvent pourr vouloir
    veut voulu savoir sait dire dit disent voir vu mettr mis prendr pris donn donnent donner
    trouv trouver pass passer pass pass venir venu aller allez vont arriv arrive recevoir recu
    demand demandent envoy envoi mettr attendr faudr semblent sembl rest rester
    jour jours heur heure minut semain moi mois annee an ans fois temp temps matin soir lundi mardi
    mercredi jeudi vendredi samedi dimanch quinz huit 1moi 10jour
    enfin encor toujour deja jamai souvent vraiment tres trop plus moin bien mal beaucoup peu
    quelquun personn chos truc gen monde tout tou rien autr meme aussi
    euro 100e 250e paye pay compar rapport respect trait gestion cour lign chang contrat
    ultra vite rapid rapideproduit livraisonj dexpedition
    excellent impeccabl irreprochabl parfait super top nul nullissim horribl catastrophiqu
    lamentabl deplorabl pitoyabl inexistant
"""
STOP_STEMS = frozenset(_STOP_WORDS.split())

# The default taxonomy's keyword stems and the learned neighbours a person read and accepted
# (those not listed were rejected: "attente" ~ "heure", "remboursement" ~ "chèque", "cher" ~
# "concurrent", "qualité" ~ "expédition"…). A stem absent here keeps its filtered neighbours.
REVIEWED: dict[str, tuple[str, ...]] = {
    "attent": ("delai",),
    "attendr": (),
    "delai": (),
    "retard": (),
    "lent": ("rame",),
    "prix": ("competit", "attract", "raisonnabl", "abordabl"),
    "tarif": ("attract", "prix", "competit", "abordabl"),
    "cher": ("elev",),
    "factur": ("acquitt",),
    "cotis": ("prim",),
    "prelev": ("debit", "prelevent", "mensualit"),
    "augment": ("augmentent", "hauss", "baiss"),
    "hauss": ("augment", "augmentent", "baiss"),
    "frai": ("exorbitant",),
    "rembours": (),
    "avoir": (),
    "indemnis": ("dedommag", "indemnit"),
    "dedommag": ("indemnis", "compens"),
    "accueil": ("chaleureu", "acceuil"),
    "aimabl": ("courtoi", "serviabl"),
    "souriant": ("accueillant", "bienveillant", "serviabl"),
    "poli": ("aimabl", "courtoi", "gentill", "gentil"),
    "impoli": ("hautain", "insolent", "irrespectueu", "arrogant"),
    "desagreabl": ("hautain", "irrespectu", "arrogant", "agress"),
    "mepri": ("irrespect", "desinvoltur"),
    "courtoi": ("aimabl", "bienveillant"),
    "sympathiqu": ("souriant", "serviabl", "accueillant"),
    "gentil": ("aimabl", "serviabl"),
    "competent": (),
    "incompetent": (),
    "conseill": ("conseiller", "renseign"),
    "conseil": (),
    "expliqu": (),
    "professionnel": (),
    "connaissait": ("connait",),
    "joindr": ("contact",),
    "injoignabl": (),
    "telephon": ("telephoniqu",),
    "appel": ("relanc", "appell", "rappel"),
    "rappel": ("rappell", "recontact", "appel", "appell"),
    "repond": ("repondent", "repondu"),
    "raccroch": ("decroch",),
    "dossi": ("dossier",),
    "demarch": ("procedur", "formalit"),
    "formulair": ("remplir",),
    "justificat": ("document", "attest", "identit", "relev"),
    "papier": ("justificat", "document"),
    "document": ("justificat", "attest", "papier"),
    "attest": ("certificat", "document", "justificat"),
    "resili": ("preavi",),
    "livraison": ("expedition",),
    "livr": ("expedi",),
    "coli": ("colissimo", "paquet", "chronopost", "relai"),
    "expedition": ("livraison",),
    "command": ("commend",),
    "transport": ("chronopost", "coli", "relai", "mondial"),
    "suivi": (),
    "qualit": (),
    "defectueu": ("inutilisabl",),
    "cass": ("abim", "endommag", "inutilisabl"),
    "pann": (),
    "abim": ("endommag", "cass", "dechir"),
    "mediocr": (),
    "conform": ("conforment",),
    "site": ("intuit",),
    "applic": ("mobil", "interfac", "appli"),
    "appli": ("android", "mobil", "applic"),
    "connexion": ("connect", "acced"),
    "sale": (),
    "salet": ("poussier",),
    "hygien": (),
    "odeur": (),
    "poussier": ("salet",),
    "securit": (),
    "dangereu": (),
    "agression": (),
    "accident": ("accrochag",),
    "arnaqu": ("escroqueri", "escroc", "malhonnet"),
    "fraud": (),
}


def filtered(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """``found`` without verbs and generic words, with the reviewed neighbours of the default
    taxonomy's keywords."""
    kept: dict[str, list[str]] = {}
    for root, neighbours in found.items():
        if root in STOP_STEMS:
            continue
        close = list(REVIEWED[root]) if root in REVIEWED else [n for n in neighbours if n not in STOP_STEMS]
        if close:
            kept[root] = close
    return kept


def save(found: dict[str, list[str]], path: Path) -> None:
    """Write the filtered neighbour table as compact JSON."""
    table = filtered(found)
    path.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


if __name__ == "__main__":
    from vigie.analysis.builtin.themes.analyzer import SYNONYMS_FILE

    before = json.loads(SYNONYMS_FILE.read_text())
    save(before, SYNONYMS_FILE)
    after = json.loads(SYNONYMS_FILE.read_text())
    pairs = sum(map(len, before.values())), sum(map(len, after.values()))
    print(f"{SYNONYMS_FILE.name}: {len(before)} -> {len(after)} stems, {pairs[0]} -> {pairs[1]} neighbours")
