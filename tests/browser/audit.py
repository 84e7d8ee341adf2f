"""What every page must get right, checked on each page a browser test visits."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

WIDTHS = (375, 1280)

UNLABELLED_CONTROLS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.getAttribute('title');
    if (!named) bad.push(el.outerHTML.slice(0, 160));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    const name = (el.innerText || '').trim() || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.getAttribute('title')
      || el.querySelector('img[alt]:not([alt=""])');
    if (!name && el.offsetParent !== null) bad.push(el.outerHTML.slice(0, 160));
  }
  return bad;
}"""

IMAGES_WITHOUT_ALT = """() => Array.from(document.querySelectorAll('img:not([alt])'),
  img => img.outerHTML.slice(0, 160))"""

OVERFLOW = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""


class PageAudit:
    """Collects console errors and failed requests; `check()` inspects the current page."""

    def __init__(self, page: Page, screenshots: Path) -> None:
        self.page = page
        self.screenshots = screenshots
        self.problems: list[str] = []
        self.allowed_statuses: set[tuple[str, int]] = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _on_failed(self, request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        path = response.url.split("?", 1)[0]
        if response.status >= 400 and (path, response.status) not in self.allowed_statuses:
            self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def allow(self, url: str, status: int) -> None:
        """Expect this status for this URL (a test that visits a 404 page on purpose)."""
        self.allowed_statuses.add((url, status))

    def check(self, screenshot: str | None = None) -> None:
        """Labels, alt texts and no sideways scrolling at both widths; optional screenshots."""
        page = self.page
        where = page.url
        assert page.title(), f"{where} has no title"
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        assert unlabelled == [], f"{where}: controls without an accessible name: {unlabelled}"
        assert page.evaluate(IMAGES_WITHOUT_ALT) == [], f"{where}: images without alt text"
        original = page.viewport_size
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                overflow = page.evaluate(OVERFLOW)
                assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"
                if screenshot:
                    self.screenshots.mkdir(parents=True, exist_ok=True)
                    path = self.screenshots / f"{screenshot}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
        finally:
            page.set_viewport_size(original)

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)
