"""The FastAPI application factory: pages, REST API, offline API docs, security headers.

``create_app`` opens one store for the app's life; every route reads through the store API
only, so the same app runs over SQLite or PostgreSQL. Writes (uploads, label edits) need
the bearer token from the configuration; without one the server is read-only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cbec_policy import __version__
from cbec_policy.errors import CbecError, InputError
from cbec_policy.store import open_store
from cbec_policy.web import contract
from cbec_policy.web.config import load_config
from cbec_policy.web.hygiene import RequestHygiene
from cbec_policy.web.limits import RequestLimits
from cbec_policy.web.render import build_environment, render
from cbec_policy.web.routes import api, api_tax, api_write, evaluation, local, pages, review, tools
from cbec_policy.web.tax import preload
from cbec_policy.web.warm_up import warm_up

STATIC_DIR = Path(__file__).with_name("static")
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)  # Swagger UI's files, from the pinned swagger-ui-bundle-v2

# Scripts only from this server (no inline script, no eval): stored text that slipped past
# escaping still could not run. Inline styles are allowed for Swagger UI's widgets.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


_SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself.

    A plain ASGI middleware: it only edits the response-start message, without the extra
    task and body streaming that a ``@app.middleware("http")`` function costs on each request.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in _SECURITY_HEADERS if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _field_name(error: dict[str, Any]) -> str:
    """``price`` or ``lines.0.price``: where one pydantic error is, as the request spells it."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
    return ".".join(location) or "request"


def _field_message(error: dict[str, Any]) -> str:
    """``price: Input should be greater than 0`` from one pydantic error (the field first)."""
    return f"{_field_name(error)}: {error.get('msg', 'invalid value')}"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def create_app(
    db_url: str | None = None,
    token: str | None = None,
    *,
    data_dir: str | Path | None = None,
    max_upload_bytes: int | None = None,
    store: Any | None = None,
    init: bool = True,
    create_db: bool = False,
    warm: bool = False,
) -> FastAPI:
    """Build the web app over the store at ``db_url`` (or an already open ``store``).

    ``token`` enables writing (else ``CBEC_WEB_TOKEN``; none → read-only). ``init`` loads the
    bundled reference data into a new database first, so a fresh ``cbec serve`` shows the corpus.
    ``create_db`` allows a missing SQLite file to be created; without it the app refuses to
    start on a database file that is not there (it may have been deleted under the service).
    ``warm`` has the app ask itself its costliest pages once at start (:mod:`cbec_policy.web.warm_up`),
    as ``cbec serve`` does for each worker; ``app.state.warmed`` then holds what they answered.
    """
    config = load_config(db_url=db_url, token=token, data_dir=data_dir, max_upload_bytes=max_upload_bytes)
    owns_store = store is None
    if store is None:
        store = open_store(db_url, create=create_db)  # a missing SQLite file is an error unless asked for
        if init:
            store.init()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        preload()  # before the first request, not during it
        if warm:
            _app.state.warmed = await warm_up(_app)
        yield
        if owns_store:  # a store passed in belongs to the caller
            store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cbec-policy API",
        version=__version__,
        description=(
            "中国跨境电商政策库 REST API: policies (filter, full-text search), pilot zones (list, lookup), "
            "dashboard statistics, tax calculators with citations, order files. Writing needs a bearer token."
        ),
        docs_url=None,  # the default page loads Swagger UI from a CDN; ours serves it locally
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.config = config
    app.state.store = store
    app.state.templates = build_environment()

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.mount("/vendor/swagger", StaticFiles(directory=str(SWAGGER_DIR)), name="swagger")

    # Added last = outermost: the security headers go on every answer, the refusals included.
    app.add_middleware(RequestLimits, config=config)  # token, body size and heavy jobs before any route
    app.add_middleware(RequestHygiene, store=store)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # Runs in Starlette's outermost error middleware, outside SecurityHeaders: add them here.
        headers = {name.decode(): value.decode() for name, value in _SECURITY_HEADERS}
        message = "internal error; the server log has the details"
        if _wants_json(request):
            return JSONResponse({"message": message}, status_code=500, headers=headers)
        return HTMLResponse(f"<!doctype html><title>500</title><p>服务器内部错误 / {message}</p>", 500, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        message = "; ".join(_field_message(error) for error in errors)
        if _wants_json(request):
            detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
            field = _field_name(errors[0]) if errors else "request"  # the first, as an InputError names it
            return JSONResponse({"message": message, "field": field, "detail": detail}, status_code=422)
        return render(request, "error.html", {"status": 422, "message": message}, status_code=422)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if _wants_json(request):
            return JSONResponse({"message": str(exc), "field": exc.source, "reason": exc.reason}, status_code=422)
        return render(request, "error.html", {"status": 422, "message": str(exc)}, status_code=422)

    @app.exception_handler(CbecError)
    async def cbec_error(request: Request, exc: CbecError) -> Response:
        if _wants_json(request):
            return JSONResponse({"message": str(exc)}, status_code=422)
        return render(request, "error.html", {"status": 422, "message": str(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)  # also FastAPI's own (a body that does not parse: 400)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)}, exc.status_code)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI served from this server's own files (works offline)."""
        env = request.app.state.templates
        return HTMLResponse(env.get_template("docs.html").render())

    app.include_router(api.router)
    app.include_router(api_tax.router)
    app.include_router(api_tax.parameters_router)
    app.include_router(api_write.router)
    app.include_router(pages.router)
    app.include_router(local.router)
    app.include_router(tools.router)
    app.include_router(evaluation.router)
    app.include_router(evaluation.pages)
    app.include_router(review.router)
    contract.install(app)  # the middleware's refusals stated in /openapi.json

    return app


def create_app_from_env() -> FastAPI:
    """App factory for several uvicorn worker processes: everything from ``CBEC_*`` variables.

    Each worker opens its own store (``CBEC_DB_URL``); the parent has already initialised it.
    """
    return create_app(None, init=False, warm=True)
