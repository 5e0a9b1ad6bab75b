"""The A4 sheet of cut-out invitation slips, one QR code (one single-use link) per slip."""

from __future__ import annotations

import re

from survey_app.reports.pdf import render_pdf
from survey_app.reports.qr import qr_svg

SLIPS_PER_PAGE = 8  # 2 columns x 4 rows on A4
# Printed for citizens whatever the staff member's language.
INSTRUCTION = "Quét mã QR để đánh giá sự hài lòng của Ông/Bà về việc giải quyết hồ sơ"


def _fluid(svg: str) -> str:
    """segno writes a fixed pixel width and height; a viewBox instead lets CSS size the code."""
    return re.sub(r'width="(\d+)" height="(\d+)"', r'viewBox="0 0 \1 \2"', svg, count=1)


def slips_pdf(*, unit_name: str, procedure: str | None, expires: str, urls: list[str]) -> bytes:
    """Plain data in (the template cannot query anything), PDF bytes out."""
    slips = [{"url": url, "qr": _fluid(qr_svg(url))} for url in urls]
    return render_pdf(
        "pdf/slips.html",
        unit_name=unit_name,
        procedure=procedure,
        instruction=INSTRUCTION,
        expires=expires,
        pages=[slips[i:i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)],
        per_page=SLIPS_PER_PAGE,
    )
