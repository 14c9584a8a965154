"""Every tunable of the pipeline in one typed record, with defaults that work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PIPELINE_VERSION = "0.6.16"


@dataclass(frozen=True)
class DecodeConfig:
    # Statistical detection only chooses among encodings a scraped English-language corpus
    # plausibly has; a wider list lets short cp1252 files come out as Big5 or mac_latin2.
    candidate_encodings: tuple[str, ...] = ("utf_8", "cp1252", "latin_1", "utf_16")
    max_file_bytes: int = 20_000_000
    # A text shorter than this (characters, blanks aside) stands alone only as a copy of a longer
    # document: a 278-byte cut-off copy (title, dateline, one sentence) attaches to its document
    # and lends it its header; matching none, it is quarantined as too short.
    min_document_chars: int = 200
    # Shorter than this, a text is not even tried as a copy.
    min_copy_chars: int = 30
    # A text whose visible characters are under this share letters, once repaired, is no prose (a
    # body of marks, a run of digits): real statements hold 64% and more (8,197 texts of the
    # labelled sets, corpus-extra and 4,000 fresh releases), a table of figures over half.
    min_letter_share: float = 0.25
    # Share of control characters (other than tab/newline/CR/FF) above which decoded text is binary.
    max_control_char_ratio: float = 0.01
    # PDFs and saved pages are read in a helper process (runtime.isolated): one that takes longer
    # than this is quarantined (a statement's takes milliseconds), as is one that crashes it.
    reader_seconds: float = 120.0
    # A saved page of more elements than this is not read (a news site's page has a few thousand).
    page_max_elements: int = 50_000
    # A page's title is looked for among the main text's first blocks only (what stands above it
    # is the page's: a kind label, a breadcrumb, a layout table's menu).
    page_title_within_blocks: int = 12
    # trafilatura replaces a main text shorter than this with the whole page's text in one block
    # (its header, share buttons and tags with it); its default, 250 characters, is a cut-short
    # statement's page. At 1 the rescue is kept for a page in which it finds no main text at all.
    page_rescue_below_chars: int = 1
    # A PDF's first page's opening lines set this much larger than its body text are its heading.
    pdf_heading_size_ratio: float = 1.2
    # A saved web page's date, from its markup, counts inside these bounds (htmldate's own upper
    # bound is today, which would make the same page dated or not by the day it is read).
    page_dates_from: str = "1990-01-01"
    page_dates_until: str = "2100-12-31"


@dataclass(frozen=True)
class RepairConfig:
    # A line longer than this is a whole paragraph, never a hard-wrapped fragment.
    hard_wrap_max_width: int = 160
    # A line at least this full (of the wrap width) is a body line, not part of a heading; one at
    # least partial_line_fill full that does not end a sentence goes on on the next line.
    full_line_fill: float = 0.85
    partial_line_fill: float = 0.6
    # A line at least partial_line_fill full and this much wider than every heading line above it
    # starts the body.
    body_wider_than_heading: float = 1.4
    # After a finished sentence, a line break where the next word would have fitted (within this
    # share of the wrap width: proportional fonts make character counts approximate) ends a paragraph.
    fit_tolerance: float = 0.95
    # Inside a heading (a larger font, and few lines to tell its width by) a break where the next
    # word would have fitted within this share of the widest heading line above ends the title.
    heading_fit_tolerance: float = 0.85
    # A line of this many words that ends a sentence is the statement's prose: site chrome ("Share",
    # "Menu") is looked for only before the first such line and after the last.
    min_prose_line_words: int = 8
    # A print header's page title longer than this is no title (metadata's max_title_chars): the
    # printed heading is not looked for (a title of a megabyte would be matched line by line).
    max_page_title_chars: int = 300
    # A finished sentence on a line longer than this share of the wrap width ends its paragraph.
    overlong_line_fill: float = 1.0
    # wordfreq Zipf frequency from which a word counts as known English (3 = once per million words).
    known_word_zipf: float = 3.0
    # Below this Zipf frequency a word is unknown, and so a candidate OCR misread (if one glyph
    # confusion turns it into a known word). Low, so that rare real words are left alone.
    ocr_unknown_zipf: float = 1.0
    # A rarer word is a misread too when its correction is this much commoner ("tbe" 2.6, "the" 7.7).
    ocr_dominance: float = 4.0
    # Repeated lines shorter than this are not running heads ("Ukraine" twice is just a word).
    min_running_head_chars: int = 12
    # A running head stands at a page's top or foot: within this many lines of text of a page's edge
    # (a form feed, a print stamp, a page counter, an address footer, the text's end). A name a
    # statement repeats mid-page, as a list item and then as its section's heading, is no running head.
    running_head_reach: int = 2
    # Only this many leading paragraphs can hold a release wrapper's header.
    wrapper_header_paragraphs: int = 10
    # Fewer lines than this of wrap width and the text is not hard-wrapped: its short lines are
    # headings and datelines, never joined on length alone. (10 left a short statement printed
    # and read back, six or eight lines, one paragraph a line: its truncation hidden, its title cut.)
    min_wrapped_lines: int = 5
    # Short trailing lines that scraped pages append after the statement ends.
    trailing_boilerplate: tuple[str, ...] = (
        "further information",
        "related articles",
        "related content",
        "tags",
        "share",
        "print",
        "back to top",
        "subscribe to updates",
        "related",
        "more information",
    )


@dataclass(frozen=True)
class DedupConfig:
    shingle_words: int = 5
    # Sampled shingles (hash % sample_modulus == 0) index documents for candidate search:
    # any shared passage of about sample_modulus * min_shared_samples words becomes a candidate.
    # One in 8 rather than 4 halves the index and every text's samples (about 1.2 KB a 5 KB text
    # less): the same duplicates on the tune sets; on generated corpora 0.06% of truncated copies
    # (short cut copies whose few samples an edit also hit) are missed that one in 4 finds.
    sample_modulus: int = 8
    min_shared_samples: int = 2
    # A text's opening words are sampled more densely (one shingle in opening_sample_modulus, a
    # superset of the sparse sample): a copy cut off after a sentence or two has too few shingles
    # for one in 8 to be sure to sample any (a 30-word copy: none, one time in 30), and it is the
    # opening such a copy shares with its statement.
    opening_words: int = 64
    opening_sample_modulus: int = 2
    # ... and at least this share of the smaller document's samples: two statements that only quote
    # the same sentences share fewer and are not worth aligning, while a short copy that is also
    # edited can keep as little as a fifth of its 5-grams. Alignment, not this filter, decides.
    min_sample_share: float = 0.15
    # A sampled shingle in more distinct texts than this is boilerplate and indexes nothing. Every
    # pair of texts holding an indexing shingle is counted, so the cost grows with the square of
    # this: at 200, quoted passages shared by 50-200 statements made 68M pairs at 30k documents
    # (3.8 GB); at 50, 1.1M. A statement with more than 50 distinct near copies would go unmatched.
    max_posting_list: int = 50
    # Share of the smaller text (word bigrams, in order) the larger must hold to be a verified match.
    contained_threshold: float = 0.7
    # ... and more of a short one (under short_text_bigrams): statements made from one template
    # ("Secretary Blinken's Meeting with <Minister>") share most of a copy cut after its opening
    # sentence, while a short copy of the statement itself, repaired, holds nearly all of it.
    short_text_bigrams: int = 120
    short_contained_threshold: float = 0.9
    # A match between texts this close in size is a near duplicate rather than a contained copy.
    near_size_ratio: float = 0.85
    # Statements made from one template hold names and numbers their sibling does not: of the
    # smaller text's distinct names and numbers, 20-37% (7-14 of them) in the sibling notices of
    # 600 fresh White House releases' tune half, at most 13% in copies (labelled OCR, pdftotext,
    # mojibake, web copies of the tune sets; 2-10% of words replaced at random by dedup_bench's
    # near copies). A short copy may lack a few names by chance: 4 of 18 in one labelled copy.
    template_names_share: float = 0.2
    template_min_names: int = 6
    # Two texts of about one size (near duplicates) each holding this many numbers the other lacks
    # are a notice and the next year's: a copy keeps its dates and numbers.
    template_min_numbers: int = 2
    # Months a smaller text dates things in ("March 13th") and a larger one never does that make
    # them two statements: one may be a copy's own release date in its header, two are its own dates.
    template_min_months: int = 2
    # Two aligned texts that name different things at one place (Minnesota / Montana: not one a
    # garbled form of the other, which shares most of its letters, Indel similarity at least
    # template_garble_similarity: "Bahrairi" / "Bahrain" 0.80, "Bah" / "Bahrain" 0.60, "Minnesota" /
    # "Montana" 0.50), the same two at this many places, are two statements of one template. A copy
    # edited by hand, or dedup_bench's near copies (2-10% of words replaced at random), may put
    # another name in a place, but not the same one in two places.
    template_min_substitutions: int = 2
    template_garble_similarity: float = 0.6
    # A contained copy whose longer twin goes on for at least this many words, and this share of
    # the twin, was cut off. A tail of site chrome or OCR debris in the twin is shorter than that
    # share; a real cut leaves more (a copy cut at 90% of a 300-word statement lacks 30 words).
    truncation_min_missing_shingles: int = 20
    truncation_min_missing_share: float = 0.08
    # A text held in one this many times its size is a part of it (an excerpt, a list a later one
    # repeats), never the document the larger one wraps: a wrapper adds a header and a footer, not
    # pages. The larger then leads, as it does over a copy cut short.
    excerpt_size_ratio: float = 3.0
    # Consensus from copies aligns texts word by word (rapidfuzz, linear memory): about 1.7 s for a
    # 100,000-word pair. A longer canonical is kept as it is, and a longer copy has no say.
    consensus_max_words: int = 100_000
    # Aligning a pair costs the product of their lengths (about 1 s for two texts of 100,000 words,
    # 100 s for two of a million): of longer texts (a book, or a file made to stall a run) only
    # the openings are aligned, this many word bigrams, and this many names and numbers.
    max_aligned_bigrams: int = 100_000
    max_aligned_names: int = 20_000


@dataclass(frozen=True)
class MetadataConfig:
    # Only this many leading paragraphs can hold a title, dateline or media-note header.
    header_paragraphs: int = 8
    max_title_chars: int = 300
    # A text's first paragraph is its heading up to this length when every word is capitalised but
    # the small ones and it ends on no full stop ("Briefing with Deputy Secretary … and Experts On
    # the Administration's Budget Request for … Fiscal Year 2023", 306 characters): prose is not.
    max_long_title_chars: int = 600
    # A header whose only heading names a body ("Department of State Offers Reward for …",
    # "Office of the National Cyber Director Announces …") has it for its title when it has this
    # many words and is not in capitals: a bare issuer line ("Office of the Spokesperson", "THE
    # WHITE HOUSE") is shorter or in capitals, and a title follows it.
    min_words_issuer_shaped_title: int = 5
    # A heading-cased first paragraph that ends on a full stop ("Notice on the Continuation of the
    # National Emergency with Respect to … Organizations.") is a heading from this many words: a
    # shorter one ("Thank You.") may be a line of prose.
    min_words_heading_with_full_stop: int = 4
    # An issuer is a body or a person and an office: "Minister for Foreign Affairs of Japan", "Office
    # of the Director of National Intelligence". A longer line of that shape is a heading or a
    # sentence ("Today, President Joe Biden announced his intent to nominate …").
    max_issuer_words: int = 12
    # A paragraph ending in a full stop with this many words is prose, so the header has ended.
    min_prose_words: int = 12
    # The last paragraphs, where a signature block dates a declaration.
    closing_paragraphs: int = 4
    # Scores a date or a place must reach to be taken (dates.WEIGHTS, places.WEIGHTS): a dateline
    # alone does, as does "today" in the opening sentence or a reported meeting "in <City>".
    min_date_score: float = 4.0
    # The reported event's date: "met … on <date>" in the opening sentence (dates.EVENT_WEIGHTS).
    min_event_date_score: float = 4.5
    # Statements report what happened days before they were issued. Of 9,400 fresh White House
    # releases and presidential actions, 19 gave both dates: 8 events on the day of issue, and 11
    # opening dates 80 days to 90 years before it, each one a proclamation or a notice recites
    # ("On March 8, 2015, the President issued Executive Order 13692"), not the event it reports.
    max_event_days_before_issue: int = 60
    min_place_score: float = 4.5
    # An opening sentence is read up to this many characters: the longest in the dev and extra
    # corpora has about 1,000, and a run-on "sentence" of a text with no full stops would make
    # every place in it scan all the words before it.
    max_sentence_chars: int = 2_000


@dataclass(frozen=True)
class ValidationConfig:
    # None: the suites in the repository's expectations/ folder.
    expectations_dir: str | None = None
    earliest_date: dt.date = dt.date(1945, 1, 1)
    # Rows of text validated at a time: bounds the memory validation takes on a large corpus.
    text_chunk_rows: int = 10_000
    latest_date_margin_days: int = 366
    # A text shorter than a document may be is set aside before assembly (see DecodeConfig):
    # one that reaches the corpus anyway was cut by a repair.
    min_text_chars: int = DecodeConfig.min_document_chars
    # Documents failing document-scope expectations are set aside and the rest is published;
    # more than this share of them means a broken repair, not bad documents: the run blocks.
    max_rejected_share: float = 0.01
    # Failed runs whose Data Docs and report are kept under clean/failed/ (the oldest go first).
    keep_failed_runs: int = 10


@dataclass(frozen=True)
class Config:
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    metadata: MetadataConfig = field(default_factory=MetadataConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    # Files per Prefect task: large enough that a task carries seconds of work, not milliseconds.
    batch_size: int = 2_000
    # ... and at most this many megabytes of them: a batch's files are read before it is processed
    # (2,000 statements are about 10 MB; 2,000 files near DecodeConfig.max_file_bytes would be 40 GB).
    batch_mb: int = 256
    # Processes that decode, repair and analyse new files (None: one per core). They start only
    # when a run has at least min_files_for_workers new files: starting one costs about a second,
    # the time to process some 400 files.
    workers: int | None = None
    min_files_for_workers: int = 1_000
    # Threads of the helper process that stats the folders and files the last run listed (or
    # walks raw/, on a first or --full run), ahead of discovery's walk (ingest/prefetch.py): with
    # the kernel's inode cache cold, as hours after the last run, each stat waits on the disk.
    # 0: no helper.
    prefetch_threads: int = 8
    # Assembly builds the corpus rows in as many processes when it has at least this many
    # documents to build. Each worker loads its own documents' texts from the result cache, 2,000
    # documents at a time (assemble.rows.CLUSTERS_PER_LOAD): at 100k files (74k documents) two
    # workers took assembly from 22-24 to 15 s and the run's peak from 1.6 to 1.85 GB; a worker
    # costs about a second to start and 110 MB to hold its imports and word list, which a corpus
    # under this size does not earn back (benchmarks/RESULTS.md).
    min_documents_for_assembly_workers: int = 20_000
    # Published snapshots kept under clean/snapshots/ (the current one is never deleted).
    keep_snapshots: int = 10
    # Rows of a published Parquet file per row group, as megabytes of data: readers stream a
    # file (and DuckDB and Polars spread a scan over threads) a row group at a time, and
    # pyarrow's default of a million rows made the corpus of a million statements one row group
    # of 4 GB, which a reader holds whole to read any of it.
    row_group_mb: int = 64
    # Texts (and alignment sequences) of the files a run processed that stay in memory for dedup
    # and assembly, in millions of characters; beyond it a batch keeps only its compact entries,
    # and its texts are read back from the result cache when needed, a few thousand at a time:
    # memory then follows the work in flight, not the corpus. Results are the same either way,
    # and hardly the time: 30k files built in 60.6 s holding none, 60.0 s holding all (and 114 MB
    # more at the peak). So a run holds those of about 10,000 statements, no more. The bytes of
    # new files read to look their hashes up are kept for processing up to as many megabytes.
    texts_held_mb: int = 64

    def __post_init__(self) -> None:
        """Counts a run cannot work with are refused here, by name, before any work (a batch size
        of 0 failed deep inside a run, after clean/ was created)."""
        wrong = [f"{name}={getattr(self, name)} (at least 1)" for name in ("batch_size", "batch_mb", "row_group_mb")
                 if getattr(self, name) < 1]
        wrong += [f"{name}={getattr(self, name)} (at least 0)"
                  for name in ("workers", "min_files_for_workers", "min_documents_for_assembly_workers",
                               "keep_snapshots", "texts_held_mb", "prefetch_threads")
                  if getattr(self, name) is not None and getattr(self, name) < 0]
        if wrong:
            raise ValueError("invalid Config: " + ", ".join(wrong))
