"""Colour bands of an index in the officers' grid: the reader sees the number, the band only
helps the eye find the weak cells. Thresholds are the ones the legend prints."""

from __future__ import annotations

# (lowest index of the band, band name), best first; the names become CSS classes band-<name>.
BANDS: tuple[tuple[float, str], ...] = ((90.0, "a"), (80.0, "b"), (70.0, "c"), (0.0, "d"))
NO_DATA = "none"


def band(index: float | None) -> str:
    if index is None:
        return NO_DATA
    return next(name for low, name in BANDS if index >= low)
