"""Every error holdtrack raises on purpose, under one root.

The CLI turns any :class:`HoldtrackError` into a one-line message and exit code 2; anything else is a bug
and keeps its traceback. Errors carry the place they refer to (file, line, byte offset) as attributes,
and subclass the matching builtin so callers can catch either (bumble's dual-inheritance pattern).
"""

from __future__ import annotations


class HoldtrackError(Exception):
    """Root of holdtrack's own errors."""


class InputError(HoldtrackError, ValueError):
    """A file or value that cannot be read as claimed.

    Parameters
    ----------
    message : what is wrong, in one line
    path : the file, if any
    line : 1-based line number, if the input is text
    offset : 0-based byte offset, if the input is binary
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.offset = offset

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}" if where else f"line {self.line}"
        if self.offset is not None:
            where += f" (byte {self.offset})" if where else f"byte {self.offset}"
        return f"{where}: {self.message}" if where else self.message

    def at(self, path: str | None = None, line: int | None = None) -> "InputError":
        """Return a copy with the file and/or line filled in (used by callers that know them)."""
        return type(self)(
            self.message,
            path=self.path or path,
            line=self.line if self.line is not None else line,
            offset=self.offset,
        )


class UnknownFormatError(InputError):
    """No importer recognises the input."""


class SessionFormatError(InputError):
    """A session file (.htrec) is malformed, truncated in the middle, or of an unsupported version."""


class PacketDecodeError(HoldtrackError, ValueError):
    """A device packet that does not follow its profile (bad length, unknown version, impossible count).

    ``offset`` is the byte offset of the problem inside the packet, when known.
    """

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return f"byte {self.offset}: {self.message}" if self.offset is not None else self.message


class ConfigError(HoldtrackError, ValueError):
    """An invalid setting (rate, units, thresholds, CLI option combination)."""


class DeviceError(HoldtrackError, RuntimeError):
    """A BLE problem the user can act on: no adapter, Bluetooth off, device not found, permission denied.

    ``hint`` says what to do about it.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class DeviceNotFoundError(DeviceError):
    """No device matched the name or address given."""

    def __init__(self, identifier: str, *, hint: str | None = None) -> None:
        super().__init__(f"device not found: {identifier}", hint=hint)
        self.identifier = identifier
