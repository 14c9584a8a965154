"""Find exact, near, wrapped and truncated copies, verify every match, and cluster without chaining."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel, LCSseq, Levenshtein

from commclean.config import DedupConfig
from commclean.dedup.candidates import Pair, SampleIndex
from commclean.records import (
    Alignable,
    Cluster,
    ContentEntry,
    Fingerprint,
    Membership,
    SeenFile,
    SourceDoc,
)
from commclean.runtime.stats import Stats

# Every byte but a digit or a lower-case letter becomes a space.
_WORD_BYTES = bytes(byte if 48 <= byte <= 57 or 97 <= byte <= 122 else 32 for byte in range(256))
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
# A capitalised word after a lower-case word or a comma (not a sentence's first), or a number,
# but not a time of day's ("10:30"): a release revised to another time is the same statement.
# (The pattern opens on one class, a capital or a digit, that the engine scans for: 51 us a 4 KB
# text, against 89 for the alternatives each opening on their own.)
_NAME_OR_NUMBER = re.compile(
    r"[A-Z\d](?:(?<=[a-z,;] [A-Z])[a-z]{2,}(?![a-z])|(?<=\d)(?<![^\W\d_]\d)(?<!\d\d)(?<!\d:\d)\d++(?!:\d))")
# In Fingerprint.names, a name's character lies below U+8000, a number's from it to the surrogates;
# a year's (1900-2099) is the year itself, in the last 256 points, so that years can be told apart.
_NUMBERS_FROM, _YEARS_FROM, _FIRST_YEAR = 0x8000, 0xD700, 1900
_NAME_POINTS, _NUMBER_POINTS = _NUMBERS_FROM - 0x100, _YEARS_FROM - _NUMBERS_FROM
_MONTH_POINT = {month: chr(0x100 + i) for i, month in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH_POINTS = frozenset(_MONTH_POINT.values())
# A month in a date ("March 13th", "September 2023"): a month named otherwise is a name like any other.
# One pattern a month, looked for only where the text names that month: a pattern that opens on
# a word is searched for as a string. Its word boundary is checked apart (_dated_months): a
# leading \b costs the engine that skip.
_MONTH_IN_DATE = {month: re.compile(rf"{month.title()}\s+\d") for month in _MONTH_POINT}
_FIRST_NAME_POINT, _HASHED_NAME_POINTS = 0x100 + len(_MONTH_POINT), _NAME_POINTS - len(_MONTH_POINT)
_YEAR = re.compile(r"(?:19|20)\d\d")
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_NOT_LOADED = np.empty(0, dtype=np.uint64)
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
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", errors="ignore")
    # Full stops go before splitting, so "u.s." and "us" are one token (and "7.7" is "77" in both).
    # A byte table does what splitting on [^0-9a-z]+ does, ten times faster.
    return folded.translate(_WORD_BYTES, b".").decode("ascii").split()


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
    ids = _token_ids(_raw_tokens(text))
    exact_key = hashlib.blake2b(ids.tobytes(), digest_size=16).hexdigest()
    shingles = _ngram_hashes(ids, config.shingle_words)
    sampled = shingles % np.uint64(config.sample_modulus) == 0
    opening = shingles[: config.opening_words]
    sampled[: len(opening)] |= opening % np.uint64(config.opening_sample_modulus) == 0
    samples = np.unique(shingles[sampled])
    return Fingerprint(exact_key, samples, _as_sequence(_ngram_hashes(ids, 2)), *_names_of(text))


def _names_of(text: str) -> tuple[str, str]:
    """The distinct names and numbers of a text (capitalised words inside sentences, numbers of two
    digits or more), folded as matching folds words, one character each: a name's below U+8000, a
    number's above; and the same names in the text's order, folded, space-separated. The text's
    tokens were hashed a moment ago (_token_ids): most are looked up."""
    found = [name.lower() for name in _NAME_OR_NUMBER.findall(text)]
    names = set(found)
    # A month in a date has a point of its own, which no other name shares (see names_months_it_lacks).
    dated = _dated_months(text, names.intersection(_MONTH_POINT))
    points = set()
    for name in names:
        hashed = _TOKEN_HASHES.get(name) or _folded_hash(name)
        if name[0].isdigit():
            points.add(_number_point(name, hashed))
        else:
            points.add(_MONTH_POINT[name] if name in dated else chr(_FIRST_NAME_POINT + hashed % _HASHED_NAME_POINTS))
    return "".join(sorted(points)), " ".join(map(_fold_token, found))


def _dated_months(text: str, months: set[str]) -> set[str]:
    """Those of the months that the text names in a date."""
    return {month for month in months if any(not match.start() or not _is_word_character(text[match.start() - 1])
                                              for match in _MONTH_IN_DATE[month].finditer(text))}


def _is_word_character(character: str) -> bool:
    """What a regular expression's \\w matches."""
    return character.isalnum() or character == "_"


def _number_point(number: str, hashed: int) -> str:
    if _YEAR.fullmatch(number):
        return chr(_YEARS_FROM + int(number) - _FIRST_YEAR)
    return chr(_NUMBERS_FROM + hashed % _NUMBER_POINTS)


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


# Raw token -> its folded form's hash: a corpus repeats its words. A plain dictionary, looked up
# from C, costs half what an lru_cache does per token (0.05 ms of a file's 2 ms); it starts over
# when full instead of dropping the least recent.
_TOKEN_HASHES: dict[str, int] = {}
_TOKEN_HASHES_HELD = 2_000_000


def _token_ids(tokens: list[str]) -> np.ndarray:
    try:
        return np.fromiter(map(_TOKEN_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    except KeyError:
        new = set(tokens).difference(_TOKEN_HASHES)
        if len(_TOKEN_HASHES) + len(new) > _TOKEN_HASHES_HELD:
            _TOKEN_HASHES.clear()
            new = set(tokens)
        _TOKEN_HASHES.update((token, _folded_hash(token)) for token in new)
        return np.fromiter(map(_TOKEN_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _folded_hash(token: str) -> int:
    """Stable 64-bit hash of a raw token's folded form."""
    folded = _fold_token(token)
    return int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "little")


def _combine(hashes: np.ndarray) -> np.uint64:
    value = np.uint64(0)
    with np.errstate(over="ignore"):
        for h in hashes:
            value = value * _MULTIPLIER + h
    return value


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
# Given exact keys, their alignment sequences and names (see Fingerprint).
SequenceSource = Callable[[Collection[str]], Mapping[str, Alignable]]
# Candidate pairs whose sequences are loaded together: read back from the result cache, the
# sequences of a million documents' pairs would not fit in memory at once.
PAIRS_PER_LOAD = 20_000


def find_edges(keys: Sequence[str], pairs: Sequence[Pair], sequences: SequenceSource, verdicts: Verdicts,
               config: DedupConfig, stats: Stats) -> list[Edge]:
    """Each candidate pair verified by aligning the two texts, or by the verdict kept from an
    earlier run: only pairs never seen are aligned. Edges join positions in `keys`."""
    unseen = [pair for pair in pairs if pair not in verdicts]
    siblings = 0
    for start in range(0, len(unseen), PAIRS_PER_LOAD):
        chunk = unseen[start : start + PAIRS_PER_LOAD]
        texts = sequences({key for pair in chunk for key in pair})
        for a, b in chunk:
            outcome = verify_pair(a, texts[a], b, texts[b], config)
            siblings += outcome == ONE_TEMPLATE
            verdicts[(a, b)] = outcome if isinstance(outcome, Verdict) else None
    position = {key: i for i, key in enumerate(keys)}
    edges = [_edge(position[a], position[b], verdict, keys) for a, b in pairs if (verdict := verdicts[(a, b)])]
    stats.update("dedup", "candidate pairs", len(pairs))
    stats.update("dedup", "pairs aligned", len(unseen))
    stats.update("dedup", "rejected candidates", len(pairs) - len(edges))
    stats.update("dedup", "aligned pairs rejected as one template's statements", siblings)
    return edges


def _edge(a: int, b: int, verdict: Verdict, keys: Sequence[str]) -> Edge:
    small, large = (a, b) if keys[a] == verdict.small else (b, a)
    return Edge(small, large, verdict.kind, verdict.similarity, verdict.cut_off)


# Why verify_pair rejected an aligned pair (a pair too little of which aligns is None).
ONE_TEMPLATE = "aligned, but one template's statements"


def verify_pair(key_a: str, a: Alignable, key_b: str, b: Alignable, config: DedupConfig) -> Verdict | str | None:
    """Align the pair: how much of the smaller text, in order, the larger one holds.

    Two texts of about the same size sharing most of it are near duplicates; a smaller text
    mostly held in a larger one is contained in it (a truncated, excerpted or wrapped copy).
    Two statements made from one template are neither (see `names_differ`): ONE_TEMPLATE."""
    (small, (short, short_names, short_named)), (_, (long_, long_names, long_named)) = sorted(
        ((key_a, a), (key_b, b)), key=lambda item: (len(item[1].sequence), item[0]))
    if not short:
        return None
    short_text = len(short) < config.short_text_bigrams
    aligned_short, aligned_long = short[: config.max_aligned_bigrams], long_[: config.max_aligned_bigrams]
    cutoff = math.ceil((config.short_contained_threshold if short_text else config.contained_threshold)
                       * len(aligned_short))
    common = LCSseq.similarity(aligned_short, aligned_long, score_cutoff=cutoff)
    if common < cutoff:
        return None
    if (names_differ(short_names, long_names, config) or names_months_it_lacks(short_names, long_names, config)
            or years_differ(short_names, long_names)
            or names_substituted(short_names, short_named, long_names, long_named, config)):
        return ONE_TEMPLATE
    cut_off = _stops_where_other_goes_on(short, long_, config) or len(long_) >= config.excerpt_size_ratio * len(short)
    if not cut_off and len(short) >= config.near_size_ratio * len(long_):
        if numbers_differ(short_names, long_names, config):
            return ONE_TEMPLATE
        return Verdict(small, "near", common / len(aligned_long), False)
    return Verdict(small, "contained", common / len(aligned_short), cut_off)


def names_differ(small: str, large: str, config: DedupConfig) -> bool:
    """Whether the smaller text names what the larger does not: two notices of one template (the
    national emergency "with Respect to Belarus" and "to Nicaragua", a disaster declaration for
    two states) share most of their words but few of their names, dates and numbers, which a copy
    keeps (cut short: some of them; OCR'd or re-spelled: nearly all, folded as matching folds)."""
    own = set(small).difference(large)
    return len(own) >= config.template_min_names and len(own) >= config.template_names_share * len(set(small))


def names_substituted(short_names: str, short_named: str, long_names: str, long_named: str,
                      config: DedupConfig) -> bool:
    """Whether, where the two texts' names line up, one names one thing and the other another, the
    same way at several places: the disaster declaration for Minnesota and the one for Montana,
    the permit for one company's pipeline at Pembina and another's near Portal, alike word for word
    elsewhere. A copy's name at a place is its statement's, or a garbled form of it (OCR, a word
    split at a line's end: "Bahrairi", "Bah rain"), or gone, or (edited) another name once."""
    if set(short_names).issubset(long_names) or set(long_names).issubset(short_names):
        return False  # one names nothing the other lacks: no place can differ
    a, b = short_named.split()[: config.max_aligned_names], long_named.split()[: config.max_aligned_names]
    in_a, in_b = set(a), set(b)
    substitutions: Counter[tuple[str, str]] = Counter()
    for start_a, end_a, start_b, end_b in _differing_stretches(a, b):
        own = {name for name in a[start_a:end_a] if name not in in_b}
        other = {name for name in b[start_b:end_b] if name not in in_a}
        # A name garbled into one of the other's names there is explained, with its garbled form.
        unexplained_own = {x for x in own if not any(_garbled(x, y, config) for y in other)}
        unexplained_other = {y for y in other if not any(_garbled(x, y, config) for x in own)}
        # Inside the text (not where a wrapper's header or a site's footer differs), one figure in
        # place of another, at one place, is the next memorandum of a template ("up to $200
        # million" / "$76 million"): a copy's figures are its statement's, OCR's garbled ones hold
        # letters or lose a digit.
        inside = 0 < start_a and 0 < start_b and end_a < len(a) and end_b < len(b)
        if inside and any(_figures_differ(x, y) for x in own for y in other):
            return True
        substitutions.update((x, y) for x in unexplained_own for y in unexplained_other)
    return bool(substitutions) and max(substitutions.values()) >= config.template_min_substitutions


def _differing_stretches(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]]:
    """Where the two sequences differ on both sides between stretches they share (a replacement
    next to an insertion is one stretch): (start, end) in a, then in b."""
    stretches, a_from, b_from = [], 0, 0
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            stretches.append((a_from, op.src_start, b_from, op.dest_start))
            a_from, b_from = op.src_end, op.dest_end
    stretches.append((a_from, len(a), b_from, len(b)))
    return [(s_a, e_a, s_b, e_b) for s_a, e_a, s_b, e_b in stretches if e_a > s_a and e_b > s_b]


def _garbled(x: str, y: str, config: DedupConfig) -> bool:
    """Whether one name may be the other misread ("Bahrairi") or split at a letter OCR lost
    ("Gon alves"): they share most of their letters, or one begins or ends the other."""
    return (Indel.normalized_similarity(x, y) >= config.template_garble_similarity
            or x.startswith(y) or y.startswith(x) or x.endswith(y) or y.endswith(x))


def _figures_differ(x: str, y: str) -> bool:
    """Two amounts, neither the other with digits lost ("200" / "20"); nor two days of a month a
    digit apart ("May 12" / "May 17"), which OCR's misread digit or a re-dated release makes."""
    if not (x.isdigit() and y.isdigit()) or x.startswith(y) or y.startswith(x) or x.endswith(y) or y.endswith(x):
        return False
    return not (len(x) == len(y) == 2 and sum(c != d for c, d in zip(x, y)) == 1)


def numbers_differ(a: str, b: str, config: DedupConfig) -> bool:
    """Whether two texts of about one size each hold numbers the other lacks: one year's notice and
    the next ("November 16, 2021" and "Executive Order 14088 of October 24, 2022"). A copy keeps
    its numbers; OCR turns a digit into a letter far more often than into another digit."""
    numbers_a, numbers_b = ({c for c in names if c >= chr(_NUMBERS_FROM)} for names in (a, b))
    return min(len(numbers_a - numbers_b), len(numbers_b - numbers_a)) >= config.template_min_numbers


def years_differ(a: str, b: str) -> bool:
    """Whether each text names a year the other does not: one year's letter to the Congress and the
    next year's, which may differ in nothing else; the call for one autumn's interns and the next
    autumn's, one of them longer. A copy keeps its years, whole or cut (a cut copy's years are some
    of its statement's), and a release revised the same year (a time moved from 3:15 to 4:00) names
    no other year."""
    years_a, years_b = ({c for c in names if c >= chr(_YEARS_FROM)} for names in (a, b))
    return bool(years_a - years_b) and bool(years_b - years_a)


def names_months_it_lacks(small: str, large: str, config: DedupConfig) -> bool:
    """Whether the smaller text dates things in months the larger never does, and the larger in one
    the smaller never does: one season's call for applications and the next's ("opens on March
    13th … begins in September", "August 29th … January"), alike in all but their dates. A copy,
    whole or cut, keeps its months (OCR garbles a month's name into no other month's), but may add
    one, a release date in its own header, or lose some to OCR: the other text then has none of its own."""
    small_months, large_months = _MONTH_POINTS.intersection(small), _MONTH_POINTS.intersection(large)
    return len(small_months - large_months) >= config.template_min_months and bool(large_months - small_months)


def _stops_where_other_goes_on(short: str, long_: str, config: DedupConfig) -> bool:
    """The short text's last words lie in the long one, which goes on well beyond them. The last
    place they occur is taken: a closing phrase said earlier too ("the United States and the
    Kingdom of Bahrain") must not make a complete copy look cut off."""
    width = 4
    for end in range(len(short), max(width, len(short) - 30) - 1, -1):
        found = long_.rfind(short[end - width : end])
        if found != -1:
            beyond = len(long_) - (found + width) - (len(short) - end)
            return beyond >= max(config.truncation_min_missing_shingles,
                                 config.truncation_min_missing_share * len(long_))
    return False


def cluster(docs: Sequence[SeenFile], edges: Sequence[Edge]) -> list[Cluster]:
    """Greedy in canonical-preference order: a text that no better-ranked head matches leads a
    cluster of its own; every other text joins, of the heads it was verified against, the one it
    matches best (a copy cut short of one year's notice is contained in the next year's too, less well).
    So an unverified chain (A~B, B~C, A≁C) never joins A and C. Texts without edges are left out:
    each is a cluster of its own, which the caller makes."""
    cut_off = {e.small for e in edges if e.cut_off}
    neighbours: dict[int, dict[int, Edge]] = {}
    for edge in edges:
        neighbours.setdefault(edge.small, {})[edge.large] = edge
        neighbours.setdefault(edge.large, {})[edge.small] = edge
    order = sorted(neighbours, key=lambda i: canonical_rank(docs[i], i in cut_off))
    rank = {doc: position for position, doc in enumerate(order)}
    members: dict[int, list[int]] = {}  # head -> the texts that join it
    for text in order:
        heads = [other for other in neighbours[text] if other in members and rank[other] < rank[text]]
        if not heads:
            members[text] = []
            continue
        best = max(heads, key=lambda head: (neighbours[text][head].similarity, -rank[head]))
        members[best].append(text)
    return [Cluster(head, (Membership(head, None, cut_off=head in cut_off),
                           *(_membership(other, neighbours[head][other], other in cut_off) for other in joined)))
            for head, joined in members.items()]


def canonical_rank(doc: SeenFile, cut_off: bool) -> tuple[bool, bool, int, int, int, int, int, str]:
    """The copy holding the most of the document first: one that stops where a verified copy
    goes on comes last, and among copies that all stop early, the longest leads (a 20% stub is
    never kept over a 70% copy, however clean). Only among copies holding the whole text does
    cleanliness decide (fewer repairs, fewer unknown words). Among equally good copies the oldest
    file leads, so a copy arriving later (whatever its name) leaves the canonical one in place;
    the path breaks what is left of ties."""
    content = doc.content
    truncated = content.is_truncated or cut_off
    return (cut_off, truncated, -content.text_length if truncated else 0, content.repair_count,
            content.unknown_words, -content.text_length, doc.raw.mtime_ns, doc.raw.path)


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
        prints[print_.exact_key] = print_.alignable
        entries.append(SeenFile(doc.raw, ContentEntry.of(replace(doc, fingerprint=print_))))
    return deduplicate_entries(entries, config, stats, lambda keys: prints, {})[0]


def _with_exact_copies(found: Cluster, representatives: list[int], groups: dict[str, list[int]],
                       keys: list[str]) -> Cluster:
    """A cluster of representatives as a cluster of documents: each exact copy right after its
    representative, belonging the way it does."""
    members: list[Membership] = []
    for member in found.members:
        doc = representatives[member.index]
        members.append(Membership(doc, member.reason, member.similarity, member.cut_off))
        for copy in groups[keys[member.index]][1:]:
            members.append(Membership(copy, member.reason or "exact copy", member.similarity or 1.0, member.cut_off))
    return Cluster(members[0].index, tuple(members))


def _samples(content: ContentEntry) -> np.ndarray:
    return content.samples if content.samples is not None else _NOT_LOADED


def deduplicate_entries(docs: Sequence[SeenFile], config: DedupConfig, stats: Stats, sequences: SequenceSource,
                        verdicts: Verdicts, index: SampleIndex | None = None) -> tuple[list[Cluster], SampleIndex]:
    """Exact copies collapse onto their best copy first; the distinct texts are then matched,
    verified and clustered, and each exact copy follows its representative into its cluster.
    `verdicts` and `index` come from earlier runs (when there were any) and are brought up to
    date: only new texts are indexed and only new pairs aligned."""
    groups: dict[str, list[int]] = {}
    for position, doc in enumerate(docs):
        groups.setdefault(doc.content.exact_key, []).append(position)
    for group in groups.values():
        if len(group) > 1:
            group.sort(key=lambda i: canonical_rank(docs[i], False))
    representatives = [group[0] for group in groups.values()]
    keys = [docs[i].content.exact_key for i in representatives]
    # Samples not loaded are those of texts the index holds (see SampleIndex.update).
    texts = {docs[i].content.exact_key: _samples(docs[i].content) for i in representatives}
    if index is None:
        index = SampleIndex.build(texts, config)
    else:
        index.update(texts, config)
    edges = find_edges(keys, index.pairs(), sequences, verdicts, config, stats)
    linked = cluster([docs[i] for i in representatives], edges)
    result = [_with_exact_copies(found, representatives, groups, keys) for found in linked]
    clustered = {member.index for found in linked for member in found.members}
    for position, doc in enumerate(representatives):  # most texts: no edge, often no copy
        if position not in clustered:
            copies = groups[keys[position]][1:]
            result.append(Cluster(doc, (Membership(doc, None), *(Membership(c, "exact copy", 1.0) for c in copies))))
    kinds = Counter((m.reason or "").split(" (")[0] for c in result for m in c.members[1:])
    for kind, count in sorted(kinds.items()):
        stats.update("dedup", kind, count)
    stats.update("dedup", "documents", len(result))
    return sorted(result, key=lambda c: c.canonical), index


def set_aside_short(clusters: Sequence[Cluster], docs: Sequence[SeenFile], min_chars: int,
                    stats: Stats) -> tuple[list[Cluster], tuple[SeenFile, ...]]:
    """A document whose best copy is too short to stand alone is no document: its copies are set
    aside as quarantined, with the reason. A short copy of a longer document never gets here, as
    the longer one is its canonical."""
    kept: list[Cluster] = []
    aside: list[SeenFile] = []
    reason = f"too short to be a document (under {min_chars} characters, and no longer copy matches it)"
    for found in clusters:
        if docs[found.canonical].content.text_length >= min_chars:
            kept.append(found)
            continue
        for member in found.members:
            doc = docs[member.index]
            aside.append(replace(doc, content=replace(doc.content, quarantine_reason=reason)))
            stats.update("quarantine", "too short to be a document")
    return kept, tuple(aside)
