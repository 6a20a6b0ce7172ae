"""The network the browser tests book against: the integration tests' services and opening hours,
plus one service whose name carries digits and one for parties without SANA, and offices spread over Tehran and Karaj so that the
suggestions and their map have distinct places."""
from __future__ import annotations

from chalicelib.api.auth import (
    ASSOCIATION_ADMIN_GROUP,
    OFFICE_MANAGER_GROUP,
    OPERATOR_GROUP,
    PROVINCIAL_REPRESENTATIVE_GROUP,
)
from chalicelib.domain.catalogue import Service
from infra.local.cognito import DEMO_PASSWORD, StaffUser
from tests.integration import fixtures

COPIES = Service("S0005", category="documents", name_en="Certified copies, up to 10 pages",
                 name_fa="رونوشت برابر اصل تا ۱۰ برگ", mode="in_person", duration_min=10, tariff_rials=150_000)
# Mentions SANA after «فاقد» (without): a search for «ثنا» lists it after SANA registration.
PAPER_NOTICE = Service("S0006", category="notices", name_en="Paper service of a notice to a party without SANA",
                       name_fa="ابلاغ کاغذی اخطاریه به طرف فاقد حساب ثنا", mode="in_person", duration_min=15,
                       tariff_rials=250_000)
# A remote-capable service only OF-THR-1 offers (no other office has its category): its manager
# declares it in-person-only there, and the remote suggestions must then leave the office out.
MANAGER_ONLY_SERVICE = "S0007"
OBJECTION = Service(MANAGER_ONLY_SERVICE, category="appeals", name_en="Objection to a first-instance ruling",
                    name_fa="اعتراض به رأی بدوی", mode="remote_allowed", duration_min=20, tariff_rials=400_000)
SERVICES = [*fixtures.SERVICES, COPIES, PAPER_NOTICE, OBJECTION]
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# (id, city, city_fa, province, province_fa, lat, lon, counters, published tier)
PLACES = [
    ("OF-KRJ-1", "Karaj", "کرج", "Alborz", "البرز", 35.8327, 50.9915, 2, 5),
    ("OF-KRJ-2", "Karaj", "کرج", "Alborz", "البرز", 35.8011, 51.0203, 1, 3),
    ("OF-KRJ-3", "Karaj", "کرج", "Alborz", "البرز", 35.8440, 50.9390, 1, 4),
    ("OF-THR-1", "Tehran", "تهران", "Tehran", "تهران", 35.7000, 51.4000, 3, 5),
]
OFFICES = [
    fixtures.office(office_id, counters, name_en=f"Office {office_id}",
                    name_fa=f"دفتر {office_id[-1].translate(PERSIAN)} {city_fa}", city=city, city_fa=city_fa,
                    province=province, province_fa=province_fa, lat=lat, lon=lon,
                    offered_categories={"petitions", "sana", "consulting", "notices", "documents",
                                        *(("appeals",) if office_id == "OF-THR-1" else ())}, tier=tier)
    for office_id, city, city_fa, province, province_fa, lat, lon, counters, tier in PLACES
]

# The consoles' staff, in the stack's own cognito-local pool, all with the password DEMO_PASSWORD.
STAFF_PASSWORD = DEMO_PASSWORD
STAFF = (
    StaffUser("op-thr@ejso.local", OPERATOR_GROUP, office_id="OF-THR-1"),
    StaffUser("op-krj@ejso.local", OPERATOR_GROUP, office_id="OF-KRJ-1"),
    StaffUser("manager-thr@ejso.local", OFFICE_MANAGER_GROUP, office_id="OF-THR-1"),
    StaffUser("admin@ejso.local", ASSOCIATION_ADMIN_GROUP),
    StaffUser("rep-tehran@ejso.local", PROVINCIAL_REPRESENTATIVE_GROUP, province="Tehran"),
)


def seed() -> None:
    from chalicelib.dal import catalogue_store
    from infra.local.bootstrap import create_tables

    create_tables()
    catalogue_store.save_all([*SERVICES, *OFFICES])
