"""Tariff revision simulator on the demo network: the seeded network's offices and catalogue, three
months of seeded volumes per office and service, tiers and revenue-neutral shares from the real
ranking code, then today's book against a proposed one through the real simulator
(`chalicelib.services.tariff_proposals.compare`, the code the API's `.../simulate` runs).

    python -m bench.tariffs [--seed N] [--months 3] [--viability 100000000] [--deprived 20]
                            [--all 0] [--plot PATH] [--table PATH]

Assumptions (the demo network has no recorded history): each office delivers, a month,
counters × U(60, 140) services, spread over the services of its offered categories (weights
drawn once per service, Pareto-like: a few services carry most of the volume); tiers are drawn
20 % each; the association's base share is the shipped default (10 %) and the tier shares are
made revenue-neutral on these volumes (`ranking.association_shares`). The default proposal is the
board's request: +20 % on the office's fee in deprived areas (`--deprived`), unchanged elsewhere
(`--all`). Revenue is the office's own fees less its levy, a month.
"""
from __future__ import annotations

import argparse
import random
import sys
from fractions import Fraction
from pathlib import Path

from chalicelib.domain import ranking
from chalicelib.domain.catalogue import Service
from chalicelib.domain.tariffs import OfficeInfo, Outcome, Proposal, Rule, Volume, seed_line
from chalicelib.services.tariff_proposals import compare
from infra.local import demo_network

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLOT = ROOT / "docs" / "tariffs_revenue_deciles.png"
DEFAULT_TABLE = ROOT / "docs" / "tariffs_simulation.md"


def network(seed: int, months: int) -> tuple[dict[str, Service], dict[str, OfficeInfo], list[Volume]]:
    rng = random.Random(seed * 7 + 3)
    services = {s["service_id"]: Service(s["service_id"], category=s["category"], name_en=s["name_en"],
                                         name_fa=s["name_fa"], mode=s["mode"], duration_min=s["duration_min"],
                                         tariff_rials=s["tariff_rials"]) for s in demo_network.services(seed)}
    weight = {sid: rng.paretovariate(1.3) for sid in services}
    offices = demo_network.offices(seed)
    infos = {o["office_id"]: OfficeInfo(o["office_id"], o["province"], bool(o["deprived"]), rng.choice(ranking.TIERS))
             for o in offices}
    volumes = []
    for m in range(months):
        period = f"1405-{m + 6:02d}"
        for o in offices:
            offered = [sid for sid, s in services.items() if s.category in set(o["offered_categories"])
                       and sid not in set(o.get("not_offered", []))]
            if not offered:
                continue
            total = int(o["counters"] * rng.uniform(60, 140))
            picks = rng.choices(offered, weights=[weight[s] for s in offered], k=total)
            counts: dict[str, int] = {}
            for sid in picks:
                counts[sid] = counts.get(sid, 0) + 1
            volumes += [Volume(period, o["office_id"], sid, n) for sid, n in counts.items()]
    return services, infos, volumes


def run(seed: int, months: int, viability: int, deprived_percent: Fraction, all_percent: Fraction
        ) -> tuple[Outcome, Outcome, dict]:
    services, offices, volumes = network(seed, months)
    today = {sid: seed_line(s.tariff_rials) for sid, s in services.items()}
    bases = dict.fromkeys(offices, 0)
    for v in volumes:
        bases[v.office_id] += v.count * today[v.service_id].share_base_rials
    schedule = ranking.association_shares({o: i.tier for o, i in offices.items()}, bases,
                                          "0.10", ranking.DEFAULT_POLICY)
    rules = tuple(r for r in (Rule(deprived_percent, None, True) if deprived_percent else None,
                              Rule(all_percent) if all_percent else None) if r)
    current, proposed = compare(volumes, offices, services, months, today, Proposal({}, rules),
                                dict(schedule.share_by_tier), viability)
    facts = {"offices": len(offices), "deprived": sum(i.deprived for i in offices.values()),
             "services": sum(v.count for v in volumes) // months, "rules": rules}
    return current, proposed, facts


def _m(rials: int) -> str:
    return f"{rials / 1_000_000:,.1f}"


def table(current: Outcome, proposed: Outcome, facts: dict, viability: int) -> str:
    rows = [("Median office revenue (M rials/month)", _m(current.median), _m(proposed.median)),
            ("10th percentile", _m(current.deciles[0]), _m(proposed.deciles[0])),
            ("90th percentile", _m(current.deciles[-1]), _m(proposed.deciles[-1])),
            ("Deprived-area offices: mean", _m(current.deprived_mean), _m(proposed.deprived_mean)),
            ("Association income (M rials/month)", _m(current.association_monthly_rials),
             _m(proposed.association_monthly_rials)),
            (f"Offices below {_m(viability)} M rials/month", f"{float(current.below_viability):.1%}",
             f"{float(proposed.below_viability):.1%}")]
    provinces = sorted(current.by_province, key=lambda p: current.by_province[p])[:3]
    rows += [(f"{p} (mean)", _m(current.by_province[p]), _m(proposed.by_province[p])) for p in provinces]
    rules = "; ".join(f"{'+' if r.percent > 0 else ''}{float(r.percent):g} % "
                      f"{'in deprived areas' if r.deprived_only else 'everywhere'}" for r in facts["rules"]) or "none"
    out = [f"Demo network: {facts['offices']} offices ({facts['deprived']} in deprived areas), "
           f"{facts['services']:,} services a month; proposal: {rules}.", "",
           "| | today | proposed |", "| --- | ---: | ---: |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out) + "\n"


def plot(current: Outcome, proposed: Outcome, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = list(range(10, 100, 10))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(xs, [d / 1e6 for d in current.deciles], marker="o", label="today")
    ax.plot(xs, [d / 1e6 for d in proposed.deciles], marker="s", label="proposed")
    ax.set_xlabel("office percentile (by monthly revenue)")
    ax.set_ylabel("revenue, million rials a month")
    ax.set_title("Office revenue by decile: today vs proposed tariff book")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="tariff revision simulator on the demo network")
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--viability", type=int, default=100_000_000, help="monthly revenue line, rials")
    parser.add_argument("--deprived", type=Fraction, default=Fraction(20), help="%% on office fees in deprived areas")
    parser.add_argument("--all", type=Fraction, default=Fraction(0), help="%% on office fees everywhere")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT), help="PNG path ('' to skip)")
    parser.add_argument("--table", default=str(DEFAULT_TABLE), help="markdown table path ('' to skip)")
    args = parser.parse_args(argv)
    current, proposed, facts = run(args.seed, args.months, args.viability, args.deprived, args.all)
    text = table(current, proposed, facts, args.viability)
    sys.stdout.write(text)
    if args.table:
        Path(args.table).write_text(text, encoding="utf-8")
    if args.plot:
        plot(current, proposed, Path(args.plot))
        sys.stdout.write(f"plot: {args.plot}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
