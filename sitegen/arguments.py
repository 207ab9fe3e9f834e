"""The command line's grammar: the `sitegen` parser, its commands and options with their
help, and the argument types that refuse a bad value (a base URL, a site URL, a folder, a
port, a number of processes) as a usage error before anything runs.

Its own module because it says what the command line accepts, while `cli` does what it
asks: `cli.main` parses with `make_parser()` (argparse reports a usage error and exits
with 2 there), then runs the command, prints, and picks the exit code.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import stat
from pathlib import Path

from . import __version__
from .diagnostics import CONTROL, printable
from .new import folder_problem
from .reader import BASE_URL, url_problem
from .vocabulary import SLUG, STARTER


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
    serve.add_argument(
        "--open", action="store_true", help="open the served address in the web browser"
    )
    for sub in (build, check, serve):
        talk = sub.add_mutually_exclusive_group()
        talk.add_argument("-q", "--quiet", action="store_true", help="say nothing but errors")
        talk.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="also say how long each stage took, and what was rendered afresh and why",
        )
    add_new(commands)
    for sub in (build, check):
        sub.add_argument(
            "--drafts",
            action="store_true",
            help="include milestones and pages marked 'draft: true' (serve always does)",
        )
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


def add_new(commands: argparse._SubParsersAction) -> None:
    about = "Make a new site in a new or empty folder: a small example that builds at once."
    new = commands.add_parser("new", help=about, description=about)
    new.add_argument("folder", type=new_folder, metavar="DIR", help="the new site's folder")
    new.add_argument("--title", type=text, help="the site's title (default: from DIR's name)")
    new.add_argument(
        "--track",
        type=word,
        default=STARTER.track,
        help="what the site calls one track: its milestones' key (default: track)",
    )
    new.add_argument(
        "--tracks",
        type=word,
        metavar="WORD",
        help="and many: a folder under content/ and the URLs (default: TRACK + 's')",
    )
    new.add_argument(
        "--sitegen",
        type=text,
        metavar="REQUIREMENT",
        help="what the deploy workflow installs (default: this sitegen, from where it came)",
    )
    new.set_defaults(usage_error=new.error)  # for what only the arguments together can say


def new_folder(value: str) -> Path:
    """A folder a new site may go in: missing, or empty."""
    if problem := folder_problem(Path(value)):
        raise argparse.ArgumentTypeError(problem)
    return Path(value)


def text(value: str) -> str:
    if not value.strip() or CONTROL.search(value):
        raise argparse.ArgumentTypeError(f"'{printable(value)}' is not a line of text")
    return value.strip()


def word(value: str) -> str:
    if not SLUG.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a word of lowercase letters, digits and hyphens, such as track"
        )
    return value


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
