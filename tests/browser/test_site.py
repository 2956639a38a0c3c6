"""The built website, opened in headless Chromium: every page loads cleanly and offline.

Run after the book is built (`make test` does it: `make browser`). The site is served
from `_build/html` on 127.0.0.1; any request to another host is blocked and counted,
so a page that needs the network (a CDN, a web font) fails the check.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Pages photographed into _build/screenshots, each scrolled to what it should show.
SCREENSHOTS = {
    "book/intro": None,
    "notebooks/02_lstm_and_gru_ideas": None,
    "notebooks/03_gate_maths": None,
    "notebooks/09_forecasting": None,
    "zh/notebooks/03_gate_maths": "#the-lstm-equations",
    "zh/notebooks/10_m4_hourly": "#the-test-once table",
    "zh/book/errata": "#algorithm-steps",
}
# Role syntax left in a page's text: a role MyST did not parse.
UNPARSED_ROLE = re.compile(r"\{(ref|term|numref|glue:text|cite|doc|eq)\}`")
CHINESE = (SITE / "zh" / "index.html").exists() or (ROOT / "locale" / "zh_CN").is_dir()


def _pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no index.html: build the book first (make html)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def _open(browser, url):
    """Load `url`; return the page and what went wrong while loading it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = {"console": [], "failed": [], "external": []}

    def route(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems["external"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems["console"].append(m.text))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems["failed"].append(f"{r.status} {r.url}"),
    )
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, problems


def _wait_for_math(page):
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")


def _all_pages() -> list[str]:
    pages = _pages()
    return pages + [f"zh/{doc}" for doc in pages] if CHINESE else pages


@pytest.mark.parametrize("doc", _all_pages())
def test_page_loads_cleanly_offline(server, browser, doc):
    page, problems = _open(browser, f"{server}/{doc}.html")
    try:
        assert page.title(), "page has no title"
        assert not problems["external"], (
            f"requests leave the machine: {problems['external']}"
        )
        assert not problems["failed"], f"failed local requests: {problems['failed']}"
        assert not problems["console"], f"console errors: {problems['console']}"
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src)"
        )
        assert not broken, f"images that did not load: {broken}"
        text = page.inner_text("main")
        if page.locator("div.math, span.math").count():
            _wait_for_math(page)
            assert page.locator("mjx-container").count() > 0, "math was not typeset"
            assert "$$" not in page.inner_text("main"), "raw $$ left in the page"
        if doc.startswith(("notebooks/", "zh/notebooks/")):
            assert page.locator("div.cell_input").count() > 0, "no code cells"
            assert page.locator("div.cell_output").count() > 0, "no outputs"
        assert "Traceback" not in text or "notebooks/" in doc, "unexpected traceback"
        if not doc.endswith("book/api"):  # the API reference quotes roles in docstrings
            left = UNPARSED_ROLE.search(text)
            assert not left, f"role syntax left in the text: {left.group(0)}"
        assert not page.locator("main p").filter(has_text=re.compile(r"^::$")).count(), (
            "a '::' paragraph: a translated literal or math block"
        )
        if doc in SCREENSHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            if SCREENSHOTS[doc]:
                page.locator(SCREENSHOTS[doc]).first.scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -90)")  # below the fixed header
            page.screenshot(
                path=str(SHOTS / (doc.replace("/", "_") + ".png")), full_page=False
            )
    finally:
        page.close()


def test_display_math_is_typeset_on_the_gate_maths_page(server, browser):
    page, _ = _open(browser, f"{server}/notebooks/03_gate_maths.html")
    _wait_for_math(page)
    assert page.locator("mjx-container[display='true']").count() >= 2
    page.close()


def test_search_finds_forget_gate(server, browser):
    page, problems = _open(browser, f"{server}/search.html?q=forget+gate")
    page.wait_for_selector("#search-results li", timeout=20_000)
    hits = page.locator("#search-results li").count()
    assert hits > 0
    assert not problems["console"], problems["console"]
    page.close()


chinese_only = pytest.mark.skipif(not CHINESE, reason="no Chinese edition (locale/zh_CN)")


@chinese_only
@pytest.mark.parametrize("doc", ["notebooks/03_gate_maths", "book/errata"])
def test_the_language_switch_leads_to_the_same_page_both_ways(server, browser, doc):
    page, _ = _open(browser, f"{server}/{doc}.html")
    switch = page.locator("a.language-switch")
    assert switch.inner_text() == "中文"
    switch.click()
    page.wait_for_load_state("load")
    assert page.url == f"{server}/zh/{doc}.html"
    assert page.evaluate("document.documentElement.lang").lower().startswith("zh")
    back = page.locator("a.language-switch")
    assert back.inner_text() == "English"
    back.click()
    page.wait_for_load_state("load")
    assert page.url == f"{server}/{doc}.html"
    page.close()


@chinese_only
def test_the_chinese_pages_are_in_chinese(server, browser):
    page, _ = _open(browser, f"{server}/zh/notebooks/02_lstm_and_gru_ideas.html")
    text = page.inner_text("main")
    chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert chinese > 500, f"only {chinese} Chinese characters on the page"
    assert "遗忘门" in text
    page.close()


@chinese_only
def test_chinese_search_finds_the_forget_gate(server, browser):
    page, problems = _open(browser, f"{server}/zh/search.html?q=遗忘门")
    page.wait_for_selector("#search-results li", timeout=20_000)
    links = page.locator("#search-results li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert any("02_lstm_and_gru_ideas" in link for link in links), links
    assert not problems["console"], problems["console"]
    page.close()


@chinese_only
def test_a_chinese_page_opens_and_downloads_the_chinese_notebook(server, browser):
    page, _ = _open(browser, f"{server}/zh/notebooks/03_gate_maths.html")
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert colab and all(h.endswith("/zh/notebooks/03_gate_maths.ipynb") for h in colab), (
        colab
    )
    download = [h for h in hrefs if h.endswith("_sources/notebooks/03_gate_maths.ipynb")]
    assert download, "no download link for the notebook"
    page.close()
    served = json.loads(urlopen(download[0]).read().decode("utf-8"))
    stored = json.loads(
        (ROOT / "zh" / "notebooks" / "03_gate_maths.ipynb").read_text(encoding="utf-8")
    )
    assert served == stored, "the download is not the Chinese notebook"
    markdown = "".join(
        "".join(c["source"]) for c in served["cells"] if c["cell_type"] == "markdown"
    )
    assert "遗忘门" in markdown
