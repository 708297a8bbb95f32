"""The report opens in a real headless Chromium with its figures visible and no request leaving the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cbec_policy.report.build import build_report
from cbec_policy.report.figures import FIGURES
from cbec_policy.report.i18n import SECTIONS
from cbec_policy.report.inputs import bundled_inputs

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.browser


def test_report_renders_offline_with_visible_figures(tmp_path: Path, browser: Any) -> None:
    result = build_report(tmp_path / "report", inputs=bundled_inputs(), progress=False)
    attempted: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(("file:", "data:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            attempted.append(url)
            route.abort()  # type: ignore[attr-defined]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.route("**/*", guard)
        page.goto(result.index_html.resolve().as_uri(), wait_until="load")
        for key, _zh, _en in SECTIONS:
            assert page.locator(f"section#{key} h2").is_visible(), key
        for key, _draw in FIGURES:
            image = page.locator(f"#fig-{key} img")
            image.scroll_into_view_if_needed()
            assert image.is_visible(), key
            natural = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
            assert natural[0] and natural[1] > 300 and natural[2] > 200, (key, natural)
            box = image.bounding_box()
            assert box is not None and box["width"] > 300, key
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-screenshot.png"), full_page=False)
    finally:
        page.close()
    assert attempted == []
    assert (ARTIFACTS / "report-screenshot.png").stat().st_size > 10_000
