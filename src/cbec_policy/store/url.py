"""Database URLs: the default location, accepted spellings, and masking passwords in messages."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cbec_policy.errors import InputError

ENV_VAR = "CBEC_DB_URL"
APP_NAME = "cbec-policy"
DB_FILE = "cbec.sqlite3"


def default_sqlite_path() -> Path:
    """The SQLite file used when no URL is given: ``<user data dir>/cbec-policy/cbec.sqlite3``."""
    return Path(user_data_dir(APP_NAME)) / DB_FILE


def default_db_url() -> str:
    """``$CBEC_DB_URL`` when set, else the SQLite file in the user's data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    return f"sqlite:///{default_sqlite_path()}"


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, for error messages and summaries."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not parseable: hide whatever sits between "user:" and "@".
        head, sep, tail = url.rpartition("@")
        if not sep or "://" not in head:
            return url
        scheme, _, credentials = head.partition("://")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{tail}"


def parse_db_url(url: str) -> URL:
    """Parse and normalise a database URL, or raise :class:`InputError` naming the (masked) URL.

    ``postgresql://`` and ``postgres://`` are rewritten to the installed psycopg 3 driver;
    only SQLite and PostgreSQL are supported.
    """
    text = url.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise InputError(f"database URL {mask_url(url)!r}", f"not a database URL ({exc})") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        # psycopg 3 is the only PostgreSQL driver installed (pinned in pyproject.toml).
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.drivername != "sqlite":
            raise InputError(f"database URL {mask_url(url)!r}", f"unsupported SQLite driver {parsed.drivername!r}")
        return parsed
    raise InputError(
        f"database URL {mask_url(url)!r}", f"unsupported database {backend!r}; use sqlite:///FILE or postgresql://…"
    )
