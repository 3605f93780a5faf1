"""Web chat fixtures: the page server alone, the real stack with the web chat, headless Chromium.

The page needs the socket.io channel that carries the `custom` payload
(`bot.channels.socketio.SocketIOInput`, declared in bot/credentials.yml); the shared `stack`
fixture (tests/conftest.py) runs it.
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.processes import ROOT, base_env, free_port

ARTIFACTS = ROOT / "test-artifacts" / "webchat"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]



def wait_webchat(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("le web chat ne répond pas")


@contextlib.asynccontextmanager
async def sanic_server(app):
    """`app` (Sanic) served on a free loopback port inside the running event loop; yields its URL."""
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await srv.before_stop()
        srv.close()
        await srv.wait_closed()
        await srv.after_stop()


@pytest.fixture(scope="session")
def page_server(tmp_path_factory):
    """The web chat server alone (Rasa absent: the page shows it cannot connect)."""
    port, rasa_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("webchat") / "webchat.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.webchat", "--host", "127.0.0.1", "--port", str(port), "--rasa-port", str(rasa_port)],
        cwd=ROOT, env=base_env(), stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_webchat(port)
        yield {"url": f"http://127.0.0.1:{port}", "rasa_port": rasa_port, "proc": proc}
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def chat_stack(stack):
    """The shared running stack (its socket.io channel carries the orientation payload)."""
    wait_webchat(stack.ports.webchat)
    return stack


@pytest.fixture(scope="session")
def chromium_paths():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium ou chromedriver absent (paquets Debian chromium et chromium-driver, cible `make browsers`)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium n'est pas installé dans l'environnement")
    return chromium, driver


@pytest.fixture
def browser(chromium_paths, tmp_path):
    """A fresh headless Chromium (own profile) per test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = chromium_paths
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    opts.add_argument("--window-size=1280,800")
    d = webdriver.Chrome(service=Service(driver), options=opts)
    d.set_page_load_timeout(30)
    try:
        yield d
    finally:
        d.quit()


def set_viewport(driver, width: int, height: int, mobile: bool = False) -> None:
    """Resize the window so that the page's viewport is exactly width x height CSS pixels.

    (A device-metrics override would be simpler, but chromedriver then computes click points in
    the real window's coordinates and clicks land under the sticky bars.)
    """
    driver.set_window_size(width, height)
    inner_w, inner_h = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if (inner_w, inner_h) != (width, height):
        driver.set_window_size(2 * width - inner_w, 2 * height - inner_h)
    deadline = time.time() + 3
    while time.time() < deadline:  # the resize reaches the page asynchronously
        if driver.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]:
            break
        time.sleep(0.05)
    time.sleep(0.2)


def screenshot(driver, name: str, width: int, height: int) -> Path:
    """Full-page screenshot at the given viewport in test-artifacts/webchat/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    set_viewport(driver, width, height, mobile=width < 600)
    time.sleep(0.3)
    path = ARTIFACTS / f"{name}-{width}x{height}.png"
    driver.save_screenshot(str(path))
    return path
