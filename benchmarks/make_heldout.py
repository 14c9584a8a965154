"""Write a labelled noisy raw folder, like ../shared/corpus-dev-noisy, from clean statements no rule was written on.

Usage: python benchmarks/make_heldout.py OUT [--gold ../shared/corpus-extra] [--docs 120] [--seed 5] [--jobs 2] [--forms]

Each chosen statement gets one to six copies, as scrapers and converters leave them: plain text,
real OCR (printed to PDF by headless Chromium with its header and footer, rasterised by pdftoppm,
degraded by ImageMagick, read by tesseract), pdftotext with and without -layout, web copies with
site chrome; release wrappers (media note, press statement, White House dateline) that state the
publication date; cuts at a random point; US/UK re-spellings and "U.S." written "US"; mojibake, HTML
entities, ligatures, invisible characters, markup leftovers and page-break splits; cp1252, latin-1,
UTF-16 and BOM encodings; exact copies; and ten junk files. `labels.jsonl` has one row per file in
the shape benchmarks/quality.py reads (group, truncated, kind, variant, ref, gold_title, gold_date,
states_date), and `gold/` the reference texts (a cut copy's reference is the gold prefix it holds).
Places are not labelled (the sources do not say them). Needs Debian's chromium, poppler-utils,
imagemagick and tesseract-ocr for the OCR and pdftotext channels; without them those copies are
plain text, and the run says so. Not committed: generate it where you measure.

`--forms` saves about a third of the copies whole, as scrapers do: a web page in one of
benchmarks/web_pages.py's layouts, a markdown export with front matter, or the printed PDF itself
(`.html`, `.md`, `.pdf`); a page or an export states the publication date in its markup. Without
it a set is drawn exactly as before the option existed.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import gzip
import html
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from noisy import html_entities, ligatures_and_invisibles, mojibake, page_break_splits  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
UK = {"ization": "isation", "izations": "isations", "ize": "ise", "izes": "ises", "ized": "ised", "izing": "ising",
      "yze": "yse", "yzed": "ysed", "or": "our", "ors": "ours", "ter": "tre", "ters": "tres", "ense": "ence"}
UK_WORDS = re.compile(r"\b([A-Za-z]+?)(ization|izations|ize|izes|ized|izing|yze|yzed)\b|"
                      r"\b(lab|fav|hon|behavi|neighb|endeav|harb|col)(or|ors)\b|\b(cen|thea)(ter|ters)\b|\b(defe|offe|licen)(nse)\b")
RENDER_TOOLS = ("chromium", "pdftoppm", "tesseract", "pdftotext")
IM_CONVERT = "/usr/bin/convert-im6.q16"
OCR_LEVELS = {"clean": (200, []), "light": (200, ["-blur", "0x0.6"]), "medium": (150, ["-blur", "0x0.8", "+noise", "Gaussian"]),
              "heavy": (150, ["-blur", "0x0.9", "+noise", "Gaussian"])}
# Levels as corpus-dev-noisy has them: its heavy OCR copies read about 16% of characters wrong
# (headers and footers included), a third as many as blur 1.0 with stronger noise at 120 dpi gave.


@dataclass
class Copy:
    text: str
    ref: str
    truncated: bool
    kind: str
    variant: list[str] = field(default_factory=list)
    states_date: bool = False
    twin: Copy | None = None  # an exact copy's original: its bytes, once rendered, are this copy's
    data: bytes | None = None  # a PDF copy's bytes (--forms)


def respell_uk(text: str, rng: random.Random) -> tuple[str, int]:
    count = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal count
        if rng.random() < 0.6:
            return m.group(0)
        count += 1
        groups = [g for g in m.groups() if g]
        stem, ending = groups[0], groups[1]
        return stem + UK.get(ending, ending)

    return UK_WORDS.sub(swap, text), count


def cut(gold: str, share: float) -> str:
    """A failed download: the text up to a word boundary near `share` of its length."""
    end = gold.rfind(" ", 0, max(40, int(len(gold) * share)))
    return gold[:end].rstrip()


def wrapper(kind: str, body: str, title: str, published: dt.date) -> str:
    date = f"{published:%B} {published.day}, {published.year}"
    rest = body.split("\n\n", 1)[1] if "\n\n" in body else ""
    if kind == "media_note":
        return (f"{title}\n\nMEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON\n\n{date.upper()}\n\n"
                f"The following statement was released by the Governments of the United States and its partners.\n\n"
                f"Begin text:\n\n{rest}\n\nEnd text.")
    if kind == "press_statement":
        return f"{title}\n\nPRESS STATEMENT\n\nOFFICE OF THE SPOKESPERSON\n\n{date.upper()}\n\n{rest}"
    return f"{title}\n\n{date.upper()} • STATEMENTS AND RELEASES\n\n{rest}"


def markup(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    paragraphs[0] = f"**{paragraphs[0]}**"
    if len(paragraphs) > 2 and rng.random() < 0.5:
        paragraphs[1] = f"*{paragraphs[1]}*"
    out = "\n\n".join(paragraphs).replace("$", "\\$")
    return ("$\\star\\star\\star$\n\n" if rng.random() < 0.5 else "") + out


def site_chrome(text: str, rng: random.Random) -> str:
    crumbs = rng.choice(["Home › Briefing Room › Statements and Releases", "Home > Office of the Spokesperson > Releases"])
    tail = rng.choice(["Tags", "Back to top", "Further information", "Share"])
    return f"{crumbs}\n\n{text}\n\n{tail}"


def render_pdf(text: str, slug: str, work: Path) -> Path:
    paragraphs = text.split("\n\n")
    page = (f"<html><head><meta charset='utf-8'><title>{html.escape(paragraphs[0])}</title></head>"
            f"<body style='font-family:serif;font-size:13px;margin:40px'><h2>{html.escape(paragraphs[0])}</h2>"
            + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[1:]) + "</body></html>")
    source = work / f"{slug}.html"
    source.write_text(page, encoding="utf-8")
    pdf = work / f"{slug}.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={work / 'profile'}",
                    f"--print-to-pdf={pdf}", source.as_uri()], check=True, capture_output=True, timeout=120)
    return pdf


def ocr(pdf: Path, level: str, work: Path) -> str:
    dpi, degrade = OCR_LEVELS[level]
    prefix = work / f"{pdf.stem}-{level}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True, timeout=300)
    pages = sorted(work.glob(f"{prefix.name}-*.png"))
    texts = []
    for png in pages:
        if degrade and Path(IM_CONVERT).exists():
            subprocess.run([IM_CONVERT, str(png), *degrade, str(png)], check=True, timeout=300)
        texts.append(subprocess.run(["tesseract", str(png), "-", "--psm", "4"], check=True, capture_output=True,
                                    text=True, timeout=300).stdout)
    return "\f".join(texts)


def pdftotext(pdf: Path, layout: bool) -> str:
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=300).stdout


def encode(text: str, rng: random.Random) -> tuple[bytes, str, list[str]]:
    if rng.random() < 0.12:
        text = text.replace("\n", "\r\n")
    roll = rng.random()
    for name, limit in (("cp1252", 0.12), ("latin-1", 0.15), ("utf-16", 0.25), ("utf-8-sig", 0.35), ("utf-16-le-nobom", 0.37)):
        if roll < limit:
            try:
                if name == "utf-16-le-nobom":
                    return text.encode("utf-16-le"), "utf-16-le", ["enc:utf-16-le-nobom"]
                return text.encode(name), name, [f"enc:{name}"]
            except UnicodeEncodeError:
                break
    return text.encode("utf-8"), "utf-8", ["enc:utf-8"]


# --forms: the share of copies saved whole (a web page, a markdown export, the PDF itself).
FORMS_SHARE = 0.35


def saved_whole(copy: Copy, group: str, published: dt.date, rng: random.Random) -> tuple[bytes, str, list[str]]:
    """The copy's bytes: a page or an export rendered around its text (benchmarks/web_pages.py's
    layouts), a PDF as printed, any other copy encoded."""
    if copy.kind == "pdf" and copy.data is not None:
        return copy.data, "pdf", []
    if copy.kind in ("page", "export"):
        from web_pages import RENDER, Statement

        title, _, body = copy.text.partition("\n\n")
        statement = Statement(f"{group}.txt", title, tuple(p for p in body.split("\n\n") if p), published)
        layout = rng.choice(["agency", "briefing", "printer"] if copy.kind == "page" else ["hugo", "toml"])
        copy.variant.append(f"layout:{layout}")
        return RENDER[layout](statement, rng, [statement]).encode("utf-8"), "utf-8", ["enc:utf-8"]
    return encode(copy.text, rng)


JUNK = {
    "empty": lambda rng: b"",
    "bom_only": lambda rng: codecs.BOM_UTF8,
    "whitespace": lambda rng: b" \n\t\n  \n",
    "random_bytes": lambda rng: bytes(rng.randrange(256) for _ in range(3000)),
    "pdf_bytes": lambda rng: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(rng.randrange(256) for _ in range(2000)),
    "gzip": lambda rng: gzip.compress(b"Joint Statement " * 200, mtime=0),
    "nul_bytes": lambda rng: b"Joint Statement\x00\x00\x00\x00" * 200,
    "png": lambda rng: b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)),
    "too_short": lambda rng: b"Read more.",
    "empty_again": lambda rng: b"",
}


def copies_of(gold: str, published: dt.date, rng: random.Random, tools: bool, forms: bool = False) -> list[Copy]:
    title = gold.split("\n", 1)[0]
    count = rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6])
    all_cut = rng.random() < 0.15
    out: list[Copy] = []
    for _ in range(count):
        if out and rng.random() < 0.1:
            twin = out[rng.randrange(len(out))]
            out.append(Copy("", twin.ref, twin.truncated, "exact_copy", ["exact_copy"], twin.states_date, twin))
            continue
        variant: list[str] = []
        truncated = all_cut or rng.random() < 0.25
        ref = cut(gold, rng.uniform(0.15, 0.9)) if truncated else gold
        if truncated:
            variant.append(f"truncate:{len(ref) / len(gold):.2f}")
        text = ref
        if rng.random() < 0.2:
            text, n = respell_uk(text, rng)
            variant.append(f"spelling:us2uk:{n}")
        if rng.random() < 0.2 and "U.S." in text:
            text = text.replace("U.S.", "US")
            variant.append("abbrev:U.S.->US")
        states_date = False
        if rng.random() < 0.3 and "\n\n" in text:
            kind = rng.choice(["media_note", "press_statement", "wh_dateline"])
            text = wrapper(kind, text, title, published)
            variant.append(f"header:{kind}")
            states_date = True
        channel = rng.choices(["text", "ocr", "pdftotext", "pdftotext_layout", "web"], [45, 20, 8, 10, 17])[0]
        if channel in ("ocr", "pdftotext", "pdftotext_layout") and not tools:
            channel = "text"
        # --forms: some copies as scrapers save them whole. The draw is made only then, so that a
        # set made without the flag is the same file for file as before it existed.
        if forms and rng.random() < FORMS_SHARE:
            channel = rng.choice(["page", "export"] + (["pdf"] if tools else []))
            states_date = states_date or channel != "pdf"  # a page's markup, an export's front matter
        kind = channel
        if channel == "text":
            noise = rng.choice(["none", "none", "charnoise", "mojibake", "entities", "markup", "pagebreaks"])
            text = {"charnoise": ligatures_and_invisibles, "mojibake": mojibake, "entities": html_entities,
                    "markup": markup, "pagebreaks": page_break_splits}.get(noise, lambda t, r: t)(text, rng)
            kind = {"none": "encoded", "entities": "charnoise", "pagebreaks": "web"}.get(noise, noise)
            variant.append(f"noise:{noise}")
        elif channel == "web":
            text = site_chrome(page_break_splits(text, rng) if rng.random() < 0.4 else text, rng)
        variant.insert(0, f"channel:{channel}")
        written = gold.split("\n\n", 1)[-1]
        states_date = states_date or writes_out(published, ref) and writes_out(published, written)
        out.append(Copy(text, ref, truncated, kind, variant, states_date))
    return out


def render(copy: Copy, slug: str, rng_seed: int, work: Path) -> None:
    """Turn a copy of an OCR or pdftotext channel into what that channel gives."""
    rng = random.Random(rng_seed)
    channel = copy.variant[0].split(":")[-1]
    if copy.twin or channel not in ("ocr", "pdftotext", "pdftotext_layout", "pdf"):
        return
    folder = Path(tempfile.mkdtemp(dir=work))
    pdf = render_pdf(copy.text, slug, folder)
    if channel == "pdf":
        copy.data = pdf.read_bytes()
        return
    if channel == "ocr":
        level = rng.choices(list(OCR_LEVELS), [3, 4, 2, 1])[0]
        copy.text = ocr(pdf, level, folder)
        copy.variant.append(f"ocr:{level}")
    else:
        copy.text = pdftotext(pdf, layout=channel == "pdftotext_layout")


_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_TENS_WORDS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty",
               90: "ninety"}
_SMALL = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()


def _day_words(day: int) -> str:
    if day <= 20:
        return _ORDINALS[day - 1]
    return "thirtieth" if day == 30 else f"{_TENS_WORDS[day - day % 10]}-{_ORDINALS[day % 10 - 1]}"


def _year_words(year: int) -> str:
    rest = year - 2000
    tail = "" if not rest else " " + (_SMALL[rest - 1] if rest < 20 else
                                      _TENS_WORDS[rest - rest % 10] + (f"-{_SMALL[rest % 10 - 1]}" if rest % 10 else ""))
    return "two thousand" + tail


def writes_out(published: dt.date, text: str) -> bool:
    """Whether a text states the date: "May 5, 2022", "5 May 2022", or, as a proclamation signs
    itself, "this fifth day of May, in the year of our Lord two thousand twenty-two"."""
    spelled = f"{_day_words(published.day)} day of {published:%B}"
    return (f"{published:%B} {published.day}, {published.year}" in text or f"{published.day} {published:%B} {published.year}" in text
            or spelled in text and (_year_words(published.year) in text or str(published.year) in text[text.find(spelled):]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-extra")
    parser.add_argument("--docs", type=int, default=120)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--forms", action="store_true",
                        help="also copies saved whole: web pages, markdown exports, PDFs (off: sets as before)")
    parser.add_argument("--split", default=None,
                        help="FILE:PART, e.g. benchmarks/dev_split.json:tune, to draw only from that part's statements")
    args = parser.parse_args()
    tools = all(shutil.which(t) for t in RENDER_TOOLS)
    if not tools:
        print("chromium/poppler-utils/tesseract-ocr missing: OCR and pdftotext copies are written as plain text")
    rng = random.Random(args.seed)
    index = [json.loads(line) for line in (args.gold / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in index:  # corpus-extra says "published", corpus-dev "date"
        row.setdefault("published", row.get("date"))
    if args.split:
        split_file, part = args.split.rsplit(":", 1)
        wanted = set(json.loads(Path(split_file).read_text(encoding="utf-8"))[part])
        index = [row for row in index if row["file"].rsplit(".", 1)[0] in wanted]
    chosen = sorted(rng.sample(index, min(args.docs, len(index))), key=lambda row: row["file"])
    if args.out.exists():
        shutil.rmtree(args.out)
    (args.out / "raw").mkdir(parents=True)
    (args.out / "gold").mkdir()
    planned: list[tuple[str, Copy, str, str]] = []
    for row in chosen:
        gold = (args.gold / row["file"]).read_text(encoding="utf-8").strip()
        group = row["file"].rsplit(".", 1)[0]
        for copy in copies_of(gold, dt.date.fromisoformat(row["published"]), rng, tools, args.forms):
            planned.append((group, copy, row["published"], gold.split("\n", 1)[0]))
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda item: render(item[1][1], f"{item[1][0][:40]}-{item[0]}", args.seed * 1000 + item[0], Path(tmp)),
                      enumerate(planned)))
    order = list(range(len(planned) + len(JUNK)))
    rng.shuffle(order)
    labels = []
    written: dict[int, tuple[bytes, str, list[str]]] = {}
    for number, (group, copy, published, title) in zip(order, planned):
        source = copy.twin or copy
        suffix = {"page": "html", "export": "md", "pdf": "pdf"}.get(source.kind, "txt")
        path = f"doc_{number + 1:04d}.{suffix}"
        data, encoding, enc_variant = (written[id(copy.twin)] if copy.twin
                                       else saved_whole(copy, group, dt.date.fromisoformat(published), rng))
        written[id(copy)] = (data, encoding, enc_variant)
        (args.out / "raw" / path).write_bytes(data)
        ref = f"gold/{path}"
        (args.out / ref).write_text(copy.ref + "\n", encoding="utf-8")
        labels.append({"path": path, "group": group, "truncated": copy.truncated, "kind": copy.kind,
                       "variant": copy.variant + enc_variant, "encoding": encoding, "ref": ref,
                       "gold_title": title, "gold_date": published, "gold_location": None, "states_date": copy.states_date,
                       "states_location": False})
    for number, (name, make) in zip(order[len(planned):], JUNK.items()):
        path = f"doc_{number + 1:04d}.txt"
        (args.out / "raw" / path).write_bytes(make(rng))
        labels.append({"path": path, "group": None, "truncated": False, "kind": "junk", "variant": [f"junk:{name}"],
                       "encoding": None, "ref": None, "gold_title": None, "gold_date": None, "gold_location": None,
                       "states_date": False, "states_location": False})
    labels.sort(key=lambda label: label["path"])
    with (args.out / "labels.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(label, ensure_ascii=False) + "\n" for label in labels)
    print(f"{len(labels)} files ({len(planned)} copies of {len(chosen)} statements, {len(JUNK)} junk) in {args.out}")


if __name__ == "__main__":
    main()
