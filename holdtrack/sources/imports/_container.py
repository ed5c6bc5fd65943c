"""Where an importer's files live: one plain file, a folder of exported files, or a zip archive.

Zip archives are read defensively: only members the importer asks for are opened, and member counts
and declared uncompressed sizes are capped (zip bombs; :mod:`zipfile` stops inflating at the declared
size and fails the CRC check if the data goes on).
"""

from __future__ import annotations

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
#: Prefix of the pseudo-head given to format sniffers for a zip archive, followed by the member names
#: one per line (starts with NUL, so text sniffers never mistake it for a table).
ZIP_LISTING = b"\x00zip-listing\n"


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

    def sibling(self, name: str, basename: str) -> str | None:
        """The member called ``basename`` (case-insensitive) in the same folder as member ``name``."""
        parent = PurePosixPath(name).parent
        for other in self.names():
            p = PurePosixPath(other)
            if p.parent == parent and p.name.lower() == basename.lower():
                return other
        return None

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
            with raw:  # zipfile never inflates more than the declared file_size (checked above)
                yield raw  # type: ignore[misc]

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
