"""The association's reports console in the browser: an administrator reads the ranking (with its
filters and policy), an office's scorecard with its tier history chart, the monthly statement and
downloads its CSV, whose total is the API's; the equity map and the national remote queue. A
provincial representative sees their province only. axe on every page; README screenshots.

Setup through the use cases, in this process (the stack's database): six months of outcomes and
the ranking job run as in each of the last four months (a ranking with a history is published),
three visits completed on a coming working day (fee records of its month: two in Tehran, one in
Karaj), and the load snapshots of the last minutes."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, screenshot

ADMIN = "admin@ejso.local"
REPRESENTATIVE = "rep-tehran@ejso.local"
VISITS = [("OF-THR-1", "10:00"), ("OF-THR-1", "10:30"), ("OF-KRJ-1", "10:00")]


@pytest.fixture(scope="module")
def reports(stack):
    from chalicelib.dal import ranking_store
    from chalicelib.domain import calendar, ranking_live
    from chalicelib.schemas import BookingIn
    from chalicelib.services import bookings, jobs, office_day, ranking
    from infra.local import demo_network
    from tests.e2e import network
    from tests.integration.fixtures import at, mobile, national_id, next_open_day

    now = calendar.now_tehran()
    months = ranking_live.window_periods(ranking_live.closed_period(now, 0), 6)
    offices = [{"office_id": o.office_id, "counters": int(o.counters)} for o in network.OFFICES]
    ranking_store.save_aggregates((r["period"], r["office_id"], r["counts"])
                                  for r in demo_network.outcomes(offices, months, seed=14))
    for months_ago in (3, 2, 1, 0):  # as the monthly job ran: one published ranking a month, a tier history
        published = ranking.rank_offices(now - timedelta(days=31 * months_ago))

    day = next_open_day(skip=3)  # clear of the days the citizen tests book
    for k, (office, hhmm) in enumerate(VISITS):
        n = 9100 + k
        booked = bookings.book(BookingIn(office_id=office, service_id="S0002", start=at(day, hhmm).isoformat(),
                                         national_id=national_id(n), mobile=mobile(n)),
                               now=at(day - timedelta(days=1), "09:00"))
        start = at(day, hhmm)
        office_day.act(office, "op-e2e", booked["booking_id"], "check_in", national_id=national_id(n),
                       now=start - timedelta(minutes=10))
        office_day.act(office, "op-e2e", booked["booking_id"], "complete", now=start + timedelta(minutes=20))
    snapshots = [now - timedelta(minutes=m) for m in range(5, -1, -1)]  # the load snapshots of the last minutes
    for at_ in snapshots:
        jobs.snapshot_office_load(at_)
    return {"month": ranking_live.period_of(day), "ranked": published["period"],
            "samples_today": sum(1 for a in snapshots if a.date() == now.date())}


def token_of(page) -> str:
    """The signed-in staff member's ID token, as the console keeps it (this tab's sessionStorage)."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('ejso.staff')).token")


def get(base_url: str, page, path: str, **params) -> requests.Response:
    return requests.get(f"{base_url}{path}", params=params, timeout=20,
                        headers={"Authorization": f"Bearer {token_of(page)}"})


def test_an_administrator_reads_the_ranking_and_exports_a_statement_whose_total_is_the_apis(
        staff_page, base_url, reports):
    page = staff_page(ADMIN, desktop=True)

    # The ranking: every published office, the policy it was computed under, the filters.
    page.goto("/console/association")
    table = requests.get(f"{base_url}/v1/ranking", timeout=20).json()
    rows = page.locator("#ranking-table tbody tr")
    expect(rows).to_have_count(len(table["items"]))
    expect(rows.first).to_have_attribute("data-office", table["items"][0]["office_id"])
    policy = table["policy"]["version"]
    expect(page.locator("#policy-title + p")).to_contain_text(policy.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    axe_check(page, "ranking")
    screenshot(page, "console-association-ranking")
    page.select_option("#province", "Alborz")
    alborz = [i["office_id"] for i in table["items"] if i["province"] == "Alborz"]
    expect(rows).to_have_count(len(alborz))
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.office)")) == sorted(alborz)
    tier = str(table["items"][0]["tier"])
    page.select_option("#province", "")
    page.select_option("#tier", tier)
    expect(rows).to_have_count(sum(1 for i in table["items"] if str(i["tier"]) == tier))

    # An office's scorecard: the tier history as a chart (and its table), what would move it up.
    page.select_option("#tier", "")
    page.locator('#ranking-table a[href$="/OF-THR-1"]').click()
    card = requests.get(f"{base_url}/v1/offices/OF-THR-1/scorecard", timeout=20).json()
    chart = page.locator("figure.chart svg[role=img]")
    expect(chart).to_have_count(1)
    expect(page.locator("figure.chart table tbody tr")).to_have_count(len(card["tier_history"]))
    assert len(card["tier_history"]) >= 3  # one point a month the job ran
    axe_check(page, "scorecard")
    screenshot(page, "console-association-scorecard")

    # The month's statement, then its CSV: the file's total is the API's JSON total.
    month = reports["month"]
    page.goto(f"/console/association/statements?month={month}")
    statement = get(base_url, page, "/v1/admin/accounts/statements", month=month).json()
    assert statement["total_levy_rials"] > 0
    assert {"OF-THR-1", "OF-KRJ-1"} <= {i["office_id"] for i in statement["items"] if i["services"]}
    expect(page.locator("#statement-total")).to_have_attribute("data-rials", str(statement["total_levy_rials"]))
    expect(page.locator("#statement-table tbody tr")).to_have_count(len(statement["items"]))
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    text = open(download.value.path(), encoding="utf-8").read()
    lines = list(csv.DictReader(io.StringIO(text)))
    total = next(line for line in lines if line["office_id"] == "TOTAL")
    assert int(total["levy_rials"]) == statement["total_levy_rials"]
    assert int(total["share_base_rials"]) == statement["total_share_base_rials"]
    assert int(total["services"]) == sum(i["services"] for i in statement["items"]) >= len(VISITS)
    assert download.value.suggested_filename == f"statement-{month}.csv"
    expect(page.locator("#csv-total")).to_be_visible()
    axe_check(page, "statements")
    screenshot(page, "console-association-statements")

    # The equity report: one circle per province on the schematic map, and the table.
    page.goto("/console/association/equity")
    equity = requests.get(f"{base_url}/v1/reports/equity", timeout=20).json()
    expect(page.locator(".equity-map circle")).to_have_count(len(equity["items"]))
    expect(page.locator("#equity-table tbody tr")).to_have_count(len(equity["items"]))
    axe_check(page, "equity")
    screenshot(page, "console-association-equity")

    # The national remote queue through today, from the minute's load snapshots.
    page.goto("/console/association/queue")
    queue = get(base_url, page, "/v1/admin/network/queue").json()
    assert len(queue["samples"]) >= reports["samples_today"] >= 1
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(1)
    expect(page.locator("#queue-latest")).to_be_visible()
    axe_check(page, "national queue")
    screenshot(page, "console-association-queue")


def test_a_provincial_representative_sees_only_their_province(staff_page, base_url, reports):
    page = staff_page(REPRESENTATIVE, desktop=True)
    page.goto("/console/association")
    rows = page.locator("#ranking-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-office", "OF-THR-1")
    expect(page.locator("#province")).to_have_count(0)  # no other province to choose
    expect(page.locator("main")).not_to_contain_text("OF-KRJ")
    axe_check(page, "ranking (representative)")

    month = reports["month"]
    page.goto(f"/console/association/statements?month={month}")
    mine = get(base_url, page, "/v1/admin/accounts/statements", month=month).json()
    assert [i["office_id"] for i in mine["items"]] == ["OF-THR-1"]
    expect(page.locator("#statement-table tbody tr")).to_have_count(1)
    expect(page.locator("#statement-total")).to_have_attribute("data-rials", str(mine["total_levy_rials"]))
    expect(page.locator("main")).not_to_contain_text("OF-KRJ")
    expect(page.locator("main")).not_to_contain_text("Alborz")
    axe_check(page, "statements (representative)")
    screenshot(page, "console-association-representative")

    page.goto("/console/association/equity")
    expect(page.locator("#equity-table tbody tr")).to_have_count(1)
    expect(page.locator(".equity-map circle")).to_have_count(1)
    axe_check(page, "equity (representative)")
