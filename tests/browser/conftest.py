"""Browser tests: Debian's Chromium driven by Playwright against a real `bookshop up`.

Without /usr/bin/chromium the suite is skipped with one reason, except when
BOOKSHOP_TEST_SERVICES=1 (CI), where a missing browser fails the run.
BOOKSHOP_SCREENSHOTS=<folder> saves the screenshots the tests take (`make screenshots`).
"""

import os
from pathlib import Path

import pytest

from tests import services
from tests.browser.audit import PageAudit
from tests.browser.staff import StoreStaff
from tests.e2e.platform import deployment

CHROMIUM = os.environ.get("BOOKSHOP_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("BOOKSHOP_SCREENSHOTS")
ADMIN_USER = "admin"
ADMIN_PASSWORD = "browser-Tests-2026"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or not items:
        return
    if services.ENABLED:
        raise pytest.UsageError(
            f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium); "
            "with BOOKSHOP_TEST_SERVICES=1 a missing browser is a failure"
        )
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def bookshop(tmp_path_factory):
    """One plain `bookshop up` for the whole session (so the store holds the demo
    catalogue), on free ports, with short sync intervals."""
    root = tmp_path_factory.mktemp("bookshop")
    with deployment(
        root,
        BOOKSHOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
        CATALOG_SYNC_INTERVAL="2",
        ORDER_STATUS_SYNC_INTERVAL="1",
    ) as deploy:
        platform = deploy.up()
        try:
            platform.wait_until_running()
            yield deploy
        finally:
            platform.stop()


@pytest.fixture(scope="session")
def staff(bookshop):
    """The store's admin at the Store API."""
    member = StoreStaff(bookshop.url("store").rstrip("/"), ADMIN_USER, ADMIN_PASSWORD)
    yield member
    member.close()


@pytest.fixture
def audit(page):
    """Watches the page for console errors and failed requests; checks every page seen."""
    watcher = PageAudit(page, Path(SCREENSHOTS).resolve() if SCREENSHOTS else None)
    yield watcher
    watcher.assert_clean()
