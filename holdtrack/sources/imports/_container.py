"""Where an importer's files live: one plain file, a folder of exported files, or a zip archive.

Zip archives are read defensively: only members the importer asks for are opened, member counts and
uncompressed sizes are capped (zip bombs), and the bytes actually inflated are counted as they are read.
"""

from __future__ import annotations

import io
import os
import zipfile
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import BinaryIO, Callable, ContextManager, Iterator

from holdtrack.errors import InputError

#: Largest accepted uncompressed size of one zip member, bytes.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: Most members accepted in one zip archive.
MAX_MEMBERS = 10_000

Opener = Callable[[], ContextManager[BinaryIO]]


class _CappedReader(io.RawIOBase):
    """Read-only wrapper that fails once more than ``cap`` bytes came out of ``inner``."""

    def __init__(self, inner: BinaryIO, cap: int, label: str) -> None:
        self._inner, self._cap, self._label, self._n = inner, cap, label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(len(b))
        self._n += len(data)
        if self._n > self._cap:
            raise InputError(f"zip member inflates beyond {self._cap} bytes (zip bomb?)", path=self._label)
        b[: len(data)] = data
        return len(data)


class Container:
    """Named files of one export: a zip archive, a folder, or the folder around one plain file."""

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self.zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        if os.path.isdir(self.path):
            self.root = self.path
        elif zipfile.is_zipfile(self.path):
            self.root = ""
            self._open_zip()
        else:
            self.root = os.path.dirname(self.path) or "."

    def _open_zip(self) -> None:
        try:
            zf = zipfile.ZipFile(self.path)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError(f"not a readable zip archive: {exc}", path=self.path) from None
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"zip archive has {len(infos)} members (limit {MAX_MEMBERS})", path=self.path)
        for info in infos:
            if not info.is_dir():
                self._members[info.filename] = info
        self.zip = zf

    @property
    def is_zip(self) -> bool:
        return self.zip is not None

    def names(self) -> list[str]:
        """Member paths (zip) or file names in the folder, '/'-separated."""
        if self.zip is not None:
            return list(self._members)
        try:
            return sorted(n for n in os.listdir(self.root) if os.path.isfile(os.path.join(self.root, n)))
        except OSError:
            return []

    def find(self, basename: str, folder: str | None = None) -> str | None:
        """The member whose file name is ``basename`` (case-insensitive), optionally in ``folder``.

        In zips the shallowest match wins (exports often wrap everything in one top folder).
        """
        hits = []
        for name in self.names():
            p = PurePosixPath(name)
            if p.name.lower() != basename.lower():
                continue
            if folder is not None and (p.parent.name.lower() != folder.lower()):
                continue
            hits.append(name)
        return min(hits, key=lambda n: (n.count("/"), n)) if hits else None

    def display(self, name: str) -> str:
        """How a member is named in messages: ``export.zip:Accelerometer.csv`` or a file path."""
        return f"{self.path}:{name}" if self.zip is not None else os.path.join(self.root, name)

    def opener(self, name: str) -> Opener:
        """A function opening member ``name`` as a fresh binary stream (a context manager)."""
        label = self.display(name)
        if self.zip is None:
            fs_path = os.path.join(self.root, name)

            @contextmanager
            def open_file() -> Iterator[BinaryIO]:
                try:
                    f = open(fs_path, "rb")
                except OSError as exc:
                    raise InputError(f"cannot open: {exc.strerror or exc}", path=fs_path) from None
                with f:
                    yield f

            return open_file
        info = self._members[name]
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(f"zip member is {info.file_size} bytes uncompressed (limit {MAX_MEMBER_BYTES})",
                             path=label)
        zf = self.zip

        @contextmanager
        def open_member() -> Iterator[BinaryIO]:
            try:
                raw = zf.open(info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError) as exc:
                raise InputError(f"cannot open zip member: {exc}", path=label) from None
            with raw:
                yield io.BufferedReader(_CappedReader(raw, min(info.file_size, MAX_MEMBER_BYTES), label))

        return open_member

    def read_head(self, name: str, n: int) -> bytes:
        """First ``n`` bytes of a member."""
        with self.opener(name)() as f:
            try:
                return f.read(n)
            except (OSError, EOFError, zipfile.BadZipFile, ValueError, RuntimeError) as exc:
                raise InputError(f"cannot read: {exc}", path=self.display(name)) from None


def file_opener(path: str) -> Opener:
    """An opener for one plain file."""
    c = Container.__new__(Container)
    c.path, c.zip, c._members, c.root = path, None, {}, os.path.dirname(path) or "."
    return c.opener(os.path.basename(path))
