"""What every page must get right, checked on each page a browser test visits."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Frame, Page

WIDTHS = (375, 1280)

# Form fields a person fills in need a label. A field hidden from assistive technology and
# from the keyboard (a <select> replaced by a script's widget) is checked through the
# widget instead, by the accessible names below.
UNLABELLED_FIELDS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    if (el.closest('[aria-hidden="true"]') && el.tabIndex < 0) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.getAttribute('title');
    if (!named) bad.push(el.outerHTML.slice(0, 160));
  }
  return bad;
}"""

IMAGES_WITHOUT_ALT = """() => Array.from(document.querySelectorAll('img:not([alt])'),
  img => img.outerHTML.slice(0, 160))"""

# Every Content-Security-Policy violation a page reports, sent to the test as it happens
# (the console names them too, but only the event says which directive and what).
CSP_LISTENER = """() => document.addEventListener('securitypolicyviolation', (event) =>
  window.__bookshopCspViolation({
    page: document.location.href, directive: event.effectiveDirective,
    blocked: event.blockedURI || 'inline', sample: event.sample || '',
    source: `${event.sourceFile || ''}:${event.lineNumber || ''}`,
  }))"""

OVERFLOW = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""

# Roles a person operates: each needs an accessible name, as the browser computes it.
OPERABLE = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "menuitem",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
}
SNAPSHOT_LINE = re.compile(r"^(?P<indent>\s*)- '?(?P<role>[a-z]+)(?P<named> \")?")


def nameless_controls(snapshot: str) -> list[str]:
    """Operable nodes without an accessible name in a Playwright ARIA snapshot.

    A node inside a named combobox is its display (a select widget's current value) and
    takes the combobox's name.
    """
    bad: list[str] = []
    ancestors: list[tuple[int, str, bool]] = []
    for line in snapshot.splitlines():
        found = SNAPSHOT_LINE.match(line)
        if not found:
            continue
        indent, role, named = len(found["indent"]), found["role"], bool(found["named"])
        while ancestors and ancestors[-1][0] >= indent:
            ancestors.pop()
        inside_named_combobox = any(r == "combobox" and n for _, r, n in ancestors)
        if role in OPERABLE and not named and not inside_named_combobox:
            bad.append(line.strip())
        ancestors.append((indent, role, named))
    return bad


def _address(url: str) -> str:
    return url.split("#", 1)[0]


class PageAudit:
    """Collects console errors and failed requests; `check()` inspects the current page.

    Every page the browser lands on must be checked before the test ends, so a journey
    cannot walk past a page unexamined. Screenshots are written only when a folder is given.
    """

    def __init__(self, page: Page, screenshots: Path | None) -> None:
        self.page = page
        self.screenshots = screenshots
        self.problems: list[str] = []
        self.allowed_statuses: set[tuple[str, int]] = set()
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)
        page.on("framenavigated", self._on_navigated)
        page.expose_function("__bookshopCspViolation", self._on_csp_violation)
        page.add_init_script(f"({CSP_LISTENER})()")

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")
        elif "Content Security Policy" in message.text:
            self.problems.append(f"CSP message on {self.page.url}: {message.text}")

    def _on_csp_violation(self, report: dict) -> None:
        self.problems.append(
            f"CSP violation on {report['page']}: {report['directive']} blocked "
            f"{report['blocked']} ({report['source']}) {report['sample']}".rstrip()
        )

    def _on_failed(self, request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        path = response.url.split("?", 1)[0]
        if response.status >= 400 and (path, response.status) not in self.allowed_statuses:
            self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def _on_navigated(self, frame: Frame) -> None:
        address = _address(frame.url)
        main = frame == self.page.main_frame
        if main and address.startswith("http") and address not in self.visited:
            self.visited.append(address)

    def allow(self, url: str, status: int) -> None:
        """Expect this status for this URL (a test that visits a 404 page on purpose)."""
        self.allowed_statuses.add((url, status))

    def check(self, screenshot: str | None = None) -> None:
        """Title, names of controls, labels, alt texts and no sideways scrolling at both
        widths; screenshots at both widths when asked and a folder is set."""
        page = self.page
        # A page's scripts change what is checked (the admin's pickers hide their <select>
        # behind a labelled widget): check it as it stands once they have all run.
        page.wait_for_load_state("load")
        where = page.url
        assert page.title(), f"{where} has no title"
        unlabelled = page.evaluate(UNLABELLED_FIELDS)
        assert unlabelled == [], f"{where}: fields without a label: {unlabelled}"
        assert page.evaluate(IMAGES_WITHOUT_ALT) == [], f"{where}: images without alt text"
        original = page.viewport_size
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                nameless = nameless_controls(page.locator("body").aria_snapshot())
                assert nameless == [], f"{where} at {width}px: controls without a name: {nameless}"
                overflow = page.evaluate(OVERFLOW)
                assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"
                if screenshot and self.screenshots:
                    self.screenshots.mkdir(parents=True, exist_ok=True)
                    path = self.screenshots / f"{screenshot}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
        finally:
            page.set_viewport_size(original)
        self.checked.add(_address(where))

    def assert_clean(self) -> None:
        unchecked = [url for url in self.visited if url not in self.checked]
        problems = self.problems + [f"visited but never checked: {url}" for url in unchecked]
        assert problems == [], "\n".join(problems)
