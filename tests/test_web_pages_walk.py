"""Every page in both languages, in a real Chromium, at 1400 and 390 px.

Fails when a page shows a raw code (``cbec_within_limits``, ``preliminary``, ``verified`` …),
a Python repr (``{'``, ``[]``, ``True``, ``None``), an English word on a Chinese page outside
the known list (stored English text is marked ``lang="en"`` and skipped), a sideways scroll at
390 px, or a table column cut off without a scrolling box. Screenshots of every page at both
widths go to ``artifacts/pages/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbec_policy.labels import vocabularies
from cbec_policy.store import ingest_paths, open_store
from cbec_policy.web.app import create_app
from serving import serve_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "pages"
WIDTHS = (1400, 390)
# A notice of our own wording (real department and number pattern), so the policy page has
# extracted fields and classification cues to show.
NOTICE = """浙江省商务厅关于推进跨境电子商务综合试验区建设的通知
浙商务发〔2023〕12号
各市商务局：
为加快跨境电商发展，推进综合试验区建设，现就有关事项通知如下。
一、支持企业开展跨境电子商务零售出口，落实出口退税政策。
二、海关加强监管，优化通关流程，支持海外仓建设。
浙江省商务厅
2023年5月6日
"""
PAGES = {
    "dashboard": "/",
    "policies": "/policies",
    "search": "/policies?q=综试区&status=现行有效",
    "policy": "/policies/2016-caiguanshui-18",
    "policy-evidence": "/policies/{ingested}",
    "zones": "/zones",
    "zone-lookup": "/zones?city=杭州&on=2016-01-01",
    "tax": "/tax",
    "tax-import": "/tax?calc=import&date=2024-03-01&price=1000",
    "tax-postal": "/tax?calc=postal&date=2024-03-01&value=800&item=1",
    "tax-returns": "/tax?calc=returns&export_date=2024-01-10&code=9610&return_date=2024-03-01&value=500",
    "report": "/report",
    "upload": "/upload",
    "not-found": "/policies/no-such-policy",
}
# Latin-script words a Chinese page may show: names of formats and standards, and the switch
# to English itself. Everything else in Latin letters on a Chinese page is a missed label.
KNOWN_LATIN = {
    "API", "OpenAPI", "CSV", "Excel", "XLSX", "RIS", "BibTeX", "GB", "English", "id", "cbec", "policy",
    "JSON", "HTML", "Markdown", "zip", "txt", "html", "pdf", "docx", "B2B", "B2C", "FX", "RMB", "yuan",
    "cbec-policy", "MB", "Parquet", "VAT",
}  # fmt: skip
REPRS = re.compile(r"\{'|\[\]|\bTrue\b|\bFalse\b|\bNone\b|\[\s*'")
# Collects the visible text, leaving out stored English (lang="en"), code, and the API docs.
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script,style,code,[lang^="en"],[data-raw-ok]')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    out.push(node.textContent);
  }
  return out.join(' ');
}"""
LAYOUT = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) problems.push(`page scrolls sideways: ${doc.scrollWidth}px`);
  for (const table of document.querySelectorAll('table')) {
    let box = table.parentElement, scrolls = false;
    while (box && box !== document.body) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') { scrolls = true; break; }
      box = box.parentElement;
    }
    if (scrolls) continue;
    const right = document.body.getBoundingClientRect().right;
    for (const cell of table.querySelectorAll('th, td')) {
      if (cell.getBoundingClientRect().right > right + 1) {
        problems.push(`column cut off: ${cell.textContent.trim().slice(0, 20)}`); break;
      }
    }
  }
  return problems;
}"""


def _raw_codes() -> set[str]:
    """ASCII codes of the vocabularies that are not plain words people read the same way."""
    codes = set()
    for entries in vocabularies().values():
        for entry in entries:
            if entry.code.isascii() and entry.code.lower() != entry.en.lower() and len(entry.code) > 3:
                codes.add(entry.code)
    return codes - {"true", "false", "null"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("walk")
    store = open_store(f"sqlite:///{folder / 'walk.sqlite3'}")
    store.init()
    notice = folder / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    ingest_paths([str(notice)], store)
    ingested = store.search("浙商务发〔2023〕12号")[0].policy.id
    app = create_app(store=store, token="walk-token", data_dir=folder / "data")
    with serve_app(app) as url:
        yield url, ingested
    store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_reads_in_one_language_and_fits(browser: object, site: tuple[str, str], lang: str) -> None:
    base, ingested = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    raw_codes = _raw_codes()
    failures: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        for name, path in PAGES.items():
            url = base + path.format(ingested=ingested)
            url += ("&" if "?" in url else "?") + f"lang={lang}"
            page.goto(url)
            if name == "policy-evidence":
                page.locator("#evidence-view summary").click()  # collapsed by default: open it for the shot
            page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{width}.png"), full_page=True)
            for problem in page.evaluate(LAYOUT):
                failures.append(f"{name} {lang} {width}px: {problem}")
            if width != WIDTHS[0]:
                continue
            text = page.evaluate(VISIBLE_TEXT)
            for match in REPRS.finditer(text):
                failures.append(f"{name} {lang}: Python repr {text[max(0, match.start() - 20) : match.end() + 20]!r}")
            for code in raw_codes:
                if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
                    failures.append(f"{name} {lang}: raw code {code!r}")
            if lang == "zh":
                words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", re.sub(r"https?://\S+", " ", text)))
                stray = sorted(word for word in words if word not in KNOWN_LATIN)
                if stray:
                    failures.append(f"{name} zh: English words {stray[:12]}")
        if lang == "zh":
            # The API docs are Swagger UI's own English page: only the layout is checked, and kept.
            page.goto(f"{base}/docs")
            page.locator(".opblock").first.wait_for()
            page.screenshot(path=str(ARTIFACTS / f"docs-{width}.png"), full_page=True)
            failures += [f"docs {width}px: {problem}" for problem in page.evaluate(LAYOUT)]
        context.close()
    assert not failures, "\n".join(failures)


def test_policy_page_marks_evidence_in_the_text(browser: object, site: tuple[str, str]) -> None:
    base, ingested = site
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/policies/{ingested}?lang=zh")
    assert not page.locator("#marked-text").is_visible()  # collapsed by default
    page.locator("#evidence-view summary").click()
    marks = page.locator("#marked-text mark.ev")
    assert marks.count() >= 3
    first = page.locator("#marked-text mark.ev.field").first
    assert "发文字号" in (first.get_attribute("title") or "") or "标题" in (first.get_attribute("title") or "")
    rows = page.locator("#evidence-list tbody tr")
    assert rows.count() == int(page.locator("#evidence-view summary").inner_text().split("共 ")[1].split(" ")[0])
    assert "{'" not in page.content()
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upload_review_page_reads_well_and_confirm_links_to_the_policy(
    browser: object, site: tuple[str, str], tmp_path: Path, lang: str
) -> None:
    base, _ = site
    upload = tmp_path / "local-notice.txt"
    upload.write_text(NOTICE.replace("12号", f"{20 + len(lang)}号"), encoding="utf-8")
    failures: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/upload?lang={lang}")
        page.set_input_files("#upload-form input[type=file]", str(upload))
        page.fill("#upload-form input[name=token]", "walk-token")
        page.click("#upload-form button")
        page.locator("#review-form").wait_for()
        page.screenshot(path=str(ARTIFACTS / f"upload-review-{lang}-{width}.png"), full_page=True)
        failures += [f"review {lang} {width}px: {problem}" for problem in page.evaluate(LAYOUT)]
        text = page.evaluate(VISIBLE_TEXT)
        failures += [f"review {lang}: repr {m.group()!r}" for m in REPRS.finditer(text)]
        if width == WIDTHS[-1]:
            page.fill("#review-form input[name=effective_date]", "2023-06-01")
            page.fill("#review-form input[name=token]", "walk-token")
            page.click("#confirm")
            page.locator("#stored-notice").wait_for()
            assert "/policies/" in page.url
            assert page.locator("#doc-number").inner_text().endswith(f"{20 + len(lang)}号")
            page.screenshot(path=str(ARTIFACTS / f"upload-stored-{lang}-{width}.png"), full_page=True)
        context.close()
    assert not failures, "\n".join(failures)
