"""A screenshot of /admin/health at 1280 px with live figures: docs/admin-health-1280.png (`make health-screenshot`).

    .venv/bin/python bench/health_screenshot.py

Like `make run`: the demo world seeded into a database of its own and served by `flask run` on the embedded default,
its periodic jobs running in the process; every page view measured (VITALS_SAMPLE_RATE=1). A browser visits the
main pages first, as visitors would (their web vitals beaconed), plain requests add some traffic, then an
administrator opens the health page and it is photographed. Not a test: it only keeps a picture of the page.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit import demo_server  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in  # noqa: E402

ADMIN = ("admin@example.com", "screenshot admin password")
PAGES = ("/", "/leagues/epl", "/leagues/laliga", "/model")


def visit(page, base: str) -> None:
    """Each main page and a match's, with an input (LCP final, an interaction for INP) before leaving it."""
    html = urllib.request.urlopen(base + "/", timeout=10).read().decode()
    matches = re.findall(r'href="(/matches/\d+)"', html)[:3]
    for path in (*PAGES, *matches):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.locator("footer").click()
    page.goto(base + "/")


def traffic(base: str, rounds: int) -> None:
    """Plain requests, as a crowd would make: pages, a match's fragments, a missing page."""
    html = urllib.request.urlopen(base + "/", timeout=10).read().decode()
    matches = re.findall(r'href="(/matches/\d+)"', html)[:5]
    for _ in range(rounds):
        for path in (*PAGES, *matches, *(m + "/odds" for m in matches), "/no-such-page"):
            with contextlib.suppress(urllib.error.HTTPError):  # the 404 is part of the traffic
                urllib.request.urlopen(base + path, timeout=10).read()


def shoot(out: Path, width: int, rounds: int) -> Path:
    from playwright.sync_api import sync_playwright

    settings = {
        "VITALS_SAMPLE_RATE": "1",
        "RATELIMIT_DEFAULT": "100000 per minute",
        "RATELIMIT_MEDIA": "100000 per minute",
    }
    with (
        tempfile.TemporaryDirectory(prefix="betscore-health-") as tmp,
        demo_server(tmp, ("users", "create-admin", ADMIN[0], "--password", ADMIN[1]), **settings) as base,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for zone in ("Europe/London", "America/New_York"):
            visitor = browser.new_context(timezone_id=zone, viewport={"width": 390, "height": 800})
            visit(visitor.new_page(), base)
            visitor.close()  # its pages' last beacons (CLS, INP) go as they close
        print(f"traffic: {rounds} rounds of plain requests", flush=True)
        traffic(base, rounds)
        context = browser.new_context(timezone_id="UTC", viewport={"width": width, "height": 900})
        admin = context.new_page()
        sign_in(admin, base, *ADMIN)
        admin.goto(base + "/admin/health")
        admin.wait_for_load_state("networkidle")
        target = out / f"admin-health-{width}.png"
        admin.screenshot(path=str(target), full_page=True)
        browser.close()
        return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of plain requests before the picture")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    print(shoot(args.out, args.width, args.rounds).relative_to(ROOT))


if __name__ == "__main__":
    main()
