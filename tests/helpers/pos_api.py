"""A point of sale's client of the local API, for the tests: each request is sent as a point of sale
would (over HTTP to a real server, or through Flask's test client), and each answer is validated
against the API's own OpenAPI 3.1 document (openapi-core) before the test sees it."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers

from app.web.openapi import document


@lru_cache(maxsize=1)
def spec() -> OpenAPI:
    """The document as served, checked as a valid OpenAPI 3.1 document when it is read."""
    return OpenAPI.from_dict(json.loads(json.dumps(document())))


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    headers: dict[str, str]
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(header=Headers(self.headers))

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    data: bytes
    headers: Headers

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").lower()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: Headers

    @property
    def error(self) -> str | None:
        """The error's code, if it is an error."""
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


def validated(method: str, path: str, body: bytes | None, headers: dict[str, str], status: int, data: bytes, got):
    """The answer, once openapi-core found it to be one the document allows for this request."""
    response_headers = Headers(list(got))
    request = _Request("http://pos.test", path, method.lower(), body, headers.get("Content-Type", ""), headers)
    response = _Response(status, data, response_headers)
    spec().validate_response(request, response)
    assert response.content_type == "application/json", response.content_type
    assert "Set-Cookie" not in response_headers and "Access-Control-Allow-Origin" not in response_headers
    return Answer(status, json.loads(data), response_headers)


class Client:
    """Requests to /api/v1 with a key: over HTTP (base_url: the server's address) or through a Flask
    test client (flask_client). One HTTP connection per Client (kept alive): one per thread."""

    def __init__(self, key: str | None, base_url: str = "", flask_client=None) -> None:
        self.key = key
        self.base_url = base_url
        self.flask_client = flask_client
        self._connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, json_body: Any = None, idempotency_key: str | None = None, headers=None
    ) -> Answer:
        sent = {**(headers or {})}
        if self.key is not None:
            sent.setdefault("Authorization", f"Bearer {self.key}")
        if idempotency_key is not None:
            sent["Idempotency-Key"] = idempotency_key
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        full = "/api/v1" + path
        if self.flask_client is not None:
            got = self.flask_client.open(full, method=method, data=body, headers=sent)
            return validated(method, full, body, sent, got.status_code, got.get_data(), got.headers.items())
        if self._connection is None:
            where = urlsplit(self.base_url)
            self._connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        self._connection.request(method, full, body=body, headers=sent)
        got = self._connection.getresponse()
        data = got.read()
        return validated(method, full, body, sent, got.status, data, got.getheaders())

    def voucher(self, code: str) -> Answer:
        return self.request("GET", f"/vouchers/{quote(code, safe='')}")

    def redeem(self, code: str, idempotency_key: str | None, body: Any = None) -> Answer:
        return self.request("POST", f"/vouchers/{quote(code, safe='')}/redeem", body, idempotency_key)

    def undo(self, code: str, idempotency_key: str | None, body: Any = None) -> Answer:
        return self.request("POST", f"/vouchers/{quote(code, safe='')}/undo", body, idempotency_key)

    def batches(self) -> Answer:
        return self.request("GET", "/batches")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
