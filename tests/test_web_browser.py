"""End-to-end: the real server (uvicorn on loopback) in a real headless Chromium.

Opens the dashboard, filters and opens a policy, looks up a city, computes a tax and follows
its citation; checks that stored hostile text never runs and that no request leaves
127.0.0.1. Screenshots go to artifacts/web-*.png. Also checks, without a browser, that the
server keeps answering while an ingest writes to the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from cbec_policy.reference.loader import load_national_policies, load_pilot_zones
from cbec_policy.store import open_store
from cbec_policy.web.app import create_app
from serving import serve_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PAYLOAD_TITLE = '跨境电商测试<script>window.__pwned="title"</script><img src=x onerror="window.__pwned=\'img\'">通知'
PAYLOAD_BODY = (
    '正文<script>alert("body")</script> <a href="javascript:window.__pwned=\'link\'">点我</a> '
    "<svg onload=\"window.__pwned='svg'\"></svg> 跨境电商零售进口"
)


@dataclass
class LiveServer:
    url: str
    store: object


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("web-live")
    store = open_store(f"sqlite:///{folder / 'live.sqlite3'}")
    store.init()
    template = next(p for p in load_national_policies() if p.id == "2016-caiguanshui-18")
    hostile = replace(
        template,
        id="xss-test",
        title=PAYLOAD_TITLE,
        doc_number="测试〔2024〕1号",
        relations=(),
        paper=None,
        summary=PAYLOAD_BODY,
        notes="<img src=x onerror=\"alert('notes')\">",
        evidence=("javascript:window.__pwned='evidence'", 'https://example.invalid/"onmouseover="alert(1)'),
        source="javascript:alert('source')",
        full_text=PAYLOAD_BODY,
        classification_evidence={"type": "<script>alert('evidence')</script>"},
    )
    store.save_policy(hostile, original_text=PAYLOAD_BODY)
    app = create_app(store=store, token="", data_dir=folder / "data")
    with serve_app(app) as url:
        yield LiveServer(url, store)
    store.close()


def test_server_keeps_serving_while_an_ingest_writes(live: LiveServer) -> None:
    """Writers hold SQLite's write lock one document at a time (WAL): readers are never blocked."""
    template = next(p for p in load_national_policies() if p.id == "2013-caishui-96")
    done = threading.Event()
    saved: list[str] = []

    def ingest() -> None:
        for number in range(150):
            policy = replace(
                template, id=f"bulk-{number}", doc_number=f"测试〔2030〕{number}号", relations=(), paper=None
            )
            saved.append(live.store.save_policy(policy, original_text="跨境电商 " * 200))
        done.set()

    writer = threading.Thread(target=ingest)
    writer.start()
    latencies = []
    with httpx.Client(base_url=live.url, timeout=10) as client:
        while not done.is_set():
            start = time.perf_counter()
            response = client.get("/api/policies", params={"q": "零售出口", "per_page": 5})
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200
            assert client.get("/policies/2016-caiguanshui-18").status_code == 200
    writer.join()
    assert saved.count("new") == 150
    assert len(latencies) >= 3, "the ingest finished before the server was asked anything"
    assert max(latencies) < 5.0
    for number in range(150):  # leave the store as the browser tests expect it
        live.store.delete_policy(f"bulk-{number}")


@dataclass
class Tab:
    page: object
    outside: list[str]
    dialogs: list[str]
    errors: list[str]


@pytest.fixture
def tab(browser: object, live: LiveServer) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def guard(route: object) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Tab(page, outside, dialogs, errors)
    context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert dialogs == [], f"a dialog was opened: {dialogs}"


def _shot(page: object, name: str, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=full)


@pytest.mark.browser
def test_dashboard_shows_counts_and_charts(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(live.url + "/")
    in_force_today = sum(1 for zone in load_pilot_zones() if zone.in_force_on(date.today()))
    assert page.locator('[data-count="zones"]').inner_text() == str(in_force_today)
    assert page.locator("svg.chart").count() >= 4
    assert page.locator("#timeline svg circle").count() >= len(load_national_policies())
    assert page.locator("#map svg rect").count() == 31  # every provincial-level division of the mainland
    _shot(page, "dashboard")
    assert tab.errors == []


@pytest.mark.browser
def test_filter_and_open_a_policy(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(live.url + "/policies")
    page.fill('input[name="q"]', "零售进口")
    page.select_option('select[name="type"]', "tax")  # the change submits the form (app.js)
    page.wait_for_url("**type=tax**")
    expected = [p for p in load_national_policies() if p.policy_type == "tax"]
    count_text = page.locator("#result-count").inner_text()
    assert int("".join(ch for ch in count_text if ch.isdigit())) <= len(expected)
    assert page.locator("mark").count() > 0
    _shot(page, "policies")
    page.get_by_role("link", name="财政部 海关总署 国家税务总局关于跨境电子商务零售进口税收政策的通知").click()
    page.wait_for_url("**/policies/2016-caiguanshui-18")
    assert page.locator("#doc-number").inner_text() == "财关税〔2016〕18号"
    assert page.locator("ol.history li").count() >= 4
    _shot(page, "policy")


@pytest.mark.browser
def test_look_up_a_city(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(live.url + "/zones")
    page.fill('#zone-lookup input[name="city"]', "杭州")
    page.fill('#zone-lookup input[name="on"]', "2015-03-07")
    page.click("#zone-lookup button")
    answer = page.locator("#lookup-answer")
    answer.wait_for()
    assert "国函〔2015〕44号" in answer.inner_text()
    assert "answer yes" in (answer.get_attribute("class") or "")
    _shot(page, "zones")


@pytest.mark.browser
def test_look_up_places_inside_zones(tab: Tab, live: LiveServer) -> None:
    """Counties, districts and revoked zones answer through the zone whose area contains them."""
    zones = {z.zone_name: z for z in load_pilot_zones()}
    page = tab.page

    def ask(city: str, on: str) -> object:
        page.goto(live.url + "/zones")
        page.fill('#zone-lookup input[name="city"]', city)
        page.fill('#zone-lookup input[name="on"]', on)
        page.click("#zone-lookup button")
        answer = page.locator("#lookup-answer")
        answer.wait_for()
        return answer

    for city in ("三亚", "海口", "儋州"):
        answer = ask(city, "2025-06-01")
        assert "answer yes" in (answer.get_attribute("class") or "") and "海南全岛" in answer.inner_text()
    assert "三亚市" in ask("三亚", "2025-04-24").inner_text()
    assert "博尔塔拉蒙古自治州" in ask("阿拉山口", "2025-06-01").inner_text()
    kunshan = ask("昆山", "2016-01-12")
    assert "answer yes" in (kunshan.get_attribute("class") or "") and zones["苏州市"].doc_number in kunshan.inner_text()
    assert "answer no" in (ask("常熟", "2016-01-11").get_attribute("class") or "")
    assert "上海市" in ask("浦东", "2020-01-01").inner_text()
    assert "义乌市" in ask("義烏", "2019-01-01").inner_text()
    taizhou = ask("Taizhou", "2023-01-01")
    links = page.locator("#lookup-candidates a")
    assert links.count() == 2 and "浙江省" in taizhou.inner_text() and "江苏省" in taizhou.inner_text()
    page.get_by_role("link", name="浙江省 台州市").click()
    page.locator("#lookup-answer").wait_for()
    assert zones["台州市"].doc_number in page.locator("#lookup-answer").inner_text()
    _shot(page, "zones-taizhou")


@pytest.mark.browser
def test_compute_a_tax_and_follow_its_citation(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(live.url + "/tax")
    page.fill('input[name="declaration_date"]', "2020-01-01")  # the order form: declaration date and lines
    page.fill('input[name="l1_price"]', "1000")
    page.click('#tax-form button[type="submit"]:not([name])')
    page.locator("#tax-result").wait_for()
    # The page shows the path's label; the code stays in a data attribute for programs.
    assert page.locator("#tax-path").get_attribute("data-code") == "cbec_within_limits"
    assert page.locator("#tax-total_tax").inner_text() == "91.00"  # 1000 × 13 % × 70 %
    _shot(page, "tax")
    page.locator("#tax-citations a", has_text="财关税〔2018〕49号").click()
    page.wait_for_url("**/policies/2018-caiguanshui-49")
    assert page.locator("#doc-number").inner_text() == "财关税〔2018〕49号"


@pytest.mark.browser
@pytest.mark.parametrize(
    "path", ["/policies/xss-test", "/policies?q=script", "/policies?q=<script>alert(1)</script>", "/"]
)
def test_stored_hostile_text_never_runs(tab: Tab, live: LiveServer, path: str) -> None:
    page = tab.page
    page.goto(live.url + path)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script:not([src])").count() == 0  # no inline script from stored text reached the DOM
    if path == "/policies/xss-test":
        assert "<script>" in page.locator("#policy-title").inner_text()  # shown as text
        assert page.locator('a[href^="javascript:"]').count() == 0
        for link in page.locator(".sources a").all():
            assert (link.get_attribute("href") or "").startswith("http")
        page.locator(".plain-source").first.click()  # the javascript: "link" is plain text
        page.wait_for_timeout(100)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        _shot(page, "xss")


@pytest.mark.browser
def test_usable_on_a_phone_and_docs_render_offline(browser: object, live: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    outside: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname == "127.0.0.1"
            else (outside.append(route.request.url), route.abort())
        ),
    )
    for path in ("/", "/policies/2016-caiguanshui-18", "/tax"):
        page.goto(live.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, f"{path} scrolls sideways on a phone ({width}px)"
    _shot(page, "phone", full=False)
    page.goto(live.url + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() >= 10
    _shot(page, "docs", full=False)
    context.close()
    assert outside == []
