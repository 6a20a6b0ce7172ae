"""Load-based routing (chalicelib.domain.routing): the invariants, as properties over random networks."""
from __future__ import annotations

import math
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import routing as r

CATEGORIES = ("petitions", "notices", "sana")
SERVICE_IDS = ("S0001", "S0002", "S0003", "S0004")
# The example budget comes from the hypothesis profile (tests/conftest.py).
PROPS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Strategies are built once here, not inside the composite: building one per draw (and
# validating it) cost hypothesis more than the routing code under test.
_COUNTERS = st.integers(1, 6)
_UP_TO = tuple(st.integers(0, n) for n in range(7))  # counters open <= counters, busy <= open
_LAT, _LON = st.floats(35.1, 36.3), st.floats(50.8, 52.0)
_QUEUE, _CLAIMED = st.integers(0, 6), st.integers(0, 30)
_MEAN_MIN, _SPEED = st.floats(6.0, 20.0), st.floats(0.7, 1.4)
_TIER = st.one_of(st.none(), st.integers(1, 5))
_CATEGORY_SETS = st.frozensets(st.sampled_from(CATEGORIES))
_SERVICE_SETS = st.frozensets(st.sampled_from(SERVICE_IDS), max_size=2)


@st.composite
def _office_state(draw) -> r.OfficeState:
    counters = draw(_COUNTERS)
    counters_open = draw(_UP_TO[counters])
    return r.OfficeState(
        office_id=f"OF-THR-{draw(_OFFICE_NUMBER):04d}",
        lat=draw(_LAT), lon=draw(_LON),
        counters=counters, counters_open=counters_open, open=draw(st.booleans()),
        busy=draw(_UP_TO[counters_open]), queue_in_person=draw(_QUEUE),
        remote_claimed=draw(_CLAIMED),
        mean_service_min=draw(_MEAN_MIN), speed=draw(_SPEED),
        tier=draw(_TIER),
        categories=draw(_CATEGORY_SETS),
        not_offered=draw(_SERVICE_SETS),
        in_person_required=draw(_SERVICE_SETS),
        deprived=draw(st.booleans()), urban=draw(st.booleans()),
    )


_OFFICE_NUMBER = st.integers(1, 999)
_OFFICE_STATE = _office_state()


def office_states(n_min: int = 1, n_max: int = 20) -> st.SearchStrategy[list[r.OfficeState]]:
    """Offices around Tehran in a ~1.2° box, so radii of 5-80 km cut some in and some out."""
    return st.lists(_OFFICE_STATE, min_size=n_min, max_size=n_max, unique_by=lambda o: o.office_id)


services = st.builds(r.ServiceSpec, st.sampled_from(SERVICE_IDS), st.sampled_from(CATEGORIES),
                     st.floats(4.0, 40.0), st.sampled_from(r.CATALOGUE_MODES))
citizens = st.builds(r.Citizen, st.floats(35.1, 36.3), st.floats(50.8, 52.0), st.booleans())
param_sets = st.builds(
    r.RoutingParams, quality_weight_min=st.floats(0, 10), travel_min_per_km=st.floats(0, 4),
    radius_km_urban=st.floats(5, 40), radius_km_rural=st.floats(20, 80), fallback_offices=st.integers(1, 4),
    last_counter_min=st.one_of(st.just(0.0), st.floats(0, 30)))
modes = st.sampled_from(r.REQUEST_MODES)


def km_to(citizen: r.Citizen, office: r.OfficeState) -> float:
    return r.haversine_km(citizen.lat, citizen.lon, office.lat, office.lon)


def assert_eligible(office: r.OfficeState, service: r.ServiceSpec, mode: str, citizen, params, fallback: bool):
    assert office.open and office.counters_open > 0, "never a closed office"
    assert office.offers(service), "never an office without the service"
    if mode == r.REMOTE:
        assert not office.requires_in_person(service.service_id), "never in-person-only for a remote request"
    elif not fallback:
        assert km_to(citizen, office) <= r.radius_km(citizen, params) + 1e-6, "never beyond the radius"


def brute_force(offices, service, mode, citizen, params, rho):
    """Every eligible office with its score, by the public functions only."""
    kappa = r.effective_quality_weight(params, rho)
    rows = []
    for o in offices:
        km = km_to(citizen, o) if citizen is not None else 0.0
        if mode == r.IN_PERSON and not r.eligible(o, service, mode, params, citizen, distance_km=km):
            continue
        if mode == r.REMOTE and not r.eligible(o, service, mode, params):
            continue
        rows.append((r.score(o, service, mode, params, distance_km=km, kappa=kappa).total, o.office_id))
    return sorted(rows)


# --- eligibility and ranking -------------------------------------------------------------

@PROPS
@given(office_states(), services, citizens, modes, param_sets, st.integers(1, 5))
def test_suggestions_are_eligible_sorted_explained_and_optimal(offices, service, citizen, mode, params, k):
    index = r.RoutingIndex(offices, params)
    result = r.suggest(citizen, service, mode, index, params, k)
    assert result.params_version == params.version and result.mode == mode
    if not service.allows(mode):
        assert result.items == ()
        return
    items = result.items
    assert [s.rank for s in items] == list(range(1, len(items) + 1))
    assert [(s.score_min, s.office_id) for s in items] == sorted((s.score_min, s.office_id) for s in items)
    by_id = {o.office_id: o for o in offices}
    for s in items:
        office = by_id[s.office_id]
        assert_eligible(office, service, mode, citizen, params, s.fallback)
        parts = (s.expected_wait_min, s.expected_service_min, s.quality_penalty_min, s.travel_min)
        assert s.score_min == pytest.approx(sum(parts), abs=1e-9)
        assert s.tier == office.tier and s.explanation and "wait" in s.explanation
        assert s.distance_km == pytest.approx(km_to(citizen, office), abs=1e-6)
        assert s.expected_wait_min == r.expected_wait(office, mode)
    eligible_rows = brute_force(offices, service, mode, citizen, params, index.rho)
    if mode == r.IN_PERSON and not eligible_rows:
        # documented fallback: nothing eligible within the radius, so the nearest offering offices, flagged
        assert all(s.fallback for s in items) and result.fallback
        assert len(items) <= min(k, params.fallback_offices)
        return
    assert not result.fallback
    expected = [score for score, _ in eligible_rows[:k]]
    assert [s.score_min for s in items] == pytest.approx(expected, abs=1e-9)
    if mode == r.REMOTE:
        assert result.network_option is None or result.network_option.office_id is None


@PROPS
@given(office_states(), services, citizens, param_sets)
def test_in_person_decision_is_the_best_eligible_office(offices, service, citizen, params):
    index = r.RoutingIndex(offices, params)  # the index holds (and a decision updates) these very states
    rows = brute_force(offices, service, r.IN_PERSON, citizen, params, index.rho)
    decision = r.route_in_person(citizen, service, index, params)
    if not service.allows(r.IN_PERSON):
        assert decision.office_id is None
        return
    if decision.office_id is None:
        assert not rows and not any(o.open and o.counters_open > 0 and o.offers(service) for o in offices)
        return
    office = next(o for o in offices if o.office_id == decision.office_id)
    assert_eligible(office, service, r.IN_PERSON, citizen, params, decision.fallback)
    assert decision.fallback == (not rows)
    if rows:
        assert decision.suggestion.score_min == pytest.approx(rows[0][0], abs=1e-9)
    assert decision.claims == 1


@PROPS
@given(office_states(), services, param_sets)
def test_remote_decision_takes_an_idle_eligible_office_or_queues(offices, service, params):
    index = r.RoutingIndex(offices, params)
    before = {o.office_id: replace(o) for o in offices}
    kappa = r.effective_quality_weight(params, index.rho)  # before the decision moves the load
    decision = r.route_remote(service, index, params)
    idle_ok = [o for o in before.values() if o.is_idle() and r.eligible(o, service, r.REMOTE, params)]
    if not service.allows(r.REMOTE):
        assert decision.office_id is None and not decision.queued
        return
    if decision.office_id is None:
        assert decision.queued and not idle_ok, "queued although an idle office could take it"
        return
    office = before[decision.office_id]
    assert office.is_idle(), "remote work goes to an idle counter only (pull)"
    assert_eligible(office, service, r.REMOTE, None, params, False)
    if not decision.explored:  # the floor aside, the best idle office by score (+ the reserve on a last counter)
        def ranked(o):
            reserve = params.last_counter_min if r.takes_last_counter(o) else 0.0
            return r.score(o, service, r.REMOTE, params, kappa=kappa).total + reserve
        best = min((ranked(o), o.office_id) for o in idle_ok)
        assert ranked(office) == pytest.approx(best[0], abs=1e-9)
        assert decision.suggestion.score_min == pytest.approx(
            r.score(office, service, r.REMOTE, params, kappa=kappa).total, abs=1e-9)


def test_remote_work_keeps_a_counter_free_for_visitors_when_it_costs_little():
    """Remote work can start at any idle office, a visitor only at theirs: it leaves an office's last free
    counter alone while another idle office is at most last_counter_min worse, and takes it otherwise."""
    service = r.ServiceSpec("S0002", "notices", 10)
    fast = r.OfficeState("OF-THR-0001", 35.7, 51.4, counters=2, counters_open=2, busy=1, speed=1.25, tier=5,
                         categories=frozenset({"notices"}))  # 8 min, its last free counter
    roomy = replace(fast, office_id="OF-THR-0002", busy=0, speed=1.0)  # 10 min, two free counters
    slow = replace(roomy, office_id="OF-THR-0003", speed=0.5)  # 20 min, two free counters
    assert r.takes_last_counter(fast) and not r.takes_last_counter(roomy)
    params = r.RoutingParams(last_counter_min=5.0)
    assert r.route_remote(service, [replace(fast), replace(roomy)], params).office_id == "OF-THR-0002"
    assert r.route_remote(service, [replace(fast), replace(slow)], params).office_id == "OF-THR-0001"
    off = replace(params, last_counter_min=0.0)
    assert r.route_remote(service, [replace(fast), replace(roomy)], off).office_id == "OF-THR-0001"
    # the "let the network choose" option names the office the router would take
    option = r.suggest(None, service, r.REMOTE, [replace(fast), replace(roomy)], params).network_option
    assert option.expected_service_min == pytest.approx(10.0)
    # the decision explains the office's own score: the reserve only orders, it is not a wait
    decision = r.route_remote(service, [replace(fast), replace(roomy)], params)
    assert decision.suggestion.score_min == pytest.approx(10.0) and decision.suggestion.expected_wait_min == 0.0


def test_an_office_behind_its_floor_goes_first_even_on_its_last_counter():
    service = r.ServiceSpec("S0002", "notices", 6)  # 7.5 min there: short against its 12-min mean
    behind = r.OfficeState("OF-ILM-0001", 33.6, 46.4, counters=1, counters_open=1, speed=0.8, tier=1,
                           categories=frozenset({"notices"}), deprived=True)
    ahead_ = r.OfficeState("OF-ILM-0002", 33.6, 46.4, counters=4, counters_open=4, speed=1.3, tier=5,
                           remote_claimed=40, categories=frozenset({"notices"}))
    decision = r.route_remote(service, [behind, ahead_], r.RoutingParams())
    assert decision.office_id == "OF-ILM-0001" and decision.explored


def test_the_floor_places_short_requests_only():
    """A job placed by the floor costs its extra service time at the slower office: the floor takes the
    requests that are short there (expected service at most exploration_short_share of its mean), and a
    long one goes by score."""
    behind = r.OfficeState("OF-ILM-0001", 33.6, 46.4, counters=2, counters_open=2, speed=0.8, tier=1,
                           mean_service_min=15.0, categories=frozenset({"notices"}))
    ahead_ = replace(behind, office_id="OF-ILM-0002", speed=1.3, tier=5, remote_claimed=40)
    params = r.RoutingParams()
    short = r.ServiceSpec("S0002", "notices", 9)  # 11.25 min at the slow office: 0.75 of its mean
    long = r.ServiceSpec("S0003", "notices", 9.1)
    decision = r.route_remote(short, [replace(behind), replace(ahead_)], params)
    assert decision.office_id == "OF-ILM-0001" and decision.explored
    decision = r.route_remote(long, [replace(behind), replace(ahead_)], params)
    assert decision.office_id == "OF-ILM-0002" and not decision.explored
    everything = replace(params, exploration_short_share=10.0)
    assert r.route_remote(long, [replace(behind), replace(ahead_)], everything).office_id == "OF-ILM-0001"


def test_mode_mismatch_is_never_suggested():
    office = r.OfficeState("OF-THR-0001", 35.7, 51.4, counters=2, counters_open=2, categories=frozenset({"sana"}))
    params = r.RoutingParams()
    citizen = r.Citizen(35.7, 51.4)
    in_person_only = r.ServiceSpec("S0001", "sana", 20, "in_person")
    remote_only = r.ServiceSpec("S0002", "sana", 20, "remote_only")
    assert r.suggest(citizen, in_person_only, r.REMOTE, [office], params).items == ()
    assert r.suggest(citizen, remote_only, r.IN_PERSON, [office], params).items == ()
    assert r.route_remote(in_person_only, [office], params).office_id is None
    declared = replace(office, in_person_required=frozenset({"S0003"}))
    remote_allowed = r.ServiceSpec("S0003", "sana", 20, "remote_allowed")
    assert r.suggest(citizen, remote_allowed, r.REMOTE, [declared], params).items == ()
    assert r.suggest(citizen, remote_allowed, r.IN_PERSON, [declared], params).items[0].office_id == "OF-THR-0001"


# --- determinism -------------------------------------------------------------------------

@PROPS
@given(office_states(), services, citizens, modes, st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_order(offices, service, citizen, mode, rnd):
    params = r.RoutingParams()
    shuffled = [replace(o) for o in offices]
    rnd.shuffle(shuffled)
    first = r.suggest(citizen, service, mode, [replace(o) for o in offices], params)
    assert r.suggest(citizen, service, mode, [replace(o) for o in offices], params) == first
    assert r.suggest(citizen, service, mode, shuffled, params) == first
    route = r.route_in_person if mode == r.IN_PERSON else (lambda c, s, o, p: r.route_remote(s, o, p))
    assert route(citizen, service, [replace(o) for o in offices], params) == \
        route(citizen, service, [replace(o) for o in shuffled], params)


def test_exact_ties_break_on_office_id():
    twins = [r.OfficeState(f"OF-THR-{n:04d}", 35.70, 51.40, counters=2, counters_open=2, tier=4,
                           categories=frozenset({"notices"})) for n in (7, 3, 9, 5)]
    params = r.RoutingParams()
    service = r.ServiceSpec("S0002", "notices", 10, "remote_allowed")
    citizen = r.Citizen(35.71, 51.41)
    for order in (twins, twins[::-1], sorted(twins, key=lambda o: o.lat)):
        assert r.route_in_person(citizen, service, [replace(o) for o in order], params).office_id == "OF-THR-0003"
        assert r.route_remote(service, [replace(o) for o in order], params).office_id == "OF-THR-0003"
        ids = [s.office_id for s in r.suggest(citizen, service, r.REMOTE, [replace(o) for o in order], params).items]
        assert ids == ["OF-THR-0003", "OF-THR-0005", "OF-THR-0007"]


# --- stale views and claims (herding) ----------------------------------------------------

def live_claim(live: dict[str, r.OfficeState], params: r.RoutingParams):
    """The data layer's conditional update, in memory: the condition on the live item, then the increment."""
    def claim(seen, mode, service, strict):
        office = live[seen.office_id]
        held = r.claim_holds(office, seen, mode, params, service, strict=strict)
        if held and mode == r.IN_PERSON:
            office.queue_in_person += 1
        elif held:
            office.busy += 1
            office.remote_claimed += 1
        return held, office.load()
    return claim


@PROPS
@given(office_states(n_min=2), services, citizens, modes, st.randoms(use_true_random=False))
def test_a_stale_view_never_routes_to_a_closed_or_full_office(offices, service, citizen, mode, rnd):
    """The router sees an old snapshot; the live offices moved on (some closed, some filled up). Whatever it
    picks was claimed on the live item, so it is open, and (remote) had a free counter."""
    params = r.RoutingParams()
    live = {o.office_id: replace(o) for o in offices}
    for o in live.values():
        if rnd.random() < 0.3:
            o.open = False
        if rnd.random() < 0.3:
            o.busy = o.counters_open
    index = r.RoutingIndex([replace(o) for o in offices], params)
    claim = live_claim(live, params)
    busy_before = {k: o.busy for k, o in live.items()}
    if mode == r.IN_PERSON:
        decision = r.route_in_person(citizen, service, index, params, claim)
    else:
        decision = r.route_remote(service, index, params, claim)
    if decision.office_id is None:
        return
    chosen = live[decision.office_id]
    assert chosen.open and chosen.counters_open > 0 and chosen.offers(service)
    if mode == r.REMOTE:
        assert busy_before[decision.office_id] < chosen.counters_open and chosen.busy <= chosen.counters_open
        assert not chosen.requires_in_person(service.service_id)
    elif not decision.fallback:
        assert km_to(citizen, chosen) <= r.radius_km(citizen, params) + 1e-6


def test_replicas_with_the_same_stale_snapshot_do_not_herd():
    """Eight replicas all see the same office idle; only one claim on its single counter holds."""
    params = r.RoutingParams()
    offices = [r.OfficeState(f"OF-THR-{n:04d}", 35.7, 51.4, counters=1, counters_open=1, speed=1.0 + n / 100,
                             tier=5, categories=frozenset({"notices"})) for n in range(1, 4)]
    live = {o.office_id: replace(o) for o in offices}
    claim = live_claim(live, params)
    replicas = [r.RoutingIndex([replace(o) for o in offices], params) for _ in range(8)]
    service = r.ServiceSpec("S0002", "notices", 10)
    decisions = [r.route_remote(service, view, params, claim) for view in replicas]
    assigned = [d.office_id for d in decisions if d.office_id]
    assert sorted(assigned) == sorted(live), "each free counter is claimed once"
    assert all(o.busy == 1 for o in live.values())
    assert sum(d.queued for d in decisions) == 5 and all(d.claims <= params.max_claim_attempts for d in decisions)


def test_a_failed_in_person_claim_corrects_the_view_and_moves_on():
    params = r.RoutingParams(travel_min_per_km=0.0, quality_weight_min=0.0)
    a = r.OfficeState("OF-THR-0001", 35.70, 51.40, counters=1, counters_open=1, categories=frozenset({"sana"}))
    b = replace(a, office_id="OF-THR-0002", speed=0.9)
    live = {o.office_id: replace(o) for o in (a, b)}
    live["OF-THR-0001"].busy, live["OF-THR-0001"].queue_in_person = 1, 4  # filled up since the snapshot
    view = r.RoutingIndex([a, b], params)
    service = r.ServiceSpec("S0001", "sana", 20, "in_person")
    decision = r.route_in_person(r.Citizen(35.7, 51.4), service, view, params, live_claim(live, params))
    assert decision.office_id == "OF-THR-0002" and decision.claims == 2
    assert view.offices[view.position["OF-THR-0001"]].queue_in_person == 4, "the view learnt the live load"


# --- exploration floor -------------------------------------------------------------------

def serve_remote(offices, params, decisions: int, seed: int = 0) -> dict[str, int]:
    """Many remote requests, each finishing before the next arrives: without a floor the best office
    would take every one of them."""
    index = r.RoutingIndex(offices, params)
    service = r.ServiceSpec("S0002", "notices", 6)  # short at every office (the floor places short requests)
    for _ in range(decisions):
        decision = r.route_remote(service, index, params)
        office = index.offices[index.position[decision.office_id]]
        index.update(office.office_id, {"busy": office.busy - 1})
    return {o.office_id: o.remote_claimed for o in index.offices}


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.floats(0.7, 1.4), st.sampled_from([1, 2, 3, 4, 5]), st.booleans()),
                min_size=2, max_size=8))
def test_exploration_floor_gives_every_eligible_office_a_share(specs):
    offices = [r.OfficeState(f"OF-ILM-{n:04d}", 33.6, 46.4, counters=c, counters_open=c, speed=s, tier=t, deprived=d,
                             categories=frozenset({"notices"})) for n, (c, s, t, d) in enumerate(specs)]
    params = r.RoutingParams()
    counts = serve_remote(offices, params, 1200)
    assert all(count > 0 for count in counts.values()), counts
    capacity = {o.office_id: o.counters * o.speed for o in offices}
    total = sum(capacity.values())
    for o in offices:  # a whole job short puts an office first in line: never two jobs short
        floor = params.exploration_floor_deprived if o.deprived else params.exploration_floor
        assert counts[o.office_id] + 2 > floor * capacity[o.office_id] / total * 1200


def test_without_the_floor_the_best_office_takes_everything():
    offices = [r.OfficeState(f"OF-ILM-{n:04d}", 33.6, 46.4, counters=2, counters_open=2, speed=1.0 + n / 10,
                             tier=5 - n, categories=frozenset({"notices"})) for n in range(3)]
    locked = serve_remote(offices, r.RoutingParams(exploration_floor=0.0, exploration_floor_deprived=0.0), 300)
    assert sorted(locked.values()) == [0, 0, 300]
    params = r.RoutingParams()
    floored = serve_remote(offices, params, 300)
    capacity = [o.counters * o.speed for o in offices]
    assert min(n / (c / sum(capacity)) for n, c in zip(floored.values(), capacity, strict=True)) \
        >= params.exploration_floor * 300 - 3


# --- pull, parameters, geometry ----------------------------------------------------------

def test_pull_takes_the_first_queued_request_the_office_may_do():
    params = r.RoutingParams()
    office = r.OfficeState("OF-QOM-0001", 34.6, 50.9, counters=2, counters_open=2, busy=1,
                           categories=frozenset({"notices", "petitions"}), not_offered=frozenset({"S0009"}),
                           in_person_required=frozenset({"S0008"}))
    catalogue = {"S0007": r.ServiceSpec("S0007", "sana", 10), "S0008": r.ServiceSpec("S0008", "notices", 10),
                 "S0009": r.ServiceSpec("S0009", "notices", 10), "S0010": r.ServiceSpec("S0010", "petitions", 20)}
    queue = ["S0007", "S0008", "S0009", "S0010", "S0010"]
    assert r.pull_remote(office, queue, catalogue.__getitem__, params) == "S0010"
    assert r.pull_remote(replace(office, queue_in_person=1), queue, catalogue.__getitem__, params) is None
    assert r.pull_remote(replace(office, busy=2), queue, catalogue.__getitem__, params) is None
    assert r.pull_remote(office, queue, catalogue.__getitem__, replace(params, pull_scan_limit=3)) is None


def test_params_live_in_configuration():
    params = r.RoutingParams.from_dict({"version": "routing-2026-11-22", "quality_weight_min": 6,
                                        "radius_km_rural": 60, "suggestions": 5.0})
    assert params.quality_weight_min == 6 and params.suggestions == 5 and params.radius_km(False) == 60
    assert r.RoutingParams.from_dict(params.to_dict()) == params
    stored = r.RoutingParams.from_dict({"quality_weight_min": Decimal("2.5"), "fallback_offices": Decimal("2")})
    assert stored.quality_weight_min == 2.5 and stored.fallback_offices == 2 and isinstance(stored.fallback_offices, int)
    for bad in ({"kappa": 4}, {"radius_km_urban": 0}, {"exploration_floor": 1.5}, {"suggestions": 0},
                {"rho_low": 0.99}, {"version": ""}, {"travel_min_per_km": math.nan}):
        with pytest.raises(ValueError):
            r.RoutingParams.from_dict(bad)


def test_quality_weight_fades_near_saturation():
    params = r.RoutingParams()
    assert r.effective_quality_weight(params, 0.5) == params.quality_weight_min
    assert r.effective_quality_weight(params, 0.91) == pytest.approx(params.quality_weight_min / 2)
    assert r.effective_quality_weight(params, 0.99) == 0.0


def test_expected_wait_is_sed():
    office = r.OfficeState("OF-THR-0001", 35.7, 51.4, counters=3, counters_open=2, busy=2, queue_in_person=3,
                           mean_service_min=12.0)
    assert r.expected_wait(office, r.IN_PERSON) == pytest.approx((2 + 3 + 1 - 2) / 2 * 12.0)
    assert r.expected_wait(replace(office, busy=1, queue_in_person=0)) == 0.0
    assert r.expected_wait(replace(office, open=False)) == math.inf
    assert r.expected_wait(replace(office, queue_remote=2), r.REMOTE) == pytest.approx(6 / 2 * 12.0)


def test_haversine_and_radius_cut_agree():
    assert r.haversine_km(35.6892, 51.3890, 36.2605, 59.6168) == pytest.approx(741, abs=10)  # Tehran-Mashhad
    rng = random.Random(5)
    offices = [r.OfficeState(f"OF-THR-{n:04d}", 35.7 + rng.uniform(-0.4, 0.4), 51.4 + rng.uniform(-0.4, 0.4))
               for n in range(300)]
    index = r.RoutingIndex(offices, r.RoutingParams())
    citizen = r.Citizen(35.7, 51.4)
    found = {index.offices[i].office_id: km for i, km in index.within(citizen, 25.0)}
    for o in offices:
        km = km_to(citizen, o)
        assert (o.office_id in found) == (km <= 25.0)
        if o.office_id in found:
            assert found[o.office_id] == pytest.approx(km, abs=1e-6)
