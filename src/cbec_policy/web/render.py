"""Jinja2 environment (autoescape on for every template) and the page-rendering helper."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cbec_policy import __version__
from cbec_policy.i18n import in_force_label, in_language, label, place_name, text, text_language
from cbec_policy.labels import LEVELS, POLICY_TYPES, REGIONS, STATUSES, THEMES, colour, vocabularies, vocabulary
from cbec_policy.web.charts import policy_href
from cbec_policy.web.deps import get_config, get_lang
from cbec_policy.web.i18n import LANG_COOKIE, translator

TEMPLATE_DIR = Path(__file__).with_name("templates")

# The main navigation, in order: (path, interface-string key, page name used for aria-current).
# A new page adds one line here (and its strings to i18n.STRINGS).
NAV: list[tuple[str, str, str]] = [
    ("/", "nav_dashboard", "dashboard"),
    ("/policies", "nav_policies", "policies"),
    ("/zones", "nav_zones", "zones"),
    ("/local", "nav_local", "local"),
    ("/evaluation", "nav_evaluation", "evaluation"),
    ("/tax", "nav_tax", "tax"),
    ("/parameters", "nav_parameters", "parameters"),
    ("/report", "nav_report", "report"),
    ("/upload", "nav_upload", "upload"),
    ("/docs", "nav_api", "api"),
]


def vocabulary_class(name: str, code: object) -> str:
    """The CSS class carrying the colour of ``code`` in vocabulary ``name`` (see :func:`palette_css`)."""
    for index, entry in enumerate(vocabulary(name)):
        if entry.code == code or entry.zh == code:
            return f"v-{name}-{index}"
    return f"v-{name}-none"


def palette_css() -> str:
    """One CSS rule per coloured vocabulary entry: ``--c`` for badges, swatches and heat cells."""
    rules = []
    for name, entries in vocabularies().items():
        for index, entry in enumerate(entries):
            if entry.colour:
                rules.append(f".v-{name}-{index} {{ --c: {entry.colour}; }}")
    return "\n".join(rules) + "\n"


def _date_text(value: date | None, unknown: str) -> str:
    return value.isoformat() if value else unknown


def build_environment() -> Environment:
    """The template environment: autoescape for every file (not only .html), undefined is an error."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package and never change while the server runs: skip the
        # file-modification check that Jinja otherwise makes on every ``get_template``.
        auto_reload=False,
    )
    env.globals.update(
        POLICY_TYPES=POLICY_TYPES,
        THEMES=THEMES,
        STATUSES=STATUSES,
        LEVELS=LEVELS,
        REGIONS=REGIONS,
        NAV=NAV,
        colour=colour,
        label=label,
        vclass=vocabulary_class,
        text_language=text_language,
        policy_href=policy_href,
        version=__version__,
    )
    env.filters["isodate"] = _date_text
    return env


def _url_with(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render ``templates/name`` with the language helpers; remember an explicit ``?lang=`` in a cookie."""
    lang = get_lang(request)
    env: Environment = request.app.state.templates
    other = "en" if lang == "zh" else "zh"
    html = env.get_template(name).render(
        request=request,
        lang=lang,
        t=translator(lang),
        L=lambda vocabulary, value: label(vocabulary, value, lang),
        entry_text=lambda entry: text(entry, lang),
        place=lambda name: place_name(name, lang),
        in_force=lambda verdict: in_force_label(verdict, lang),
        one_lang=lambda text: in_language(text, lang),
        lang_url=_url_with(request, lang=other),
        url_with=lambda **changes: _url_with(request, **changes),
        writable=get_config(request).writable,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
