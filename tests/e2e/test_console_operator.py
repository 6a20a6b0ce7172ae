"""The office operator's console in the browser: staff sign-in through the stack's own
cognito-local pool, the operator's day, the counter and the remote work list, each page checked
with axe; what the pages did is checked through the API as well."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.network import STAFF_PASSWORD


def test_an_operator_signs_in_and_lands_on_the_office_day(staff_page):
    page = staff_page("op-thr@ejso.local", desktop=True)
    expect(page).to_have_url(re.compile(r"/console/office$"))
    expect(page.locator(".console-bar")).to_contain_text("op-thr@ejso.local")
    expect(page.locator(".console-bar")).to_contain_text("OF-THR-1")
    axe_check(page, "operator's day")


def test_a_wrong_password_is_refused_on_the_sign_in_page(page):
    sign_in(page, "op-thr@ejso.local", STAFF_PASSWORD + "x")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("گذرواژه")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    axe_check(page, "staff sign-in with an error")


def test_a_console_page_sends_a_stranger_to_sign_in_and_back(page):
    page.goto("/console/office")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next=%2Fconsole%2Foffice$"))
    axe_check(page, "staff sign-in")
    page.fill("#email", "op-thr@ejso.local")
    page.fill("#password", STAFF_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/office$"))
    page.locator("[data-console-ready]").wait_for()
