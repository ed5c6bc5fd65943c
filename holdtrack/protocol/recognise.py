"""Which profile an advertising device speaks, from what it advertises (pure; used by ``holdtrack scan``).

Evidence is weighed in order: an advertised primary service UUID of a profile, then manufacturer
data (Polar's company id 0x006B), then the advertised name against each profile's ``name_patterns``.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from holdtrack.protocol import polar_pmd

#: 16-bit SIG UUIDs are matched in their full 128-bit form
_SIG_BASE = "-0000-1000-8000-00805f9b34fb"


def normalise_uuid(uuid: str) -> str:
    """Lower-case 128-bit form of a 16-bit (``"180d"``), 32-bit or 128-bit UUID string."""
    u = uuid.strip().lower()
    if u.startswith("0x"):
        u = u[2:]
    if len(u) == 4:
        return f"0000{u}{_SIG_BASE}"
    if len(u) == 8:
        return f"{u}{_SIG_BASE}"
    return u


def recognise(
    name: str | None,
    service_uuids: Iterable[str] = (),
    manufacturer_data: Mapping[int, bytes] | None = None,
) -> str | None:
    """Profile name (a key of :data:`holdtrack.protocol.PROFILES`) for an advertisement, or None.

    Parameters
    ----------
    name : advertised local name (may be None or empty)
    service_uuids : advertised service UUIDs, any case, 16- or 128-bit
    manufacturer_data : company id -> payload, as bleak's ``AdvertisementData.manufacturer_data``
    """
    from holdtrack.protocol import PROFILES  # late: PROFILES imports this module's siblings

    services = {normalise_uuid(u) for u in service_uuids}
    for profile in PROFILES.values():
        if profile.service_uuid in services:
            return profile.name
    if manufacturer_data and polar_pmd.POLAR_COMPANY_ID in manufacturer_data:
        return polar_pmd.PROFILE.name
    if name:
        for profile in PROFILES.values():
            if any(re.search(p, name) for p in profile.name_patterns):
                return profile.name
    return None
