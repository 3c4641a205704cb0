#!/usr/bin/env python3
"""Browser and accessibility check of a published round.

Opens one page of each type of a round in headless Chromium, saves a full-page
screenshot of it, and fails on console errors, failed requests, requests to
other hosts (a report must open offline), images that do not load, and the
WCAG 2.0/2.1 A and AA violations that axe-core finds. Swedish public-sector web
pages must meet WCAG 2.1 AA (lag 2018:1937 om tillgänglighet till digital
offentlig service), so a round is checked before it is announced.

Chromium is driven over the DevTools protocol (websocket-client); axe-core is
read from scripts/node_modules (`npm ci` in scripts/), so nothing is fetched
while the check runs.

Usage: python scripts/browser_check.py OUT [--round YEAR] [--screenshots DIR]
Exit codes: 0 clean, 1 problems or violations found, 2 usage error.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

SCRIPTS_DIR = Path(__file__).resolve().parent
DEFAULT_AXE = SCRIPTS_DIR / "node_modules" / "axe-core" / "axe.min.js"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")

# Without the background-networking flags Chromium tries outside hosts, which
# this closed network refuses; a fresh profile keeps runs independent.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
IMPACT_ORDER = ("critical", "serious", "moderate", "minor")
VIEWPORT = (1280, 900)
MAX_SCREENSHOT_HEIGHT = 16_000  # Chromium's texture limit is 16 384 px
LOAD_TIMEOUT = 30.0
SETTLE_SECONDS = 0.5


class UsageError(Exception):
    """The command was given something it cannot check (exit code 2)."""


class DevToolsError(Exception):
    """Chromium did not start or answered a protocol command with an error."""


@dataclass(frozen=True)
class Page:
    kind: str
    path: str  # relative to OUT, with forward slashes

    @property
    def screenshot_name(self) -> str:
        """Flat file name, so every page type lands in one folder."""
        return self.path.removesuffix(".html").replace("/", "-") + ".png"


@dataclass(frozen=True)
class Problem:
    page: str
    category: str
    detail: str


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]


@dataclass
class PageResult:
    page: Page
    screenshot: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    undecided: list[tuple[str, int]] = field(default_factory=list)


# -- choosing pages ---------------------------------------------------------------------


def find_rounds(out: Path) -> list[int]:
    """Round years published under OUT, oldest first."""
    return sorted(int(p.name) for p in out.iterdir()
                  if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


def select_pages(out: Path, year: int | None = None,
                 municipality: str | None = None) -> list[Page]:
    """One page of each type: the site index, the round's index, its regional report
    and one municipality profile (the given code, else the lowest code).

    A page that should exist but does not is still returned, so the check reports it."""
    if not out.is_dir():
        raise UsageError(f"no such folder: {out}")
    rounds = find_rounds(out)
    if not rounds:
        raise UsageError(f"no published round (a folder named by its year) in {out}")
    if year is None:
        year = rounds[-1]
    elif year not in rounds:
        raise UsageError(f"no round {year} in {out}; rounds found: "
                         + ", ".join(str(r) for r in rounds))
    if municipality is None:
        profiles = sorted((out / str(year) / "kommuner").glob("*.html"),
                          key=lambda p: (not p.stem.isdigit(), p.stem))
        code = profiles[0].stem if profiles else "<code>"
    else:
        code = municipality
    return [
        Page("site index", "index.html"),
        Page("round index", f"{year}/index.html"),
        Page("regional report", f"{year}/regional.html"),
        Page("municipality profile", f"{year}/kommuner/{code}.html"),
    ]


# -- reading what the browser reported -----------------------------------------------------


def _remote_object_text(obj: Mapping[str, Any]) -> str:
    if "value" in obj:
        value = obj["value"]
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return str(obj.get("description") or obj.get("unserializableValue") or obj.get("type", ""))


def _location(url: str | None, line: int | None) -> str:
    if not url:
        return ""
    return f" ({url}:{line + 1})" if line is not None else f" ({url})"


def _is_outside(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False  # data:, blob:, about:, file: stay on this machine
    return f"{parts.scheme}://{parts.netloc}" != origin


def _is_browser_favicon(url: str, origin: str) -> bool:
    # Chromium asks for /favicon.ico by itself when a page names no icon.
    return url == f"{origin}/favicon.ico"


def problems_from_events(events: Iterable[Mapping[str, Any]], page: str,
                         origin: str) -> list[Problem]:
    """Console errors, uncaught exceptions, failed requests and requests that leave
    ORIGIN, from the DevTools protocol events of one page load."""
    problems: list[Problem] = []
    urls: dict[str, str] = {}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(_remote_object_text(a) for a in params.get("args", []))
            frames = params.get("stackTrace", {}).get("callFrames", [])
            where = _location(frames[0]["url"], frames[0]["lineNumber"]) if frames else ""
            problems.append(Problem(page, "console error", text + where))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = (details.get("exception", {}).get("description")
                    or details.get("text", "uncaught exception"))
            where = _location(details.get("url"), details.get("lineNumber"))
            problems.append(Problem(page, "console error", text.splitlines()[0] + where))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            # Network entries repeat what the Network events below report precisely.
            if entry.get("level") == "error" and entry.get("source") != "network":
                where = _location(entry.get("url"), entry.get("lineNumber"))
                problems.append(Problem(page, "console error", entry.get("text", "") + where))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            urls[params.get("requestId", "")] = url
            if _is_outside(url, origin):
                problems.append(Problem(page, "outside request", url))
        elif method == "Network.responseReceived":
            response = params.get("response", {})
            status = response.get("status", 0)
            if status >= 400 and not _is_browser_favicon(response.get("url", ""), origin):
                problems.append(Problem(page, "failed request",
                                        f"{response.get('url', '')}: HTTP {status}"))
        elif method == "Network.loadingFailed":
            url = urls.get(params.get("requestId", ""), "(unknown URL)")
            if _is_outside(url, origin) or _is_browser_favicon(url, origin):
                continue  # an outside request is listed as such already
            reason = params.get("blockedReason") or params.get("errorText", "failed")
            problems.append(Problem(page, "failed request", f"{url}: {reason}"))
    return problems


def _target_text(target: Any) -> str:
    # Nested lists step into iframes or shadow roots.
    if isinstance(target, list):
        return " >> ".join(_target_text(t) for t in target)
    return str(target)


def parse_axe_violations(result: Mapping[str, Any], page: str) -> list[Violation]:
    """Violations of an `axe.run` result, the most severe first."""
    violations = []
    for rule in result.get("violations", []):
        impact = rule.get("impact") or "unknown"
        targets = tuple(_target_text(node.get("target", [])) for node in rule.get("nodes", []))
        violations.append(Violation(page, rule["id"], impact, rule.get("help", ""),
                                    rule.get("helpUrl", ""), targets))
    rank = {impact: i for i, impact in enumerate(IMPACT_ORDER)}
    return sorted(violations, key=lambda v: (rank.get(v.impact, len(rank)), v.rule))


def parse_axe_undecided(result: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Rules axe could not decide (for example contrast over an image): checked by hand."""
    return [(rule["id"], len(rule.get("nodes", []))) for rule in result.get("incomplete", [])]


# -- serving the round and driving Chromium ------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """OUT over HTTP on 127.0.0.1, as a web server would publish it; yields the origin."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class DevTools:
    """One browser-level DevTools connection; pages are flat sessions on it."""

    def __init__(self, url: str, timeout: float = LOAD_TIMEOUT) -> None:
        import websocket

        self._timeout_error = websocket.WebSocketTimeoutException
        # Chromium refuses connections that carry an Origin header it was not told of.
        self._ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self._timeout = timeout
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._ws.close()

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self._ws.settimeout(remaining)
        try:
            message = json.loads(self._ws.recv())
        except self._timeout_error:
            raise TimeoutError from None
        if "method" in message:
            self.events.append(message)
        return message

    def send(self, method: str, params: Mapping[str, Any] | None = None,
             session: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": dict(params or {})}
        if session:
            command["sessionId"] = session
        self._ws.send(json.dumps(command))
        deadline = time.monotonic() + (timeout or self._timeout)
        while True:
            try:
                message = self._receive(deadline)
            except TimeoutError:
                raise DevToolsError(f"{method}: no answer within "
                                    f"{timeout or self._timeout:.0f} s") from None
            if message.get("id") == command["id"]:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def wait_for(self, method: str, session: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event["method"] == method and event.get("sessionId") == session:
                    return True
            seen = len(self.events)
            try:
                self._receive(deadline)
            except TimeoutError:
                return False

    def settle(self, seconds: float) -> None:
        """Collect the events that arrive within SECONDS (late requests, errors)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._receive(deadline)
        except TimeoutError:
            pass

    def evaluate(self, session: str, expression: str, timeout: float | None = None) -> Any:
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "awaitPromise": True,
                            "returnByValue": True},
                           session=session, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise DevToolsError(f"script failed in the page: {text}")
        return result.get("result", {}).get("value")


@contextmanager
def chromium(executable: Path, timeout: float = 30.0) -> Iterator[DevTools]:
    """A headless Chromium with a fresh profile, closed and removed afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="browser-check-"))
    log = (profile.parent / f"{profile.name}.log").open("w+b")
    process = subprocess.Popen(
        [str(executable), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
         "--remote-debugging-port=0", f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
         "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
    )
    devtools = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
                raise DevToolsError("Chromium did not start: " + " | ".join(tail))
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        devtools = DevTools(f"ws://127.0.0.1:{port}{path}")
        yield devtools
    finally:
        if devtools is not None:
            try:
                devtools.send("Browser.close", timeout=5)
            except (DevToolsError, OSError):
                pass
            devtools.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)


# Lazy images are made eager so that a full-page check sees every one of them.
_BROKEN_IMAGES_JS = """(async () => {
  const images = Array.from(document.images);
  for (const img of images) { if (img.loading === 'lazy') img.loading = 'eager'; }
  await Promise.race([
    Promise.all(images.map(img => img.decode().catch(() => null))),
    new Promise(resolve => setTimeout(resolve, 5000)),
  ]);
  return images.filter(img => img.naturalWidth === 0).map(img => {
    const src = img.getAttribute('src') || img.currentSrc || '(no src)';
    return src.length > 80 ? src.slice(0, 77) + '...' : src;
  });
})()"""


def axe_run_expression(tags: Sequence[str]) -> str:
    """`axe.run` on the page for TAGS, with axe's experimental rules for those tags
    switched on too: they include data tables without headers (td-has-header)."""
    return f"""(() => {{
  const tags = {json.dumps(list(tags))};
  const rules = {{}};
  for (const rule of axe.getRules(tags)) {{
    if (rule.tags.includes('experimental')) rules[rule.ruleId] = {{enabled: true}};
  }}
  return axe.run(document, {{runOnly: {{type: 'tag', values: tags}}, rules,
                             resultTypes: ['violations']}});
}})()"""


def _short(text: str, origin: str) -> str:
    return text.replace(origin + "/", "")


def check_page(devtools: DevTools, origin: str, out: Path, page: Page, axe_source: str,
               screenshots: Path) -> PageResult:
    """Load one page in a new tab, screenshot it and collect everything it got wrong."""
    result = PageResult(page)
    if not (out / page.path).is_file():
        result.problems.append(Problem(page.path, "missing page", str(out / page.path)))
        return result
    target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = devtools.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            devtools.send(f"{domain}.enable", session=session)
        devtools.send("Emulation.setDeviceMetricsOverride",
                      {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1,
                       "mobile": False}, session=session)
        devtools.events.clear()
        navigation = devtools.send("Page.navigate", {"url": f"{origin}/{page.path}"},
                                   session=session)
        if navigation.get("errorText"):
            result.problems.append(Problem(page.path, "failed request",
                                           f"{page.path}: {navigation['errorText']}"))
            return result
        if not devtools.wait_for("Page.loadEventFired", session, LOAD_TIMEOUT):
            result.problems.append(Problem(page.path, "timeout",
                                           f"no load event within {LOAD_TIMEOUT:.0f} s"))
        devtools.evaluate(session, "document.fonts.ready.then(() => true)")
        devtools.settle(SETTLE_SECONDS)

        for src in devtools.evaluate(session, _BROKEN_IMAGES_JS) or []:
            result.problems.append(Problem(page.path, "image not loaded", _short(src, origin)))

        result.screenshot = _screenshot(devtools, session, screenshots / page.screenshot_name)

        devtools.evaluate(session, axe_source + "\n;true")
        axe = devtools.evaluate(session, axe_run_expression(AXE_TAGS), timeout=120)
        result.violations = parse_axe_violations(axe, page.path)
        result.undecided = parse_axe_undecided(axe)

        devtools.settle(0.1)
        events = [e for e in devtools.events if e.get("sessionId") == session]
        result.problems.extend(
            Problem(p.page, p.category, _short(p.detail, origin))
            for p in problems_from_events(events, page.path, origin)
        )
    finally:
        devtools.send("Target.closeTarget", {"targetId": target})
        devtools.events.clear()
    return result


def _screenshot(devtools: DevTools, session: str, path: Path) -> Path:
    metrics = devtools.send("Page.getLayoutMetrics", session=session)
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(VIEWPORT[0], math.ceil(size["width"]))
    height = min(max(VIEWPORT[1], math.ceil(size["height"])), MAX_SCREENSHOT_HEIGHT)
    shot = devtools.send("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": width, "height": height,
                                   "scale": 1}},
                         session=session, timeout=60)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# -- report and command line ---------------------------------------------------------------


def format_result(result: PageResult) -> list[str]:
    """The lines printed for one page: problems, then violations with their elements."""
    lines = [f"== {result.page.path} ({result.page.kind})"]
    if result.screenshot is not None:
        lines.append(f"   screenshot: {result.screenshot}")
    for problem in result.problems:
        lines.append(f"   {problem.category}: {problem.detail}")
    for v in result.violations:
        count = len(v.targets)
        lines.append(f"   axe {v.impact} {v.rule}: {v.help} "
                     f"({count} element{'s' if count != 1 else ''})")
        lines.append(f"       {v.help_url}")
        lines.extend(f"       at {target}" for target in v.targets)
    if result.undecided:
        lines.append("   axe could not decide (check by hand): "
                     + ", ".join(f"{rule} ({n})" for rule, n in result.undecided))
    if not result.problems and not result.violations:
        lines.append("   ok")
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python scripts/browser_check.py",
        description="Open a published round in headless Chromium: screenshots, console "
                    "and network errors, images, and WCAG 2.1 A/AA checks with axe-core.",
    )
    parser.add_argument("out", type=Path, help="published folder (OUT), e.g. reports")
    parser.add_argument("--round", type=int, dest="year", default=None, metavar="YEAR",
                        help="round year (default: the newest in OUT)")
    parser.add_argument("--municipality", default=None, metavar="CODE",
                        help="profile to check (default: the lowest code)")
    parser.add_argument("--screenshots", type=Path, default=None, metavar="DIR",
                        help="folder for the PNG screenshots (default OUT/.screenshots)")
    parser.add_argument("--chromium", type=Path, default=DEFAULT_CHROMIUM, metavar="PATH",
                        help=f"browser executable (default {DEFAULT_CHROMIUM})")
    parser.add_argument("--axe", type=Path, default=DEFAULT_AXE, metavar="PATH",
                        help="axe.min.js (default: scripts/node_modules/axe-core)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Check the round; 0 clean, 1 problems or violations found, 2 usage error."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        pages = select_pages(args.out, args.year, args.municipality)
        if not args.axe.is_file():
            raise UsageError(f"{args.axe} not found: run `npm ci` in scripts/ first")
        if not args.chromium.is_file():
            raise UsageError(f"{args.chromium} not found: apt-get install chromium")
        try:
            import websocket  # noqa: F401
        except ImportError:
            raise UsageError("websocket-client is not installed: "
                             "pip install websocket-client") from None
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    screenshots = args.screenshots or args.out / ".screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    axe_source = args.axe.read_text(encoding="utf-8")
    results = []
    try:
        with serve(args.out) as origin, chromium(args.chromium) as devtools:
            for page in pages:
                result = check_page(devtools, origin, args.out, page, axe_source, screenshots)
                print("\n".join(format_result(result)), flush=True)
                results.append(result)
    except DevToolsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FOUND

    problems = sum(len(r.problems) for r in results)
    violations = sum(len(r.violations) for r in results)
    elements = sum(len(v.targets) for r in results for v in r.violations)
    print(f"\n{len(results)} pages checked: {problems} problem(s), {violations} "
          f"accessibility violation(s) on {elements} element(s)")
    return EXIT_FOUND if problems or violations else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
