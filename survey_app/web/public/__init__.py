"""What citizens see, without an account: the home page, the open link of a counter poster
(``/u/<unit>``), a single-use invitation (``/s/<token>``) and a counter kiosk (``/k/<kiosk>``).

Each way in is its own blueprint, with its own caching and referrer rules; ``answering.py``,
``survey_form.py`` and ``protection.py`` are what they share.
"""

# kiosk_sync adds the kiosk's offline endpoints to the kiosk blueprint.
from survey_app.web.public import home, invitation, kiosk, kiosk_sync, open_link, replies  # noqa: F401

BLUEPRINTS = (home.bp, open_link.bp, invitation.bp, kiosk.bp, replies.bp)
