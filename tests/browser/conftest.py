import os

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_executable():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    assert os.path.exists(path), (
        f"Chromium is missing at {path}. Install it with `sudo apt-get install -y chromium` "
        "or set CHROMIUM_PATH. Browser tests never download a browser.")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_stack):
    contexts = []

    def make(width=1366, height=768):
        ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=live_stack.url)
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()
