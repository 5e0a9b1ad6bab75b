"""services.kiosks: a key handed out once and kept as a hash; opening, revoking, listing."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from factories import unit_tree

from survey_app.extensions import db
from survey_app.services.kiosks import (
    MAX_NAME_LENGTH,
    KioskError,
    kiosk_for,
    kiosks_of_unit,
    kiosks_of_units,
    register_kiosk,
    revoke_kiosk,
)

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def units(app):
    """Q1 > P01, and Q3 apart; yields code -> unit inside the app context."""
    with app.app_context():
        made = unit_tree(db.session, "Q1 > P01; Q3")
        db.session.commit()
        yield made
        db.session.rollback()


def test_the_service_stores_only_a_hash_and_opens_with_the_right_key_only(units):
    unit = units["P01"]
    kiosk, key = register_kiosk(db.session, unit=unit, name="  Quầy   1 ", now=NOW)
    other, other_key = register_kiosk(db.session, unit=unit, name="Quầy 2", now=NOW)
    db.session.commit()
    assert len(key) >= 24 and key != other_key
    assert kiosk.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (kiosk.public_id, kiosk.name, kiosk.key_hash)
    assert kiosk.name == "Quầy 1"

    assert kiosk_for(db.session, kiosk.public_id, key) is kiosk
    assert kiosk_for(db.session, kiosk.public_id, other_key) is None  # another kiosk's key
    assert kiosk_for(db.session, kiosk.public_id, key[:-1]) is None
    assert kiosk_for(db.session, kiosk.public_id, "") is None
    assert kiosk_for(db.session, kiosk.public_id, None) is None
    assert kiosk_for(db.session, "unknown", key) is None

    revoke_kiosk(db.session, kiosk, now=NOW)
    assert kiosk_for(db.session, kiosk.public_id, key) is None
    assert kiosk_for(db.session, other.public_id, other_key) is other
    assert [k.name for k in kiosks_of_unit(db.session, unit)] == ["Quầy 2", "Quầy 1"]


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * (MAX_NAME_LENGTH + 1)])
def test_a_kiosk_needs_a_name_of_at_most_255_characters(units, name):
    with pytest.raises(KioskError):
        register_kiosk(db.session, unit=units["P01"], name=name, now=NOW)
    assert not db.session.new
    assert kiosks_of_unit(db.session, units["P01"]) == []


def test_a_name_of_exactly_255_characters_is_kept(units):
    kiosk, _ = register_kiosk(db.session, unit=units["P01"], name="y" * 255, now=NOW)
    assert kiosk.name == "y" * 255


def test_revoking_twice_keeps_the_first_time(units):
    kiosk, _ = register_kiosk(db.session, unit=units["Q3"], name="Quầy A", now=NOW)
    revoke_kiosk(db.session, kiosk, now=NOW + timedelta(hours=1))
    revoke_kiosk(db.session, kiosk, now=NOW + timedelta(hours=5))
    db.session.commit()
    assert kiosk.revoked_at == NOW + timedelta(hours=1)


def test_kiosks_of_units_by_unit_code_then_newest_first(units):
    for hours, (code, name) in enumerate([("Q3", "Q3 old"), ("P01", "P01 old"), ("Q3", "Q3 new"),
                                          ("P01", "P01 new"), ("Q1", "Q1 only")]):
        register_kiosk(db.session, unit=units[code], name=name, now=NOW + timedelta(hours=hours))
    revoke_kiosk(db.session, kiosks_of_unit(db.session, units["Q3"])[0], now=NOW)
    db.session.commit()
    listed = kiosks_of_units(db.session, [units["Q3"], units["P01"], units["Q1"]])
    # Revoked kiosks are listed too; P01 < Q1 < Q3 by code.
    assert [k.name for k in listed] == ["P01 new", "P01 old", "Q1 only", "Q3 new", "Q3 old"]
    assert kiosks_of_units(db.session, [units["P01"]]) == listed[:2]
    assert kiosks_of_units(db.session, []) == []
