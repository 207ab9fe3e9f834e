"""The output folder: what a build may replace there, and how it replaces it.

sitegen replaces only what it wrote itself. Every build leaves a manifest in the output
folder (`.sitegen-manifest`: the files it wrote), and a build into a folder that holds
anything else stops and names it, unless `--force` says to replace it knowingly. An empty
or missing folder is fine. Nor does a build write where it would replace the site, its
`content/` or `templates/` (compared where links lead, not where they sit), or through a
link inside the site that leads out of it (a cloned repository's `output` link, say).

A build holds a lock on the output folder's parent from the moment it looks at what is
there until the new site is in place, so that two builds into one folder take turns and
neither trusts a file the other is replacing. The new site is written into a staging
folder beside the output folder (given the folder's mode, group and setgid bit) and
swapped in with one atomic `renameat2(RENAME_EXCHANGE)`. A mount point (a Docker volume)
cannot be swapped: its entries are, one by one, from a staging folder inside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .diagnostics import Diagnostic, SiteError
from .load import missing_content

MANIFEST = ".sitegen-manifest"
SHOWN = 3  # entries named when a folder holds what sitegen did not write
RENAME_EXCHANGE = 2  # Linux renameat2 flag: swap two paths in one atomic step
AT_FDCWD = -100
MOUNT_STAGING = ".sitegen-staging-"  # inside a mount point: the staging folder's prefix
LOST_FOUND = "lost+found"  # a file system's own folder at a mount point: never touched
OWN_FOLDER = "choose an output folder of its own, such as output/"


def check_folders(site_dir: Path, out_dir: Path | None, force: bool = False) -> list[Diagnostic]:
    """The site's folders exist, and the output folder may be written without loss."""
    problems = []
    if not (site_dir / "content").is_dir():
        problems.append(missing_content(site_dir))
    templates = site_dir / "templates"  # optional: the packaged theme fills in what it lacks
    if os.path.lexists(templates) and not templates.is_dir():
        hint = "make it a folder of templates that replace the default theme's, or remove it"
        problems.append(Diagnostic("templates", 0, 0, "not a folder", hint))
    if out_dir is not None:
        problems += output_problems(site_dir, out_dir, force)
    return problems


def output_problems(site_dir: Path, out_dir: Path, force: bool) -> list[Diagnostic]:
    """Why `out_dir` may not be replaced, comparing real paths (every link followed)."""
    where = str(out_dir)
    if loops(out_dir):
        message = "the output folder is a link that loops back on itself"
        return [Diagnostic(where, 0, 0, message, "remove the link, or choose another --out")]
    out, site = real(out_dir), real(site_dir)
    if out.exists() and not out.is_dir():
        hint = "remove the file or choose another --out"
        return [Diagnostic(where, 0, 0, "the output folder is a file", hint)]
    if out == site or out in site.parents:
        return [Diagnostic(where, 0, 0, "the output folder would replace the site", OWN_FOLDER)]
    for name in ("content", "templates"):
        kept = real(site_dir / name)
        linked = "" if kept == site / name else f" (linked to {kept})"
        if out == kept or out in kept.parents:
            message = f"the output folder would replace {name}/{linked}"
            return [Diagnostic(where, 0, 0, message, OWN_FOLDER)]
        if kept in out.parents:
            message = f"the output folder would sit inside {name}/{linked}"
            return [Diagnostic(where, 0, 0, message, OWN_FOLDER)]
    named_inside = Path(os.path.abspath(site_dir)) in Path(os.path.abspath(out_dir)).parents
    if named_inside and site not in out.parents and not force:
        message = f"the output folder is linked to {out}, outside the site"
        hint = "replace the link with a folder, or build with --force to replace what is there"
        return [Diagnostic(where, 0, 0, message, hint)]
    return []


def real(path: Path) -> Path:
    """Where `path` leads, every link on the way followed."""
    return Path(os.path.realpath(path))


def loops(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


@contextmanager
def claimed(
    site_dir: Path, out_dir: Path | None, force: bool = False
) -> Iterator[frozenset[str] | None]:
    """Check the site's folders, then hold the output folder for one build: its lock is
    taken before the build looks at what the folder holds, and kept until the new site is
    in place. Raises SiteError when the folder holds files sitegen did not write (unless
    `force`), or cannot be made. Yields the files its manifest lists, the folder found to
    hold nothing else (None when not looked at, with `force`): read once for the build."""
    problems = check_folders(site_dir, out_dir, force)
    if problems:
        raise SiteError(problems)
    if out_dir is None:
        yield None
        return
    target = real(out_dir)
    made = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    done = False
    try:
        with failing_as_write_error(out_dir):
            target.parent.mkdir(parents=True, exist_ok=True)
            lock = os.open(target.parent, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a second build waits here for the first
            with failing_as_write_error(out_dir):
                remove_leftovers(target)
                listed = None if force else frozenset(manifest_files(target))
                foreign = [] if listed is None else foreign_entries(target, listed)
            if foreign:
                raise SiteError([foreign_error(out_dir, foreign)])
            yield listed
            done = True
        finally:
            os.close(lock)
    finally:
        if not done:  # a failed build leaves no empty folders behind either
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()


@contextmanager
def failing_as_write_error(out_dir: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise SiteError([write_error(error, str(out_dir))]) from error


def foreign_error(out_dir: Path, foreign: list[str]) -> Diagnostic:
    shown = ", ".join(foreign[:SHOWN])
    more = f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
    message = f"the output folder holds files sitegen did not write: {shown}{more}"
    hint = (
        "move them into templates/static/ to publish them with the site, choose an empty "
        "folder with --out, or build with --force to replace them"
    )
    return Diagnostic(str(out_dir), 0, 0, message, hint)


# What the folder holds: the manifest, and everything else.


def manifest_bytes(outputs: Iterable[str]) -> bytes:
    """The manifest of a build that wrote `outputs`."""
    record = {"written by": "sitegen", "files": sorted(outputs)}
    return (json.dumps(record, indent=0, ensure_ascii=False) + "\n").encode()


def read_manifest(target: Path) -> bytes:
    """The manifest's bytes; none unless it is a plain file (a pipe put there would hang
    the build, a link would speak for another folder)."""
    try:
        fd = os.open(target / MANIFEST, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return b""
    with os.fdopen(fd, "rb") as f:
        return f.read() if stat.S_ISREG(os.fstat(fd).st_mode) else b""


def manifest_files(target: Path) -> set[str]:
    """The files the manifest in `target` lists; none when it is missing or damaged."""
    try:
        files = json.loads(read_manifest(target)).get("files")
    except (ValueError, AttributeError):
        return set()
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()


def foreign_entries(target: Path, listed: Collection[str]) -> list[str]:
    """What `target` holds that its manifest (`listed`) does not list, sorted: a file, a
    link, or a folder (named once, with a '/') that holds none of the listed files."""
    if not target.is_dir():
        return []
    files = {*listed, MANIFEST}
    folders = folders_of(files)
    found_files, found_folders = listing(target, within=folders)
    foreign = [f for f in found_files if f not in files]
    return sorted(foreign + [f + "/" for f in found_folders if f not in folders])


def holds_exactly(out_dir: Path, outputs: set[str], listed: Collection[str] | None = None) -> bool:
    """Whether `out_dir` holds these files, and the manifest listing them, and nothing else
    (no file, folder or link more). `listed`: what its manifest lists, the folder found to
    hold nothing else (see `claimed`), and the caller knows each of `outputs` is there as
    it was written: then the manifest alone tells."""
    if listed is not None:
        return listed == outputs
    target = real(out_dir)
    if manifest_files(target) != outputs:
        return False
    files = outputs | {MANIFEST}
    folders = folders_of(files)
    return listing(target) == (files, folders)


def listing(target: Path, within: set[str] | None = None) -> tuple[set[str], set[str]]:
    """The files (links among them) and folders under `target`, by path relative to it,
    looking into only the folders in `within` (all when None). A mount point's own
    folders are left out. One `scandir` a folder and no `stat`: this runs every build."""
    files, folders = set(), set()
    root = os.path.join(target, "")  # strings, not Paths: a Path a folder costs half the time
    todo = [""]
    while todo:
        prefix = todo.pop()
        try:
            entries = os.scandir(root + prefix)
        except OSError:
            continue
        with entries:
            for entry in entries:
                path = prefix + entry.name
                if not entry.is_dir(follow_symlinks=False):
                    files.add(path)
                elif not (prefix == "" and ours(target, path)):
                    folders.add(path)
                    if within is None or path in within:
                        todo.append(path + "/")
    return files, folders


def ours(target: Path, name: str) -> bool:
    """A folder at a mount point's top that no build may touch or count."""
    return (name == LOST_FOUND or name.startswith(MOUNT_STAGING)) and os.path.ismount(target)


def folders_of(files: Iterable[str]) -> set[str]:
    """The folders holding these files: `a/b/c.html` → `a`, `a/b`. Each file's parents are
    walked up only until one is known (most files share their folder with others)."""
    found: set[str] = set()
    for path in files:
        folder = path.rpartition("/")[0]
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


# Replacing the folder: inside `claimed`, which holds the lock.


@contextmanager
def replacing(out_dir: Path) -> Iterator[Path]:
    """An empty folder to write the new site into, put in place of `out_dir`'s contents
    when the block ends without error; after an error, `out_dir` is as it was. Raises
    SiteError for a write that fails (a full disk, a read-only folder, a file in the way)."""
    target = real(out_dir)  # a linked output folder is refilled where it points
    mounted = os.path.ismount(target)
    with failing_as_write_error(out_dir):
        if mounted:
            staging = target / f"{MOUNT_STAGING}{os.getpid()}-{secrets.token_hex(4)}"
        else:
            staging = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            staging.mkdir()
            keep_mode(target, staging)
            yield staging
            if mounted:
                swap_entries(staging, target)
            else:
                swap_in(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def keep_mode(target: Path, staging: Path) -> None:
    """Give the staging folder the output folder's group, mode and setgid bit, before
    anything is made in it (so that its folders inherit the group as the old ones did)."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return
    with contextlib.suppress(PermissionError):  # not a member of that group: keep ours
        os.chown(staging, -1, info.st_gid)
    os.chmod(staging, stat.S_IMODE(info.st_mode))


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


def swap_entries(staging: Path, target: Path) -> None:
    """Put what `staging` (inside `target`) holds in place of what `target` holds, entry by
    entry, each swap atomic; the old entries end up in `staging`. The manifest lists the
    old and the new files until the last step, so a build killed halfway leaves no file
    the next build would take for the user's."""
    new = set(os.listdir(staging)) - {MANIFEST}
    old = {n for n in os.listdir(target) if n != MANIFEST and not ours(target, n)}
    both = manifest_files(target) | manifest_files(staging)
    (staging / f"{MANIFEST}.both").write_bytes(manifest_bytes(both))
    os.replace(staging / f"{MANIFEST}.both", target / MANIFEST)
    for name in sorted(new):
        if name not in old:
            os.rename(staging / name, target / name)
        elif not exchange(staging / name, target / name):
            os.rename(target / name, staging / f"{name}.old")
            os.rename(staging / name, target / name)
    for name in sorted(old - new):
        os.rename(target / name, staging / name)
    os.replace(staging / MANIFEST, target / MANIFEST)


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


def remove_leftovers(target: Path) -> None:
    """Staging folders of builds that were killed: safe to remove while we hold the lock.
    Only names a build makes are touched."""
    staged = re.compile(rf"\.{re.escape(target.name)}\.tmp-\d+-[0-9a-f]{{8}}(-old)?")
    with contextlib.suppress(OSError):
        for name in os.listdir(target.parent):
            if staged.fullmatch(name):
                shutil.rmtree(target.parent / name, ignore_errors=True)
    if os.path.ismount(target):
        for name in os.listdir(target):
            if re.fullmatch(rf"{MOUNT_STAGING}\d+-[0-9a-f]{{8}}", name):
                shutil.rmtree(target / name, ignore_errors=True)


def write_error(error: OSError, out_dir: str) -> Diagnostic:
    """What stopped the write, said about the output folder the user named."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        message = f"cannot write the site: a file is in the way at {error.filename}"
        return Diagnostic(out_dir, 0, 0, message, "remove that file or choose another --out")
    where = f" ({error.filename})" if error.filename else ""
    message = f"cannot write the site: {error.strerror or error}{where}"
    hint = "free some space, or choose with --out a folder you can write to"
    return Diagnostic(out_dir, 0, 0, message, hint)
