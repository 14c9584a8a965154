"""report.html: what a snapshot holds and what its run changed, as one self-contained page (charts
drawn by Matplotlib as inline SVG; no script, no network)."""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from commclean.config import PIPELINE_VERSION
from commclean.diff import SnapshotDiff
from commclean.report import reason_kinds

_LISTED = 25  # rows of each list shown; the tables hold them all
_METADATA = ("title", "date", "location", "doc_type", "issuer", "event_date")
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { padding: 0.2rem 0.6rem; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; } figcaption { font-weight: 600; } .muted { color: #666; }
td.text { font-family: ui-monospace, monospace; font-size: 0.85rem; white-space: pre-wrap; max-width: 30rem; }
mark.was { background: #f6d5d5; } mark.now { background: #d5f0d5; } .ends { color: #a33; font-weight: 600; }
"""


def report_html(version: int, manifest: dict, corpus: pa.Table, sources: pa.Table, quarantine: pa.Table,
                changes: SnapshotDiff | None) -> str:
    counts = manifest.get("counts", {})
    validation = manifest.get("validation", {})
    quarantined = _quarantined(sources)
    parts = [
        f"<h1>commclean corpus, snapshot v{version}</h1>",
        f"<p class=muted>Published {_e(manifest.get('created_at', '?'))} by pipeline {PIPELINE_VERSION}.</p>",
        _table(("count", "value"), [(name.replace("_", " "), f"{value:,}") for name, value in counts.items()]),
        *_changes(changes),
        "<h2>The corpus</h2><div class=charts>",
        _chart("Documents by year of issue", _years(corpus), vertical=True),
        _chart("Documents by type", _values(corpus, "doc_type")),
        _chart("Top issuers", _values(corpus, "issuer", top=10)),
        _chart("Metadata found (% of documents)", _coverage(corpus), percent=True),
        "</div><h2>Duplicates, repairs and quarantines</h2><div class=charts>",
        _chart("Duplicates by kind", reason_kinds(sources, "duplicate")),
        _chart("Repairs applied to the corpus", Counter(manifest.get("stats", {}).get("corpus repairs", {}))),
        _chart("Quarantined files by reason", reason_kinds(sources, "quarantined")),
        "</div>",
        *_examples(manifest.get("examples", {})),
        "<h2>Validation</h2>",
        f"<p>{_e(validation.get('summary', '?'))}. "
        "<a href='data-docs/index.html'>Great Expectations Data Docs</a>.</p>",
        _table(("expectation", "documents set aside", "examples"),
               [(s["expectation"], str(s["documents"]), " | ".join(s["examples"]))
                for s in validation.get("set_aside", [])]) if validation.get("set_aside") else "",
        f"<p>{quarantine.num_rows} documents in quarantine.parquet.</p>",
        "<h2>Quarantined files</h2>",
        _table(("file", "reason"), quarantined) if quarantined else "<p class=muted>none</p>",
    ]
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<title>commclean snapshot v{version}</title><style>{_STYLE}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")


def _changes(changes: SnapshotDiff | None) -> list[str]:
    if changes is None:
        return []
    since = f"since v{changes.old}" if changes.old else "(nothing was published before)"
    rows = [(f"+ {d.doc_id}", d.title or "(no title)", d.canonical_path) for d in changes.added[:_LISTED]]
    rows += [(f"- {d.doc_id}", d.title or "(no title)", d.canonical_path) for d in changes.removed[:_LISTED]]
    rows += [(f"~ {c.doc_id}", c.title or "(no title)", "changed: " + ", ".join(c.columns))
             for c in changes.changed[:_LISTED]]
    return [f"<h2>What changed {since}</h2>",
            f"<p>Documents: {len(changes.added)} added, {len(changes.removed)} removed, {len(changes.changed)} "
            f"changed. Files: {len(changes.files_new)} new, {len(changes.files_changed)} changed, "
            f"{len(changes.files_gone)} gone, "
            f"{len(changes.files_restated)} with another status.</p>",
            _table(("document", "title", "file"), rows) if rows else ""]


def _examples(examples: dict[str, dict[str, list[dict[str, str]]]]) -> list[str]:
    """Copies beside their canonical and repairs before and after, each at its first difference,
    from what this run processed (carried documents and cached files give none)."""
    note = "<p class=muted>The first few of each kind among the files this run processed.</p>"
    copies = [(kind, e["path"], e["beside"], _side(e, "before"), _side(e, "after", of_copy=True))
              for kind, kept in examples.get("duplicates", {}).items() for e in kept]
    repairs = [(name, e["path"], _side(e, "before"), _side(e, "after"))
               for name, kept in examples.get("repair", {}).items() for e in kept]
    return [
        "<h2>Copies beside their canonical</h2>", note,
        _rich_table(("kind", "copy", "canonical", "canonical text", "copy text"), copies, texts=2)
        if copies else "<p class=muted>none with a difference to show</p>",
        "<h2>Repairs, before and after</h2>", note,
        _rich_table(("repair", "file", "before", "after"), repairs, texts=2)
        if repairs else "<p class=muted>no file was repaired in this run</p>",
    ]


def _side(example: dict[str, str], side: str, of_copy: bool = False) -> str:
    """One text at the difference, as HTML: what differs marked; where a copy stops, said so."""
    changed = example[side]
    if of_copy and not changed and not example["trail"]:
        middle = "<span class=ends>⟂ the copy ends here</span>"
    else:
        shown = changed.replace(" ", "␣").replace("\n", "↵\n") if changed.isspace() else changed
        middle = f"<mark class={'was' if side == 'before' else 'now'}>{_e(shown)}</mark>" if changed else ""
    return f"…{_e(example['lead'])}{middle}{_e(example['trail'])}…"


def _rich_table(header: Sequence[str], rows: Sequence[Sequence[str]], texts: int) -> str:
    """A table whose last `texts` cells are HTML already (escaped where it came from text)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row[:-texts])
                   + "".join(f"<td class=text>{c}</td>" for c in row[-texts:]) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _years(corpus: pa.Table) -> Counter:
    dates = corpus.column("date").drop_null()
    return Counter(str(y) for y in pc.year(dates).to_pylist()) if len(dates) else Counter()


def _values(corpus: pa.Table, column: str, top: int | None = None) -> Counter:
    counts = Counter(v for v in corpus.column(column).to_pylist() if v is not None)
    return Counter(dict(counts.most_common(top))) if top else counts


def _coverage(corpus: pa.Table) -> Counter:
    rows = max(corpus.num_rows, 1)
    return Counter({name: 100 * (corpus.num_rows - corpus.column(name).null_count) / rows for name in _METADATA})


def _quarantined(sources: pa.Table) -> list[tuple[str, str]]:
    rows = sources.filter(pc.equal(sources.column("status"), "quarantined")).select(["path", "reason"])
    return sorted(zip(rows.column("path").to_pylist(), rows.column("reason").to_pylist()))[:4 * _LISTED]


def _chart(title: str, counts: Counter, vertical: bool = False, percent: bool = False) -> str:
    """A bar chart as inline SVG; an empty one says so in words."""
    if not counts:
        return f"<figure><figcaption>{_e(title)}</figcaption><p class=muted>none</p></figure>"
    from matplotlib import rc_context
    from matplotlib.figure import Figure  # imported when a report is written: about 0.5 s
    from matplotlib.ticker import MaxNLocator

    labels = sorted(counts) if vertical else [k for k, _ in sorted(counts.items(), key=lambda kv: kv[1])]
    values = [counts[k] for k in labels]
    height = 2.6 if vertical else max(1.6, 0.32 * len(labels) + 0.8)
    figure = Figure(figsize=(5.2, height))
    # Margins from the labels' length, not tight_layout: it draws the figure twice (half the cost).
    longest = max(len(str(label)) for label in labels)
    figure.subplots_adjust(left=0.1 if vertical else min(0.6, 0.04 + 0.0135 * longest), right=0.96, top=0.95,
                           bottom=(0.3 if len(labels) > 8 else 0.15) if vertical else 0.6 / height)
    axes = figure.subplots()
    if vertical:
        axes.bar(labels, values, color="#3b6ea5")
        axes.tick_params(axis="x", labelrotation=45 if len(labels) > 8 else 0)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    elif percent:
        axes.barh(labels, values, color="#3b6ea5")
        axes.set_xlim(0, 100)
    else:
        axes.barh(labels, values, color="#3b6ea5")
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    out = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):  # text as text: a third of the size, the browser's own font
        figure.savefig(out, format="svg")
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]  # the XML prologue has no place inside HTML
    return f"<figure><figcaption>{_e(title)}</figcaption>{svg}</figure>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _e(text: object) -> str:
    return html.escape(str(text))
