"""The installable app: a manifest browsers accept, its icons, the service worker at the
site's root, and an offline page that holds nobody's data."""

import struct
import zlib

from httracker.pwa import ICONS


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and its header's checksum."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    header = data[16:29]
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(kind + header)
    return struct.unpack(">II", header[:8])


def test_the_manifest_names_the_app_its_start_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "HT-Tracker" and manifest["short_name"]
    assert manifest["start_url"] == "/dashboard" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    assert any(icon["type"] == "image/svg+xml" for icon in manifest["icons"])


def test_every_icon_is_served_at_its_declared_size(client):
    for path, sizes, kind, _ in ICONS:
        with client.get(f"/static/{path}") as response:
            assert response.status_code == 200, path
            assert response.mimetype == kind
            if kind == "image/png":
                width, height = png_size(response.data)
                assert f"{width}x{height}" == sizes


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert 'var OFFLINE = "/offline";' in script
    assert '"/static/style.css"' in script
    # It caches the offline page and shared files only: no page of anyone's records.
    precache = script.split("var PRECACHE = ")[1].split(";")[0]
    assert "/dashboard" not in precache and "/habits" not in precache


def test_the_offline_page_is_public_and_shows_no_account(client, user):
    page = client.get("/offline").get_data(as_text=True)
    assert "You are offline" in page
    assert "alice" not in page and "Log out" not in page


def test_pages_link_the_manifest_and_the_worker(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest" data-worker="/sw.js"' in page


def test_authenticated_pages_stay_no_store(client, user):
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
