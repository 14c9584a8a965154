"""Shapes of lines and paragraphs that several repairs and the metadata extractor recognise."""

from __future__ import annotations

import re

# Quotes and brackets may close a sentence after its full stop: `He said "yes."` ends there.
CLOSERS = "\"'”’)]»"
LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–—]|\((?:[a-z]{1,3}|\d{1,3})\)|[a-z][.)])\s")
PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n+")
# "…disinformation;" or "…cooperation; and" closes an item of a list that goes on in lower case.
LIST_ITEM_END = re.compile(r";(?:\s+(?:and|or))?$")

# A line of a release's wrapper (a kind label, the issuing office, the text's start and end
# markers): a header field, never the title's or the statement's words.
WRAPPER_MARKER = re.compile(
    r"^(?:media note|press statement|readout|fact sheet|for immediate release|office of the spokesperson\b.*|"
    r"begin text:?|end text\.?|"
    # The White House's dateline and category line: "MARCH 24, 2022 • STATEMENTS AND RELEASES".
    r"[a-z]{3,9}\.? \d{1,2}, \d{4} (?:[^\w\s]{1,2}|[eo]) [a-z ,&]+)$",
    re.IGNORECASE,
)


# The heading of what a statement attaches after its end: "ANNEX I", "Annex", "Appendix A: List of
# Participants", "Attachment 2". A paragraph of its own; the statement (its signature, its date)
# ends before it.
_ANNEX_HEADING = re.compile(r"(?:annex|appendix|attachment|enclosure)(?:\s+(?:[ivxlc]{1,5}|\d{1,3}|[a-z]))?"
                            r"(?:\s*(?:[:.–—-]\s*[^\n]{0,60}|\s+(?:&|and)\s+[ivxlc\d]{1,5}))?", re.IGNORECASE)
def is_annex_heading(paragraph: str) -> bool:
    return bool(_ANNEX_HEADING.fullmatch(paragraph.strip()))


# Abbreviations a name follows, whose full stop ends no sentence: "Dr." / "Jill Biden", a court
# case's "Garland v." / "Cargill" wrapped onto two lines.
TITLE_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Hon", "Rev", "Gen", "Sen", "Rep", "Gov", "Amb", "Lt", "Col",
                       "Capt")
_BEFORE_A_NAME = re.compile(rf"(?<![\w.])(?:{'|'.join(TITLE_ABBREVIATIONS)}|v|vs)\.$")


def ends_sentence(text: str) -> bool:
    """Ends with . ! ? … or : (closing quotes and brackets aside), checked at the end only; a
    title's or a "v."'s full stop is none."""
    end = text.rstrip().rstrip(CLOSERS)
    return end[-1:] in (".", "!", "?", "…", ":") and not (end[-1] == "." and _BEFORE_A_NAME.search(end[-6:]))


def paragraphs(text: str) -> list[str]:
    return [p for p in PARAGRAPH_SPLIT.split(text.strip()) if p.strip()]
