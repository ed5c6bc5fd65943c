"""Figures: hold graphs (:mod:`.holds`), progress reports (:mod:`.report`) and the live window (:mod:`.live`).

The only package besides :mod:`holdtrack.ble` and the CLI that may import matplotlib; importing
``holdtrack.plot`` itself loads nothing heavy.
"""

from __future__ import annotations
