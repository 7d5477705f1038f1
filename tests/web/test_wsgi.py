"""app.web.wsgi:application, the claim site for any WSGI server: the database from the environment."""

from __future__ import annotations

import importlib
import json

from werkzeug.test import Client

from app.core import settings, store


def test_the_wsgi_application_serves_the_database_named_in_the_environment(db_path, monkeypatch):
    expected = settings.database_id()
    store.close_database()
    monkeypatch.setenv(store.ENV_VAR, str(db_path))
    wsgi = importlib.reload(importlib.import_module("app.web.wsgi"))
    answer = Client(wsgi.application).get("/healthz")
    assert answer.status_code == 200
    data = json.loads(answer.get_data(as_text=True))
    assert data["status"] == "ok" and data["database"] == "ok" and data["database_id"] == expected
    assert "Corner Shop" in Client(wsgi.application).get("/").get_data(as_text=True)


def test_the_wsgi_application_says_try_again_while_its_database_cannot_be_opened(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_VAR, str(tmp_path / "no such folder" / "vouchers.db"))
    wsgi = importlib.reload(importlib.import_module("app.web.wsgi"))
    answer = Client(wsgi.application).get("/healthz")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert "try again in a moment" in answer.get_data(as_text=True)
