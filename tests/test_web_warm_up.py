"""A served app asks itself its costliest pages before it listens; a failing page does not stop it.

The pages are those of the bundled reference data (the newest policy's page among them).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from cbec_policy.store import Store
from cbec_policy.store.filters import PolicyFilters
from cbec_policy.web import warm_up as warm_up_module
from cbec_policy.web.app import create_app

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_a_warm_app_has_answered_its_costly_pages_before_the_first_request(sqlite_store: Store, tmp_path: Path) -> None:
    app = create_app(store=sqlite_store, data_dir=tmp_path / "data", warm=True)
    with TestClient(app) as web:  # the context runs the app's start-up, as uvicorn does
        newest = sqlite_store.list_briefs(PolicyFilters(), limit=1)[0].id
        answered = dict(app.state.warmed)
        assert set(answered) == {*warm_up_module.WARM_PATHS, f"/policies/{newest}"}
        assert set(answered.values()) == {200}
        # The templates of those pages are compiled already: a request finds them in the cache.
        cached = {key[1] for key in app.state.templates.cache}
        assert {"dashboard.html", "policy.html", "policies.html"} <= cached
        assert web.get("/").status_code == 200


def test_an_app_is_not_warmed_unless_asked(sqlite_store: Store, tmp_path: Path) -> None:
    app = create_app(store=sqlite_store, data_dir=tmp_path / "data")
    with TestClient(app):
        assert not hasattr(app.state, "warmed")
        assert len(app.state.templates.cache) == 0


def test_a_page_that_fails_in_the_warm_up_is_logged_and_the_app_starts(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(warm_up_module, "WARM_PATHS", ("/api/stats", "/no-such-page", "/policies"))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("planted failure of the statistics")

    monkeypatch.setattr(sqlite_store, "corpus_tallies", broken)
    app = create_app(store=sqlite_store, data_dir=tmp_path / "data", warm=True)
    with caplog.at_level(logging.WARNING, logger="cbec_policy.web"), TestClient(app) as web:
        answered = dict(app.state.warmed)
        assert answered["/api/stats"] == 0 and answered["/no-such-page"] == 404 and answered["/policies"] == 200
        assert "warm-up: /api/stats failed" in caplog.text
        assert web.get("/policies").status_code == 200
