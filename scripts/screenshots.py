"""Screenshots of the main pages for docs/screenshots/ (issue 8): the home page, a search, a
contracting process, an organisation, the progress dashboard, a register, and the publisher's
sign-in and question pages, in Debian's Chromium.

    python scripts/screenshots.py                  # against the demo database (openbook demo)
    OPENBOOK_DATABASE_URL=postgresql://... python scripts/screenshots.py

It starts ``openbook serve`` on a free port against the database the environment names,
takes the pictures at 1,000 pixels wide (full page), and stops the server.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("OPENBOOK_TEST_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    # The server's environment, taken before the test modules the addresses come from are
    # imported: their set-up points the environment at a test database.
    environment = dict(os.environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    import django

    django.setup()
    sys.path.insert(0, str(ROOT))
    from openbook.store.database import Store, migrate
    from tests.pages import addresses, test_downloads_page

    migrate(Store())
    test_downloads_page.ensure_snapshot = lambda store: None  # no snapshot made for pictures
    found = addresses.page_addresses(Store())
    wanted = {
        "home": "home",
        "search with filters": "search",
        "process": "process",
        "organisation as supplier": "organisation",
        "metric": "progress-metric",
        "register: debarment": "register",
        "sign in to publish": "sign-in",
        "home in Welsh": "home-welsh",
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            for name, file_name in wanted.items():
                if name not in found:
                    continue
                page.goto(base + found[name])
                page.screenshot(path=str(OUT / f"{file_name}.png"), full_page=True)
                print(f"docs/screenshots/{file_name}.png: {found[name]}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
