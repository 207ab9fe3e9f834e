"""Stage 5: write the rendered pages all or nothing.

The new site is written into a temporary folder beside the output folder and swapped in
with one rename, so a failed or killed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .diagnostics import Diagnostic, SiteError
from .render import Page

RENAME_EXCHANGE = 2  # Linux renameat2 flag: swap two paths in one atomic step
AT_FDCWD = -100


def write_site(pages: Iterable[Page], out_dir: Path, unchanged: Collection[str] = ()) -> None:
    """Replace `out_dir` with exactly these pages, atomically where the OS allows.

    Pages whose output is in `unchanged` are in `out_dir` already, as they should be: they
    are hard-linked into the new site rather than written again (their data is not used)."""
    try:
        # resolved: a linked output folder is refilled where it points, and the link is kept
        write_atomically(pages, out_dir.resolve(), unchanged)
    except OSError as error:  # a full disk, a read-only folder, a file where a folder goes
        raise SiteError([write_error(error, str(out_dir))]) from error


def write_error(error: OSError, out_dir: str) -> Diagnostic:
    """What stopped the write, said about the output folder the user named."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        message = f"cannot write the site: a file is in the way at {error.filename}"
        return Diagnostic(out_dir, 0, 0, message, "remove that file or choose another --out")
    where = f" ({error.filename})" if error.filename else ""
    message = f"cannot write the site: {error.strerror or error}{where}"
    hint = "free some space, or choose with --out a folder you can write to"
    return Diagnostic(out_dir, 0, 0, message, hint)


def write_atomically(pages: Iterable[Page], out_dir: Path, unchanged: Collection[str]) -> None:
    pages = refuse_shared_outputs(pages)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with locked(out_dir.parent):
        remove_leftovers(out_dir)
        staging = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            staging.mkdir()
            write_files(pages, staging, out_dir, unchanged)
            swap_in(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def refuse_shared_outputs(pages: Iterable[Page]) -> list[Page]:
    """The pages, unless two routes were planned onto one file: one page would be lost."""
    listed, seen = list(pages), set()
    for page in listed:
        if page.output in seen:
            message = f"two pages would be written to {page.output}"
            raise SiteError([Diagnostic(page.output, 0, 0, message, "give each page its own id")])
        seen.add(page.output)
    return listed


def write_files(
    pages: Iterable[Page], root: Path, previous: Path, unchanged: Collection[str]
) -> None:
    made: set[str] = set()
    for page in pages:
        target = os.path.join(root, page.output)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if page.output in unchanged:
            source = os.path.join(previous, page.output)
            try:
                os.link(source, target)
            except OSError:  # a file system without hard links: copy it
                shutil.copyfile(source, target)
            continue
        with open(target, "wb") as f:
            f.write(page.data)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put `staging` at `out_dir`; afterwards `staging` holds the old site (or nothing)."""
    if not out_dir.exists():
        staging.rename(out_dir)
    elif not exchange(staging, out_dir):
        # No atomic exchange here: two renames, with a moment in which out_dir is absent.
        old = staging.with_name(staging.name + "-old")
        out_dir.rename(old)
        staging.rename(out_dir)
        old.rename(staging)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where it is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def remove_leftovers(out_dir: Path) -> None:
    """Staging folders of builds that were killed: safe to remove while we hold the lock."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One writer at a time per folder: a second build waits for the first to finish."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
