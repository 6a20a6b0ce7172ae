"""The router's use cases on the in-memory fakes: which offices a citizen is offered, the view
built from the load snapshot, the network option, and the routing parameters' versions."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import routing
from chalicelib.domain.load import LoadSnapshot, OfficeLoad
from chalicelib.errors import Conflict, InvalidInput
from chalicelib.services import router
from tests.unit.services.network import NOW, SERVICES, fake_network, office


@pytest.fixture(autouse=True)
def fresh_views():
    router.reset_views()  # views are kept per container: each test builds its own
    yield
    router.reset_views()


def snapshot(day=NOW.date(), queue_remote: int = 0, **loads: OfficeLoad) -> LoadSnapshot:
    return LoadSnapshot(day=day, at=NOW - timedelta(seconds=30), offices=loads, queue_remote=queue_remote)


def ids(result: dict) -> list[str]:
    return [i["office"]["office_id"] for i in result["items"]]


def test_in_person_suggestions_offer_only_offices_that_may_serve_the_citizen():
    offices = [office("OF-NEAR", tier=4),
               office("OF-NOSANA", offered_categories=frozenset({"petitions"})),  # does not offer the category
               office("OF-NOTHIS", not_offered=frozenset({"S-SANA"})),  # opted out of this service
               office("OF-SHUT", hours={}),  # never opens
               office("OF-FAR", lat=29.6, lon=52.5)]  # Shiraz: beyond any radius from Tehran
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot()
        result = router.suggest("S-SANA", None, 35.70, 51.40, None, 5, NOW)
    assert result["mode"] == routing.IN_PERSON and result["fallback"] is False
    assert ids(result) == ["OF-NEAR"]
    item = result["items"][0]
    # the slots of the day of the first free seat (today is not bookable: tomorrow)
    assert item["next"] == "/v1/offices/OF-NEAR/slots?service=S-SANA&date=2026-11-25" and item["tier"] == 4
    assert item["next_free_slot"]["at"] == "2026-11-25T08:00+03:30"  # the fake seats are all free
    assert item["open_now"] is True and item["opens_at"] is None and item["expected_wait_min"] == 0
    assert result["area"] == "urban" and result["network_option"] is None  # four offices within 10 km: a town


def test_beyond_every_radius_the_nearest_office_is_offered_as_a_fallback():
    with fake_network([office("OF-FAR", lat=29.6, lon=52.5)]) as fakes:
        fakes["load"].saved = snapshot()
        result = router.suggest("S-SANA", None, 35.70, 51.40, None, 3, NOW)
    assert ids(result) == ["OF-FAR"] and result["fallback"] is True and result["items"][0]["fallback"] is True


def test_the_view_reads_visitors_waiting_from_todays_snapshot_only():
    offices = [office("OF-A", tier=3), office("OF-B", tier=3, lat=35.701)]
    busy_a = OfficeLoad(waiting=12, booked=20, capacity=48, ratio=0.417, open_today=True)
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot(**{"OF-A": busy_a})
        today = router.suggest("S-SANA", None, 35.70, 51.40, None, 2, NOW)
        router.reset_views()
        fakes["load"].saved = snapshot(day=NOW.date() - timedelta(days=1), **{"OF-A": busy_a})
        yesterday = router.suggest("S-SANA", None, 35.70, 51.40, None, 2, NOW)
    assert ids(today) == ["OF-B", "OF-A"]  # twelve visitors ahead at OF-A
    assert today["items"][1]["expected_wait_min"] > today["items"][0]["expected_wait_min"]
    assert today["load_at"] == (NOW - timedelta(seconds=30)).isoformat(timespec="seconds")
    assert ids(yesterday)[0] == "OF-A"  # yesterday's queue says nothing of today: OF-A is the nearer
    assert yesterday["items"][0]["expected_wait_min"] == yesterday["items"][1]["expected_wait_min"]


def test_remote_suggestions_leave_out_offices_that_require_the_visit_or_have_no_open_counter():
    offices = [office("OF-A", tier=2), office("OF-INPERSON", tier=5, in_person_required=frozenset({"S-PET"})),
               office("OF-UNDECLARED", tier=5), office("OF-B", tier=4)]
    open_one = OfficeLoad(open=1, open_today=True)
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot(**{"OF-A": open_one, "OF-INPERSON": open_one, "OF-B": open_one})
        result = router.suggest("S-PET", "remote", None, None, None, 5, NOW)
    assert result["mode"] == routing.REMOTE and result["area"] is None
    assert ids(result) == ["OF-B", "OF-A"]  # tier 4 before tier 2; never OF-INPERSON, nor an office with no counter open
    assert all(i["next"] == "/v1/requests" and i["next_free_slot"] is None for i in result["items"])


def test_the_network_option_starts_at_once_while_a_suitable_office_is_idle():
    offices = [office("OF-A", tier=3), office("OF-B", tier=3)]
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot(**{"OF-A": OfficeLoad(open=2, busy=1), "OF-B": OfficeLoad(open=1, busy=1)})
        result = router.suggest("S-CALL", None, None, None, None, 2, NOW)  # remote only: the mode follows
    option = result["network_option"]
    assert result["mode"] == routing.REMOTE
    assert option["office"] is None and option["next"] == "/v1/requests"
    assert option["expected_wait_min"] == 0.0 and option["expected_service_min"] == SERVICES["S-CALL"].duration_min


def test_when_every_counter_is_busy_the_network_option_waits_its_turn_in_the_queue():
    offices = [office("OF-A"), office("OF-B")]
    full = OfficeLoad(open=2, busy=2)
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot(queue_remote=7, **{"OF-A": full, "OF-B": full})
        quiet = router.suggest("S-CALL", None, None, None, None, 2, NOW)
        router.reset_views()
        fakes["load"].saved = snapshot(queue_remote=0, **{"OF-A": full, "OF-B": full})
        busier_queue_first = router.suggest("S-CALL", None, None, None, None, 2, NOW)
    assert quiet["network_option"]["expected_wait_min"] > busier_queue_first["network_option"]["expected_wait_min"] > 0
    assert quiet["network_option"]["office"] is None


@pytest.mark.parametrize(("service", "mode", "where"), [
    ("S-SANA", "remote", (None, None, None)),  # an in-person service asked remote
    ("S-CALL", "in_person", (35.7, 51.4, None)),  # a remote-only service asked in person
    ("S-SANA", None, (None, None, None)),  # in person without a place
    ("S-SANA", None, (None, None, "Atlantis")),  # a city with no office
])
def test_a_request_the_network_cannot_answer_is_invalid_input(service, mode, where):
    with fake_network([office("OF-A")]) as fakes:
        fakes["load"].saved = snapshot()
        with pytest.raises(InvalidInput):
            router.suggest(service, mode, *where, 3, NOW)


def test_a_city_places_the_citizen_among_its_offices():
    offices = [office("OF-KRJ", lat=35.83, lon=50.99, city="Karaj", city_fa="کرج"), office("OF-THR")]
    with fake_network(offices) as fakes:
        fakes["load"].saved = snapshot()
        result = router.suggest("S-SANA", None, None, None, "كرج", 1, NOW)  # Arabic kaf, folded
    assert ids(result) == ["OF-KRJ"]


def test_routing_parameters_are_adopted_over_the_version_read():
    with fake_network([office("OF-A")]) as fakes:
        fakes["load"].saved = snapshot()
        assert router.params_view()["number"] == 0
        before = router.suggest("S-SANA", None, 35.7, 51.4, None, 1, NOW)["params_version"]
        adopted = router.adopt_params({"suggestions": 4}, 0, "admin-1", NOW)
        assert adopted["number"] == 1 and adopted["params"]["suggestions"] == 4
        assert [(h["number"], h["adopted_by"]) for h in adopted["history"]] == [(1, "admin-1")]
        assert adopted["history"][0]["document"]["version"] == "routing-v1"
        with pytest.raises(Conflict):
            router.adopt_params({"suggestions": 5}, 0, "admin-2", NOW)  # read version 0; 1 is current
        with pytest.raises(InvalidInput):
            router.adopt_params({"version": "mine"}, 1, "admin-2", NOW)
        with pytest.raises(InvalidInput):
            router.adopt_params({"suggestions": -3}, 1, "admin-2", NOW)
        after = router.suggest("S-SANA", None, 35.7, 51.4, None, 1, NOW)["params_version"]
        assert router.params_view()["number"] == 1 and len(fakes["config"].history("routing")) == 1
    assert (before, after) == (routing.RoutingParams().version, "routing-v1")


EVENING = NOW.replace(hour=20, minute=24)  # Tuesday 20:24 Tehran: every office closed until tomorrow
FRIDAY = NOW.replace(day=27, hour=11)  # Friday 11:00: the weekend, open again on Saturday


@pytest.mark.parametrize("now, opens, phrase_fa, phrase_en", [
    (EVENING, "2026-11-25T08:00+03:30", "فردا، چهارشنبه ۴ آذر، ساعت ۰۸:۰۰", "tomorrow, Wednesday 4 Azar, at 08:00"),
    (FRIDAY, "2026-11-28T08:00+03:30", "فردا، شنبه ۷ آذر، ساعت ۰۸:۰۰", "tomorrow, Saturday 7 Azar, at 08:00"),
])
def test_a_closed_office_says_when_it_opens_never_a_wait(now, opens, phrase_fa, phrase_en):
    # a queue left in the day's snapshot is not a wait for tomorrow's citizen
    stale = OfficeLoad(waiting=30, busy=2, booked=10, capacity=48, ratio=0.2, open_today=True)
    with fake_network([office("OF-A", tier=3), office("OF-B", tier=3, lat=35.71)]) as fakes:
        fakes["load"].saved = LoadSnapshot(day=now.date(), at=now - timedelta(seconds=30),
                                           offices={"OF-A": stale}, queue_remote=0)
        result = router.suggest("S-SANA", None, 35.70, 51.40, None, 5, now)
    assert len(result["items"]) == 2
    for item in result["items"]:
        assert item["open_now"] is False and item["expected_wait_min"] is None
        assert item["opens_at"] == {"at": opens, "jalali": item["opens_at"]["jalali"], "phrase_fa": phrase_fa,
                                    "phrase_en": phrase_en}
        assert item["opens_at"]["jalali"].endswith(opens[11:16])
        assert "wait" not in item["explanation_en"] and "انتظار" not in item["explanation_fa"]
        assert item["explanation_en"].startswith(f"closed now, opens {phrase_en}")
        assert phrase_fa in item["explanation_fa"]
        # the slots link names the first bookable day, where the first free seat is
        assert item["next"].endswith(f"&date={opens[:10]}") and item["next_free_slot"]["at"] == opens
    # the stale queue does not push OF-A behind OF-B: both have no wait part, OF-A is nearer
    assert ids(result) == ["OF-A", "OF-B"]


def test_remote_at_night_says_when_the_first_office_opens():
    with fake_network([office("OF-A", tier=3), office("OF-B", hours={"sat": [["07:00", "13:00"]]})]) as fakes:
        fakes["load"].saved = snapshot(day=FRIDAY.date())
        result = router.suggest("S-PET", "remote", None, None, None, 3, FRIDAY)
    assert result["items"] == [] and result["network_option"] is None
    assert result["network_opens_at"]["at"] == "2026-11-28T07:00+03:30"
    assert result["network_opens_at"]["phrase_en"] == "tomorrow, Saturday 7 Azar, at 07:00"


# --- the view, brought up to a new snapshot incrementally --------------------------------------

def _index_state(index: routing.RoutingIndex) -> dict:
    """Everything a routing decision reads of an index: its offices and its load-dependent state."""
    import dataclasses
    return {"offices": [dataclasses.asdict(o) for o in index.offices],
            **{name: getattr(index, name) for name in ("_busy", "_capacity", "drain_per_min", "remote_total", "idle",
                                                        "_idle_ranks", "_threshold", "_heap", "deficit", "deficit_idle",
                                                        "_groups", "_penalty", "_floor_rate")}}


def _national_slice() -> list:
    """Forty offices: a few open at 09:01 (they open between the two minutes below), some with
    measured pace, different sizes and places."""
    late = {day: [["09:01", "14:00"]] for day in ("sat", "sun", "mon", "tue", "wed")}
    return [office(f"OF-{i:03d}", lat=35.6 + i / 100, lon=51.3 + (i % 7) / 50, counters=1 + i % 4, tier=1 + i % 5,
                   **({"hours": late} if i % 9 == 0 else {})) for i in range(40)]


def _loads(step: int) -> dict[str, OfficeLoad]:
    """Each office's line; `step` 1 changes a third of them (load, pace, claims going down too)."""
    loads = {}
    for i in range(40):
        changed = step and i % 3 == 0
        loads[f"OF-{i:03d}"] = OfficeLoad(
            open=1 + (i + changed) % 3, busy=(i + 2 * changed) % 3, waiting=(i * 3 + 5 * changed) % 7,
            remote_claimed=max(0, i % 5 - 2 * changed), booked=i, capacity=48, open_today=True,
            pace_min=None if i % 4 == 0 else 10.0 + (i % 6) + changed)
    return loads


@pytest.mark.parametrize("mode", [routing.IN_PERSON, routing.REMOTE])
def test_a_new_snapshot_updates_only_the_offices_that_changed_and_equals_a_view_built_whole(mode, monkeypatch):
    computed = []
    state = router._state
    monkeypatch.setattr(router, "_state", lambda o, *rest: computed.append(o.office_id) or state(o, *rest))
    later = NOW + timedelta(minutes=1, seconds=5)  # 09:01:05: the late offices have opened
    with fake_network(_national_slice()) as fakes:
        fakes["load"].saved = LoadSnapshot(day=NOW.date(), at=NOW - timedelta(seconds=30), offices=_loads(0))
        index, _ = router.view(mode, NOW)
        assert len(computed) == 40
        # A decision corrects one office in place (a claim found it busy).
        index.update("OF-004", {"busy": 2, "remote_claimed": 7})
        computed.clear()
        fakes["load"].saved = LoadSnapshot(day=NOW.date(), at=later - timedelta(seconds=20), offices=_loads(1))
        updated, _ = router.view(mode, later)
        recomputed = set(computed)
        router.reset_views()
        whole, _ = router.view(mode, later)
    assert updated is index  # updated in place, not rebuilt
    late = {f"OF-{i:03d}" for i in range(0, 40, 9)}
    assert recomputed == {f"OF-{i:03d}" for i in range(0, 40, 3)} | late | {"OF-004"}
    assert _index_state(updated) == _index_state(whole)


def test_the_same_snapshot_and_minute_reuse_the_view_and_a_new_day_builds_it_whole(monkeypatch):
    computed = []
    state = router._state
    monkeypatch.setattr(router, "_state", lambda o, *rest: computed.append(o.office_id) or state(o, *rest))
    with fake_network(_national_slice()) as fakes:
        fakes["load"].saved = LoadSnapshot(day=NOW.date(), at=NOW - timedelta(seconds=30), offices=_loads(0))
        first, _ = router.view(routing.REMOTE, NOW)
        again, _ = router.view(routing.REMOTE, NOW + timedelta(seconds=20))
        assert again is first and len(computed) == 40
        tomorrow, _ = router.view(routing.REMOTE, NOW + timedelta(days=1))
    assert tomorrow is not first and len(computed) == 80
