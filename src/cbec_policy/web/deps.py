"""Request-scoped helpers: the store, the page language, and the write-token check."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from cbec_policy.i18n import LANGS
from cbec_policy.web.config import WebConfig
from cbec_policy.web.i18n import DEFAULT_LANG, LANG_COOKIE
from cbec_policy.web.limits import token_refusal


def get_store(request: Request) -> Any:
    """The store opened by ``create_app`` (one per app; its engine pools connections per thread)."""
    return request.app.state.store


async def store_dependency(request: Request) -> Any:
    """:func:`get_store` as a FastAPI dependency.

    ``async`` only so that FastAPI calls it on the event loop: a plain ``def`` dependency costs
    one trip through the thread pool on every request, for a single attribute read.
    """
    return request.app.state.store


def get_config(request: Request) -> WebConfig:
    """The app's :class:`WebConfig`."""
    return request.app.state.config


def get_lang(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, else Chinese."""
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGS else DEFAULT_LANG


def require_token(request: Request) -> None:
    """Allow a write only with ``Authorization: Bearer <token>`` matching the configured token.

    No token configured → 403 (the server is read-only); wrong or missing token → 401.
    """
    refusal = token_refusal(get_config(request), request.headers.get("authorization", ""))
    if refusal is not None:
        status, message = refusal
        raise HTTPException(status, message, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
