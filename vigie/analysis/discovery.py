"""Theme discovery: cluster the mentions that fit no theme and name each cluster by its terms.

TF-IDF on words and word pairs, then mini-batch k-means; each cluster is named by the terms with
the heaviest weight in its centre and illustrated by the mentions nearest to it. A manager reads the
clusters and promotes the meaningful ones into themes (``vigie themes promote``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Function words carry no theme; a short list is enough since TF-IDF already discounts the rest.
_STOP_WORDS_TEXT = """a à ai aie ait alors as au aucun aussi autre aux avec avoir avons ayant c ça car ce ceci cela celle
        celui ces cet cette chez ci comme comment d dans de des deux donc du elle elles en encore est et été
        être eu fait faire fois font il ils j je jamais l la le les leur leurs lui m ma mais me même mes moi
        mon n ne ni nos notre nous on ont ou où par pas peu peut plus pour pourquoi qu quand que quel quelle
        qui s sa sans se ses si son sont suis sur t ta te tes toi ton tous tout toute toutes très tu un une
        vos votre vous y the and is it of to in for on was with my i you that this have are be not but at
        they we so very no"""
STOP_WORDS = sorted(set(_STOP_WORDS_TEXT.split()))
MIN_MENTIONS = 20


@dataclass(frozen=True)
class Cluster:
    terms: list[str]
    size: int
    examples: list[str]
    members: list[int]  # positions in the input


def _sklearn(name: str) -> Any:
    # scikit-learn ships no type information; importing by name keeps mypy strict elsewhere.
    return importlib.import_module(f"sklearn.{name}")


def suggested_cluster_count(count: int) -> int:
    """About one cluster per 40 mentions, between 2 and 12."""
    return max(2, min(12, count // 40))


def discover_clusters(
    texts: Sequence[str], *, clusters: int | None = None, terms: int = 6, examples: int = 3, seed: int = 0
) -> list[Cluster]:
    """Clusters of ``texts``, largest first; empty when there are fewer than ``MIN_MENTIONS``."""
    if len(texts) < MIN_MENTIONS:
        return []
    # Terms in more than half of the texts say little about which group a text belongs to, unless
    # the texts are nearly all about the same thing (a wave of one complaint): then they are kept.
    for max_df in (0.5, 1.0):
        vectorizer = _sklearn("feature_extraction.text").TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, max_df=max_df, stop_words=STOP_WORDS, sublinear_tf=True
        )
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # every term was too rare or too common
            continue
        if matrix.shape[1] >= 3:
            break
    else:
        return []  # nothing to cluster on
    k = min(clusters or suggested_cluster_count(len(texts)), matrix.shape[0])
    # k-means on raw sparse TF-IDF makes one giant cluster of everything; on a normalised latent
    # semantic space (LSA) the clusters are balanced and about something.
    components = max(2, min(100, matrix.shape[1] - 1, matrix.shape[0] - 1))
    svd = _sklearn("decomposition").TruncatedSVD(n_components=components, random_state=seed)
    reduced = _sklearn("preprocessing").normalize(svd.fit_transform(matrix))
    model = _sklearn("cluster").MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=1024)
    labels = model.fit_predict(reduced)
    distances = model.transform(reduced)
    vocabulary = vectorizer.get_feature_names_out()
    found: list[Cluster] = []
    for index in range(k):
        members = [position for position, label in enumerate(labels) if label == index]
        if not members:
            continue
        # Name the cluster by the mean TF-IDF weight of its members' terms.
        centre = matrix[members].mean(axis=0).A1
        top = [str(vocabulary[i]) for i in centre.argsort()[::-1][:terms] if centre[i] > 0]
        nearest = sorted(members, key=lambda position: distances[position, index])[:examples]
        found.append(Cluster(top, len(members), [texts[p] for p in nearest], members))
    return sorted(found, key=lambda cluster: -cluster.size)
