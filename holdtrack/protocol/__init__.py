"""Device protocols: pure decoders (bytes -> frames) and command builders (settings -> bytes).

``PROFILES`` maps a profile name to its :class:`~holdtrack.protocol.base.Profile`. Nothing here imports
bleak; the BLE layer looks profiles up by name or by advertised service.
"""

from __future__ import annotations

from holdtrack.errors import ConfigError
from holdtrack.protocol import htp, microbit, polar_pmd, thingy52, witmotion
from holdtrack.protocol.base import CountingDecoder, Profile, StreamDecoder

PROFILES: dict[str, Profile] = {
    p.name: p for p in (htp.PROFILE, polar_pmd.PROFILE, microbit.PROFILE, witmotion.PROFILE, thingy52.PROFILE)
}


def get_profile(name: str) -> Profile:
    """Look a profile up by name (raises :class:`ConfigError` listing the known ones)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown device profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None


__all__ = ["PROFILES", "Profile", "StreamDecoder", "CountingDecoder", "get_profile"]
