"""The match page's jump links, in a real browser, with JavaScript on and off."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
SECTIONS = ("odds", "model", "match", "stats")


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_jump_links_reach_every_section_by_keyboard(live_server, browser, script):
    context = browser.new_context(java_script_enabled=script, viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        href = page.locator("li.match-row a").first.get_attribute("href")
        page.goto(live_server + href)
        for name in SECTIONS:
            link = page.locator(f'.jump-links a[href="#{name}"]')
            link.focus()
            page.keyboard.press("Enter")
            page.wait_for_url(f"**#{name}")
            top = page.locator(f"#{name}").evaluate("e => e.getBoundingClientRect().top")
            assert 0 <= top < 800, (name, top)  # scrolled to it
            # The current section's link is marked (bold, underlined), the others are not.
            weights = {
                s: page.locator(f'.jump-links a[href="#{s}"]').evaluate("e => getComputedStyle(e).fontWeight")
                for s in SECTIONS
            }
            assert weights[name] == "800" and all(w != "800" for s, w in weights.items() if s != name), weights
            current = page.locator(".jump-links a[aria-current]")
            if script:  # with the script, assistive technology is told which section is current too
                assert current.count() == 1 and current.get_attribute("href") == f"#{name}"
            else:
                assert current.count() == 0
        # The live parts keep their own ids inside the sections.
        assert page.locator("#odds [id^=odds-board-]").count() == 1
        assert page.locator("#match [id^=matches-details-]").count() == 1
        assert page.locator("#model [id^=prediction-]").count() == 1
    finally:
        context.close()
