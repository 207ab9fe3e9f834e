"""The command line: the only place that prints and picks exit codes."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import __version__
from .build import Options, build_site
from .devserver import DevServer, ServeError
from .diagnostics import Diagnostic, SiteError, format_report
from .links import check_links
from .quotes import QuoteReport
from .validate import BASE_URL, url_problem

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def base_url(value: str) -> str:
    """`REPO`, `/REPO` and `/REPO/` all mean `/REPO/`; held to site.yaml's rule."""
    path = "/" + value.strip("/") + "/" if value.strip("/") else "/"
    if not BASE_URL.fullmatch(path):
        raise argparse.ArgumentTypeError(f"'{value}' is not a URL path such as / or /my-repo/")
    return path


def site_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(?:/[^\s?#]*)?", value):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an absolute URL such as https://example.org"
        )
    if problem := url_problem(value, site=True):
        raise argparse.ArgumentTypeError(f"'{value}' is not a URL a browser can open: {problem}")
    return value.rstrip("/")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen", description="Build a static timeline site from YAML fact files."
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "--site",
            type=site_folder,
            default=Path("."),
            metavar="DIR",
            help="the site folder, holding content/ and templates/ (default: .)",
        )
        return sub

    build = command("build", "Build the site into the output folder.")
    build.add_argument(
        "--out", type=out_folder, metavar="DIR", help="output folder (default: SITE/output)"
    )
    build.add_argument(
        "--force",
        action="store_true",
        help="replace the output folder even if it holds files sitegen did not write",
    )
    for sub in (
        build,
        check := command("check", "Check content, templates and internal links; write nothing."),
    ):
        sub.add_argument(
            "--base-url",
            type=base_url,
            metavar="PATH",
            help="URL path the site is served under, e.g. /my-repo/ (default: site.yaml's)",
        )
        sub.add_argument(
            "--site-url",
            type=site_url,
            metavar="URL",
            help="absolute address of the site, for the sitemap, feed and canonical links",
        )
    serve = command("serve", "Preview the site, rebuilding and reloading it on every edit.")
    serve.add_argument(
        "--base-url",
        type=base_url,
        metavar="PATH",
        help="URL path to serve the site under, e.g. /my-repo/ (default: site.yaml's)",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument(
        "--port",
        type=port,
        metavar="N",
        help="port to listen on; 0 for any free one (default: 8000, or the next free one)",
    )
    serve.add_argument(
        "--poll",
        action="store_true",
        help="poll for changes instead of relying on OS events (Docker, WSL2, network drives)",
    )
    for sub in (build, check):
        sub.add_argument(
            "--jobs",
            type=jobs,
            default=0,
            metavar="N",
            help="processes rendering pages (default: one per CPU)",
        )
        sub.add_argument(
            "--no-cache",
            dest="cache",
            action="store_false",
            help="neither use nor update the build cache in SITE/.sitegen-cache/",
        )
    return parser


def site_folder(value: str) -> Path:
    """A folder that is there: a site named wrongly is a usage error, found at once."""
    try:
        if stat.S_ISDIR(os.stat(value or ".").st_mode):
            return Path(value)
        reason = f"'{value}' is a file, not a folder"
    except OSError as error:
        reason = f"no folder '{value}'"
        if error.errno == errno.ELOOP:
            reason = f"'{value}' is a link that loops back on itself"
    raise argparse.ArgumentTypeError(reason)


def out_folder(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("the output folder needs a name, such as output")
    return Path(value)


def port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number from 0 to 65535")
    return int(value)


def jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes such as 1 or 4")
    return int(value)


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


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    options = Options(
        base_url=args.base_url,
        site_url=getattr(args, "site_url", None),
        jobs=getattr(args, "jobs", 0),
        cache=getattr(args, "cache", True),
        force=getattr(args, "force", False),
        progress=progress_bar(sys.stderr) if args.command != "serve" else None,
    )
    if args.command == "serve":
        return run_serve(args.site, options, args.host, args.port, args.poll)
    try:
        if args.command == "build":
            return run_build(args.site, args.out or args.site / "output", options)
        return run_check(args.site, options)
    except SiteError as error:
        say(format_report(error.diagnostics, "nothing written"), file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        say("interrupted; nothing written", file=sys.stderr)
        return 130


def run_build(site: Path, out: Path, options: Options) -> int:
    start = time.perf_counter()
    result = build_site(site, out, options)
    elapsed = time.perf_counter() - start
    say(f"Built {len(result.outputs)} files in {elapsed * 1000:.0f} ms into {out}/")
    print_warnings(result.warnings)
    return EXIT_OK


def run_check(site: Path, options: Options) -> int:
    start = time.perf_counter()
    result = build_site(site, None, options)
    problems = check_links(result.pages, result.content.site.base_url)
    if problems:
        say(format_report(problems, "site has broken links"), file=sys.stderr)
        return EXIT_ERRORS
    elapsed = time.perf_counter() - start
    say(
        f"Checked {len(result.pages)} files and their links in {elapsed * 1000:.0f} ms: no problems"
    )
    say(quote_summary(result.quotes))
    print_warnings(result.warnings)
    return EXIT_OK


def quote_summary(report: QuoteReport) -> str:
    """`Quotes: 3 verified against archived sources; 2 sources have no archive`."""
    quotes = f"{report.verified} quote{'s' if report.verified != 1 else ''}"
    sources = f"{report.unarchived} source{'s' if report.unarchived != 1 else ''}"
    have = "has" if report.unarchived == 1 else "have"
    return f"Quotes: {quotes} verified against archived sources; {sources} {have} no archive"


def run_serve(site: Path, options: Options, host: str, port: int | None, poll: bool) -> int:
    """Serve until Ctrl-C; bad content is reported per build and never stops the server."""

    def log(line: str) -> None:
        say(f"[{time.strftime('%H:%M:%S')}] {line}")

    if not is_loopback(host):
        say(
            f"warning: listening on {host}: anyone who can reach this machine can read the site",
            file=sys.stderr,
        )
    server = DevServer(site, options, host=host, port=port, poll=poll, log=log)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it cleanly too
    try:
        server.start()
        say(f"Serving {server.url} (Ctrl-C to stop)")
        threading.Event().wait()  # until Ctrl-C
    except ServeError as error:
        say(f"error: {error}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, stop_now)  # a second Ctrl-C stops without cleaning up
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


def print_warnings(warnings: list[Diagnostic]) -> None:
    """Warnings go after the summary line, to stderr: worth reading, but nothing failed."""
    for warning in warnings:
        say(warning.format(), file=sys.stderr)
