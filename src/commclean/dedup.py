"""Find exact, near, wrapped and truncated copies, verify every match, and cluster without chaining."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from commclean.config import DedupConfig
from commclean.records import Cluster, Membership, SourceDoc
from commclean.stats import Stats

_ABBREVIATION_DOTS = re.compile(r"(?<=\b\w)\.(?=\w\.)|(?<=\b\w\.\w)\.")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Matching keys only, never output: folding both sides the same way makes "stabilisation" meet
# "stabilization"; that "four" also meets "for" costs nothing measurable.
_SPELLING_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ence$"), "ense"),
)
# OCR confuses these inside words; folded only in tokens that also hold letters.
_OCR_FOLDS = str.maketrans({"0": "o", "1": "l", "5": "s", "|": "l"})
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Fingerprint:
    """What dedup needs of one source: its matching key and its shingles, in text order."""

    exact_key: str
    shingles: np.ndarray  # uint64 hashes of word n-grams, in order of appearance
    shingle_set: np.ndarray  # sorted unique of shingles


@dataclass(frozen=True)
class Edge:
    """A verified relation between two sources: `small` lies in (or nearly equals) `large`."""

    small: int
    large: int
    kind: str  # "exact" | "near" | "contained"
    similarity: float
    cut_off: bool  # small stops where large goes on


def matching_tokens(text: str) -> list[str]:
    """Words folded for matching: case, accents, punctuation, US/UK spelling, OCR look-alikes."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ABBREVIATION_DOTS.sub("", text)  # "u.s." and "us" are one token
    return [_fold_token(token) for token in _NON_WORD.split(text) if token]


def _fold_token(token: str) -> str:
    if not token.isdigit() and not token.isalpha():
        token = token.translate(_OCR_FOLDS)
    token = token.replace("rn", "m")
    for pattern, replacement in _SPELLING_FOLDS:
        token, count = pattern.subn(replacement, token)
        if count:
            break
    return token


def fingerprint(text: str, config: DedupConfig) -> Fingerprint:
    tokens = matching_tokens(text)
    exact_key = hashlib.sha256(" ".join(tokens).encode()).hexdigest()
    shingles = shingle_hashes(tokens, config.shingle_words)
    return Fingerprint(exact_key, shingles, np.unique(shingles))


def shingle_hashes(tokens: Sequence[str], n: int) -> np.ndarray:
    """Stable 64-bit hashes of word n-grams (the same across runs and machines)."""
    vocabulary: dict[str, int] = {}
    word_hashes = np.fromiter(
        (vocabulary.get(t) or vocabulary.setdefault(t, _word_hash(t)) for t in tokens),
        dtype=np.uint64,
        count=len(tokens),
    )
    if len(word_hashes) < n:
        return word_hashes[:0] if not len(word_hashes) else np.array([_combine(word_hashes)])
    shingles = np.zeros(len(word_hashes) - n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            shingles = shingles * _MULTIPLIER + word_hashes[offset : len(word_hashes) - n + 1 + offset]
    return shingles


def _word_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")


def _combine(hashes: np.ndarray) -> np.uint64:
    value = np.uint64(0)
    with np.errstate(over="ignore"):
        for h in hashes:
            value = value * _MULTIPLIER + h
    return value


def find_edges(prints: Sequence[Fingerprint], config: DedupConfig, stats: Stats) -> list[Edge]:
    """Candidate pairs from shared sampled shingles, each verified by exact measurement."""
    candidates = _candidate_pairs(prints, config)
    stats.update("dedup", "candidate pairs", len(candidates))
    edges = [edge for a, b in candidates if (edge := verify_pair(a, b, prints, config))]
    stats.update("dedup", "rejected candidates", len(candidates) - len(edges))
    return edges


def _candidate_pairs(prints: Sequence[Fingerprint], config: DedupConfig) -> list[tuple[int, int]]:
    """Pairs of documents sharing enough sampled shingles, found by sorting (sample, doc) pairs."""
    sampled = [fp.shingle_set[fp.shingle_set % np.uint64(config.sample_modulus) == 0] for fp in prints]
    if not sampled:
        return []
    docs = np.repeat(np.arange(len(sampled)), [len(s) for s in sampled])
    values = np.concatenate(sampled) if docs.size else np.array([], dtype=np.uint64)
    order = np.lexsort((docs, values))
    values, docs = values[order], docs[order]
    boundaries = np.flatnonzero(np.diff(values)) + 1
    shared: Counter[tuple[int, int]] = Counter()
    for group in np.split(docs, boundaries):
        if 1 < len(group) <= config.max_posting_list:
            members = group.tolist()
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    shared[(a, b)] += 1
    sample_counts = [len(s) for s in sampled]
    return sorted(
        pair
        for pair, count in shared.items()
        if count >= min(config.min_shared_samples, sample_counts[pair[0]], sample_counts[pair[1]])
    )


def verify_pair(i: int, j: int, prints: Sequence[Fingerprint], config: DedupConfig) -> Edge | None:
    """Measure the pair exactly: how much of the smaller text's shingles the larger one holds.

    Two texts of about the same size sharing most shingles are near duplicates; a smaller text
    mostly held in a larger one is contained in it (a truncated, excerpted or wrapped copy)."""
    small, large = (i, j) if len(prints[i].shingle_set) <= len(prints[j].shingle_set) else (j, i)
    a, b = prints[small].shingle_set, prints[large].shingle_set
    if not len(a):
        return None
    common = len(np.intersect1d(a, b, assume_unique=True))
    jaccard = common / (len(a) + len(b) - common)
    containment = common / len(a)
    if containment < config.contained_threshold and jaccard < config.near_jaccard:
        return None
    cut_off = _stops_where_other_goes_on(prints[small], prints[large], config)
    if not cut_off and (jaccard >= config.near_jaccard or len(a) >= config.near_size_ratio * len(b)):
        return Edge(small, large, "near", max(jaccard, containment), False)
    return Edge(small, large, "contained", containment, cut_off)


def _stops_where_other_goes_on(small: Fingerprint, large: Fingerprint, config: DedupConfig) -> bool:
    """The small text's ending lies in the large one, which then continues for a good while."""
    tail = small.shingles[-3:]
    positions = np.flatnonzero(np.isin(large.shingles, tail))
    if not len(positions):
        return False
    return len(large.shingles) - 1 - int(positions.max()) >= config.truncation_min_missing_shingles


def cluster(docs: Sequence[SourceDoc], edges: Sequence[Edge]) -> list[Cluster]:
    """Greedy in canonical-preference order: each cluster is its best copy plus the copies verified
    directly against it, so an unverified chain (A~B, B~C, A≁C) never joins A and C."""
    cut_off = {e.small for e in edges if e.cut_off}
    neighbours: dict[int, dict[int, Edge]] = {}
    for edge in edges:
        neighbours.setdefault(edge.small, {})[edge.large] = edge
        neighbours.setdefault(edge.large, {})[edge.small] = edge
    order = sorted(range(len(docs)), key=lambda i: canonical_rank(docs[i], i in cut_off))
    rank = {doc: position for position, doc in enumerate(order)}
    assigned: set[int] = set()
    clusters: list[Cluster] = []
    for head in order:
        if head in assigned:
            continue
        assigned.add(head)
        members = [Membership(head, None, cut_off=head in cut_off)]
        for other in sorted(neighbours.get(head, {}), key=rank.__getitem__):
            if other not in assigned:
                assigned.add(other)
                members.append(_membership(other, neighbours[head][other], other in cut_off))
        clusters.append(Cluster(head, tuple(members)))
    return clusters


def canonical_rank(doc: SourceDoc, cut_off: bool) -> tuple[bool, int, int, str]:
    """Complete before truncated, then fewer repairs, then longer; the path breaks ties."""
    return (doc.is_truncated or cut_off, len(doc.repairs), -len(doc.text), doc.raw.path)


def _membership(member: int, edge: Edge, cut_off: bool) -> Membership:
    if edge.kind == "exact":
        return Membership(member, "exact copy", 1.0)
    if edge.kind == "near":
        return Membership(member, f"near duplicate ({edge.similarity:.2f})", edge.similarity)
    if edge.small == member:
        kind = "truncated copy" if cut_off else "contained copy"
        return Membership(member, f"{kind} (contained {edge.similarity:.2f})", edge.similarity, cut_off)
    return Membership(member, f"wrapped copy (contains canonical {edge.similarity:.2f})", edge.similarity)


def deduplicate(docs: Sequence[SourceDoc], config: DedupConfig, stats: Stats) -> list[Cluster]:
    """Exact copies collapse onto their best copy first; the distinct texts are then matched,
    verified and clustered, and each exact copy follows its representative into its cluster."""
    prints = [fingerprint(doc.text, config) for doc in docs]
    groups: dict[str, list[int]] = {}
    for index in sorted(range(len(docs)), key=lambda i: canonical_rank(docs[i], False)):
        groups.setdefault(prints[index].exact_key, []).append(index)
    representatives = [group[0] for group in groups.values()]
    edges = find_edges([prints[i] for i in representatives], config, stats)
    clusters = cluster([docs[i] for i in representatives], edges)
    result = []
    for found in clusters:
        members: list[Membership] = []
        for member in found.members:
            index = representatives[member.index]
            members.append(replace(member, index=index))
            for copy in groups[prints[index].exact_key][1:]:
                reason = member.reason or "exact copy"
                members.append(Membership(copy, reason, member.similarity or 1.0, member.cut_off))
        result.append(Cluster(members[0].index, tuple(members)))
        for member in members[1:]:
            stats.update("dedup", (member.reason or "").split(" (")[0])
    stats.update("dedup", "documents", len(result))
    return sorted(result, key=lambda c: c.canonical)
