"""Draw the app's PNG icons from their SVGs and take the manifest's screenshots of the demo world, with Debian's
Chromium (Playwright): `make pwa-images`. The results are committed under static/; run it again after
the icon or the pages change. The demo world is seeded at the tests' fixed clock, so the pictures are repeatable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app import config
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running, seeded_app
from tests.conftest import NOW, Clock

STATIC = config.ROOT / "static"
# (source SVG, PNG, size): "any" icons keep their rounded corners transparent; the maskable one is full-bleed with
# its mark inside the central circle of 40 % radius that every mask leaves visible.
ICONS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon-maskable.svg", "icon-maskable-192.png", 192),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
]
# (page, PNG, width): 800 px tall, as the manifest declares.
SCREENSHOTS = [("/", "matches-narrow.png", 360), ("match", "match-narrow.png", 360), ("/", "matches-wide.png", 1280)]


def draw_icons(browser) -> None:
    for source, target, size in ICONS:
        page = browser.new_page(viewport={"width": size, "height": size})
        svg = (STATIC / "icons" / source).read_text().replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
        page.set_content(f'<body style="margin:0;background:transparent">{svg}</body>')
        page.screenshot(path=str(STATIC / "icons" / target), omit_background=True)
        page.close()


def first_match_path(base: str, browser) -> str:
    page = browser.new_page()
    page.goto(base + "/")
    href = page.locator(".match-row a").first.get_attribute("href")
    page.close()
    return href or "/"


def take_screenshots(browser) -> None:
    with tempfile.TemporaryDirectory() as folder, running(seeded_app(Path(folder) / "shots.db", Clock(NOW))) as base:
        match = first_match_path(base, browser)
        out = STATIC / "screenshots"
        out.mkdir(exist_ok=True)
        for path, target, width in SCREENSHOTS:
            context = browser.new_context(viewport={"width": width, "height": 800}, timezone_id="Europe/London")
            page = context.new_page()
            page.goto(base + (match if path == "match" else path))
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / target))
            context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        draw_icons(browser)
        take_screenshots(browser)
        browser.close()


if __name__ == "__main__":
    main()
