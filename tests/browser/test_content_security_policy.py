"""Content-Security-Policy (issue 11, item 3): the policy blocks what it should, and the
pages that need a script of their own (the Swagger UI) still work under it. Every other
browser test fails on any violation its pages report (tests/browser/audit.py)."""

import re

from playwright.sync_api import expect

INJECTED = "document.body.dataset.injected = 'ran'"


def inject_inline_script(page) -> None:
    """What a stored XSS would do: put an inline script into the page."""
    page.evaluate(
        """(code) => { const s = document.createElement('script'); s.textContent = code;
           document.body.appendChild(s); }""",
        INJECTED,
    )


def test_the_shop_refuses_an_injected_inline_script_and_the_audit_hears_of_it(
    bookshop, page, audit
):
    page.goto(bookshop.url("shop"))
    audit.check()

    inject_inline_script(page)

    expect(page.locator("body")).not_to_have_attribute("data-injected", "ran")
    page.wait_for_function("() => true")  # the violation event reaches the test first
    violations = [problem for problem in audit.problems if "CSP violation" in problem]
    assert violations, audit.problems
    assert "script-src" in violations[0]
    audit.problems.clear()  # expected here; any other violation still fails the test


def test_no_page_of_the_shop_or_the_store_can_be_framed(bookshop, page):
    for url in (bookshop.url("shop"), bookshop.url("store", "/admin/login/")):
        response = page.request.get(url)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, url
        assert "'unsafe-inline'" not in policy, url


def test_the_swagger_ui_works_under_the_store_policy(bookshop, page, audit):
    page.goto(bookshop.url("store", "/api/docs/"))

    expect(page.get_by_role("heading", name=re.compile("Bookshop Store API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/books/").first).to_be_visible()
    audit.check()
