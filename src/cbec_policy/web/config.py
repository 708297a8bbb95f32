"""Web server configuration: database, write token, data directory and upload limit.

Values come from ``create_app`` arguments first, then environment variables, so tests and
``cbec serve`` can both set them. Without a token the server is read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from cbec_policy.errors import InputError

TOKEN_ENV = "CBEC_WEB_TOKEN"
DATA_DIR_ENV = "CBEC_WEB_DATA_DIR"
MAX_UPLOAD_ENV = "CBEC_WEB_MAX_UPLOAD_MB"
HEAVY_JOBS_ENV = "CBEC_WEB_HEAVY_JOBS"
# A report build or an order file holds a core for seconds: two at once per worker leave room for reads.
DEFAULT_HEAVY_JOBS = 2
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # policy documents are rarely above a few MB


@dataclass(frozen=True)
class WebConfig:
    """Everything the app needs to know about its environment."""

    db_url: str | None
    token: str | None
    data_dir: Path
    max_upload_bytes: int
    heavy_jobs: int = DEFAULT_HEAVY_JOBS

    @property
    def writable(self) -> bool:
        """Whether write endpoints are enabled (a non-empty token is configured)."""
        return bool(self.token)

    @property
    def upload_dir(self) -> Path:
        """Where uploaded documents are kept; nothing is ever written outside it."""
        return self.data_dir / "uploads"

    @property
    def work_dir(self) -> Path:
        """Scratch space for generated reports and order-file results."""
        return self.data_dir / "work"


def load_config(
    db_url: str | None = None,
    token: str | None = None,
    data_dir: str | Path | None = None,
    max_upload_bytes: int | None = None,
    heavy_jobs: int | None = None,
) -> WebConfig:
    """Resolve the configuration from arguments, then ``CBEC_WEB_*`` environment variables."""
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or Path(user_data_dir("cbec-policy", appauthor=False)) / "web"
    if max_upload_bytes is None:
        raw = os.environ.get(MAX_UPLOAD_ENV)
        if raw:
            try:
                max_upload_bytes = int(float(raw) * 1024 * 1024)
            except ValueError:
                raise InputError(MAX_UPLOAD_ENV, f"not a number of megabytes: {raw!r}") from None
        else:
            max_upload_bytes = DEFAULT_MAX_UPLOAD_BYTES
    if max_upload_bytes <= 0:
        raise InputError("max_upload_bytes", "must be positive")
    if heavy_jobs is None:
        raw = os.environ.get(HEAVY_JOBS_ENV, "").strip()
        if raw and not raw.isdigit():
            raise InputError(HEAVY_JOBS_ENV, f"not a whole number of jobs: {raw!r}")
        heavy_jobs = int(raw) if raw else DEFAULT_HEAVY_JOBS
    if heavy_jobs < 1:
        raise InputError("heavy_jobs", "must be 1 or more")
    return WebConfig(
        db_url=db_url,
        token=token.strip() if token and token.strip() else None,
        data_dir=Path(data_dir).resolve(),
        max_upload_bytes=max_upload_bytes,
        heavy_jobs=heavy_jobs,
    )
