"""The records that pass between stages: one dataclass per stage output, no loose dicts."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

import numpy as np
import pyarrow as pa

T = TypeVar("T")


class Status(StrEnum):
    CANONICAL = "canonical"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


def reason_kind(reason: str | None) -> str:
    """A ledger reason is a kind, then particulars: "truncated copy (contained 0.97)"."""
    return (reason or "?").split(" (")[0]


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A regular file discovery found under raw/, not yet read."""

    path: str  # POSIX path relative to the raw folder
    abs_path: str
    size_bytes: int
    # What stat said (of the link's target, for a link): unchanged, the bytes need not be read again.
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    root: str = ""  # the raw folder, resolved: nothing outside it is read (its folder if empty)

    @property
    def stamp(self) -> tuple[int, int, int, int]:
        return (self.size_bytes, self.mtime_ns, self.ctime_ns, self.inode)


@dataclass(frozen=True, slots=True)
class RawFile:
    """A regular file found under raw/, identified by its content hash."""

    path: str  # POSIX path relative to the raw folder
    abs_path: str
    size_bytes: int
    sha256: str
    mtime_ns: int = 0  # the oldest of equally good copies stays canonical (dedup.clusters.canonical_rank)

    @classmethod
    def of(cls, found: FoundFile, sha256: str = "", size_bytes: int | None = None) -> RawFile:
        size = found.size_bytes if size_bytes is None else size_bytes
        return cls(found.path, found.abs_path, size, sha256, found.mtime_ns)


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file discovery saw and deliberately left out (hidden, partial download, outside link)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decoded:
    """A raw file's text, or the reason it is quarantined (exactly one of the two is set)."""

    raw: RawFile
    text: str | None
    encoding: str | None
    quarantine_reason: str | None = None
    decode_repairs: tuple[str, ...] = ()
    # A date the file states of itself outside its text: a saved web page's markup (ingest.page),
    # a markdown export's front matter (ingest.frontmatter); and which of them.
    stated_date: dt.date | None = None
    stated_date_source: str = ""


@dataclass(frozen=True, slots=True)
class Repaired:
    """A decoded file's text after every repair, with the names of the repairs that changed it."""

    decoded: Decoded
    text: str
    repairs: tuple[str, ...]
    metadata_text: str  # what metadata is read from: the text with any release wrapper still on


@dataclass(frozen=True)
class PartialDate:
    """A date as a copy states it: a month and day, with the year only where the text gives one."""

    month: int
    day: int
    year: int | None = None

    def complete(self) -> dt.date | None:
        return dt.date(self.year, self.month, self.day) if self.year else None


@dataclass(frozen=True)
class Field(Generic[T]):
    """One extracted metadata value and where in the text it came from."""

    value: T
    source: str
    rank: int  # lower is more reliable; fusion keeps the most reliable copy's value


@dataclass(frozen=True)
class Metadata:
    title: Field[str] | None = None
    date: Field[PartialDate] | None = None
    location: Field[str] | None = None
    doc_type: Field[str] | None = None
    issuer: Field[str] | None = None
    event_date: Field[PartialDate] | None = None  # the meeting's, where the opening reports one


@dataclass(frozen=True)
class Fingerprint:
    """What dedup needs of one text: a key for exact copies, sampled shingles to find candidate
    pairs, and the text as a sequence to align candidates by."""

    exact_key: str
    samples: np.ndarray  # sorted unique hashes of the word 5-grams that fall in the sample
    sequence: str  # one character per word bigram of the folded text, in order
    names: str = ""  # one character per distinct name or number the text holds (see dedup.clusters)
    named: str = ""  # the text's names and numbers in order, folded, space-separated

    @property
    def alignable(self) -> Alignable:
        return Alignable(self.sequence, self.names, self.named)


class Alignable(NamedTuple):
    """What verifying a candidate pair reads of a text: its bigram sequence and its names, as a
    set and in order."""

    sequence: str
    names: str
    named: str = ""


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """One decodable raw file, repaired and analysed, ready for deduplication."""

    raw: RawFile
    encoding: str
    text: str
    repairs: tuple[str, ...]
    is_truncated: bool
    metadata: Metadata
    unknown_words: int = 0  # words neither wordfreq nor the document itself knows: noise left over
    fingerprint: Fingerprint | None = None  # dedup's view of the text, computed with the rest
    # What metadata was read from (the text with its release wrapper on), where it is not the
    # text itself: kept so that a change of metadata code can read it again without repairing.
    metadata_text: str | None = None


@dataclass(frozen=True, slots=True)
class ContentEntry:
    """What one file content (by sha256) gave, without its text: all that dedup and the ledger
    need of a file seen before, so an incremental run never loads the texts it leaves alone."""

    sha256: str
    encoding: str | None
    quarantine_reason: str | None = None
    doc_id: str = ""  # the id this text gets when it is a document's canonical copy
    exact_key: str = ""
    is_truncated: bool = False
    repair_count: int = 0
    unknown_words: int = 0
    text_length: int = 0
    ending: int = 0  # text_ending of the text
    # None when loaded from the run state, which keeps samples only in its index.
    samples: np.ndarray | None = field(default=None, compare=False)

    def without_samples(self) -> ContentEntry:
        """The entry once the sample index holds its samples. Made directly: dataclasses.replace
        costs several times more, and a run does this for every file (20 s at a million files)."""
        return ContentEntry(self.sha256, self.encoding, self.quarantine_reason, self.doc_id, self.exact_key,
                            self.is_truncated, self.repair_count, self.unknown_words, self.text_length, self.ending)

    @classmethod
    def of(cls, item: SourceDoc | Quarantined) -> ContentEntry:
        if isinstance(item, Quarantined):
            return cls(item.raw.sha256, item.encoding, item.reason)
        print_ = item.fingerprint
        return cls(item.raw.sha256, item.encoding, None, doc_id_for(item.text),
                   print_.exact_key if print_ else "", item.is_truncated, len(item.repairs), item.unknown_words,
                   len(item.text), text_ending(item.text), print_.samples if print_ else np.empty(0, dtype=np.uint64))


def doc_id_for(text: str) -> str:
    """Content-derived, so the same raw/ always gives the same ids."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


_ENDING_WORD = re.compile(r"[a-z0-9]+")
ENDING_WORDS = 4


def text_ending(text: str) -> int:
    """A text's last words (letters and digits, lower-cased) as a number: two copies that differ
    elsewhere but end on the same words end where their statement does (see assemble.rows)."""
    words = _ENDING_WORD.findall(text[-200:].lower())[-ENDING_WORDS:]
    return int.from_bytes(hashlib.blake2b(" ".join(words).encode(), digest_size=4).digest(), "little")


@dataclass(frozen=True, slots=True)
class SeenFile:
    """A raw file and what its content gave: every file of a run, documents and quarantined alike."""

    raw: RawFile
    content: ContentEntry


@dataclass(frozen=True, slots=True)
class Quarantined:
    raw: RawFile
    encoding: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Membership:
    """How one source belongs to its cluster: the canonical itself, or a duplicate and why."""

    index: int  # position in the list of documents given to dedup
    reason: str | None  # None for the canonical
    similarity: float | None = None
    cut_off: bool = False  # its verified longer twin goes on where it stops


@dataclass(frozen=True, slots=True)
class Cluster:
    canonical: int
    members: tuple[Membership, ...]  # canonical first


@dataclass(frozen=True, slots=True)
class FusedMetadata:
    title: str | None
    title_source: str | None
    date: dt.date | None
    date_source: str | None
    location: str | None
    location_source: str | None
    doc_type: str | None
    doc_type_source: str | None
    issuer: str | None = None
    issuer_source: str | None = None
    event_date: dt.date | None = None
    event_date_source: str | None = None


@dataclass(frozen=True, slots=True)
class CorpusRow:
    doc_id: str
    text: str
    metadata: FusedMetadata
    is_truncated: bool
    source_paths: tuple[str, ...]
    repairs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceRow:
    path: str
    sha256: str
    size_bytes: int
    encoding: str | None
    status: Status
    doc_id: str | None
    reason: str | None
    is_truncated: bool


@dataclass(frozen=True)
class Candidate:
    """The output a run proposes to publish, before validation."""

    built: pa.Table  # the corpus rows this run built, in doc_id order (schema.CORPUS_SCHEMA)
    sources: tuple[SourceRow, ...]
    skipped: tuple[SkippedFile, ...] = field(default=())
    # Documents whose copies are exactly as in the published snapshot: their rows are taken from
    # it unchanged rather than rebuilt (an incremental run touches only what changed).
    carried: tuple[str, ...] = ()
    signatures: Mapping[str, bytes] = field(default_factory=dict)  # doc_id -> digest of its copies (see assemble)

    @property
    def document_count(self) -> int:
        return self.built.num_rows + len(self.carried)
