"""The 100,000-row lead import: ``salestrack import-leads`` as a user runs it (its own
process) on a fresh database, timed, measured and checked, run by hand.

    PYTHONPATH=src:. .venv/bin/python bench/import_bench.py                  # both databases
    PYTHONPATH=src:. .venv/bin/python bench/import_bench.py --db sqlite --rows 20000

The generated CSV (``name,company,email,phone,status,lead_date,expected_value,notes``) has
a realistic mix: statuses across the pipeline, about ``--repeat`` of the rows a buyer of
an earlier row again with the phone written another way (``098110 00042`` for
``+91 98110 00042``: a re-enquiry on that lead while it is open, a new lead once it is
lost or converted), and about ``--bad`` of the rows wrong (an unknown status, a negative
amount, a malformed date), imported with ``--valid-rows-only``. The script works out
what the import must do from the file alone, runs it on a fresh SQLite file and on a
fresh PostgreSQL database (``createdb`` on 127.0.0.1 as root, dropped first), then
counts in the database: leads, their ``lead_generated`` milestones and first status
entries, re-enquiries (inbound engagements), and the report summaries' lead count. It prints
wall time, rows per second, the importer's CPU time and peak RSS (``wait4``), and the
machine's load average (it is shared: compare figures taken together).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
PG_DB = "salestrack_import_bench"
TENANT = "import-bench"
CLI = [sys.executable, "-c", "from salestrack.cli import main; main()"]
OPEN = ("new", "contacted", "qualified", "negotiation")
STATUSES = (*OPEN, "new", "new", "contacted", "lost", "converted")


@dataclass
class Expected:
    rows: int = 0
    bad: int = 0
    leads: int = 0
    reenquiries: int = 0


def generate(path: Path, rows: int, repeat: float, bad: float, seed: int) -> Expected:
    """Write the file; return what importing its valid rows must give."""
    rng = random.Random(seed)
    expected = Expected(rows=rows)
    open_by_phone: dict[str, bool] = {}  # a buyer's phone -> has an open lead
    buyers: list[int] = []
    with path.open("w", newline="", encoding="utf-8") as out:
        sheet = csv.writer(out)
        sheet.writerow(
            ["name", "company", "email", "phone", "status", "lead_date", "expected_value", "notes"]
        )
        for n in range(rows):
            status = rng.choice(STATUSES)
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            money = str(rng.randrange(1, 900) * 1000)
            again = buyers and rng.random() < repeat
            buyer = rng.choice(buyers) if again else n
            digits = f"98{buyer:08d}"
            # the same number as +91 98xxx xxxxx, written as a national number the second time
            phone = f"0{digits[:5]} {digits[5:]}" if again else f"+91 {digits[:5]} {digits[5:]}"
            email = "" if again else f"buyer{n}@example.com"
            wrong = rng.random() < bad
            if wrong:
                kind = n % 3
                status = "won" if kind == 0 else status
                money = "-5" if kind == 1 else money
                day = "2025-13-40" if kind == 2 else day
            sheet.writerow(
                [f"Buyer {buyer}", f"Company {n % 97}", email, phone, status, day, money, "fair"]
            )
            if wrong:
                expected.bad += 1
                continue
            if open_by_phone.get(digits):
                expected.reenquiries += 1
                continue
            expected.leads += 1
            if not again:
                buyers.append(n)
            open_by_phone[digits] = status in OPEN
    return expected


def fresh_database(db: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "SALESTRACK_ENV": "development", "SALESTRACK_SECRET_KEY": "b" * 40}
    if db == "sqlite":
        env["SALESTRACK_DATABASE_URL"] = f"sqlite:///{workdir / 'import-bench.db'}"
    else:
        subprocess.run(
            ["dropdb", "-h", HOST, "-U", "root", "--if-exists", "--force", PG_DB], check=True
        )
        subprocess.run(["createdb", "-h", HOST, "-U", "root", PG_DB], check=True)
        env["SALESTRACK_DATABASE_URL"] = f"postgresql+psycopg://root@{HOST}:5432/{PG_DB}"
    for args in (["migrate"], ["create-tenant", TENANT, "--name", "Import bench"]):
        subprocess.run([*CLI, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


@dataclass
class Run:
    status: int
    wall: float
    cpu: float
    peak_mb: float
    output: str


def run_import(env: dict[str, str], path: Path, extra: list[str]) -> Run:
    """``import-leads --valid-rows-only`` in its own process; its wall time, CPU, peak RSS."""
    args = [*CLI, "import-leads", "--tenant", TENANT, str(path), "--valid-rows-only", *extra]
    started = time.monotonic()
    with subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    return Run(
        process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output
    )


COUNTS = {
    "leads": "SELECT count(*) FROM leads WHERE tenant_id = :t AND deleted_at IS NULL",
    "lead_generated": "SELECT count(*) FROM lead_milestones WHERE tenant_id = :t "
    "AND milestone_type = 'lead_generated'",
    "first statuses": "SELECT count(*) FROM lead_status_history WHERE tenant_id = :t AND seq = 1",
    "re-enquiries": "SELECT count(*) FROM lead_engagements WHERE tenant_id = :t "
    "AND engagement_type = 'enquiry_received'",
    # the summaries count each live lead once under its status
    "summary leads": "SELECT coalesce(sum(n), 0) FROM report_counters WHERE tenant_id = :t "
    "AND family = 'status'",
}


def counts(env: dict[str, str]) -> dict[str, int]:
    """What the database holds for the tenant (read directly, as its owner)."""
    url = env["SALESTRACK_DATABASE_URL"]
    found: dict[str, int] = {}
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            (tenant,) = conn.execute(
                "SELECT tenant_id FROM tenants WHERE slug = ?", (TENANT,)
            ).fetchone()
            for name, sql in COUNTS.items():
                found[name] = conn.execute(sql.replace(":t", "?"), (tenant,)).fetchone()[0]
        return found
    import psycopg

    with psycopg.connect(f"host={HOST} user=root dbname={PG_DB}") as conn:
        (tenant,) = conn.execute(
            "SELECT tenant_id FROM tenants WHERE slug = %s", (TENANT,)
        ).fetchone()
        for name, sql in COUNTS.items():
            found[name] = conn.execute(sql.replace(":t", "%s"), (tenant,)).fetchone()[0]
    return found


def _load(figures: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.1f}" for x in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=float, default=0.05, help="rows of an earlier buyer")
    parser.add_argument("--bad", type=float, default=0.002, help="rows with a wrong value")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--batch-rows", type=int, help="import-leads --batch-rows")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = workdir / f"leads-{args.rows}.csv"
    expected = generate(path, args.rows, args.repeat, args.bad, args.seed)
    print(
        f"{path.name}: {expected.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB; valid rows "
        f"must give {expected.leads:,} leads and {expected.reenquiries:,} re-enquiries, "
        f"{expected.bad:,} rows are wrong"
    )
    extra = ["--batch-rows", str(args.batch_rows)] if args.batch_rows else []
    failed = False
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        env = fresh_database(db, workdir)
        load_before = os.getloadavg()
        run = run_import(env, path, extra)
        load_after = os.getloadavg()
        found = counts(env)
        want = {
            "leads": expected.leads,
            "lead_generated": expected.leads,
            "first statuses": expected.leads,
            "re-enquiries": expected.reenquiries,
            "summary leads": expected.leads,
        }
        ok = run.status == 0 and found == want
        failed |= not ok
        print(f"\n== {db}: exit {run.status}, {'checked' if ok else 'WRONG'}")
        for line in run.output.splitlines():
            if line.startswith(("imported", "skipped")) or "re-enquiry" in line:
                print(line[:160] + (" ..." if len(line) > 160 else ""))
        print(
            f"wall {run.wall:.1f} s, {expected.rows / run.wall:,.0f} rows/s "
            f"({(expected.leads + expected.reenquiries) / run.wall:,.0f} written/s), "
            f"importer CPU {run.cpu:.1f} s ({1000 * run.cpu / expected.rows:.2f} ms/row), "
            f"peak RSS {run.peak_mb:.0f} MB"
        )
        print(f"load average before / after: {_load(load_before)} / {_load(load_after)}")
        for name, value in found.items():
            mark = "" if value == want[name] else f"  (expected {want[name]:,})"
            print(f"  {name}: {value:,}{mark}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
