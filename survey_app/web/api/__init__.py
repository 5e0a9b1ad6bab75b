"""The REST API for one-stop-shop software: ``/api/v1``, JSON, bearer API keys.

- ``openapi.py``: the request and response models, and the OpenAPI document built from them;
- ``errors.py``: every answer under ``/api/v1``, errors included, is JSON;
- ``authentication.py``: the bearer API key, and the rate limit counted per key;
- ``routes.py``: thin handlers: authenticate, parse with the models, call a service, serialise;
- ``idempotent.py``: retries with an ``Idempotency-Key`` get the first answer again.
"""

from flask import Blueprint

from survey_app.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer keys, no cookies: nothing a browser sends on its own can authenticate a request.
csrf.exempt(bp)

from survey_app.web.api import errors, routes  # noqa: E402,F401  (they add to bp)
from survey_app.web.api.authentication import rate_limit, rate_limit_key  # noqa: E402

# One count per API key for the whole API, whichever resource it asks for.
limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(bp)
