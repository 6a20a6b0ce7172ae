"""The use cases of the booking side and of the remote side (requests, partners, the outbox)
reach data only through the store registry: no data-layer module, no storage item, no storage
key."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[3] / "chalicelib" / "services"
KEY_PREFIX = re.compile(r"^(BK|HD|OD|CZ|OB|SEAT|DAY|RQ|OC|Q|QO|AG|AS|OH|SB|WH|RL|CB)#")


@pytest.mark.parametrize("module", ["bookings.py", "catalogue.py", "office_day.py", "jobs.py", "remote_requests.py",
                                    "remote_jobs.py", "partners.py", "outbox.py"])
def test_no_data_layer_in_the_booking_use_cases(module):
    tree = ast.parse((SERVICES / module).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("chalicelib.dal")}, imported
    keys = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and KEY_PREFIX.match(n.value)]
    assert keys == []
