"""FileSource: an imported file as a :class:`~holdtrack.sources.base.Source` of SampleBlocks."""

from __future__ import annotations

from typing import Callable, Iterator

from holdtrack.model import SampleBlock
from holdtrack.sources.base import StreamInfo

#: Samples per yielded block.
BLOCK_SAMPLES = 4096

Producer = Callable[[list[str]], Iterator[SampleBlock]]


class FileSource:
    """Samples of one imported file, re-read from disk on every iteration (bounded memory).

    Parameters
    ----------
    info : what is known before the first sample (format, path, nominal rate, units note...)
    produce : ``produce(notes)`` yields the SampleBlocks (t_s in s since the first sample, acc_mps2
        (n, 3) m/s² with gravity, gyro_dps (n, 3) or None) and appends notes about the whole file
        (duplicates dropped, dropouts) to ``notes``; those are added to ``info.notes`` when iteration ends.
    """

    def __init__(self, info: StreamInfo, produce: Producer) -> None:
        self.info = info
        self._produce = produce
        self._base_notes = list(info.notes)

    def __iter__(self) -> Iterator[SampleBlock]:
        notes: list[str] = []
        self.info.notes = list(self._base_notes)
        for block in self._produce(notes):
            if len(block):
                yield block
        self.info.notes = self._base_notes + notes

    def read_all(self) -> SampleBlock:
        """All samples as one block (tests, small files)."""
        return SampleBlock.concatenate(list(self))


def split_blocks(block: SampleBlock, size: int | None = None) -> Iterator[SampleBlock]:
    """An in-memory block cut into blocks of at most ``size`` (default BLOCK_SAMPLES) samples."""
    size = size or BLOCK_SAMPLES
    for start in range(0, len(block), size):
        yield block.slice(start, start + size)
