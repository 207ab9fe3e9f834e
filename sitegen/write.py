"""Stage 5: write the rendered pages all or nothing.

The new site is written into a temporary folder beside the output folder and swapped in
with one rename, so a failed or killed build leaves the previous site exactly as it was.
Pages are written where they are rendered (in forked workers, for a big site), so no
process holds the whole site in memory.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from .cache import Stat, as_stat, file_stat
from .diagnostics import Diagnostic, SiteError

RENAME_EXCHANGE = 2  # Linux renameat2 flag: swap two paths in one atomic step
AT_FDCWD = -100


@contextmanager
def replacing(out_dir: Path) -> Iterator[Path]:
    """An empty folder to write the new site into, swapped in for `out_dir` when the block
    ends without error; after an error, `out_dir` is as it was. Raises SiteError for a
    write that fails (a full disk, a read-only folder, a file where a folder goes)."""
    target = out_dir.resolve()  # a linked output folder is refilled where it points
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with locked(target.parent):
            remove_leftovers(target)
            staging = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
            try:
                staging.mkdir()
                yield staging
                swap_in(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        raise SiteError([write_error(error, str(out_dir))]) from error


def write_changed(
    outputs: set[str],
    fresh: set[str],
    pages: dict[str, bytes],
    on_disk: dict[str, Stat],
    out_dir: Path,
    render_into: Callable[[Callable[[str, bytes], Stat]], dict[str, Stat]],
) -> dict[str, Stat] | None:
    """Make `out_dir` hold exactly `outputs`: those in `fresh` rendered by `render_into`
    (which hands each page to the function it is given, in the process that rendered it),
    `pages` written, the others linked from the files in `on_disk` (what the last build
    wrote there, unchanged since). A fresh page that came out as the file already there is
    linked too. Returns the stat of every file, or None if `out_dir` held the site already."""
    if not fresh and not pages and holds_exactly(out_dir, outputs):
        return None
    with replacing(out_dir) as staging:
        record = {o: link_file(staging, out_dir, o) for o in outputs - fresh - pages.keys()}
        record |= {o: put_file(staging, o, data) for o, data in pages.items()}
        if fresh:
            record |= render_into(partial(store_page, staging, out_dir, on_disk))
    return record


def put_file(root: Path, output: str, data: bytes) -> Stat:
    """Write one file of the new site; its stat, to know it again by."""
    target = os.path.join(root, output)
    make_folder(os.path.dirname(target))
    with open(target, "wb") as f:
        f.write(data)
        f.flush()  # so that the stat below sees every byte; closing then changes nothing
        return as_stat(os.fstat(f.fileno()))


def make_folder(folder: str) -> None:
    """Make a page's folder: one system call when its parent is there, as it mostly is
    (`os.makedirs` looks twice more); writing into it reports anything in the way."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def link_file(root: Path, previous: Path, output: str) -> Stat:
    """Bring one unchanged file over from the previous site, linked rather than copied."""
    target, source = os.path.join(root, output), os.path.join(previous, output)
    make_folder(os.path.dirname(target))
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: copy it
        shutil.copyfile(source, target)
    return file_stat(target)


def store_page(
    staging: Path, previous: Path, on_disk: dict[str, Stat], output: str, data: bytes
) -> Stat:
    """Write a page rendered afresh, or link it if the previous site has these very bytes."""
    if same_bytes(previous, output, data, on_disk):
        return link_file(staging, previous, output)
    return put_file(staging, output, data)


def same_bytes(out_dir: Path, output: str, data: bytes, on_disk: dict[str, Stat]) -> bool:
    """Whether a page rendered again came out as the file the last build left there."""
    stat = on_disk.get(output)
    if stat is None or stat[2] != len(data):
        return False
    try:
        return (out_dir / output).read_bytes() == data
    except OSError:
        return False


def output_stat(path: Path) -> Stat | None:
    try:
        return file_stat(path)
    except OSError:
        return None


def holds_exactly(out_dir: Path, outputs: set[str]) -> bool:
    """Whether `out_dir` holds these files and nothing else (no file, folder or link more)."""
    folders = {os.path.dirname(o) for o in outputs}
    folders |= {f for o in folders for f in parents(o)}
    found_files, found_folders = set(), set()
    for root, dirs, files in os.walk(out_dir):
        relative = os.path.relpath(root, out_dir)
        prefix = "" if relative == "." else relative + "/"
        found_folders.update(prefix + d for d in dirs)
        found_files.update(prefix + f for f in files)
    return found_files == outputs and found_folders == folders - {""}


def parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def write_error(error: OSError, out_dir: str) -> Diagnostic:
    """What stopped the write, said about the output folder the user named."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        message = f"cannot write the site: a file is in the way at {error.filename}"
        return Diagnostic(out_dir, 0, 0, message, "remove that file or choose another --out")
    where = f" ({error.filename})" if error.filename else ""
    message = f"cannot write the site: {error.strerror or error}{where}"
    hint = "free some space, or choose with --out a folder you can write to"
    return Diagnostic(out_dir, 0, 0, message, hint)


def refuse_shared_outputs(outputs: Iterable[str]) -> None:
    """Raise SiteError if two routes were planned onto one file: one page would be lost."""
    seen = set()
    for output in outputs:
        if output in seen:
            message = f"two pages would be written to {output}"
            raise SiteError([Diagnostic(output, 0, 0, message, "give each page its own id")])
        seen.add(output)


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
