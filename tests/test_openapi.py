"""The OpenAPI document names every error the API can answer, as problem+json."""

from __future__ import annotations

from fastapi import FastAPI

from tests.support import ApiClient

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _api_operations(app: FastAPI) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    ]


def test_every_error_answer_is_documented_as_problem_json(app: FastAPI) -> None:
    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, method, operation in _api_operations(app):
        responses = operation["responses"]
        errors = {code for code in responses if code.startswith("4")}
        assert "422" in errors or not operation.get("parameters"), (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= errors, (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)
        if "requestBody" in operation:
            assert "413" in errors, (method, path)
        if method in ("post", "patch", "delete"):
            assert "409" in errors, (method, path)
        for code in errors:
            assert responses[code]["content"] == PROBLEM, (method, path, code)


def test_sales_and_capture_posts_document_the_idempotency_key(app: FastAPI) -> None:
    for path, method, operation in _api_operations(app):
        names = {p["name"] for p in operation.get("parameters", [])}
        expected = method == "post" and path.startswith(("/api/v1/sales/", "/api/v1/capture/"))
        assert ("Idempotency-Key" in names) == expected, (method, path)


def test_login_documents_wrong_credentials_and_throttling(app: FastAPI) -> None:
    responses = app.openapi()["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "422", "429"} <= set(responses)


def test_a_body_that_is_not_utf8_is_422_not_400(api: ApiClient) -> None:
    """The framework answers 400 for bytes it cannot decode; the API promises 422."""
    response = api.post(
        "/api/v1/sales/leads",
        content=b'{"name": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body"]
    assert api.ok("GET", "/api/v1/sales/leads")["items"] == []
