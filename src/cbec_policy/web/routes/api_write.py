"""Write API (bearer token required): upload documents to ingest, edit a policy's labels.

Also the report download, which writes only into the app's work directory (not the store)
and is therefore open on a read-only server.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from cbec_policy.classify import relabelled
from cbec_policy.errors import InputError
from cbec_policy.labels import POLICY_TYPES, THEMES, find_label
from cbec_policy.store import delete_ingested
from cbec_policy.web.contract import vocabulary_words
from cbec_policy.web.deps import get_config, get_store, require_token
from cbec_policy.web.hygiene import NO_CONTROL_PATTERN
from cbec_policy.web.report_zip import build_report_zip, remove_job
from cbec_policy.web.serializers import policy_detail
from cbec_policy.web.uploads import save_upload

router = APIRouter(prefix="/api", tags=["write"])
MAX_FILES_PER_UPLOAD = 20


# The spellings find_label accepts: each vocabulary's codes, Chinese and English labels.
PolicyType = Literal[vocabulary_words(POLICY_TYPES)]  # type: ignore[valid-type]
Theme = Literal[vocabulary_words(THEMES)]  # type: ignore[valid-type]


class LabelEdit(BaseModel):
    """New type, themes and/or relevance for a policy (codes or Chinese labels); omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    policy_type: PolicyType | None = Field(default=None, description="e.g. tax or 税收类")
    themes: list[Theme] | None = Field(default=None, max_length=len(THEMES), description="e.g. [tax, customs]")
    is_cbec: bool | None = Field(
        default=None, description="false keeps the document out of every CBEC statistic (it stays searchable)"
    )
    note: str = Field(default="", max_length=500, description="why the labels were changed")


# The answers of a route behind the write token, documented so clients (and schema checks) know them.
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or wrong bearer token"},
    403: {"description": "the server is read-only (no write token configured)"},
}
TOO_LARGE = {413: {"description": "the request body is larger than the upload limit"}}
BUSY = {
    429: {"description": "as many report or order-file jobs as allowed are running; retry after Retry-After seconds"}
}


@router.post(
    "/ingest",
    summary="Upload documents to ingest (token)",
    dependencies=[Depends(require_token)],
    responses={**TOKEN_RESPONSES, **TOO_LARGE},
)
def api_ingest(
    request: Request,
    files: Annotated[
        list[UploadFile],
        File(min_length=1, max_length=MAX_FILES_PER_UPLOAD, description=".txt .html .pdf .docx; 1 to 20 files"),
    ],
) -> dict[str, Any]:
    """Save each file in the upload directory and ingest it; one result per file, failures listed.

    A file of another type, too large, empty or unreadable is one ``failed`` result with its
    reason; the other files of the request are still stored.
    """
    # start-up: reading documents (pdf, docx) is loaded with the first upload, not with the app
    from cbec_policy.store import ingest_one

    config = get_config(request)
    store = get_store(request)
    results = []
    for upload in files:
        try:
            saved = save_upload(upload.file, upload.filename, config.upload_dir, config.max_upload_bytes)
        except InputError as exc:
            results.append({"file": upload.filename, "status": "failed", "reason": exc.reason})
            continue
        # the policy's source names the upload as it sits in the data folder, not the server's path
        source = f"{config.upload_dir.name}/{saved.name}"
        outcome = ingest_one(str(saved), store, max_bytes=config.max_upload_bytes, source=source)
        results.append(
            {
                "file": upload.filename,
                "stored_as": saved.name,
                "status": outcome.status,
                "policy_id": outcome.policy_id,
                "title": outcome.title,
                "reason": outcome.reason,
            }
        )
    counts = {
        status: sum(1 for r in results if r["status"] == status) for status in ("new", "updated", "unchanged", "failed")
    }
    return {"counts": counts, "results": results}


@router.patch(
    "/policies/{policy_ref:path}/labels", summary="Edit a policy's type and themes (token)",
    dependencies=[Depends(require_token)], responses={**TOKEN_RESPONSES, 404: {"description": "no such policy"}},
)  # fmt: skip
def api_edit_labels(
    request: Request, body: LabelEdit, policy_ref: Annotated[str, Path(min_length=1, max_length=200)]
) -> dict[str, Any]:
    """Store new labels; the previous ones are kept in the classification evidence."""
    store = get_store(request)
    policy = store.get_policy(policy_ref)
    if policy is None:
        raise HTTPException(status_code=404, detail=f"policy_ref: no policy {policy_ref!r}")
    new_type = (
        find_label(POLICY_TYPES, body.policy_type, "policy_type").code if body.policy_type else policy.policy_type
    )
    new_themes = (
        tuple(dict.fromkeys(find_label(THEMES, theme, "themes").code for theme in body.themes))
        if body.themes is not None
        else policy.themes
    )
    evidence = dict(policy.classification_evidence)
    evidence["manual_edit"] = {
        "previous_type": policy.policy_type,
        "previous_themes": list(policy.themes),
        "note": body.note,
        "method": "edited through the web API",
    }
    updated = dataclasses.replace(policy, policy_type=new_type, themes=new_themes, classification_evidence=evidence)
    if body.is_cbec is not None:
        # a researcher's relevance call: reclassifying never undoes it
        updated = relabelled(updated, "web API", is_cbec=body.is_cbec)
    original = store.get_original_text(policy.id) if hasattr(store, "get_original_text") else None
    status = store.save_policy(updated, original_text=original)
    saved = store.get_policy(policy.id)
    return {"status": status, "policy": policy_detail(saved, store.relations_of(policy.id))}


@router.delete(
    "/policies/{policy_ref:path}",
    summary="Delete an ingested document (token); bundled policies cannot be deleted",
    dependencies=[Depends(require_token)],
    responses={
        **TOKEN_RESPONSES,
        404: {"description": "no such policy"},
        409: {"description": "a bundled reference policy: exclude it from the statistics instead"},
    },
)
def api_delete_policy(
    request: Request, policy_ref: Annotated[str, Path(min_length=1, max_length=200, pattern=NO_CONTROL_PATTERN)]
) -> dict[str, Any]:
    """The same as ``cbec policies delete``: the document, its link rows and its search entries go."""
    store = get_store(request)
    if store.get_policy(policy_ref) is None:
        raise HTTPException(status_code=404, detail=f"policy_ref: no policy {policy_ref!r}")
    try:
        removed = delete_ingested(store, policy_ref)
    except InputError as exc:  # the only refusal left: bundled reference data
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return {"deleted": removed.id, "title": removed.title, "doc_number": removed.doc_number}


class ReportRequest(BaseModel):
    """Options of a report build sent as a JSON body (the query parameter ``lang`` works too)."""

    model_config = ConfigDict(extra="forbid")

    lang: Literal["zh", "en"] = "zh"


@router.post(
    "/report",
    summary="Generate the analysis report (zip)",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "the report directory as a zip"},
        **TOO_LARGE,
        **BUSY,
    },
)
def api_report(
    request: Request,
    lang: Annotated[Literal["zh", "en"] | None, Query(description="report language (or lang in the body)")] = None,
    body: Annotated[ReportRequest | None, Body()] = None,
) -> FileResponse:
    """The same offline report as ``cbec report``, zipped; the body's ``lang`` wins over the query's."""
    chosen = body.lang if body is not None else (lang or "zh")
    archive = build_report_zip(get_store(request), get_config(request).work_dir, chosen)
    return FileResponse(
        archive, media_type="application/zip", filename=archive.name, background=BackgroundTask(remove_job, archive)
    )
