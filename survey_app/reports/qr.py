"""QR codes as SVG (inlined in PDFs and pages) and PNG (for the API), made with segno."""

from __future__ import annotations

import io

import segno


def _code(url: str) -> segno.QRCode:
    # Error correction M survives a crumpled or badly printed slip.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, scale: int = 4) -> str:
    """An ``<svg>`` element (no XML declaration) to inline in HTML."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2)
    return out.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
