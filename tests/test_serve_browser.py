"""``celldose serve`` in a real browser: headless Debian Chromium driven by Selenium through the
Debian ``chromium-driver``, through the page's own controls, as clinic staff would use it.

Skipped, with the reason, where Chromium, its driver or Selenium is not installed (``.ci/run``
installs them). Screenshots are kept under ``build/screenshots/`` (git-ignored); each test
prints the path of its own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from celldose.serve import Server, address_of
from celldose.sources.text import MAX_BYTES
from conftest import ROOT
from conftest import SEED as SEED_SHEET
from serving import running
from test_serve import NO_TOTAL_CSV, SEED
from test_xlsx_sheets import HEADER, workbook

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = ROOT / "build" / "screenshots"

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')"
)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402 - after the skip
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not Path(DRIVER).exists(),
    reason="Debian's chromium and chromium-driver are not installed "
    "(apt-get install chromium chromium-driver); the page is tested over plain HTTP only",
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running() as started:
        yield started


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path: Path, downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.set_page_load_timeout(120)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser: WebDriver, server: Server) -> None:
    browser.get(address_of(server))  # the printed address: its token becomes a cookie
    assert browser.current_url.endswith("/")
    assert "token=" not in browser.current_url
    browser.find_element(By.XPATH, "//label[contains(., 'Drop your sheet here')]")


def check_button(browser: WebDriver) -> None:
    browser.find_element(By.XPATH, "//button[normalize-space()='Check the sheet']").click()


def screenshot(browser: WebDriver, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """A full-page screenshot under build/screenshots/, its path printed past the capture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    browser.set_window_size(1280, max(1000, int(browser.execute_script(
        "return document.body.scrollHeight"
    ))))  # fmt: skip
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 20_000
    with capsys.disabled():
        print(f"\nscreenshot: {path}")  # noqa: T201 - the run's artifact, shown on the terminal
    return path


def wait(browser: WebDriver, css: str) -> WebElement:
    found: WebElement = WebDriverWait(browser, 60).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    return found


def test_an_uploaded_workbook_shows_its_wrong_total_on_the_cell(
    browser: WebDriver, server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, ["Intra-articular/per side", "50,000,000", 1, "150,000,000"]]
    sheet = workbook(tmp_path / "knee.xlsx", ("Protocol", rows))
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(sheet))
    check_button(browser)
    cell = wait(browser, "td.total.problem.sev-error")
    assert "CD301" in (cell.get_attribute("title") or "")
    assert cell.text == "150,000,000 cells"
    message = browser.find_element(By.CSS_SELECTOR, "li.diagnostic.sev-error")
    assert "CD301" in message.text and "knee.xlsx" in message.text
    assert "Checked 1 file: 1 error" in browser.find_element(By.CSS_SELECTOR, ".summary").text
    screenshot(browser, "serve-workbook-wrong-total", capsys)
    # printed for the clinic's paper file: the report without the form and the buttons
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.ID, "file").is_displayed()
    assert not browser.find_element(By.ID, "take-title").is_displayed()
    assert cell.is_displayed() and message.is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert browser.find_element(By.ID, "file").is_displayed()


def test_the_seed_sheet_checked_on_the_page(
    browser: WebDriver, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clinic's reference sheet, as transcribed in protocols/: the README's screenshot."""
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(SEED_SHEET))
    check_button(browser)
    summary = wait(browser, ".summary")
    assert summary.text.startswith("Checked 1 file")
    routes = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "tbody td.route")]
    assert routes == ["Myers cocktail/NAD", "Intra-articular/per side"]
    screenshot(browser, "serve-seed-sheet", capsys)


def test_the_corrected_sheet_downloads_fixed(
    browser: WebDriver, server: Server, tmp_path: Path, downloads: Path
) -> None:
    sheet = tmp_path / "knee.csv"
    sheet.write_bytes(NO_TOTAL_CSV)
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(sheet))
    check_button(browser)
    wait(browser, "section.file")
    browser.find_element(
        By.XPATH, "//button[normalize-space()='Download the corrected sheet']"
    ).click()
    target = downloads / "knee.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (  # written whole: no partial download left
        target.exists() and target.stat().st_size and not list(downloads.glob("*.crdownload"))
    ):
        time.sleep(0.2)
    assert target.read_bytes() == NO_TOTAL_CSV.replace(b"2,\n", b"2,100000000\n")
    # check again after the correction: drop the corrected file, see no finding
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(target))
    check_button(browser)
    assert "No findings." in wait(browser, "section.file p.note").text


def test_an_oversized_file_gets_a_message(
    browser: WebDriver, server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    open_page(browser, server)
    browser.find_element(By.ID, "file").send_keys(str(big))
    check_button(browser)
    message = wait(browser, "p.alert")
    assert "larger than 10 MB" in message.text
    screenshot(browser, "serve-oversized", capsys)


def test_the_form_works_with_the_keyboard_and_labels_every_control(
    browser: WebDriver, server: Server
) -> None:
    open_page(browser, server)
    # the policy blocks nothing the page uses: no violation, no error on the console
    assert browser.execute_script("return typeof document.getElementById('drop')") == "object"
    log: list[dict[str, object]] = browser.execute("getLog", {"type": "browser"})["value"]
    severe = [entry for entry in log if entry["level"] == "SEVERE"]
    assert severe == []
    controls = browser.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), textarea")
    for control in controls:
        labels = browser.find_elements(By.CSS_SELECTOR, f"label[for={control.get_attribute('id')}]")
        assert len(labels) == 1 and labels[0].text
    reached = []
    for _ in range(3):  # the keys a person presses (a file input takes send_keys as a path)
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        reached.append(active.get_attribute("id") or active.text)
    assert reached == ["file", "pasted", "Check the sheet"]
    pasted = browser.find_element(By.ID, "pasted")
    pasted.send_keys("protocol: Knee\nadministrations: []\n")
    browser.find_element(By.XPATH, "//button[normalize-space()='Check the sheet']").send_keys(
        Keys.ENTER
    )
    assert "pasted.txt" in wait(browser, "section.file h2").text


def test_the_seeds_pasted_text_shows_its_two_recovered_rows(
    browser: WebDriver, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    open_page(browser, server)
    text = SEED.read_text(encoding="utf-8")
    browser.execute_script("document.getElementById('pasted').value = arguments[0]", text)
    check_button(browser)
    wait(browser, "section.file")
    screenshot(browser, "serve-seed", capsys)
    rows = browser.find_elements(By.CSS_SELECTOR, "section.protocol tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "td.route").text for r in rows] == [
        "Myers cocktail/NAD",
        "Intra-articular/per side",
    ]
    assert browser.find_element(By.CSS_SELECTOR, ".summary").text == "Checked 1 file: 3 info."
    recovered = [
        item.text
        for item in browser.find_elements(By.CSS_SELECTOR, "li.diagnostic")
        if "columns ran together" in item.text
    ]
    assert len(recovered) == 2
    # the pasted text is back in its box, to correct and check again
    assert browser.find_element(By.ID, "pasted").get_attribute("value") == text
