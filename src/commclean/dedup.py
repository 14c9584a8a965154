"""Find exact, near, wrapped and truncated copies, verify every match, and cluster without chaining."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from functools import lru_cache
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz.distance import LCSseq

from commclean.config import DedupConfig
from commclean.records import Cluster, ContentEntry, Fingerprint, Membership, SourceDoc
from commclean.stats import Stats

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
# Code points for bigram characters: 0x100 up to the surrogate block, so that Python stores the
# sequence in two bytes a character (a chance collision of two bigrams costs an alignment nothing).
_SEQUENCE_ALPHABET = 0xD800 - 0x100


@dataclass(frozen=True)
class Edge:
    """A verified relation between two sources: `small` lies in (or nearly equals) `large`."""

    small: int
    large: int
    kind: str  # "near" | "contained"
    similarity: float
    cut_off: bool  # small stops where large goes on


def matching_tokens(text: str) -> list[str]:
    """Words folded for matching: case, accents, punctuation, US/UK spelling, OCR look-alikes."""
    return [_fold_token(token) for token in _raw_tokens(text)]


def _raw_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", errors="ignore").decode("ascii")
    # Full stops go before splitting, so "u.s." and "us" are one token (and "7.7" is "77" in both).
    return [token for token in _NON_WORD.split(text.replace(".", "")) if token]


@lru_cache(maxsize=1_000_000)
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
    tokens = _raw_tokens(text)
    ids = np.fromiter(map(_folded_hash, tokens), dtype=np.uint64, count=len(tokens))
    exact_key = hashlib.blake2b(ids.tobytes(), digest_size=16).hexdigest()
    shingles = _ngram_hashes(ids, config.shingle_words)
    samples = np.unique(shingles[shingles % np.uint64(config.sample_modulus) == 0])
    return Fingerprint(exact_key, samples, _as_sequence(_ngram_hashes(ids, 2)))


def _ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """Stable 64-bit hashes of word n-grams (the same across runs and machines)."""
    if len(ids) < n:
        return ids[:0] if not len(ids) else np.array([_combine(ids)], dtype=np.uint64)
    grams = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            grams = grams * _MULTIPLIER + ids[offset : len(ids) - n + 1 + offset]
    return grams


def _as_sequence(grams: np.ndarray) -> str:
    """One Unicode character per n-gram (its hash folded into the code space below the
    surrogates), so that rapidfuzz aligns documents as fast as it aligns strings."""
    points = (grams % np.uint64(_SEQUENCE_ALPHABET)).astype(np.uint16) + np.uint16(0x100)
    return points.astype("<u2").tobytes().decode("utf-16-le")


@lru_cache(maxsize=2_000_000)
def _folded_hash(token: str) -> int:
    """Stable 64-bit hash of a raw token's folded form, cached: a corpus repeats its words."""
    folded = _fold_token(token)
    return int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "little")


def _combine(hashes: np.ndarray) -> np.uint64:
    value = np.uint64(0)
    with np.errstate(over="ignore"):
        for h in hashes:
            value = value * _MULTIPLIER + h
    return value


@dataclass(frozen=True)
class DedupDoc:
    """One file as dedup sees it: its path and what its content gave (no text needed)."""

    path: str
    content: ContentEntry


@dataclass(frozen=True)
class Verdict:
    """The outcome of aligning two distinct texts (named by exact key): kept between runs, since
    it depends on nothing but the two texts."""

    small: str  # exact key of the text that lies in (or nearly equals) the other
    kind: str  # "near" | "contained"
    similarity: float
    cut_off: bool


# Verdicts by the sorted pair of exact keys; None is a candidate pair that did not verify.
Verdicts = dict[tuple[str, str], Verdict | None]
# Given exact keys, their alignment sequences (see Fingerprint.sequence).
SequenceSource = Callable[[Collection[str]], Mapping[str, str]]


def find_edges(keys: Sequence[str], samples: Sequence[np.ndarray], sequences: SequenceSource,
               verdicts: Verdicts, config: DedupConfig, stats: Stats) -> list[Edge]:
    """Candidate pairs from shared sampled shingles, each verified by aligning the two texts
    (or by the verdict kept from an earlier run: only pairs never seen are aligned)."""
    candidates = [(a, b, _pair_key(keys[a], keys[b])) for a, b in candidate_pairs(samples, config)]
    unseen = [(a, b, key) for a, b, key in candidates if key not in verdicts]
    texts = sequences({keys[i] for a, b, _ in unseen for i in (a, b)})
    for a, b, key in unseen:
        verdicts[key] = verify_pair(keys[a], texts[keys[a]], keys[b], texts[keys[b]], config)
    stats.update("dedup", "candidate pairs", len(candidates))
    stats.update("dedup", "pairs aligned", len(unseen))
    edges = [_edge(a, b, keys, verdict) for a, b, key in candidates if (verdict := verdicts[key])]
    stats.update("dedup", "rejected candidates", len(candidates) - len(edges))
    return edges


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _edge(a: int, b: int, keys: Sequence[str], verdict: Verdict) -> Edge:
    small, large = (a, b) if keys[a] == verdict.small else (b, a)
    return Edge(small, large, verdict.kind, verdict.similarity, verdict.cut_off)


def candidate_pairs(samples: Sequence[np.ndarray], config: DedupConfig) -> list[tuple[int, int]]:
    """Documents sharing enough sampled shingles, found by one sort of all (sample, document) pairs.

    `samples` come in canonical-preference order, and each document is paired with the first
    `anchors_per_sample` documents holding the same sample: so every copy meets the best copies
    it shares text with, in O(total samples) pairs rather than quadratically many."""
    counts = np.fromiter((len(s) for s in samples), dtype=np.int64, count=len(samples))
    if counts.sum() == 0:
        return []
    # int32 where it fits: at 100k documents these arrays hold some 20 million entries each.
    docs = np.repeat(np.arange(len(samples), dtype=np.int32), counts)
    values = np.concatenate(samples)
    # Stable, so each sample's documents stay in canonical-preference order.
    order = np.argsort(values, kind="stable")
    values, docs = values[order], docs[order]
    del order
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]).astype(np.int32)
    del values
    sizes = np.diff(np.r_[starts, len(docs)]).astype(np.int32)
    group = np.repeat(np.arange(len(starts), dtype=np.int32), sizes)
    position = np.arange(len(docs), dtype=np.int32) - starts[group]
    indexed = (sizes[group] >= 2) & (sizes[group] <= config.max_posting_list)
    keys = []
    for anchor in range(config.anchors_per_sample):
        later = indexed & (position > anchor)
        anchors = docs[starts[group[later]] + anchor].astype(np.int64)
        keys.append(anchors * len(samples) + docs[later])
    pairs, shared = np.unique(np.concatenate(keys), return_counts=True)
    first, second = pairs // len(samples), pairs % len(samples)
    smaller = np.minimum(counts[first], counts[second])
    # A copy shares a good part of its samples even when edited or cut; two statements that only
    # quote the same sentences share few, and are not worth aligning.
    needed = np.maximum(np.minimum(config.min_shared_samples, smaller), config.min_sample_share * smaller)
    chosen = shared >= needed
    return list(zip(first[chosen].tolist(), second[chosen].tolist()))


def verify_pair(key_a: str, a: str, key_b: str, b: str, config: DedupConfig) -> Verdict | None:
    """Align the pair: how much of the smaller text, in order, the larger one holds.

    Two texts of about the same size sharing most of it are near duplicates; a smaller text
    mostly held in a larger one is contained in it (a truncated, excerpted or wrapped copy)."""
    (small, short), (_, long_) = sorted(((key_a, a), (key_b, b)), key=lambda item: (len(item[1]), item[0]))
    if not short:
        return None
    cutoff = math.ceil(config.contained_threshold * len(short))
    common = LCSseq.similarity(short, long_, score_cutoff=cutoff)
    if common < cutoff:
        return None
    cut_off = _stops_where_other_goes_on(short, long_, config)
    if not cut_off and len(short) >= config.near_size_ratio * len(long_):
        return Verdict(small, "near", common / len(long_), False)
    return Verdict(small, "contained", common / len(short), cut_off)


def _stops_where_other_goes_on(short: str, long_: str, config: DedupConfig) -> bool:
    """The short text's last words lie in the long one, which goes on well beyond them."""
    width = 4
    for end in range(len(short), max(width, len(short) - 30) - 1, -1):
        found = long_.find(short[end - width : end])
        if found != -1:
            beyond = len(long_) - (found + width) - (len(short) - end)
            return beyond >= config.truncation_min_missing_shingles
    return False


def cluster(docs: Sequence[DedupDoc], edges: Sequence[Edge]) -> list[Cluster]:
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


def canonical_rank(doc: DedupDoc, cut_off: bool) -> tuple[bool, int, int, int, str]:
    """Complete before truncated, then the cleaner (fewer repairs, fewer unknown words), then
    the longer; the path breaks ties."""
    content = doc.content
    return (content.is_truncated or cut_off, content.repair_count, content.unknown_words,
            -content.text_length, doc.path)


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
    """Cluster analysed documents (Membership.index is their position in `docs`)."""
    prints = {}
    entries = []
    for doc in docs:
        print_ = doc.fingerprint or fingerprint(doc.text, config)
        prints[print_.exact_key] = print_.sequence
        entries.append(DedupDoc(doc.raw.path, ContentEntry.of(replace(doc, fingerprint=print_))))
    return deduplicate_entries(entries, config, stats, lambda keys: prints, {})


def deduplicate_entries(docs: Sequence[DedupDoc], config: DedupConfig, stats: Stats,
                        sequences: SequenceSource, verdicts: Verdicts) -> list[Cluster]:
    """Exact copies collapse onto their best copy first; the distinct texts are then matched,
    verified and clustered, and each exact copy follows its representative into its cluster.
    `verdicts` holds alignments from earlier runs and receives this run's new ones."""
    groups: dict[str, list[int]] = {}
    for index in sorted(range(len(docs)), key=lambda i: canonical_rank(docs[i], False)):
        groups.setdefault(docs[index].content.exact_key, []).append(index)
    representatives = [group[0] for group in groups.values()]
    keys = [docs[i].content.exact_key for i in representatives]
    edges = find_edges(keys, [docs[i].content.samples for i in representatives], sequences, verdicts, config, stats)
    clusters = cluster([docs[i] for i in representatives], edges)
    result = []
    for found in clusters:
        members: list[Membership] = []
        for member in found.members:
            index = representatives[member.index]
            members.append(replace(member, index=index))
            for copy in groups[docs[index].content.exact_key][1:]:
                reason = member.reason or "exact copy"
                members.append(Membership(copy, reason, member.similarity or 1.0, member.cut_off))
        result.append(Cluster(members[0].index, tuple(members)))
        for member in members[1:]:
            stats.update("dedup", (member.reason or "").split(" (")[0])
    stats.update("dedup", "documents", len(result))
    return sorted(result, key=lambda c: c.canonical)
