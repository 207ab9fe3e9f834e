"""Stage 5: write the rendered pages all or nothing.

The new site is written into a staging folder and put in place of the old one whole (see
`sitegen.outdir`), so a failed or killed build leaves the previous site exactly as it was.
Pages are written where they are rendered (in forked workers, for a big site), so no
process holds the whole site in memory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Iterable
from functools import partial
from pathlib import Path
from typing import NamedTuple

from .cache import Stat, as_stat, file_stat
from .diagnostics import Diagnostic, SiteError
from .outdir import MANIFEST, holds_exactly, manifest_bytes, read_manifest, real, replacing


class OnDisk(NamedTuple):
    """The output folder; the files the last good build wrote there that are still as it
    left them; the files its manifest lists, the folder found to hold nothing else (None
    when not looked at: see `outdir.claimed`)."""

    folder: Path
    files: dict[str, Stat]
    listed: frozenset[str] | None


def write_changed(
    outputs: set[str],
    fresh: set[str],
    pages: dict[str, bytes],
    on_disk: dict[str, Stat],
    out_dir: Path,
    render_into: Callable[[Callable[[str, bytes], Stat]], dict[str, Stat]],
    derive: Callable[[Path], dict[str, bytes]] | None = None,
    listed: Collection[str] | None = None,
) -> dict[str, Stat] | None:
    """Make `out_dir` hold exactly `outputs`: those in `fresh` rendered by `render_into`
    (which hands each page to the function it is given, in the process that rendered it),
    `pages` written, the others linked from the files in `on_disk` (what the last build
    wrote there, unchanged since). A fresh page that came out as the file already there is
    linked too. Then `derive`, given the staging folder holding all of that, makes files
    from it (the search index), which are written the same way. Returns the stat of every
    file, or None if `out_dir` held the site already (`listed`: see `holds_exactly`; every
    file of `on_disk` is as it was written). The manifest listing them goes with them."""
    if not fresh and not pages and derive is None and holds_exactly(out_dir, outputs, listed):
        return None
    with replacing(out_dir) as staging:
        store = partial(store_page, staging, out_dir, on_disk)
        record = {o: link_file(staging, out_dir, o) for o in outputs - fresh - pages.keys()}
        record |= {o: put_file(staging, o, data) for o, data in pages.items()}
        if fresh:
            record |= render_into(store)
        if derive is not None:
            record |= {o: store(o, data) for o, data in derive(staging).items()}
        manifest = manifest_bytes(record)
        if manifest == read_manifest(real(out_dir)):
            link_file(staging, out_dir, MANIFEST)
        else:
            put_file(staging, MANIFEST, manifest)
    return record


def put_file(root: Path, output: str, data: bytes | Iterable[bytes]) -> Stat:
    """Write one file of the new site, whole or piece by piece as its pieces are made;
    its stat, to know it again by."""
    target = os.path.join(root, output)
    make_folder(os.path.dirname(target))
    with open(target, "wb") as f:
        if isinstance(data, bytes):
            f.write(data)
        else:
            f.writelines(data)
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
    staging: Path,
    previous: Path,
    on_disk: dict[str, Stat],
    output: str,
    data: bytes | Iterable[bytes],
) -> Stat:
    """Write a page rendered afresh, or link it if the previous site has these very bytes
    (a file made as it is written is written)."""
    if isinstance(data, bytes) and same_bytes(previous, output, data, on_disk):
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


def output_stats(out_dir: Path, outputs: Iterable[str]) -> dict[str, Stat | None]:
    """Each output's stat in `out_dir` (None for one that is not there), by string path:
    a site has tens of thousands, and a Path a file costs more than its stat."""
    folder = os.path.join(out_dir, "")
    return {o: output_stat(folder + o) for o in outputs}


def output_stat(path: str) -> Stat | None:
    try:
        return file_stat(path)
    except OSError:
        return None


def refuse_shared_outputs(outputs: Iterable[str]) -> None:
    """Raise SiteError if two routes were planned onto one file: one page would be lost."""
    seen = set()
    for output in outputs:
        if output in seen:
            message = f"two pages would be written to {output}"
            raise SiteError([Diagnostic(output, 0, 0, message, "give each page its own id")])
        seen.add(output)
