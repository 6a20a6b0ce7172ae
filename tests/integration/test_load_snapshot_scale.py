"""The load snapshot at the network's growth ceiling: 4,700 offices (the demo network's generator
at that size: its office ids, provinces and declarations), a busy Tuesday morning's numbers from
the snapshot job itself (every field filled), written by the DynamoDB store. Every item it stores
must stay under 64 KB as DynamoDB counts an item's size, so no shard ever nears the 400 KB limit
and a container's refresh reads little."""
from __future__ import annotations

import random
from decimal import Decimal

from chalicelib.domain.desk import Pace
from chalicelib.services import jobs
from infra.local import demo_network
from infra.local.bootstrap import office_entity
from tests.unit.services.network import NOW, Bookings, fake_network

OFFICES = 4700
LIMIT = 64 * 1024


def attribute_size(value: dict) -> int:
    """The bytes DynamoDB counts for one attribute value (low-level form, e.g. {"S": "..."})."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = Decimal(v).normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + attribute_size(e) for e in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(e) for k, e in v.items())
    if kind == "SS":
        return sum(len(e.encode()) for e in v)
    if kind == "NS":
        return sum(attribute_size({"N": e}) for e in v)
    raise ValueError(kind)


def item_size(item: dict) -> int:
    """An item's size: each attribute's name and value (what the 400 KB limit and RCUs count)."""
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def test_the_size_counts_names_and_values():
    assert item_size({"pk": {"S": "LOAD"}}) == 2 + 4
    assert item_size({"n": {"N": "12.35"}}) == 1 + 3  # 4 significant digits: 2 bytes, +1
    assert item_size({"n": {"N": "1200"}}) == 1 + 2  # trailing zeros are not counted
    assert item_size({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1
    assert item_size({"fa": {"S": "دفتر"}}) == 2 + 8  # Persian letters are two bytes each in UTF-8


def busy_morning(offices):
    """A busy Tuesday 09:00 on the fakes: bookings, remote counters, visitors, desks, paces."""
    rng = random.Random(4700)
    bookings = Bookings({o.office_id: rng.randint(0, 64 * o.counters) for o in offices})
    with fake_network(offices, bookings=bookings) as fakes:
        load, desk = fakes["load"], fakes["desk"]
        for o in offices:
            opened = rng.randint(0, o.counters)
            load.count(o.office_id, NOW.date(), open=opened, busy=rng.randint(0, opened), waiting=rng.randint(0, 45),
                       remote_claimed=rng.randint(0, 120))
            desk.pace_of[o.office_id] = Pace(round(rng.uniform(6, 25), 2), rng.randint(1, 5000))
            desk.lines[(o.office_id, NOW.date())] = {"streak": 0, "calls": rng.randint(0, 300),
                                                     "open": set(range(1, rng.randint(1, o.counters) + 1))}
        load.queue_remote = 12_345
        assert jobs.snapshot_office_load(NOW) == {"offices": len(offices)}
        return load.saved


def test_every_item_of_the_snapshot_stays_under_64_kb_at_4700_offices(tables, capsys):
    from chalicelib.dal import load_store
    from chalicelib.dal.db import shared_client
    from chalicelib.settings import get_settings
    offices = [office_entity(o) for o in demo_network.offices(total=OFFICES)]
    assert len(offices) == OFFICES and len({o.province for o in offices}) == 31
    snap = busy_morning(offices)
    filled = [line for line in snap.offices.values()
              if line.wait_min is not None and line.pace_min and line.ratio is not None and line.open is not None]
    assert len(filled) > 0.95 * OFFICES  # every field filled but for the few offices closed that day

    load_store.save_snapshot(snap, {o.office_id: o.province for o in offices})
    client, table = shared_client(), get_settings().table_name("network")
    head = client.get_item(TableName=table, Key={"pk": {"S": load_store.HEAD_PK}, "sk": {"S": load_store.HEAD_SK}},
                           ConsistentRead=True)["Item"]
    shards = load_store._read_head(consistent=True).shards
    sizes = {}
    for shard, (version, _previous) in shards.items():
        item = client.get_item(TableName=table, Key={"pk": {"S": load_store.shard_pk(shard)}, "sk": {"S": version}},
                               ConsistentRead=True)["Item"]
        sizes[shard] = item_size(item)
    with capsys.disabled():
        print(f"\nload snapshot at {OFFICES} offices: head {item_size(head)} B, {len(sizes)} shards, "
              f"largest {max(sizes.values())} B ({max(sizes, key=sizes.get)}), total {sum(sizes.values())} B")
    assert item_size(head) < LIMIT
    assert max(sizes.values()) < LIMIT
    load_store.forget_snapshot()
    assert load_store.snapshot() == snap  # and the shards hold every line, as computed
