"""HTML to PDF with WeasyPrint, never fetching anything but the app's own static files.

Templates get plain data (dicts, strings), not ORM objects, so rendering cannot trigger
database queries or print more than what was chosen. QR codes are inlined as SVG, so the
only resources a PDF may load are stylesheets and images under ``static/``, written in
templates as ``static:<path>``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import current_app, render_template

STATIC_SCHEME = "static:"


def static_only_fetcher(static_folder: Path):
    """A WeasyPrint URL fetcher that serves ``static:<path>`` and refuses everything else.

    A refusal stops the rendering (FatalURLFetchingError): no text that reaches a report can
    make the server read a local file or call another host, not even silently.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    root = static_folder.resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_SCHEME):
                raise FatalURLFetchingError(f"refused to fetch {url[:80]!r} while making a PDF")
            path = (root / url[len(STATIC_SCHEME):].lstrip("/")).resolve()
            if root not in path.parents or not path.is_file():
                raise FatalURLFetchingError(f"refused to fetch {url[:80]!r}: not a static file")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return StaticOnlyFetcher(fail_on_errors=True)


class PdfError(RuntimeError):
    """A PDF could not be made. Unlike WeasyPrint's FatalURLFetchingError (a BaseException,
    which Flask's error handling and ``except Exception`` let through) this ends a request as an
    ordinary server error and a command with a message."""


def render_pdf(template: str, **context) -> bytes:
    return html_to_pdf(render_template(template, **context))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with the static-only fetcher; a refused fetch raises PdfError."""
    from weasyprint import (
        HTML,  # imported late: it loads Pango, which only PDF requests need
    )
    from weasyprint.urls import FatalURLFetchingError

    fetcher = static_only_fetcher(Path(current_app.static_folder))
    try:
        return HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as exc:
        raise PdfError(str(exc)) from None
