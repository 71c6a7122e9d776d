"""Screenshots of the main pages at a phone's width, the same way before and after a change.

    .venv/bin/python bench/screenshots.py --label before            # docs/before-360-<page>.png
    .venv/bin/python bench/screenshots.py --label after --width 1280

The app is the embedded default seeded at the tests' Saturday afternoon (tests/conftest.py NOW), served on a
free loopback port the way the browser tests serve it, and driven by Debian's Chromium. Not a test: it checks
nothing, it only keeps a picture of what a visitor sees.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running, seeded_app  # noqa: E402
from tests.conftest import NOW, Clock  # noqa: E402

PAGES = {"home": "/", "match": None, "league-epl": "/leagues/epl", "model": "/model", "login": "/login"}


def match_path(page, base: str) -> str:
    """A live match's page when the demo has one in play, else the first listed match's."""
    page.goto(base + "/")
    rows = page.locator(".live-group li.match-row a")
    if rows.count() == 0:
        rows = page.locator("li.match-row a")
    return rows.first.get_attribute("href")


def shoot(out: Path, label: str, width: int, height: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        running(seeded_app(Path(tmp) / "shots.db", Clock(NOW))) as base,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(timezone_id="Europe/London", viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_selector('body[data-tz="Europe/London"]')  # the zone cookie is set: no re-render later
        for name, path in PAGES.items():
            page.goto(base + (path or match_path(page, base)))
            page.wait_for_load_state("networkidle")
            target = out / f"{label}-{width}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            saved.append(target)
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after", help="file name prefix: before or after")
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    for path in shoot(args.out, args.label, args.width, args.height):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
