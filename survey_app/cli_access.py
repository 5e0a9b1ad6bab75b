"""Commands for who may do what: ``users`` (people) and ``apikeys`` (the one-stop software)."""

from __future__ import annotations

from flask.cli import AppGroup

users_cli = AppGroup("users", help="Staff, officer and admin accounts.")
apikeys_cli = AppGroup("apikeys", help="API keys of the one-stop software.")
