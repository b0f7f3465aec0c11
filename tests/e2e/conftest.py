"""A real CKAN server (``ckan run``) on localhost, against the test database, for
tests that drive it over HTTP as a script would."""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ini(url: str, p: int) -> str:
    """test.ini plus a coordinator who is not a sysadmin, for a server on port ``p``."""
    ini = os.path.join("/tmp", f"vgsamverkan-e2e-{p}.ini")
    with open(ini, "w") as f:
        f.write(
            "[app:main]\n"
            f"use = config:{os.path.join(ROOT, 'test.ini')}\n"
            f"ckan.site_url = {url}\n"
            "ckanext.vgsamverkan.coordinators = e2e-samordnare\n"
            f"smtp.server = 127.0.0.1:{port(25)}\n"
            "[loggers]\nkeys = root\n[handlers]\nkeys = console\n"
            "[formatters]\nkeys = generic\n"
            "[logger_root]\nlevel = INFO\nhandlers = console\n"
            "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\n"
            "level = NOTSET\nformatter = generic\n"
            "[formatter_generic]\nformat = %%(asctime)s %%(levelname)s [%%(name)s] %%(message)s\n"
        )
    return ini


def _serve(command: list[str], url: str, env: dict, log_name: str, ready=lambda: True):
    """Start a server, wait until it answers and ``ready()``, yield its URL, stop it."""
    log = open(log_name, "w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.time() + 90
        while True:
            try:
                if requests.get(f"{url}/api/3/action/status_show", timeout=2).ok and ready():
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                raise RuntimeError(f"the server did not start; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server_url():
    """``ckan run`` (one process) on a port of this test run (of this worker), started once
    for the run: every test starts from the reset database all the same, and the server
    keeps no state of its own between requests that a test could see."""
    p = port(50)
    url = f"http://127.0.0.1:{p}"
    ini = _ini(url, p)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    yield from _serve([ckan, "-c", ini, "run", "-H", "127.0.0.1", "-p", str(p), "-r"], url,
                      dict(os.environ, CKAN_SITE_URL=url), f"/tmp/vgsamverkan-e2e-{p}.log")


WORKERS = 4


@contextlib.contextmanager
def client_pool(processes: int):
    """Forked client processes. At the end the pool is closed and joined, never
    terminated: Pool.terminate() (what ``with Pool()`` does) can kill a worker that holds
    the pool's queue lock, and another then waits on it for ever (seen once in a full run:
    the suite hung)."""
    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        yield pool
    finally:
        pool.close()
        pool.join()


@pytest.fixture(scope="session")
def gunicorn_url():
    """The portal under gunicorn with ``WORKERS`` worker processes (wsgi.py), as in
    production: requests of one client land in different processes."""
    p = port(52)
    url = f"http://127.0.0.1:{p}"
    ini = _ini(url, p)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    # ready when every worker has loaded the portal: a worker still loading it would make
    # CKAN's site user at the moment the first test makes it too (seen: the unique name)
    booted = f"/tmp/vgsamverkan-gunicorn-{p}.booted"
    hooks = f"/tmp/vgsamverkan-gunicorn-{p}.conf.py"
    with open(hooks, "w") as f:
        f.write("def post_worker_init(worker):\n"
                f"    with open({booted!r}, 'a') as f:\n"
                "        f.write(f'{worker.pid}\\n')\n")
    if os.path.exists(booted):
        os.remove(booted)

    def all_booted() -> bool:
        return os.path.exists(booted) and len(open(booted).read().split()) >= WORKERS

    yield from _serve([gunicorn, "-c", hooks, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{p}",
                       "--timeout", "120", "wsgi:application"], url,
                      dict(os.environ, CKAN_SITE_URL=url, CKAN_INI=ini), f"/tmp/vgsamverkan-gunicorn-{p}.log",
                      ready=all_booted)


@pytest.fixture
def browser(tmp_path):
    """Debian's Chromium, headless, driven by Debian's chromedriver (nothing downloaded)."""
    yield from _chromium(tmp_path)


@pytest.fixture
def nojs_browser(tmp_path):
    """The same Chromium with JavaScript switched off (a person's setting, or a script that
    failed to load): the pages must work without it."""
    yield from _chromium(tmp_path, javascript=False)


def _chromium(tmp_path, javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / ('chromium' if javascript else 'chromium-nojs')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
