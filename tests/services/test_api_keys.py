"""services.api_keys: a key shown once and kept as a hash, valid for its unit and everything below."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest
from factories import invitations, unit_tree

from survey_app.extensions import db
from survey_app.services.api_keys import (
    ApiKeyError,
    OutOfScope,
    UnknownUnit,
    api_key_for,
    create_api_key,
    invitation_for_key,
    list_api_keys,
    revoke_api_key,
    unit_for_key,
    unit_ids_in_scope,
)

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def units(app):
    """HCM > {Q1 > {P-BN, P-DK}, Q3}, inside the app context."""
    with app.app_context():
        made = unit_tree(db.session, "HCM > Q1 > P-BN, P-DK; HCM > Q3")
        db.session.commit()
        yield made
        db.session.rollback()


def test_a_key_is_returned_once_and_stored_as_its_hash(units):
    api_key, key = create_api_key(db.session, name="  Phần mềm một cửa  ", unit=units["Q1"], now=NOW)
    db.session.commit()
    assert re.fullmatch(r"sk_[A-Za-z0-9_-]{43}", key)  # 32 random bytes after the prefix
    assert api_key.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (api_key.name, api_key.unit.code, api_key.created_at, api_key.revoked_at) == (
        "Phần mềm một cửa", "Q1", NOW, None)
    other, other_key = create_api_key(db.session, name="Another", unit=units["Q1"], now=NOW)
    assert other_key != key and other.key_hash != api_key.key_hash
    assert list_api_keys(db.session) == [api_key, other]


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_a_key_needs_a_name_of_1_to_255_characters(units, name):
    with pytest.raises(ApiKeyError, match="the name must be 1 to 255 characters"):
        create_api_key(db.session, name=name, unit=units["Q1"], now=NOW)
    assert not db.session.new and list_api_keys(db.session) == []


def test_only_the_exact_key_of_an_unrevoked_row_opens(units):
    api_key, key = create_api_key(db.session, name="One-stop", unit=units["Q1"], now=NOW)
    assert api_key_for(db.session, key) is api_key
    for wrong in ("", key[:-1], key + "x", api_key.key_hash, key.upper()):
        assert api_key_for(db.session, wrong) is None, wrong
    revoke_api_key(db.session, api_key.id, NOW + timedelta(days=1))
    assert api_key_for(db.session, key) is None


def test_revoking_keeps_the_first_date_and_an_unknown_id_is_an_error(units):
    api_key, _ = create_api_key(db.session, name="One-stop", unit=units["Q3"], now=NOW)
    revoke_api_key(db.session, api_key.id, NOW + timedelta(days=1))
    revoke_api_key(db.session, api_key.id, NOW + timedelta(days=2))
    assert api_key.revoked_at == NOW + timedelta(days=1)
    with pytest.raises(ApiKeyError, match="no API key 999999"):
        revoke_api_key(db.session, 999999, NOW)


def test_the_scope_is_the_keys_unit_and_everything_below(units):
    api_key, _ = create_api_key(db.session, name="Quận 1", unit=units["Q1"], now=NOW)
    assert unit_ids_in_scope(db.session, api_key) == {units[c].id for c in ("Q1", "P-BN", "P-DK")}
    assert unit_for_key(db.session, api_key, "P-DK") is units["P-DK"]
    assert unit_for_key(db.session, api_key, "Q1") is units["Q1"]
    for outside in ("HCM", "Q3"):  # the parent, a sibling
        with pytest.raises(OutOfScope):
            unit_for_key(db.session, api_key, outside)
    with pytest.raises(UnknownUnit):
        unit_for_key(db.session, api_key, "NOPE")


def test_a_key_finds_only_the_invitations_of_its_scope(units):
    api_key, _ = create_api_key(db.session, name="Quận 1", unit=units["Q1"], now=NOW)
    (mine,) = invitations(db.session, units["P-BN"])
    (theirs,) = invitations(db.session, units["Q3"])
    assert invitation_for_key(db.session, api_key, mine.invitation.public_id) is mine.invitation
    # Another scope's invitation looks exactly like one that does not exist.
    assert invitation_for_key(db.session, api_key, theirs.invitation.public_id) is None
    assert invitation_for_key(db.session, api_key, "0" * 32) is None
