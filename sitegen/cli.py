"""The command line: runs the command `sitegen.arguments` parses; the only place that
prints and picks exit codes."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import re
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import terminal
from .arguments import make_parser
from .build import BuildResult, Options, build_site
from .diagnostics import Diagnostic, Paint, SiteError, format_report, plain
from .links import check_links
from .quotes import QuoteReport
from .terminal import Talk, colour_wanted, painter
from .theme import packaged_theme
from .vocabulary import STARTER, Words, plural
from .vocabulary import problems as word_problems

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def progress_bar(stream: TextIO) -> Callable[[int, int], None] | None:
    """A one-line bar for builds that take more than a moment; None unless on a terminal."""
    if not stream.isatty():
        return None
    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        if time.perf_counter() - start < PROGRESS_AFTER:
            return
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        end = "\r\x1b[K" if done >= total else ""  # the finished bar clears itself
        stream.write(f"\r[{bar}] {done}/{total} pages{end}")
        stream.flush()

    return show


PROGRESS_AFTER = 0.5  # seconds: quicker builds show no bar at all
BAR_WIDTH = 30


def options_from(args: argparse.Namespace) -> Options:
    """What the command line asks of the build."""
    return Options(
        base_url=args.base_url,
        site_url=getattr(args, "site_url", None),
        jobs=getattr(args, "jobs", 0),
        cache=getattr(args, "cache", True),
        save_cache=args.command != "check",  # `check` writes nothing at all
        force=getattr(args, "force", False),
        drafts=getattr(args, "drafts", True),  # `serve` shows drafts, marked as such
        progress=progress_bar(sys.stderr) if args.command != "serve" and not args.quiet else None,
    )


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "new":
        return run_new(args)
    talk = Talk(args.quiet, args.verbose, painter(colour_wanted(sys.stderr)))
    options = options_from(args)
    if args.command == "serve":
        return run_serve(args.site, options, args, talk)
    try:
        if args.command == "build":
            return run_build(args.site, args.out or args.site / "output", options, talk)
        return run_check(args.site, options, talk)
    except SiteError as error:
        say(format_report(error.diagnostics, "nothing written", talk.paint), file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        say("interrupted; nothing written", file=sys.stderr)
        return 130


def run_build(site: Path, out: Path, options: Options, talk: Talk) -> int:
    # The process ends with the build, which makes no garbage cycles worth the collection
    # that would walk every object it made once it is done (a tenth of a warm build).
    gc.disable()
    start = time.perf_counter()
    result = build_site(site, out, options)
    elapsed = time.perf_counter() - start
    summary = f"Built {len(result.outputs)} files in {elapsed * 1000:.0f} ms into {out}/"
    tell(result, summary, talk)
    return EXIT_OK


def run_check(site: Path, options: Options, talk: Talk) -> int:
    start = time.perf_counter()
    result = build_site(site, None, options)
    problems = check_links(result.pages, result.content.site.base_url)
    if problems:
        say(format_report(problems, "site has broken links", talk.paint), file=sys.stderr)
        return EXIT_ERRORS
    elapsed = time.perf_counter() - start
    pages = len(result.pages)
    summary = f"Checked {pages} files and their links in {elapsed * 1000:.0f} ms: no problems"
    tell(result, summary, talk, quote_summary(result.quotes))
    return EXIT_OK


def tell(result: BuildResult, summary: str, talk: Talk, *more: str) -> None:
    """What a build that succeeded has to say: its summary (and `more`), the stages and
    what was rendered afresh with `--verbose`, then the warnings; nothing with `--quiet`."""
    if talk.quiet:
        return
    paint = painter(colour_wanted(sys.stdout))
    say(paint("done", summary))
    for line in more:
        say(line)
    if talk.verbose:
        say(terminal.timings(result.timings))
        for line in terminal.rerendered(result.why, len(result.outputs)):
            say(line)
    print_warnings(result.warnings, talk.paint)


def run_new(args: argparse.Namespace) -> int:
    from .new import FolderInUse, make_site  # here: `build` need not load what it needs

    words = Words(args.track, args.tracks or plural(args.track))
    for _, message, hint in word_problems(words):
        message = message.replace("'track'", "--track").replace("'tracks'", "--tracks")
        args.usage_error(f"{message}; {hint}")
    title = args.title or title_from(args.folder)
    try:
        made = make_site(args.folder, title, words, args.sitegen or "")
    except FolderInUse as error:
        args.usage_error(f"argument DIR: {error}")
    except OSError as error:
        say(f"{args.folder}: error: cannot write the site: {error.strerror}", file=sys.stderr)
        return EXIT_ERRORS
    folder = shlex.quote(str(args.folder))
    say(f"Made a new site, '{title}', in {args.folder}/ ({len(made.files)} files). Next:")
    say(f"  cd {folder} && sitegen serve")
    say(f"Its theme is sitegen's, in {packaged_theme()}: a file of the same name in")
    say(f"{args.folder}/templates/ replaces one of its files. Deploying: see its README.md.")
    if args.tracks is None and words != STARTER:  # the plural made by adding an s: say it
        many = words.tracks
        say(f"The plural of '{words.track}' is '{many}': content/{many}/, /{many}/<id>/.")
        say("--tracks gives another; site.yaml names both words.")
    print_warnings(made.warnings, painter(colour_wanted(sys.stderr)))
    return EXIT_OK


def title_from(folder: Path) -> str:
    """`python-releases` → `Python releases`."""
    words = re.sub(r"[-_\s]+", " ", folder.resolve().name).strip() or "My timeline"
    return words[:1].upper() + words[1:]


def quote_summary(report: QuoteReport) -> str:
    """`Quotes: 3 verified against archived sources; 2 sources have no archive`."""
    quotes = f"{report.verified} quote{'s' if report.verified != 1 else ''}"
    sources = f"{report.unarchived} source{'s' if report.unarchived != 1 else ''}"
    have = "has" if report.unarchived == 1 else "have"
    return f"Quotes: {quotes} verified against archived sources; {sources} {have} no archive"


def run_serve(site: Path, options: Options, args: argparse.Namespace, talk: Talk) -> int:
    """Serve until Ctrl-C; bad content is reported per build and never stops the server."""
    from .devserver import DevServer, ServeError  # here: `build` need not load the server

    def log(line: str) -> None:
        say(f"[{time.strftime('%H:%M:%S')}] {line}")

    host = args.host
    if not is_loopback(host):
        warning = talk.paint("warning", "warning:")
        say(
            f"{warning} listening on {host}: anyone who can reach this machine can read the site",
            file=sys.stderr,
        )
    talk = talk._replace(paint=painter(colour_wanted(sys.stdout)))  # the log goes to stdout
    server = DevServer(site, options, host, args.port, args.poll, log, talk)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it cleanly too
    try:
        server.start()
        # What the first build made lives as long as the server. Out of the collector's
        # sight, a rebuild's collections walk only what was made since: a full collection
        # over a 10,000-milestone site's objects took 100-200 ms of the rebuild it fell in.
        gc.collect()
        gc.freeze()
        if not talk.quiet:
            say(f"Serving {server.url} (Ctrl-C to stop)")
        if args.open:
            import webbrowser  # here: only `serve --open` needs it

            webbrowser.open(server.url)
        threading.Event().wait()  # until Ctrl-C
    except ServeError as error:
        say(f"{painter(colour_wanted(sys.stderr))('error', 'error:')} {error}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, stop_now)  # a second Ctrl-C stops without cleaning up
        if not talk.quiet:
            say("Stopped")
    finally:
        server.close()
    return EXIT_OK


def stop_now(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def say(text: str, file: TextIO | None = None) -> None:
    """Print a line at once. A reader that went away (`sitegen build | head -1`) is no
    error: what is left to say goes nowhere, and the exit code stays what it was."""
    stream = file or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (127.0.0.0/8, ::1, localhost)."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to a public address


def print_warnings(warnings: list[Diagnostic], paint: Paint = plain) -> None:
    """Warnings go after the summary line, to stderr: worth reading, but nothing failed."""
    for warning in warnings:
        say(warning.format(paint), file=sys.stderr)
