"""The `commclean` command: run the corpus build once, or serve it on a schedule."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from commclean.report import RunSummary

app = typer.Typer(
    help="Turn a folder of messy scraped statements (raw/) into a clean, deduplicated Parquet corpus (clean/).",
    no_args_is_help=True,
    add_completion=False,
)

def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        from commclean.config import PIPELINE_VERSION

        typer.echo(f"commclean {version('commclean')} (pipeline {PIPELINE_VERSION})")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Turn a folder of messy scraped statements (raw/) into a clean, deduplicated Parquet corpus (clean/)."""


RawOption = Annotated[Path, typer.Option("--raw", help="Folder of raw files (searched recursively).")]
CleanOption = Annotated[Path, typer.Option("--clean", help="Folder the corpus is published to.")]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask", metavar="ADDRESS|local",
                 help="Decode, repair and analyse new files on a Dask cluster: a scheduler's address "
                      "(tcp://host:8786), or `local` for a LocalCluster sized to this machine (needs the dask extra)."),
]
StateOption = Annotated[
    Path | None,
    typer.Option("--state", help="Folder for the cache, lock and failed runs (default: CLEAN/.state)."),
]


@app.command()
def run(
    raw: RawOption = Path("raw"),
    clean: CleanOption = Path("clean"),
    state: StateOption = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run on the same clean/ to finish.")] = 0.0,
    full: Annotated[bool, typer.Option("--full", help="Process every file again, ignoring the cache.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of a run that could not complete.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON (on stdout, alone).")] = False,
    dask: DaskOption = None,
) -> None:
    """Build clean/corpus.parquet and clean/sources.parquet from raw/ through the Prefect flow.

    Exit codes: 0 published, 1 validation failed (nothing published), 2 wrong arguments, 3 another
    run holds the clean folder, 4 the run could not complete (disk, permissions, Prefect server),
    130 interrupted (Ctrl-C)."""
    if not raw.is_dir():
        problem = "is not a folder" if raw.exists() else "does not exist"
        typer.echo(f"error: raw folder {raw} {problem}", err=True)
        raise typer.Exit(2)
    from flows.server import start_early_server, stopped_if_refused

    # Prefect's temporary server (for a run given none) takes seconds to start: it starts first,
    # and they pass while this process imports Prefect and the stages.
    early = start_early_server()
    from commclean.ingest.discover import FolderClash, check_folders
    from commclean.store import Folders

    folders = Folders.of(clean, state)
    # Before Prefect's import: a refused run ends without it.
    with stopped_if_refused(early):
        try:
            check_folders(raw, folders)
        except FolderClash as clash:
            typer.echo(f"error: {clash}", err=True)
            raise typer.Exit(2) from None
        _check_writable(folders.clean, "clean")
        _check_writable(folders.state, "state")
    from commclean.validate.suites import start_helper_if_updating

    # Before Prefect's import: an unchanged run waited 4.6 s for it after them.
    start_helper_if_updating(folders.clean)
    from commclean.store.lock import RunLocked
    from flows.build_corpus import ValidationFailed, build_corpus
    from flows.cluster import DaskMissing
    from flows.server import ServerEnded, check_named_server, serving

    try:
        check_named_server()
        with serving(early):
            summary = build_corpus(raw_dir=str(raw), clean_dir=str(clean), wait_seconds=wait, full=full,
                                   state_dir=None if state is None else str(state), dask=dask)
    except ValidationFailed as failure:
        _print_summary(failure.summary, clean, as_json)
        typer.echo("Validation failed: nothing was published.", err=True)
        raise typer.Exit(1) from None
    except RunLocked as locked:
        typer.echo(f"error: {locked}", err=True)
        raise typer.Exit(3) from None
    except DaskMissing as missing:
        typer.echo(f"error: {missing}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        _stopped_by_interrupt(clean)
    except (Exception, ServerEnded) as error:
        if early is not None and early.ended_with is not None:  # whatever the run raised as it stopped
            typer.echo(f"error: Prefect's temporary server ended during the run (exit code {early.ended_with}): "
                       f"the run stopped; {_readers_see(clean)}", err=True)
            raise typer.Exit(4) from None
        if _interrupted(error):  # raised while the run stopped for Ctrl-C (a pool's workers closing)
            _stopped_by_interrupt(clean)
        if debug:
            raise
        typer.echo(f"error: the run could not complete: {_could_not_run(error)} (the previous corpus is "
                   "untouched; --debug shows the traceback)", err=True)
        raise typer.Exit(4) from None
    _print_summary(summary, clean, as_json)


INTERRUPTED = 128 + 2  # as a shell reports a command that SIGINT ended


def _interrupted(error: BaseException | None) -> bool:
    """Whether a KeyboardInterrupt is among the exceptions `error` was raised while handling."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _stopped_by_interrupt(clean: Path) -> NoReturn:
    typer.echo(f"interrupted: the run stopped; {_readers_see(clean)}", err=True)
    raise typer.Exit(INTERRUPTED) from None


def _readers_see(clean: Path) -> str:
    """Which version a stopped run leaves readers (a run publishes a version whole or not at all)."""
    from commclean.read import current_snapshot

    try:
        return f"readers see {current_snapshot(clean).name}, whole (a run publishes all of a version or none of it)"
    except FileNotFoundError:
        return "nothing is published yet"


def _could_not_run(error: Exception) -> str:
    """What went wrong, in one line: the file system's complaint, the server that did not answer."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}" + (f": {error.filename}" if error.filename else "")
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _check_writable(folder: Path, kind: str) -> None:
    """Before any work: a clean or state folder that cannot be made or written (a file in its
    place, a read-only or full file system) is the environment's fault, said in one line with exit 4."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        typer.echo(f"error: {kind} folder {folder} cannot be written: {error.strerror or error}", err=True)
        raise typer.Exit(4) from None


@app.command("history")
def history_command(clean: CleanOption = Path("clean")) -> None:
    """List the published snapshots, oldest first; * marks the one readers see."""
    from commclean.store.publish import current_version, history

    snapshots = history(clean)
    if not snapshots:
        typer.echo(f"nothing published in {clean} yet")
        return
    current = current_version(clean)
    for snapshot in snapshots:
        typer.echo(("* " if snapshot.version == current else "  ") + snapshot.summary())


@app.command("diff")
def diff_command(
    old: Annotated[int, typer.Argument(help="The earlier snapshot, as `commclean history` lists it.")],
    new: Annotated[int | None, typer.Argument(help="The later one (default: the one readers see).")] = None,
    clean: CleanOption = Path("clean"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole difference as JSON.")] = False,
) -> None:
    """Documents added, removed and changed from one snapshot to another, and raw files new,
    gone or given another status."""
    import json

    from commclean.diff import diff_snapshots
    from commclean.store.publish import current_version

    later = new if new is not None else current_version(clean)
    if later is None:
        typer.echo(f"error: nothing published in {clean}", err=True)
        raise typer.Exit(2)
    try:
        difference = diff_snapshots(clean, old, later)
    except FileNotFoundError as missing:
        typer.echo(f"error: {missing}; see `commclean history`", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(difference.as_dict(), indent=2, default=str))
        return
    for line in difference.lines():
        typer.echo(line)


@app.command()
def unpack(
    export: Annotated[Path, typer.Argument(help="A JSON, JSON Lines, CSV or TSV export, an RSS or Atom feed, "
                                                "or a mailbox (mbox).")],
    to: Annotated[Path | None, typer.Option("--to", help="Folder to write the records to "
                                                         "(default: beside the export, named after it).")] = None,
) -> None:
    """Write each statement an export holds as a file of its own (NNNN.json, a mailbox's NNNN.eml),
    for runs to read: a run reads one statement a file, and sets an export of several aside."""
    import json
    import mailbox

    from commclean.config import DecodeConfig
    from commclean.ingest.datafiles import export_records
    from commclean.ingest.mail import in_mailbox

    try:
        text = export.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: {export} cannot be read as UTF-8 text: {error}", err=True)
        raise typer.Exit(2) from None
    if in_mailbox(text) is not None:  # each message as it was sent, for runs to read as one
        files = [(".eml", message.as_bytes()) for message in mailbox.mbox(export, create=False)]
    else:
        files = [(".json", (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode())
                 for record in export_records(text, DecodeConfig().min_document_chars)]
    if not files:
        typer.echo(f"error: {export} holds no records with a statement in them", err=True)
        raise typer.Exit(2)
    folder = to if to is not None else export.with_name(export.name.replace(".", "-"))
    if folder.exists() and any(folder.iterdir()):
        typer.echo(f"error: {folder} exists and is not empty; name another with --to", err=True)
        raise typer.Exit(2)
    _write_whole(folder, [(f"{number:04d}{suffix}", data) for number, (suffix, data) in enumerate(files, 1)])
    typer.echo(f"{len(files)} statements written to {folder}/ (0001 to {len(files):04d})")


def _write_whole(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """The files in `folder`, all of them or none: written in a hidden folder beside it (which runs
    skip) and moved into place at once. Stopped half-way, unpack left a folder it then refused to
    write into, and a run could read half an export meanwhile."""
    import shutil
    import uuid

    folder.parent.mkdir(parents=True, exist_ok=True)
    writing = folder.parent / f".{folder.name}.unpacking-{uuid.uuid4().hex}"
    writing.mkdir()
    try:
        for name, data in files:
            (writing / name).write_bytes(data)
        writing.replace(folder)  # onto nothing, or onto the empty folder named by --to
    except BaseException:
        shutil.rmtree(writing, ignore_errors=True)
        raise


@app.command()
def rollback(
    version: Annotated[int, typer.Argument(help="Snapshot version, as `commclean history` lists it.")],
    clean: CleanOption = Path("clean"),
) -> None:
    """Publish an earlier snapshot again (atomically, as a run publishes)."""
    from commclean.store import SNAPSHOTS
    from commclean.store.lock import RunLocked, run_lock
    from commclean.store.publish import rollback as publish_again

    if not clean.is_dir():  # taking the lock would create it
        typer.echo(f"error: clean folder {clean} does not exist; nothing to roll back", err=True)
        raise typer.Exit(2)
    if not (clean / SNAPSHOTS).is_dir():  # taking the lock would write into a folder that is not ours
        typer.echo(f"error: {clean} holds no commclean snapshots; nothing to roll back", err=True)
        raise typer.Exit(2)
    try:
        with run_lock(clean):
            publish_again(clean, version)
    except FileNotFoundError as missing:
        typer.echo(f"error: {missing}; see `commclean history`", err=True)
        raise typer.Exit(2) from None
    except RunLocked as locked:
        typer.echo(f"error: {locked}", err=True)
        raise typer.Exit(3) from None
    typer.echo(f"readers now see snapshot v{version}")


def _print_summary(summary: RunSummary, clean: Path, as_json: bool) -> None:
    try:
        _write_summary(summary, clean, as_json)
    except BrokenPipeError:
        # Whoever read stdout stopped (`| head`, `| grep -m1`): what the run did stands, and so does
        # its exit code (click would exit 1, which says validation failed).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _write_summary(summary: RunSummary, clean: Path, as_json: bool) -> None:
    if as_json:
        import dataclasses
        import json

        typer.echo(json.dumps(dataclasses.asdict(summary), indent=2))
        return
    typer.echo("\ncommclean run summary")
    for line in summary.lines():
        typer.echo("  " + line)
    typer.echo(f"  output:       {clean / 'corpus.parquet'}, {clean / 'sources.parquet'}, "
               f"{clean / 'quarantine.parquet'}")


@app.command()
def serve(
    cron: Annotated[str, typer.Option("--cron", help='Cron schedule, e.g. "0 * * * *" for hourly.')],
    raw: RawOption = Path("raw"),
    clean: CleanOption = Path("clean"),
    state: StateOption = None,
    dask: DaskOption = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "commclean-scheduled",
) -> None:
    """Serve the build flow on a cron schedule; each run picks up whatever is in raw/.

    Needs a Prefect server: Prefect cannot schedule runs on its temporary local API."""
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo(
            "commclean serve needs a running Prefect server: Prefect schedules flow runs only against a\n"
            "server, never against the temporary local API that `commclean run` uses.\n\n"
            "Start one in another terminal and point commclean at it:\n"
            "  PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \\\n"
            "    prefect server start --host 127.0.0.1 --port 4200\n"
            "  export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
            f"  commclean serve --cron {cron!r}",
            err=True,
        )
        raise typer.Exit(2)
    from flows.build_corpus import build_corpus

    build_corpus.serve(
        name=name,
        cron=cron,
        parameters={"raw_dir": str(raw.resolve()), "clean_dir": str(clean.resolve()),
                    "state_dir": None if state is None else str(state.resolve()), "dask": dask},
    )


def main() -> None:  # pragma: no cover - console entry for `python -m commclean`
    sys.exit(app())
