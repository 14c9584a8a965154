"""A statement received by email (a saved .eml message): its body, the subject as its title, the day
it was sent as its date. A web page a browser saved as one file (MHTML) is such a message too: its
page, read as a page saved whole is. A mailbox (mbox) of one message is that message; of several,
an export to unpack."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass

# A message opens on header fields ("Name: value", folded lines indented) up to its first blank
# line: its sender, subject and date, and a field only mail has (a memorandum's "FROM:",
# "SUBJECT:" and "DATE:" lines are no message, and lose nothing to being read as one).
_HEADER_LINE = re.compile(r"[A-Za-z0-9-]+:(?:[ \t]|\Z)|[ \t]+\S")
_NEEDED = ("from", "subject", "date")
_MAIL_ONLY = ("message-id", "mime-version", "received", "content-type", "return-path")
# How mail clients and lists mark a subject: "Fwd: ", "RE: ", "[Press Releases] ".
_SUBJECT_MARKS = re.compile(r"\A(?:\s*(?:(?:re|fwd?|aw|tr)\s*:|\[[^\]]{1,60}\]))+\s*", re.IGNORECASE)
_MAX_HEADER_LINES, _MAX_HEADER_CHARS = 200, 65_536
# The field a browser's saved page (MHTML: Chromium's "Save page as … single file") opens with.
_SAVED_PAGE = "Snapshot-Content-Location"


# The line an mbox file opens each message with: "From <sender> <date in asctime's form>".
_MBOX_SEPARATOR = re.compile(r"^From \S+ +\S.*\d{4}\r?$", re.MULTILINE)
_ESCAPED_FROM = re.compile(r"^>(>*From )", re.MULTILINE)


@dataclass(frozen=True)
class Mail:
    sent: dt.date | None
    text: str  # the body, its title first; markup still to read where the body is HTML
    markup: bool


def is_mail(text: str) -> bool:
    """Whether the text opens on a message's header: every line up to the first blank one a header
    field (or its folded continuation), the fields above among them."""
    text = text.lstrip("\ufeff")
    if not _HEADER_LINE.match(text):  # most texts: settled by their first characters
        return False
    names = set()
    for number, line in enumerate(text[:_MAX_HEADER_CHARS].split("\n", _MAX_HEADER_LINES)):
        line = line.rstrip("\r")
        if not line:
            return number > 0 and all(name in names for name in _NEEDED) and any(name in names for name in _MAIL_ONLY)
        if number >= _MAX_HEADER_LINES or not _HEADER_LINE.match(line):
            return False
        names.add(line.split(":", 1)[0].lower())
    return False


def in_mailbox(text: str) -> tuple[int, str] | None:
    """How many messages a mailbox (mbox) holds and the text of its first; None if the text is no
    mailbox (a statement may open with "From the start, …", but no mailbox's separator line)."""
    first = _MBOX_SEPARATOR.match(text.lstrip("\ufeff"))
    if first is None:
        return None
    rest = text.lstrip("\ufeff")[first.end() :].lstrip("\r\n")
    if not is_mail(rest):
        return None
    following = _MBOX_SEPARATOR.search(rest)
    first_message = rest[: following.start()] if following else rest
    # A line of a message opening "From " was written ">From " so as not to read as a separator.
    return 1 + len(_MBOX_SEPARATOR.findall(rest)), _ESCAPED_FROM.sub(r"\1", first_message)


def read_mail(text: str) -> Mail | None:
    """The message's body (its plain text, or its HTML where it has no plain text), headed by its
    subject without a client's "Fwd:" or a list's "[tag]"; None if it has no text body. A saved
    page's (MHTML) is its HTML alone: its subject is the page's title with the site's name, and
    its date the day it was saved, neither the statement's."""
    message = email.message_from_string(text.lstrip("\ufeff"), policy=email.policy.default)
    saved_page = _SAVED_PAGE in message or "saved by" in str(message.get("from", "")).lower()
    body = message.get_body(preferencelist=("html",) if saved_page else ("plain", "html"))
    if body is None:
        return None
    try:
        content = _content(body)
    except (LookupError, ValueError, AssertionError):  # an unknown charset or a damaged encoding
        return None
    if not isinstance(content, str) or not content.strip():
        return None
    if saved_page:
        return Mail(None, content, True)
    subject = _SUBJECT_MARKS.sub("", " ".join(str(message.get("subject", "")).split())) or None
    markup = body.get_content_subtype() == "html"
    if subject and not content.lstrip().startswith(subject):
        content = f"<h1>{subject}</h1>\n{content}" if markup else f"{subject}\n\n{content}"
    return Mail(_sent(message), content, markup)


def _content(part: email.message.EmailMessage) -> str:
    """The part's text. A part naming no charset is read as ASCII by the email package, every
    other byte replaced; a saved page's HTML names its charset in its markup only (UTF-8, as
    browsers save), so such a part's bytes are read as UTF-8 where they are that."""
    if part.get_param("charset") is None:
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
    return part.get_content()


def _sent(message: email.message.EmailMessage) -> dt.date | None:
    try:
        sent = email.utils.parsedate_to_datetime(str(message.get("date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return sent.date() if sent else None
