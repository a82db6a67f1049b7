"""The customer account ledger through the API, on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.money.conftest import LEDGER, new_customer, post
from tests.support import ApiClient, TenantWorld, tenant_today


def test_seed_example_running_balances_and_summary(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    steps = [
        ("invoice", "500000", "2025-11-01"),
        ("payment", "300000", "2025-11-05"),
        ("credit_note", "50000", "2025-11-20"),
        ("payment", "150000", "2025-11-25"),
    ]
    balances = [
        post(api, customer, kind, amount, transaction_date=day)["balance_after"]
        for kind, amount, day in steps
    ]
    assert balances == ["500000.00", "200000.00", "150000.00", "0.00"]

    page = api.ok("GET", f"{LEDGER}/{customer}")
    assert [e["transaction_type"] for e in page["entries"]] == [s[0] for s in steps]
    assert [e["balance_after"] for e in page["entries"]] == balances
    summary = page["summary"]
    assert summary["total_invoiced"] == "500000.00"
    assert summary["total_paid"] == "450000.00"
    assert summary["total_credit_notes"] == "50000.00"
    assert summary["total_debit_notes"] == "0.00"
    assert summary["outstanding"] == "0.00"
    assert summary["payment_collection_percent"] == "100.00"
    assert summary["last_payment_date"] == "2025-11-25"
    assert summary["days_since_oldest_unpaid_invoice"] is None
    report = api.ok("GET", f"/api/v1/sales/reports/customer-ledger/{customer}")
    assert report == summary


def test_partly_paid_invoice_ages_and_collection_is_partial(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    ten_days_ago = (tenant_today() - timedelta(days=10)).isoformat()
    three_days_ago = (tenant_today() - timedelta(days=3)).isoformat()
    post(api, customer, "invoice", "1000.00", transaction_date=ten_days_ago)
    post(api, customer, "invoice", "500.00", transaction_date=three_days_ago)
    post(api, customer, "payment", "1200.00")
    summary = api.ok("GET", f"/api/v1/sales/reports/customer-ledger/{customer}")
    assert summary["outstanding"] == "300.00"
    assert summary["payment_collection_percent"] == "80.00"
    # 1,200 paid covers the older invoice; the newer one is the oldest still unpaid.
    assert summary["days_since_oldest_unpaid_invoice"] == 3


def test_expected_balance_mismatch_is_409_with_the_real_balance(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    post(api, customer, "invoice", "1000.00")
    stale = api.post(
        LEDGER,
        json={
            "customer_id": customer,
            "transaction_type": "payment",
            "credit_amount": "400.00",
            "balance_after": "0.00",
        },
    )
    assert stale.status_code == 409
    assert stale.json()["current_balance"] == "1000.00"
    assert stale.json()["balance_after"] == "600.00"
    ok = post(api, customer, "payment", "400.00", balance_after="600.00")
    assert ok["balance_after"] == "600.00"
    entries = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert [e["balance_after"] for e in entries] == ["1000.00", "600.00"]


@pytest.mark.parametrize(
    "body",
    [
        {"transaction_type": "invoice", "credit_amount": "10.00"},
        {"transaction_type": "invoice", "debit_amount": "0"},
        {"transaction_type": "invoice", "debit_amount": "-5.00"},
        {"transaction_type": "invoice", "debit_amount": "10.001"},
        {"transaction_type": "invoice", "debit_amount": "1e20"},
        {"transaction_type": "invoice", "debit_amount": "10", "credit_amount": "1"},
        {"transaction_type": "payment", "debit_amount": "10.00"},
        {"transaction_type": "adjustment", "debit_amount": "1", "credit_amount": "1"},
        {"transaction_type": "adjustment"},
        {"transaction_type": "refund", "debit_amount": "10.00"},
        {"transaction_type": "invoice", "debit_amount": "10", "status": "reversed"},
        {"transaction_type": "invoice", "debit_amount": "10", "ledger_code": "LED-9"},
        {"transaction_type": "invoice", "debit_amount": "abc"},
        # Text Python's Decimal would read, but not the plain digits the schema promises.
        {"transaction_type": "invoice", "debit_amount": "1_000"},
        {"transaction_type": "invoice", "debit_amount": "1e3"},
        {"transaction_type": "invoice", "debit_amount": " 5 "},
        {"transaction_type": "invoice", "debit_amount": "\u0661\u0662\u0663"},
        {"transaction_type": "invoice", "debit_amount": "+5"},
        {"transaction_type": "invoice", "debit_amount": "10", "transaction_date": "2025-13-01"},
        {"transaction_type": "invoice", "debit_amount": "10", "reference_document_type": "x"},
    ],
)
def test_bad_entries_are_422(api: ApiClient, body: dict[str, str]) -> None:
    customer = new_customer(api)["id"]
    response = api.post(LEDGER, json={"customer_id": customer, **body})
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert api.ok("GET", f"{LEDGER}/{customer}")["entries"] == []


def test_adjustment_takes_either_side(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    assert post(api, customer, "adjustment", "", debit_amount="70.00")["balance_after"] == "70.00"
    assert post(api, customer, "adjustment", "", credit_amount="100")["balance_after"] == "-30.00"


def test_reversal_posts_the_opposite_and_marks_the_original(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    post(api, customer, "invoice", "1000.00")
    wrong = post(api, customer, "payment", "700.00")
    reversal = api.ok("POST", f"{LEDGER}/{wrong['id']}/reverse", 201, json={})
    assert reversal["transaction_type"] == "adjustment"
    assert reversal["debit_amount"] == "700.00"
    assert reversal["balance_after"] == "1000.00"
    assert reversal["reversal_of_id"] == wrong["id"]
    assert api.post(f"{LEDGER}/{wrong['id']}/reverse").status_code == 409
    assert api.post(f"{LEDGER}/{reversal['id']}/reverse").status_code == 409

    page = api.ok("GET", f"{LEDGER}/{customer}")
    assert [e["status"] for e in page["entries"]] == ["active", "reversed", "active"]
    assert page["summary"]["total_paid"] == "0.00"
    assert page["summary"]["outstanding"] == "1000.00"
    assert page["summary"]["payment_collection_percent"] == "0.00"


def test_ledger_codes_are_sequential_without_gaps(api: ApiClient) -> None:
    """Per account: refused postings (422, 409) give nothing away, and one account's
    postings never take numbers from another's."""
    one, two = new_customer(api), new_customer(api, "Arjun")
    first, second = one["id"], two["id"]
    codes = [post(api, first, "invoice", "10")["ledger_code"]]
    bad = api.post(LEDGER, json={"customer_id": first, "transaction_type": "payment"})
    assert bad.status_code == 422
    stale = api.post(
        LEDGER,
        json={
            "customer_id": second,
            "transaction_type": "invoice",
            "debit_amount": "5",
            "balance_after": "6",
        },
    )
    assert stale.status_code == 409
    codes.append(post(api, second, "invoice", "5")["ledger_code"])
    codes.append(post(api, first, "payment", "10")["ledger_code"])
    assert codes == [
        f"LED-{one['customer_code']}-0001",
        f"LED-{two['customer_code']}-0001",
        f"LED-{one['customer_code']}-0002",
    ]


def test_entries_page_in_order(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    for amount in ("1", "2", "3", "4", "5"):
        post(api, customer, "invoice", amount)
    first = api.ok("GET", f"{LEDGER}/{customer}", params={"limit": 2})
    assert [e["debit_amount"] for e in first["entries"]] == ["1.00", "2.00"]
    rest = api.ok(
        "GET", f"{LEDGER}/{customer}", params={"limit": 10, "cursor": first["next_cursor"]}
    )
    assert [e["balance_after"] for e in rest["entries"]] == ["6.00", "10.00", "15.00"]
    assert rest["next_cursor"] is None
    assert rest["summary"]["entry_count"] == 5


def test_roles_money_read_and_write(world: TenantWorld) -> None:
    customer = new_customer(world.admin)["id"]
    body = {"customer_id": customer, "transaction_type": "invoice", "debit_amount": "10"}
    assert world.rep.post(LEDGER, json=body).status_code == 403
    assert world.rep.get(f"{LEDGER}/{customer}").status_code == 403
    assert world.viewer.post(LEDGER, json=body).status_code == 403
    assert world.manager.post(LEDGER, json=body).status_code == 201
    assert world.viewer.get(f"{LEDGER}/{customer}").status_code == 200
    report = f"/api/v1/sales/reports/customer-ledger/{customer}"
    assert world.viewer.ok("GET", report)["outstanding"] == "10.00"
    assert world.rep.get(report).status_code == 403


def test_other_tenants_customer_and_entries_are_invisible(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    customer = new_customer(world.admin)["id"]
    entry = post(world.admin, customer, "invoice", "10")
    intruder = other_world.admin
    assert intruder.get(f"{LEDGER}/{customer}").status_code == 404
    assert intruder.get(f"/api/v1/sales/reports/customer-ledger/{customer}").status_code == 404
    assert intruder.post(f"{LEDGER}/{entry['id']}/reverse").status_code == 404
    body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "10"}
    assert intruder.post(LEDGER, json=body).status_code == 422
    assert world.admin.ok("GET", f"{LEDGER}/{customer}")["summary"]["outstanding"] == "10.00"


def test_postings_and_reversals_are_audited(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    entry = post(api, customer, "invoice", "99.50")
    api.ok("POST", f"{LEDGER}/{entry['id']}/reverse", 201)
    log = api.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "ledger_entry", "entity_id": entry["id"]}
    )
    items = log["items"] if isinstance(log, dict) else log
    actions = sorted(item["action"] for item in items)
    assert actions == ["create", "update"]
    created = next(i for i in items if i["action"] == "create")
    assert created["changes"]["debit_amount"] == "99.50"


def test_unknown_customer_is_404_for_reads(api: ApiClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"{LEDGER}/{missing}").status_code == 404
    assert api.post(f"{LEDGER}/{missing}/reverse").status_code == 404


def test_decimal_precision_survives(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    post(api, customer, "invoice", "0.10")
    post(api, customer, "invoice", "0.20")
    entry = post(api, customer, "payment", "0.30")
    assert Decimal(entry["balance_after"]) == Decimal("0.00")


def test_the_posted_entry_is_the_stored_entry_with_gap_free_codes(api: ApiClient) -> None:
    """Codes are numbered per account (``LED-<customer code>-<position>``): the answer
    carries the final code, exactly as the ledger shows it later, and codes follow on
    without gaps even when a posting in between is refused."""
    made = new_customer(api)
    customer = made["id"]
    first = post(api, customer, "invoice", "1000.00")
    refused = api.post(LEDGER, json={"customer_id": customer, "transaction_type": "payment"})
    assert refused.status_code == 422
    second = post(api, customer, "payment", "400.00")
    listed = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert listed == [first, second]
    assert first["ledger_code"] == f"LED-{made['customer_code']}-0001"
    assert second["ledger_code"] == f"LED-{made['customer_code']}-0002"
