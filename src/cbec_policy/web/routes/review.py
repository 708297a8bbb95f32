"""HTML upload with review: POST /upload/review shows the draft, POST /upload/confirm stores it."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from cbec_policy.web.charts import policy_href
from cbec_policy.web.deps import get_config, get_lang, get_store
from cbec_policy.web.evidence import classification_rows, extraction_rows, marked_text, marks
from cbec_policy.web.render import render
from cbec_policy.web.review import FIELDS, confirm, draft, new_review_id, review_path
from cbec_policy.web.uploads import save_upload

router = APIRouter(include_in_schema=False)


def _check_token(request: Request, token: str) -> None:
    config = get_config(request)
    if not config.writable:
        raise HTTPException(status_code=403, detail="read-only server: no write token configured")
    if not hmac.compare_digest(token.strip().encode(), (config.token or "").encode()):
        raise HTTPException(status_code=401, detail="token: missing or wrong access token")


def _review_dir(request: Request):  # type: ignore[no-untyped-def]
    return get_config(request).upload_dir / "review"


@router.post("/upload/review", response_class=HTMLResponse)
def upload_review(request: Request, file: Annotated[UploadFile, File()], token: Annotated[str, Form()]) -> HTMLResponse:
    """Extract and classify the uploaded file without storing it; show the fields for correction."""
    _check_token(request, token)
    config = get_config(request)
    review_id = new_review_id()
    saved = save_upload(file.file, file.filename, _review_dir(request), config.max_upload_bytes)
    named = saved.with_name(f"{review_id}-{saved.name}")
    saved.rename(named)
    try:
        policy = draft(named, config.max_upload_bytes)
    except BaseException:
        named.unlink(missing_ok=True)
        raise
    lang = get_lang(request)
    found = marks(policy.full_text, policy.extraction_evidence, policy.classification_evidence, lang)
    return render(
        request,
        "review.html",
        {
            "review_id": review_id,
            "draft": policy,
            "file_name": file.filename or "",
            "marks": found,
            "marked_text": marked_text(policy.full_text, found) if policy.full_text else None,
            "extraction_rows": extraction_rows(policy.extraction_evidence, lang),
            "classification_rows": classification_rows(policy.classification_evidence, lang),
        },
    )


@router.post("/upload/confirm")
async def upload_confirm(request: Request) -> RedirectResponse:
    """Store the reviewed document with the corrections and go to its new policy page."""
    form = await request.form()
    _check_token(request, str(form.get("token") or ""))
    values = {name: form.get(name) for name in FIELDS if name != "themes"}
    values["themes"] = [str(theme) for theme in form.getlist("themes")]
    path = review_path(_review_dir(request), str(form.get("review_id") or ""))
    config = get_config(request)
    policy_id = confirm(get_store(request), path, values, config.max_upload_bytes)
    return RedirectResponse(policy_href(policy_id) + "?stored=1", status_code=303)
