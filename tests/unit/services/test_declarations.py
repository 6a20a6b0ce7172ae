"""An office's declarations and the association's catalogue on the fakes: the pure rules
(offered in and beyond the office's categories, in person, own durations held within the
catalogue's bounds, opening hours) and the use cases' refusals."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain import catalogue as rules
from chalicelib.domain.catalogue import Declaration
from chalicelib.errors import Conflict, InvalidInput, NotFound, ServiceRetired
from chalicelib.services import catalogue, catalogue_admin, declarations
from tests.unit.services.conftest import OFFICES, SERVICES

S1 = next(s for s in SERVICES if s.service_id == "S0001")  # petitions, 15 min
OF_A = OFFICES[0]


def test_a_declaration_offers_withdraws_and_requires_in_person():
    withdrawn = rules.declare(OF_A, S1, Declaration(offered=False, in_person_required=False))
    assert not withdrawn.offers(S1) and "S0001" in withdrawn.not_offered
    back = rules.declare(withdrawn, S1, Declaration(offered=True, in_person_required=True, duration_min=20))
    assert back.offers(S1) and back.needs_in_person(S1) and back.duration_of(S1) == 20
    assert "S0001" not in back.not_offered and back.offered_services == frozenset()
    # Beyond the office's categories: offered by id, and withdrawn again.
    outside = replace(OF_A, offered_categories=frozenset({"sana"}))
    offered = rules.declare(outside, S1, Declaration(offered=True, in_person_required=False))
    assert offered.offers(S1) and offered.offered_services == frozenset({"S0001"})
    assert not rules.declare(offered, S1, Declaration(offered=False, in_person_required=False)).offers(S1)
    # The standard duration is no own duration; one outside narrowed bounds is held to them.
    assert rules.declare(OF_A, S1, Declaration(True, False, 15)).durations == {}
    assert replace(OF_A, durations={"S0001": 30}).duration_of(replace(S1, max_duration_min=20)) == 20


@pytest.mark.parametrize(("hours", "ok"), [
    ({"sat": [["08:00", "12:00"], ["16:00", "19:00"]], "thu": [["08:00", "10:00"]]}, True),
    ({}, True),
    ({"sat": [["12:00", "08:00"]]}, False),
    ({"sat": [["08:00", "08:00"]]}, False),
    ({"sat": [["05:30", "08:00"]]}, False),
    ({"sat": [["20:00", "23:00"]]}, False),
    ({"sat": [["08:00", "12:00"], ["11:00", "13:00"]]}, False),
    ({"sat": [["8:00", "12:00"]]}, False),
    ({"sunday": [["08:00", "12:00"]]}, False),
])
def test_opening_hours_are_checked(hours, ok):
    assert (rules.hours_problem(hours) is None) == ok


def test_declarations_through_the_use_cases(fakes):
    store = fakes["catalogue"]
    with pytest.raises(InvalidInput):
        declarations.declare("OF-A", "S0001", True, False, 31, "manager:m")  # bounds 7-30
    with pytest.raises(NotFound):
        declarations.declare("OF-Z", "S0001", True, False, None, "manager:m")
    with pytest.raises(ServiceRetired):
        declarations.declare("OF-A", "S0005", True, False, None, "manager:m")
    out = declarations.declare("OF-A", "S0001", True, True, 30, "manager:m")
    assert (out["in_person_required"], out["remote_here"], out["duration_min"]) == (True, False, 30)
    assert store.history(limit=1)[0].action == "declare" and out["catalogue_version"] == store.version()
    listed = declarations.list_declarations("OF-A", "petitions", 50, 0)
    assert [i["service_id"] for i in listed["items"]] == ["S0001"]  # retired S0005 left out
    with pytest.raises(InvalidInput):
        declarations.set_hours("OF-A", {"sat": [["10:00", "09:00"]]}, "manager:m")
    assert declarations.set_hours("OF-A", {"sat": [["09:00", "12:00"]], "sun": []}, "manager:m")["hours"] == {
        "sat": [["09:00", "12:00"]]}


def test_the_association_adds_edits_and_retires(fakes):
    new = {"service_id": "S0100", "category": "petitions", "name_en": "New", "name_fa": "تازه", "mode": "in_person",
           "duration_min": 20, "min_duration_min": None, "max_duration_min": None}
    assert catalogue_admin.add(new, "association:a")["max_duration_min"] == 40
    with pytest.raises(Conflict):
        catalogue_admin.add(new, "association:a")
    with pytest.raises(InvalidInput):
        catalogue_admin.edit("S0100", {"min_duration_min": 25}, "association:a")  # above the standard 20
    with pytest.raises(InvalidInput):
        catalogue_admin.edit("S0100", {"tariff_rials": 1}, "association:a")  # the tariff book's
    assert catalogue_admin.edit("S0100", {"mode": "remote_allowed"}, "association:a")["mode"] == "remote_allowed"
    assert catalogue_admin.retire("S0100", "association:a")["active"] is False
    with pytest.raises(ServiceRetired):
        catalogue.get_service("S0100")
    history = catalogue_admin.versions(10, None, "S0100")["items"]
    assert [c["action"] for c in history] == ["retire", "edit", "add"]
    with pytest.raises(NotFound):
        catalogue_admin.retire("S9999", "association:a")
