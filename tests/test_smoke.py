from tests.support import ApiClient


def test_admin_creates_and_reads_a_lead(api: ApiClient) -> None:
    lead = api.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Asha Rao"})
    assert api.ok("GET", f"/api/v1/sales/leads/{lead['id']}")["name"] == "Asha Rao"
