"""Pagefind, driven over its pipes, and its output made the same for the same pages.

Pagefind runs as its own process (`pagefind --service`, the binary PyPI's `pagefind[bin]`
installs). Its Python wrapper waits a tenth of a second for each reply (17 minutes for
10,000 pages), so this module speaks the same protocol itself: a base64 JSON message and a
comma each way, the requests written by one thread while the replies are read, which the
service sends in order (it answers one request at a time).

Pagefind 1.5 writes the values of a filter, and the list of filters, in the order of hash
maps seeded afresh in each run, so the same pages give a filter file (and the metadata
file naming it, and the entry file naming that) with other bytes each time: `stable` puts
them in order and names them after what they hold. Everything else Pagefind writes
depends only on the pages and the order they were added in.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .diagnostics import Diagnostic, SiteError

WHERE = "pagefind"  # where its problems are reported: the bundle's folder
# What the writing thread tells the reading one: the id of each request sent, then None.
Sent = queue.SimpleQueue[int | BaseException | None]


class Cancelled(Exception):
    """The index was not finished: `Pagefind.cancel` stopped it (the dev server does, when
    a newer build makes it pointless)."""


class Pagefind:
    """One `pagefind --service` process holding one index."""

    def __init__(self, language: str) -> None:
        self.language = language
        # What it prints, read only when it fails; closed on leaving.
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None
        self.cancelled = False
        self._sent = 0
        self._pending = b""

    def __enter__(self) -> Pagefind:
        from pagefind.service import get_executable  # the binary of `pagefind[bin]`

        try:
            executable = get_executable()
            if executable is None:
                raise FileNotFoundError("no pagefind binary")
            self.process = subprocess.Popen(
                [str(executable), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errors,
            )
        except OSError as error:
            hint = "install sitegen again (pip install sitegen), which brings pagefind[bin]"
            raise SiteError([problem(f"cannot run Pagefind: {error}", hint)]) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()  # it has nothing left to say; it would exit at end of input
            self.process.wait()
            for pipe in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):  # unsent bytes cannot be sent now
                    pipe.close()  # type: ignore[union-attr]
        self.errors.close()

    def cancel(self) -> None:
        """Stop the indexing under way (from another thread): `index` raises Cancelled."""
        self.cancelled = True
        if self.process is not None:
            self.process.kill()

    def index(self, pages: Iterable[tuple[str, str]]) -> dict[str, bytes]:
        """Index `pages` ((URL, HTML) pairs, taken one at a time, in the order given) and
        return the bundle's files by their path in it; empty when there were no pages."""
        config = {"force_language": self.language}
        (reply,) = self.calls(iter([{"type": "NewIndex", "config": config}]))
        index_id = reply["index_id"]
        adds = (
            {"type": "AddFile", "index_id": index_id, "url": url, "file_contents": html}
            for url, html in pages
        )
        if not self.calls(adds):
            return {}  # nothing to search (Pagefind would stop, finding no word)
        (reply,) = self.calls(iter([{"type": "GetFiles", "index_id": index_id}]))
        files, bundle = reply["files"], {}
        while files:  # each file's text dropped once decoded: the bundle is held once
            file = files.pop()
            bundle[file["path"]] = base64.b64decode(file["content"])
        return stable(dict(sorted(bundle.items())))

    def calls(self, payloads: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send each request while reading the replies. A thread writes, so that neither
        side waits on a full pipe while the other does, and says through `sent` what it
        sent (or what went wrong taking the next request)."""
        sent: Sent = queue.SimpleQueue()
        writer = threading.Thread(target=self._write, args=(payloads, sent), daemon=True)
        writer.start()
        replies = []
        try:
            while (message_id := sent.get()) is not None:
                if isinstance(message_id, BaseException):
                    raise message_id  # reading a page failed
                reply = self._read()
                if reply.get("message_id") != message_id:
                    raise self.failure(f"a reply out of order: {reply.get('message_id')}")
                payload = reply["payload"]
                if payload.get("type") == "Error":
                    raise self.failure(payload.get("message", "unknown error"))
                replies.append(payload)
        except BaseException:
            if self.process is not None:
                self.process.kill()  # so that the writer, perhaps blocked on a full pipe, ends
            raise
        finally:
            writer.join()
        return replies

    def _write(
        self,
        payloads: Iterator[dict[str, Any]],
        sent: queue.SimpleQueue[int | BaseException | None],
    ) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            for payload in payloads:
                self._sent += 1
                message = json.dumps({"message_id": self._sent, "payload": payload})
                self.process.stdin.write(base64.b64encode(message.encode()) + b",")
                sent.put(self._sent)
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # it stopped (or was stopped): the reader says why
        except BaseException as error:
            sent.put(error)
        finally:
            sent.put(None)

    def _read(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        # A reply may be the whole bundle: its base64 is decoded as it comes, a whole number
        # of 4-character groups at a time, so that the encoded text is never held whole.
        decoded, carry = [], b""
        while True:
            end = self._pending.find(b",")
            text = carry + (self._pending if end < 0 else self._pending[:end])
            whole = len(text) if end >= 0 else len(text) - len(text) % 4
            decoded.append(base64.b64decode(text[:whole]))
            carry = text[whole:]
            if end >= 0:
                self._pending = self._pending[end + 1 :]
                return json.loads(b"".join(decoded))
            self._pending = self.process.stdout.read1(1 << 20)
            if not self._pending:
                if self.cancelled:
                    raise Cancelled
                raise self.failure("it stopped")

    def failure(self, what: str) -> SiteError:
        """Pagefind's failure as a diagnostic, with the last of what it printed."""
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace").strip().splitlines()[-3:]
        hint = " / ".join(said) if said else "run the build again with the same pages"
        return SiteError([problem(f"Pagefind could not index the site: {what}", hint)])


def problem(message: str, hint: str) -> Diagnostic:
    return Diagnostic(WHERE, 0, 0, message, hint)


# Making the bundle stable. Pagefind's index files are gzip-compressed: a header, then
# CBOR made of arrays, text and unsigned integers. A filter file holds [filter, [[value,
# [page, ...]], ...]]; the metadata file [version, pages, chunks, [[filter, file], ...],
# sorts, meta keys]; pagefind-entry.json names the metadata file.

HEADER = b"pagefind_dcd"


class Unknown(Exception):
    """A file not in the form Pagefind 1.5 writes."""


def stable(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filters in order, each filter file and the metadata file named
    after what it holds (as Pagefind names them, by a hash of the content)."""
    metas = [p for p in files if p.startswith("pagefind.") and p.endswith(".pf_meta")]
    filters = [p for p in files if p.startswith("filter/")]
    if not filters:
        return files
    try:
        (meta_path,) = metas
        renamed = {}
        for path in filters:
            old = path.removeprefix("filter/").removesuffix(".pf_filter")
            data = sorted_filter(unpack(files.pop(path)))
            new = renamed[old] = f"{old.rpartition('_')[0]}_{digest(data, 7)}"
            files[f"filter/{new}.pf_filter"] = pack(data)
        old = meta_path.removeprefix("pagefind.").removesuffix(".pf_meta")
        data = sorted_meta(unpack(files.pop(meta_path)), renamed)
        new = f"{old.rpartition('_')[0]}_{digest(data, 10)}"
        files[f"pagefind.{new}.pf_meta"] = pack(data)
        entry = files["pagefind-entry.json"]
        if entry.count(f'"{old}"'.encode()) != 1:
            raise Unknown("pagefind-entry.json")
        files["pagefind-entry.json"] = entry.replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    except (Unknown, ValueError, KeyError, IndexError, OSError, EOFError) as error:
        hint = "sitegen reads the index of Pagefind 1.5: pip install 'pagefind[bin]>=1.5.2,<1.6'"
        message = f"Pagefind wrote an index sitegen does not know ({error})"
        raise SiteError([problem(message, hint)]) from None
    return files


def unpack(data: bytes) -> bytes:
    data = gzip.decompress(data)
    if not data.startswith(HEADER):
        raise Unknown("no Pagefind header")
    return data[len(HEADER) :]


def pack(data: bytes) -> bytes:
    return gzip.compress(HEADER + data, mtime=0)


def digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def sorted_filter(data: bytes) -> bytes:
    """[filter, values] with the values in the order of their names."""
    _, parts, end = array(data, 0)
    if end != len(data) or len(parts) != 2:
        raise Unknown("a filter file")
    start, values, end = array(data, parts[1][0])
    order = sorted(values, key=lambda span: text(data, array(data, span[0])[1][0][0]))
    return data[:start] + b"".join(data[a:b] for a, b in order) + data[end:]


def sorted_meta(data: bytes, renamed: dict[str, str]) -> bytes:
    """The metadata with its filters in the order of their names, each naming its file by
    its new name."""
    _, parts, end = array(data, 0)
    if end != len(data) or len(parts) < 4:
        raise Unknown("the metadata file")
    start, filters, end = array(data, parts[3][0])
    entries = []
    for a, _ in filters:
        _, (name, file), _ = array(data, a)
        entry = data[a : file[0]] + text_item(renamed[text(data, file[0])])
        entries.append((text(data, name[0]), entry))
    return data[:start] + b"".join(entry for _, entry in sorted(entries)) + data[end:]


# A minimal CBOR reader and writer: enough to find the items of an array and reorder them.


def head(data: bytes, at: int) -> tuple[int, int, int]:
    """The major type and argument of the CBOR item at `at`, and where its content starts."""
    major, info = data[at] >> 5, data[at] & 31
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise Unknown("an indefinite length")
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def skip(data: bytes, at: int) -> int:
    """Where the item at `at` ends (unsigned integers, text and arrays: all an index holds)."""
    major, argument, start = head(data, at)
    if major == 0:
        return start
    if major == 3:
        return start + argument
    if major == 4:
        for _ in range(argument):
            start = skip(data, start)
        return start
    raise Unknown(f"a CBOR item of type {major}")


def array(data: bytes, at: int) -> tuple[int, list[tuple[int, int]], int]:
    """The array at `at`: where its items start, the span of each, and where it ends."""
    major, count, start = head(data, at)
    if major != 4:
        raise Unknown("an array expected")
    spans, end = [], start
    for _ in range(count):
        spans.append((end, skip(data, end)))
        end = spans[-1][1]
    return start, spans, end


def text(data: bytes, at: int) -> str:
    major, length, start = head(data, at)
    if major != 3:
        raise Unknown("text expected")
    return data[start : start + length].decode()


def text_item(value: str) -> bytes:
    """`value` as a CBOR text item."""
    raw = value.encode()
    if len(raw) < 24:
        return bytes([0x60 | len(raw)]) + raw
    size = 1 if len(raw) < 256 else 2 if len(raw) < 65536 else 4
    return bytes([0x60 | {1: 24, 2: 25, 4: 26}[size]]) + len(raw).to_bytes(size, "big") + raw
