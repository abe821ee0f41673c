#!/usr/bin/env python3
"""Drives Debian's headless chromium through chromium-driver (PyPI selenium)
against a running Vigil console, for the end-to-end test and the console
benchmark. Prints one JSON document on stdout; the Swift side asserts on it.

  check  --base URL --login PATH --screenshots DIR --metric NAME [--containers ID,ID]
  bench  --base URL --login PATH --page PATH [--loads N] [--all-plots]
"""
import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# Never let selenium look for a driver or browser elsewhere: Debian's are the ones under test.
os.environ.setdefault("SE_OFFLINE", "true")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="vigil-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def status_of(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


# True once every plot near the viewport is drawn (or failed): what a person sees is complete.
VISIBLE_PLOTS_DONE = """
const plots = Array.from(document.querySelectorAll('[data-plot]'));
const near = plots.filter(p => p.getBoundingClientRect().top < window.innerHeight + 200);
return document.readyState === 'complete' && near.every(p => p.dataset.drawn === '1' || p.dataset.error);
"""

ALL_PLOTS_DONE = """
const plots = Array.from(document.querySelectorAll('[data-plot]'));
return plots.every(p => p.dataset.drawn === '1' || p.dataset.error);
"""


def wait_for(driver, script, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if driver.execute_script(script):
            return True
        time.sleep(0.05)
    return False


def severe(driver):
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def plots_on_page(driver):
    return driver.execute_script("""
      return Array.from(document.querySelectorAll('[data-plot]')).map(p => ({
        url: p.dataset.plot, drawn: p.dataset.drawn === '1', error: p.dataset.error || null,
        points: Number(p.dataset.points || 0), labels: (p.dataset.labels || '').split('|').filter(s => s),
        container: (p.closest('[data-container-id]') || {dataset: {}}).dataset.containerId || null,
        canvases: p.querySelectorAll('canvas').length }));
    """)


def check(args):
    base = args.base.rstrip("/")
    result = {"unauthenticated": {p: status_of(base + p) for p in
                                  ("/console/", "/console/containers", "/console/api/plot?plot=metric&metric=x",
                                   "/console/static/console.js")}}
    os.makedirs(args.screenshots, exist_ok=True)
    driver = browser(1280, 2400)
    try:
        driver.get(base + args.login)
        wait_for(driver, "return document.readyState === 'complete'")
        result["after_login_url"] = driver.current_url
        cookies = [c for c in driver.get_cookies() if c["name"] == "vigil_console"]
        result["cookie"] = {k: cookies[0].get(k) for k in ("httpOnly", "sameSite", "path", "secure")} if cookies else None
        result["login_again"] = status_of(base + args.login)
        pages = {"overview": "/console/", "containers": "/console/containers?range=15m",
                 "metrics": f"/console/metrics?metric={urllib.parse.quote(args.metric)}&range=15m",
                 "images": "/console/images"}
        result["pages"] = {}
        for name, path in pages.items():
            started = time.time()
            driver.get(base + path)
            done = wait_for(driver, VISIBLE_PLOTS_DONE)
            done = done and wait_for(driver, ALL_PLOTS_DONE)
            page = {"title": driver.title, "complete": done, "seconds": round(time.time() - started, 3),
                    "plots": plots_on_page(driver),
                    "failures": driver.execute_script("return (window.vigilConsole || {}).failures || null"),
                    "text": driver.find_element(By.TAG_NAME, "main").text[:4000]}
            shot = os.path.join(args.screenshots, f"{name}.png")
            driver.save_screenshot(shot)
            page["screenshot"] = shot
            page["console_errors"] = severe(driver)
            result["pages"][name] = page
        cookie = f"vigil_console={cookies[0]['value']}" if cookies else None
        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait_for(driver, "return document.readyState === 'complete' && location.pathname === '/console/logged-out'")
        result["after_logout_url"] = driver.current_url
        result["after_logout_status"] = status_of(base + "/console/", cookie)
        result["logout_console_errors"] = severe(driver)
    finally:
        driver.quit()
    return result


def bench(args):
    base = args.base.rstrip("/")
    driver = browser(1280, 900)
    try:
        driver.get(base + args.login)
        wait_for(driver, "return document.readyState === 'complete'")
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        loads = []
        for _ in range(args.loads):
            driver.get("about:blank")
            driver.get(base + args.page)
            complete = wait_for(driver, VISIBLE_PLOTS_DONE, timeout=60)
            figures = driver.execute_script("""
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource');
              const sum = (list, key) => list.reduce((n, e) => n + (e[key] || 0), 0);
              const state = window.vigilConsole || {};
              return { transfer_bytes: nav.transferSize + sum(res, 'transferSize'),
                       decoded_bytes: nav.decodedBodySize + sum(res, 'decodedBodySize'),
                       html_transfer_bytes: nav.transferSize, requests: 1 + res.length,
                       plot_requests: res.filter(e => e.initiatorType === 'fetch').length,
                       dom_content_loaded_ms: nav.domContentLoadedEventEnd, load_ms: nav.loadEventEnd,
                       visible_plots_drawn_ms: state.lastDrawnAt, plots_drawn: state.drawn,
                       plots_on_page: document.querySelectorAll('[data-plot]').length,
                       points_drawn: Object.values(state.points || {}).reduce((a, b) => a + b, 0),
                       failures: state.failures || [] };
            """)
            figures["complete"] = complete
            figures["console_errors"] = severe(driver)
            loads.append(figures)
        result = {"loads": loads}
        if args.all_plots:
            started = time.time()
            height = driver.execute_script("return document.body.scrollHeight")
            y = 0
            while y < height:
                y += 800
                driver.execute_script(f"window.scrollTo(0, {y})")
                wait_for(driver, VISIBLE_PLOTS_DONE, timeout=60)
            wait_for(driver, ALL_PLOTS_DONE, timeout=120)
            result["all_plots"] = driver.execute_script("""
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource');
              return { transfer_bytes: nav.transferSize + res.reduce((n, e) => n + e.transferSize, 0),
                       plots_drawn: window.vigilConsole.drawn, requests: 1 + res.length };
            """)
            result["all_plots"]["seconds_scrolling"] = round(time.time() - started, 2)
        return result
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["check", "bench"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--screenshots")
    parser.add_argument("--metric", default="")
    parser.add_argument("--page", default="/console/containers?range=24h")
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--all-plots", action="store_true")
    args = parser.parse_args()
    result = check(args) if args.mode == "check" else bench(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
