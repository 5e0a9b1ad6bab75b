"""What each channel is called on the pages and in the documents, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey_app.domain.submission import Channel

CHANNEL_NAMES = {
    Channel.LINK: _l("Open link (poster)"),
    Channel.INVITATION: _l("Invitation (slip or receipt)"),
    Channel.KIOSK: _l("Kiosk"),
    Channel.PAPER: _l("Paper form"),
    Channel.IMPORT: _l("Imported"),
}


def channel_name(code: str) -> str:
    return str(CHANNEL_NAMES.get(code, code))
