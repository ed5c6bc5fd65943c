"""Output files that appear whole or not at all (temp file in the same folder, then rename)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from holdtrack.errors import ConfigError


def check_output(path: str | os.PathLike[str], *, force: bool, inputs: tuple[str, ...] = ()) -> Path:
    """Refuse to overwrite an existing file (unless ``force``) or one of the inputs."""
    out = Path(path)
    if out.is_dir():
        raise ConfigError(f"{out}: is a directory; give a file name")
    if any(os.path.abspath(out) == os.path.abspath(i) for i in inputs):
        raise ConfigError(f"{out}: the output would overwrite the input")
    if out.exists() and not force:
        raise ConfigError(f"{out}: exists already (use --force to replace it)")
    if not out.parent.is_dir():
        raise ConfigError(f"{out}: folder {out.parent} does not exist")
    return out


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` only if the block succeeds."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
