"""Signed files: the build cache is unpickled only when this user's key signed it.

A cache under `.sitegen-cache/` may come with a site from elsewhere (a repository, an
archive), and unpickling runs code; so every cache file starts with a keyed blake2b
signature over the rest, made with a key that never leaves this user's cache folder.

The key is 32 random bytes in `~/.cache/sitegen/cache-key` (or under `$XDG_CACHE_HOME`),
mode 0600. It is written to a temporary file first and then linked into place, so no run
ever reads half a key, and of two first runs at once the second reads the first one's
key. A key file shorter than 32 bytes (a full disk once left an empty one) or anything
but a plain file there (a pipe would hang the build) is replaced, never used; when no key
can be had, the cache is neither read nor written.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")

KEY_BYTES = 32
SIGNATURE_BYTES = 32
MAX_KEY_BYTES = 4096  # a longer "key" is some other file: only this much of it is read


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sitegen" / "cache-key"


def cache_key() -> bytes | None:
    """This user's key for signing cache files, made on first use; None when unavailable."""
    path = key_file()
    return read_key(path) or make_key(path)


def read_key(path: Path) -> bytes | None:
    """The key in `path`, if that is a plain file holding one."""
    data = read_plain(path, MAX_KEY_BYTES)
    return data if data is not None and len(data) >= KEY_BYTES else None


def make_key(path: Path) -> bytes | None:
    """A new key, written whole before it takes `path`; the key already there if another
    run made one meanwhile."""
    temporary = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")  # mode 0600
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(KEY_BYTES))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temporary, path)  # only where no key is: the first of two runs wins
        except FileExistsError:
            if (key := read_key(path)) is not None:
                return key  # another run's, whole
            os.replace(temporary, path)  # a short key or a pipe: replaced
        return read_key(path)
    except OSError:  # a full disk, a read-only home: no cache this time
        return None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def read_plain(path: Path, limit: int) -> bytes | None:
    """Up to `limit` bytes of a plain file; None for anything else or a read that fails.
    Opened without blocking, so a named pipe in its place cannot hang the build."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            return f.read(limit) if stat.S_ISREG(os.fstat(fd).st_mode) else None
        except OSError:
            return None


def signer(key: bytes) -> Any:
    """Keyed blake2b: a MAC in its own right, and over 100 MB twice as fast as HMAC-SHA256."""
    return hashlib.blake2b(key=key[:64], digest_size=SIGNATURE_BYTES)


def load_signed(path: Path, load: Callable[[BinaryIO], T]) -> T | None:
    """What `load` reads from the file at `path` after its signature, when that is this
    user's key's; else None (no key, no plain file there, or signed by another key).
    Reading never makes a key: a file no key of this user's signed cannot be read."""
    key = read_key(key_file())
    if key is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        signature = f.read(SIGNATURE_BYTES)
        mac = signer(key)
        while chunk := f.read(1 << 20):
            mac.update(chunk)
        if not hmac.compare_digest(signature, mac.digest()):
            return None
        f.seek(SIGNATURE_BYTES)
        return load(f)  # streamed, not read into memory first


def save_signed(path: Path, dump: Callable[[BinaryIO], None]) -> bool:
    """Write what `dump` writes to `path`, signed, all or nothing (a temporary file renamed
    into place); False when there is no key or the folder cannot be written."""
    key = cache_key()
    if key is None:
        return False
    temporary = None
    try:
        path.parent.mkdir(exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(SIGNATURE_BYTES))  # filled in once everything after it is written
            signed = SignedWriter(f, signer(key))
            dump(signed)  # type: ignore[arg-type]  # it has the one method pickle uses
            f.seek(0)
            f.write(signed.mac.digest())
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError:
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@dataclass
class SignedWriter:
    """A file that signs what it is given on the way through."""

    file: BinaryIO
    mac: Any  # a keyed blake2b

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.file.write(data)
