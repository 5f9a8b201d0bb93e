"""The interactive network page in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (and ``fonts-noto-cjk`` for the Chinese
labels in the screenshot). Without them the tests skip, saying what to install — unless
IPKG_REQUIRE_BROWSER=1 (CI sets it), when they fail. Selenium is given /usr/bin/chromedriver
explicitly, so Selenium Manager never tries to download a driver, and Chromium runs with a fresh
profile and no background networking. A screenshot lands in tests/artifacts/ (gitignored).

Expected numbers come from the source texts: Taixing's 13 assignment brackets name 15 units,
Yancheng's 23 brackets 26 units, Yangjiang's 20 brackets 24 units (see test_network.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("IPKG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("IPKG_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
UNITS = {"taixing": 15, "yancheng": 26, "yangjiang": 24}  # distinct units in each plan's brackets


def _missing() -> str:
    problems = []
    if not Path(CHROMIUM).exists():
        problems.append(f"{CHROMIUM} (Debian package chromium)")
    if not Path(CHROMEDRIVER).exists():
        problems.append(f"{CHROMEDRIVER} (Debian package chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("selenium (pip install -e '.[test]')")
    return ", ".join(problems)


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        message = f"no headless browser: missing {missing}; apt-get install chromium chromium-driver fonts-noto-cjk"
        if os.environ.get("IPKG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ipkg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}",
                 "--window-size=1600,1000", "--lang=zh-CN"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(tmp_path_factory, store):
    from ipkg.export import write_atomic
    from ipkg.network import html_page, read_corpus

    path = tmp_path_factory.mktemp("page") / "network.html"
    write_atomic(path, html_page(corpus=read_corpus(store)))
    return path


def _open(browser, page):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(page.as_uri())
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    return browser


def _errors(browser) -> list:
    return [entry for entry in browser.get_log("browser") if entry.get("level") in ("SEVERE", "ERROR")]


def test_page_loads_without_errors_and_draws_every_department(browser, page):
    from selenium.webdriver.common.by import By

    _open(browser, page)
    assert _errors(browser) == []
    nodes = browser.find_elements(By.CSS_SELECTOR, "svg#canvas g.node")
    assert len(nodes) == sum(UNITS.values())
    for city, count in UNITS.items():
        assert len(browser.find_elements(By.CSS_SELECTOR, f'g.node[data-city="{city}"]')) == count
    assert all(n.is_displayed() for n in nodes)
    empty = browser.find_element(By.ID, "empty").text
    assert "lianyungang-2016" in empty and "yantai-2016" in empty  # no per-task assignments in their texts
    # Chinese labels are drawn as text (no tofu check is possible in the DOM, the screenshot shows it)
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "g.node text")]
    assert any("知识产权局" in text for text in labels)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "network-page.png"))
    assert (ARTIFACTS / "network-page.png").stat().st_size > 20_000


def test_search_highlights_the_department(browser, page):
    from selenium.webdriver.common.by import By

    _open(browser, page)
    box = browser.find_element(By.ID, "search")
    box.send_keys("财政局")
    matches = browser.find_elements(By.CSS_SELECTOR, "g.node.match")
    ids = sorted(m.get_attribute("data-id") for m in matches)
    assert ids == ["dept:taixing/finance", "dept:yancheng/finance", "dept:yangjiang/finance"]
    # the highlight is visible: a matched circle has a thicker red stroke, the others are dimmed
    stroke = browser.execute_script(
        "return getComputedStyle(document.querySelector('g.node.match circle')).strokeWidth")
    assert float(stroke.rstrip("px")) >= 3
    other = browser.find_element(By.CSS_SELECTOR, 'g.node[data-id="dept:taixing/market-regulation"]')
    assert float(other.value_of_css_property("opacity")) < 0.5
    assert "3" in browser.find_element(By.ID, "status").text
    box.clear()
    box.send_keys("Customs")  # English names are searched too
    assert sorted(m.get_attribute("data-id") for m in browser.find_elements(By.CSS_SELECTOR, "g.node.match")) == \
        ["dept:yancheng/customs", "dept:yangjiang/customs"]
    browser.save_screenshot(str(ARTIFACTS / "network-page-search.png"))
    assert _errors(browser) == []


def test_filters_hover_zoom_and_pan(browser, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, page)
    visible = lambda: [n for n in browser.find_elements(By.CSS_SELECTOR, "g.node") if n.is_displayed()]  # noqa: E731
    Select(browser.find_element(By.ID, "city")).select_by_value("taixing")
    assert len(visible()) == UNITS["taixing"]
    # Taixing's lead units: only the market regulator (13 tasks) and the finance bureau (task 2)
    for role in ("cooperating", "responsible", "joint-member", "lead-responsible"):
        browser.find_element(By.ID, f"role-{role}").click()
    assert sorted(n.get_attribute("data-id") for n in visible()) == \
        ["dept:taixing/finance", "dept:taixing/market-regulation"]
    Select(browser.find_element(By.ID, "city")).select_by_value("all")
    for role in ("cooperating", "responsible", "joint-member", "lead-responsible"):
        browser.find_element(By.ID, f"role-{role}").click()
    assert len(visible()) == sum(UNITS.values())

    # hover: names in zh and en, function type, tasks led with their titles
    node = browser.find_element(By.CSS_SELECTOR, 'g.node[data-id="dept:taixing/finance"] circle')
    ActionChains(browser).move_to_element(node).perform()
    time.sleep(0.2)
    tip = browser.find_element(By.ID, "tooltip")
    assert tip.is_displayed()
    assert "泰兴市财政局" in tip.text and "Taixing Municipal Bureau of Finance" in tip.text
    assert "财政局" in tip.text and "完善高质量发展政策体系" in tip.text  # task 2, which it co-leads

    # zoom with the wheel and the buttons, pan by dragging: the viewBox changes
    canvas = browser.find_element(By.ID, "canvas")

    def view_box() -> list[float]:
        return [float(v) for v in browser.execute_script(
            "return document.getElementById('canvas').getAttribute('viewBox')").split()]

    before = view_box()
    browser.find_element(By.ID, "zoom-in").click()
    zoomed = view_box()
    assert zoomed[2] < before[2]
    ActionChains(browser).move_to_element_with_offset(canvas, 10, 10).click_and_hold().move_by_offset(120, 40) \
        .release().perform()
    panned = view_box()
    assert panned[:2] != zoomed[:2] and panned[2:] == zoomed[2:]
    browser.execute_script(
        "document.getElementById('canvas').dispatchEvent(new WheelEvent('wheel', "
        "{deltaY: 200, clientX: 400, clientY: 400, bubbles: true, cancelable: true}))")
    assert view_box()[2] > panned[2]

    # English labels
    browser.find_element(By.ID, "lang").click()
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "g.node text")]
    assert any("Intellectual Property Office" in text for text in labels)
    browser.save_screenshot(str(ARTIFACTS / "network-page-en.png"))
    assert _errors(browser) == []


def test_page_works_offline(browser, page):
    """Nothing is fetched: every resource the page loads is the page itself (or inline data)."""
    _open(browser, page)
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in urls if not u.startswith(("data:", "file:"))] == []
