"""What one run leaves for the next, under `.sitegen-cache/`: the last good build (its files,
content and dependency record, see `build.State`) and the fragments pages are joined from.

Nothing in it is trusted beyond what it was computed from: files are known again by their
stat and digest (see `sitegen.scan`), outputs by the record (see `sitegen.depends`), and
fragments by their inputs' values; each file holds the digest of the sitegen that wrote it,
whose code may have read or rendered the same files differently. Files are signed with a
key kept outside the site (in the user's cache folder), so a cache that came with a site
from elsewhere is ignored, never unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import os
import pickle
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .scan import Stat, as_stat, digest, file_stat

__all__ = ["CACHE_DIR", "Stat", "as_stat", "file_stat", "load", "save"]

CACHE_DIR = ".sitegen-cache"
FORMAT = 3  # bump when what the cache holds changes shape


@functools.cache
def code_digest() -> bytes:
    """sitegen's own source: a cache made by other code (another version, or an edited
    checkout) may have read or rendered the same files differently."""
    package = Path(__file__).parent
    parts = [f"sitegen {__version__} cache {FORMAT}".encode()]
    for path in sorted(package.glob("*.py")):
        parts += (path.name.encode(), path.read_bytes())
    return digest(*parts)


# On disk: one pickle a name, signed, written atomically. Pickle because the cache holds
# model objects; the signature is what makes unpickling safe.


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sitegen" / "cache-key"


def secret() -> bytes | None:
    """This user's key for signing cache files, made on first use; None when unavailable."""
    path = key_file()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        return path.read_bytes()
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        return None


def cache_file(site_dir: Path, name: str) -> Path:
    return site_dir / CACHE_DIR / f"{name}-{FORMAT}.pickle"


def load(site_dir: Path, name: str) -> Any:
    """What the last run saved under `name`, or None if it is missing, foreign or broken."""
    key = secret()
    try:
        with open(cache_file(site_dir, name), "rb") as f:
            signature = f.read(SIGNATURE_BYTES)
            mac = signer(key or b"")
            while chunk := f.read(1 << 20):
                mac.update(chunk)
            if key is None or not hmac.compare_digest(signature, mac.digest()):
                return None
            f.seek(SIGNATURE_BYTES)
            with gc_paused():
                code, value = pickle.load(f)  # streamed, not read into memory first
    except Exception:  # a cache is only ever a shortcut: any damage means start afresh
        return None
    return value if code == code_digest() else None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while many lasting objects are made: a collection every few
    thousand new objects would walk all of them again and again, for nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def save(site_dir: Path, name: str, value: object) -> None:
    """Save `value` for the next run; a folder we cannot write to just means no cache."""
    key = secret()
    if key is None:
        return
    target = cache_file(site_dir, name)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(exist_ok=True)
        with open(temporary, "wb") as f:
            f.write(bytes(SIGNATURE_BYTES))  # filled in once everything after it is written
            signed = SignedWriter(f, signer(key))
            pickle.dump((code_digest(), value), signed, protocol=pickle.HIGHEST_PROTOCOL)
            f.seek(0)
            f.write(signed.mac.digest())
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


SIGNATURE_BYTES = 32


def signer(key: bytes) -> Any:
    """Keyed blake2b: a MAC in its own right, and over 100 MB twice as fast as HMAC-SHA256."""
    return hashlib.blake2b(key=key[:64], digest_size=SIGNATURE_BYTES)


@dataclass
class SignedWriter:
    """A file that signs what it is given on the way through."""

    file: BinaryIO
    mac: Any  # a keyed blake2b

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.file.write(data)
