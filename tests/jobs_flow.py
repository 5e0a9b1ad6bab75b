"""Following a background job as a browser does: from the 303 to its page, looking again as the
page's meta refresh says, until the page asks for the file (or stops looking: failed, expired)."""

from __future__ import annotations

import html
import re
import time

REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)(?:; url=([^"]+))?">')


def job_page(response) -> str:
    """The address of the job's page that a request for a file was sent to."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.fullmatch(r"/jobs/[A-Za-z0-9_-]{32}(\?lang=\w+)?", location), location
    return location


def settled_page(client, address: str, timeout: float = 90):
    """The job's page once it stops refreshing itself or asks for the file."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(address)
        refresh = REFRESH.search(page.get_data(as_text=True))
        if refresh is None or refresh.group(2):
            return page
        assert time.monotonic() < deadline, "the job did not end in time"
        time.sleep(0.05)


def follow_job(client, response, timeout: float = 90):
    """The file a 303 to a job's page ends in."""
    return file_of(client, job_page(response), timeout)


def file_of(client, address: str, timeout: float = 90):
    """The file of the job's page at ``address``, fetched by the address the page refreshes to."""
    page = settled_page(client, address, timeout)
    refresh = REFRESH.search(page.get_data(as_text=True))
    assert refresh and refresh.group(2), page.get_data(as_text=True)
    # Buffered: the response (a file on disk) is read whole and closed, as a server does.
    return client.get(html.unescape(refresh.group(2)), buffered=True)


def page_text(page) -> str:
    """The page's words, tags dropped and spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())


def ask_for(client, address: str, **kwargs):
    """Start a file's job as the pages' buttons do: a POST with the session's CSRF token (taken
    from the sign-out form every signed-in page carries)."""
    from accounts import csrf_from

    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(address, data={"csrf_token": token}, **kwargs)
