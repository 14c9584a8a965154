"""Great Expectations Data Docs of one validation: a static site, one page per suite, each
expectation's outcome summed over every chunk of rows it ran on."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
from copy import deepcopy
from pathlib import Path
from typing import Any

from commclean.store import DATA_DOCS_INDEX

SITE_NAME = "commclean"
_SUMMED = ("element_count", "missing_count", "unexpected_count")
# Lists a page shows as they are; each row's value is cut short (a value here is a whole text).
_PARTIAL_ROWS = 20
_VALUE_CHARS = 200
# Whole lists of failing rows and values: needed to set documents aside, never shown on a page.
_DROPPED = ("unexpected_list", "unexpected_index_list", "partial_unexpected_index_list",
            "partial_unexpected_counts", "unexpected_index_query")


class SuiteOutcomes:
    """The outcomes of a suite's expectations, as the chunks and parts it was run in come back,
    trimmed to what a page shows so that a large failing run does not hold every failing text."""

    def __init__(self) -> None:
        self._results: dict[str, dict[str, Any]] = {}  # suite -> expectation name -> outcome
        self._meta: dict[str, dict] = {}

    def add(self, suite: str, run: Any) -> None:  # noqa: ANN401 - GX's ExpectationSuiteValidationResult
        outcomes = self._results.setdefault(suite, {})
        self._meta.setdefault(suite, {k: v for k, v in run.meta.items() if k in ("great_expectations_version",)})
        for outcome in run.results:
            name = (outcome.expectation_config.meta or {}).get("name", outcome.expectation_config.type)
            trimmed = _trimmed(outcome)
            outcomes[name] = _summed(outcomes[name], trimmed) if name in outcomes else trimmed

    def build(self, suites: dict[str, dict], folder: Path, run_name: str) -> Path:
        """Write the site into `folder` (created); returns its index page."""
        import great_expectations as gx
        from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        folder.mkdir(parents=True, exist_ok=True)
        _compile_templates_once()
        context = gx.get_context(mode="ephemeral")
        context.add_data_docs_site(site_name=SITE_NAME, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
            "show_how_to_buttons": False,
        })
        run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.timezone.utc))
        for name, suite_json in suites.items():
            context.suites.add(ExpectationSuite(**deepcopy(suite_json)))
            outcomes = list(self._results.get(name, {}).values())
            passed = sum(1 for o in outcomes if o.success)
            result = ExpectationSuiteValidationResult(
                success=passed == len(outcomes), results=outcomes, suite_name=name,
                statistics={"evaluated_expectations": len(outcomes), "successful_expectations": passed,
                            "unsuccessful_expectations": len(outcomes) - passed,
                            "success_percent": 100.0 * passed / len(outcomes) if outcomes else 100.0},
                meta={**self._meta.get(name, {}), "run_id": run_id,
                      "active_batch_definition": {"datasource_name": "commclean", "data_asset_name": name,
                                                  "batch_definition_name": "candidate"}},
            )
            key = ValidationResultIdentifier(ExpectationSuiteIdentifier(name), run_id, f"commclean-{name}")
            context.validation_results_store.set(key, result)
        context.build_data_docs(site_names=[SITE_NAME])
        make_offline(folder)
        return folder / DATA_DOCS_INDEX


_JINJA_ENVIRONMENTS: dict[tuple, Any] = {}  # (view class, its arguments) -> its Jinja environment


def _compile_templates_once() -> None:
    """GX gives each page view a Jinja environment of its own, so every build compiles its ~50
    templates again: three quarters of a small run's Data Docs time (seeds: 0.43 s, now 0.09 s),
    in every run of a long-lived process (`commclean serve`, the tests). Views of one class and
    arguments share one environment instead; its filters belong to the first such view, whose
    state (those arguments: custom folders) every other view of the key has too. The pages come
    out the same."""
    from great_expectations.render.view.view import DefaultJinjaView

    build = DefaultJinjaView.__init__
    if getattr(build, "_commclean_shared", False):
        return

    def shared(view: Any, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - GX's view and its arguments
        build(view, *args, **kwargs)  # all the view's own state; a new environment costs nothing until used
        key = (type(view), args, tuple(sorted(kwargs.items())))
        with contextlib.suppress(TypeError, AttributeError):  # arguments no key can hold: its own environment
            view.env = _JINJA_ENVIRONMENTS.setdefault(key, view.env)

    shared._commclean_shared = True  # type: ignore[attr-defined]
    DefaultJinjaView.__init__ = shared  # type: ignore[method-assign]


# What the pages load from CDNs, and the copy shipped in assets/ that replaces it.
_VENDORED = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker.min.css",
}
_ASSETS = Path(__file__).with_name("assets")
_STYLE = "commclean.css"  # in place of the icon font
_EXTERNAL_TAG = re.compile(r"""<(script|link)\b[^>]*\b(?:src|href)=["']https?://[^"']*["'][^>]*>(?:\s*</script>)?""")
_EXTERNAL_LOGO = re.compile(r"""src=["']https?://[^"']*/logo-long\.png[^"']*["']""")


def make_offline(folder: Path) -> None:
    """Point every page at the libraries shipped in assets/ and drop what else it would fetch
    (charts, fonts, icons, a logo that names the build time): the site renders with no network,
    and opening it tells no one."""
    vendor = folder / "static" / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    for name in {*_VENDORED.values(), _STYLE}:
        shutil.copyfile(_ASSETS / name, vendor / name)
    for page in folder.rglob("*.html"):
        prefix = os.path.relpath(vendor, page.parent)
        html = page.read_text(encoding="utf-8")
        for url, name in _VENDORED.items():
            html = html.replace(url, f"{prefix}/{name}")
        html = _EXTERNAL_LOGO.sub(f'src="{os.path.relpath(folder / "static" / "images", page.parent)}/logo-long.png"',
                                  html)
        html = html.replace("</head>", f'<link rel="stylesheet" href="{prefix}/{_STYLE}"></head>', 1)
        page.write_text(_EXTERNAL_TAG.sub("", html), encoding="utf-8")
    # GX copies in the animations of its how-to pop-ups (3 MB), which these pages do not show.
    pages = " ".join(p.read_text(encoding="utf-8") for p in (*folder.rglob("*.html"), *folder.rglob("*.css")))
    for image in (folder / "static" / "images").glob("*"):
        if image.name not in pages:
            image.unlink()


def _trimmed(outcome: Any) -> Any:  # noqa: ANN401 - GX's ExpectationValidationResult
    from great_expectations.core import ExpectationValidationResult

    result = {k: v for k, v in (outcome.result or {}).items() if k not in _DROPPED}
    if "partial_unexpected_list" in result:
        result["partial_unexpected_list"] = [_short(v) for v in result["partial_unexpected_list"][:_PARTIAL_ROWS]]
    return ExpectationValidationResult(success=outcome.success, expectation_config=outcome.expectation_config,
                                       result=result, meta=outcome.meta, exception_info=outcome.exception_info)


def _summed(first: Any, second: Any) -> Any:  # noqa: ANN401 - GX's ExpectationValidationResult
    """One expectation's outcome over two chunks of rows."""
    result = dict(first.result or {})
    other = second.result or {}
    for key in _SUMMED:
        if key in result or key in other:
            result[key] = (result.get(key) or 0) + (other.get(key) or 0)
    if "partial_unexpected_list" in result or "partial_unexpected_list" in other:
        joined = [*result.get("partial_unexpected_list", []), *other.get("partial_unexpected_list", [])]
        result["partial_unexpected_list"] = joined[:_PARTIAL_ROWS]
    elements, missing = result.get("element_count") or 0, result.get("missing_count") or 0
    if "unexpected_count" in result and elements:
        unexpected = result["unexpected_count"]
        result["missing_percent"] = 100.0 * missing / elements
        result["unexpected_percent"] = result["unexpected_percent_total"] = 100.0 * unexpected / elements
        result["unexpected_percent_nonmissing"] = 100.0 * unexpected / max(elements - missing, 1)
    first.result = result
    first.success = bool(first.success and second.success)
    if not (first.exception_info or {}).get("raised_exception"):
        first.exception_info = second.exception_info
    return first


def _short(value: object) -> object:
    if isinstance(value, str) and len(value) > _VALUE_CHARS:
        return value[:_VALUE_CHARS] + "…"
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
