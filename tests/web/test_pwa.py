"""The installable app's server side: the service worker's route and shell, the manifest, the offline page, and the
`private` mark that keeps personal pages out of the worker's saved pages."""

from __future__ import annotations

import json
import re
import struct

import pytest

from app.web import pwa


def worker_constant(script: str, name: str):
    return json.loads(re.search(rf"^const {name} = (.+);$", script, re.MULTILINE).group(1))


def png_size(data: bytes) -> str:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return f"{width}x{height}"


def static_links(html: str) -> set[str]:
    return set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))


def test_the_service_worker_is_served_for_the_whole_site_and_revalidated(client):
    with client.get("/sw.js") as answer:
        assert answer.status_code == 200
        assert answer.headers["Service-Worker-Allowed"] == "/"
        assert answer.mimetype == "text/javascript"
        assert answer.headers["Cache-Control"] == "no-cache"  # the browser asks again each time it checks
        etag = answer.headers["ETag"]
    with client.get("/sw.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""


def test_the_shell_holds_every_file_a_page_and_the_offline_page_need_at_their_current_version(client):
    shell = worker_constant(client.get("/sw.js").get_data(as_text=True), "SHELL")
    page = client.get("/").get_data(as_text=True)
    offline = client.get("/offline").get_data(as_text=True)
    assert {url for url in static_links(page) if not url.startswith("/static/screenshots/")} <= set(shell)
    assert static_links(offline) <= set(shell)
    assert "/offline" in shell
    for url in shell:
        with client.get(url) as answer:
            assert answer.status_code == 200, url


def test_the_shell_version_changes_with_any_shell_file_or_the_offline_page(client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell = [url for url in worker_constant(script, "SHELL") if url != "/offline"]
    offline = client.get("/offline").get_data()
    assert worker_constant(script, "VERSION") == pwa.version_of(shell, offline)
    changed = [re.sub(r"v=[0-9a-f]+$", "v=0000000000", shell[0]), *shell[1:]]
    assert pwa.version_of(changed, offline) != pwa.version_of(shell, offline)
    assert pwa.version_of(shell, offline + b" ") != pwa.version_of(shell, offline)


def test_the_manifest_says_what_the_installed_app_is(client):
    with client.get("/manifest.webmanifest") as answer:
        assert answer.status_code == 200 and answer.mimetype == "application/manifest+json"
        assert answer.headers["Cache-Control"] == "no-cache"
        manifest = json.loads(answer.get_data())
    assert manifest["id"] == "/" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] and manifest["description"] and manifest["categories"]
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {(icon["purpose"], icon["sizes"]) for icon in manifest["icons"]}
    assert {("any", "192x192"), ("any", "512x512"), ("maskable", "192x192"), ("maskable", "512x512")} <= sizes
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}  # never "any maskable"
    assert {shot["form_factor"] for shot in manifest["screenshots"]} == {"narrow", "wide"}
    assert [shortcut["name"] for shortcut in manifest["shortcuts"]] == ["Matches", "Model", "My bets"]


@pytest.mark.parametrize("part", ["icons", "screenshots"])
def test_the_manifests_images_are_pngs_of_the_size_it_declares(client, part):
    images = [image for image in client.get("/manifest.webmanifest").get_json(force=True)[part]]
    for image in images:
        with client.get(image["src"]) as answer:
            assert answer.status_code == 200, image["src"]
            if image["type"] == "image/png":
                assert png_size(answer.get_data()) == image["sizes"], image["src"]


def test_the_manifests_shortcuts_lead_somewhere(client):
    for shortcut in client.get("/manifest.webmanifest").get_json(force=True)["shortcuts"]:
        answer = client.get(shortcut["url"], follow_redirects=True)  # My bets asks a visitor to sign in first
        assert answer.status_code == 200, shortcut


def test_the_offline_page_uses_the_versioned_stylesheet_and_offers_to_try_again(client):
    with client.get("/offline") as answer:
        assert answer.status_code == 200 and answer.mimetype == "text/html"
        html = answer.get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="/static/app\.css\?v=[0-9a-f]{10}">', html)
    assert "Try again" in html and "<script>" not in html


def test_an_anonymous_page_may_be_kept_but_a_signed_in_viewers_page_is_private(client, auth, make_user):
    assert client.get("/").headers["Cache-Control"] == "no-cache"
    # The sign-in page writes a CSRF token into the visitor's session: theirs alone.
    assert "private" in client.get("/accounts/login").headers["Cache-Control"]
    make_user("keeper@example.com", "correct horse battery")
    auth.login("keeper@example.com", "correct horse battery")
    for path in ("/", "/bets", "/account"):
        control = client.get(path).headers["Cache-Control"]
        assert "private" in control or "no-store" in control, path
