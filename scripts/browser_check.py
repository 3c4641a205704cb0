#!/usr/bin/env python3
"""Browser and accessibility check of a published site.

Opens every kind of page of a round in headless Chromium (Playwright for Python
driving the system's Chromium, no browser download), saves a full-page
screenshot of each, and fails on console errors, failed requests, requests to
other hosts (a report must open offline), images that do not load, broken
links and the WCAG 2.0/2.1 A and AA violations that axe-core finds. The round's
PDFs must be there too. Swedish public-sector web pages must meet WCAG 2.1 AA
(lag 2018:1937 om tillgänglighet till digital offentlig service).

axe-core comes inside the axe-playwright-python wheel and is read from disk:
nothing is fetched while the check runs.

Usage: python scripts/browser_check.py OUT [--round YEAR] [--municipality CODE]
Exit codes: 0 clean, 1 problems or violations found, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries outside hosts by itself.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars")
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
IMPACT_ORDER = ("critical", "serious", "moderate", "minor")
VIEWPORT = {"width": 1280, "height": 900}
LOAD_TIMEOUT_MS = 60_000

_BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(img => !img.complete || img.naturalWidth === 0)
  .map(img => img.currentSrc || img.getAttribute('src') || '(no src)')"""
_LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => a.getAttribute('href'))"""
_IDS_JS = """() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"""


class UsageError(Exception):
    """The command was given something it cannot check (exit code 2)."""


@dataclass(frozen=True)
class Page:
    kind: str
    path: str  # relative to OUT, with forward slashes

    @property
    def screenshot_name(self) -> str:
        """Flat file name, so every page kind lands in one folder."""
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


# -- choosing pages ---------------------------------------------------------------------


def find_rounds(out: Path) -> list[int]:
    """Round years published under OUT, oldest first."""
    return sorted(int(p.name) for p in out.iterdir()
                  if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


NATIONAL_OVERVIEW = "nationell.html"


def is_national(out: Path, year: int) -> bool:
    """A national round (`run --region all`) has the overview and a folder per county."""
    return (out / str(year) / NATIONAL_OVERVIEW).is_file()


def _lowest_profile(folder: Path) -> str | None:
    profiles = sorted(folder.glob("*.html"), key=lambda p: (not p.stem.isdigit(), p.stem))
    return profiles[0].stem if profiles else None


def _national_county(out: Path, year: int, municipality: str | None) -> tuple[str, str]:
    """The county (and profile) a national check opens: the given municipality's
    county (its code's first two digits), else the lowest county code with a profile."""
    folder = out / str(year)
    if municipality is not None:
        return municipality[:2], municipality
    counties = sorted(p.name for p in folder.iterdir()
                      if p.is_dir() and p.name.isdigit() and len(p.name) == 2)
    for cc in counties:
        code = _lowest_profile(folder / cc / "kommuner")
        if code:
            return cc, code
    return (counties[0] if counties else "<län>"), "<code>"


def select_pages(out: Path, year: int | None = None,
                 municipality: str | None = None) -> list[Page]:
    """One page of each kind: the site index, the accessibility statement, the round
    page, its regional report, its methods page and one municipality profile (the
    given code, else the lowest code). A national round adds its own round page,
    overview and methods page, and opens the county pages of one county (the given
    municipality's, else the lowest county code with a profile).

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
    site = [Page("site index", "index.html"),
            Page("accessibility statement", "tillganglighet.html")]
    if is_national(out, year):
        cc, code = _national_county(out, year, municipality)
        county = f"{year}/{cc}"
        return [*site,
                Page("national round index", f"{year}/index.html"),
                Page("national overview", f"{year}/{NATIONAL_OVERVIEW}"),
                Page("national methods page", f"{year}/metoder.html"),
                Page("round index", f"{county}/index.html"),
                Page("regional report", f"{county}/regional.html"),
                Page("methods page", f"{county}/metoder.html"),
                Page("municipality profile", f"{county}/kommuner/{code}.html")]
    if municipality is None:
        code = _lowest_profile(out / str(year) / "kommuner") or "<code>"
    else:
        code = municipality
    return [*site,
            Page("round index", f"{year}/index.html"),
            Page("regional report", f"{year}/regional.html"),
            Page("methods page", f"{year}/metoder.html"),
            Page("municipality profile", f"{year}/kommuner/{code}.html")]


def missing_pdfs(out: Path, year: int) -> list[Problem]:
    """The round's PDFs that are missing: the regional report's and every profile's.
    A national run prints no PDFs (each county's own run does): its pages link none,
    and the link check covers what they do link."""
    if is_national(out, year):
        return []
    folder = out / str(year)
    wanted = [folder / "regional.pdf"]
    wanted += [p.with_suffix(".pdf") for p in sorted((folder / "kommuner").glob("*.html"))]
    return [Problem(f"{year}/", "missing pdf", p.relative_to(out).as_posix())
            for p in wanted if not p.is_file() or p.read_bytes()[:5] != b"%PDF-"]


# -- judging what the browser reported ---------------------------------------------------


def is_outside(url: str, origin: str) -> bool:
    """A request that leaves ORIGIN (data:, blob: and about: stay on this machine)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss", "ftp"):
        return False
    return f"{parts.scheme}://{parts.netloc}" != origin


def broken_links(hrefs: Iterable[str], page_url: str, origin: str, out: Path,
                 ids: Iterable[str], page: str) -> list[Problem]:
    """Links of a page that lead nowhere: a file missing from OUT, or an anchor
    missing from the page. Links to other sites (Digg's complaint form) and mailto:
    are not followed: the check runs offline."""
    known_ids = set(ids)
    problems = []
    for href in hrefs:
        if href.startswith(("mailto:", "tel:")):
            continue
        url = urljoin(page_url, href)
        if is_outside(url, origin):
            continue
        parts = urlsplit(url)
        target = out / unquote(parts.path.lstrip("/"))
        if parts.path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            problems.append(Problem(page, "broken link", href))
        elif parts.fragment and url.split("#")[0] == page_url.split("#")[0] \
                and parts.fragment not in known_ids:
            problems.append(Problem(page, "broken link", href))
    return problems


def _target_text(target: Any) -> str:
    if isinstance(target, list):  # nested lists step into iframes or shadow roots
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


def axe_options(tags: Sequence[str] = AXE_TAGS) -> dict[str, Any]:
    """axe.run options: only the WCAG 2.0/2.1 A and AA rules, violations only."""
    return {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}


# -- serving the site and driving Chromium -------------------------------------------------


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
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def check_page(context: Any, axe: Any, origin: str, out: Path, page: Page,
               screenshots: Path) -> PageResult:
    """Load one page in a new tab, screenshot it and collect everything it got wrong."""
    result = PageResult(page)
    if not (out / page.path).is_file():
        result.problems.append(Problem(page.path, "missing page", page.path))
        return result
    tab = context.new_page()
    found = result.problems

    def on_console(message: Any) -> None:
        if message.type in ("error", "assert"):
            found.append(Problem(page.path, "console error", message.text))

    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            found.append(Problem(page.path, "failed request",
                                 f"{response.url.replace(origin + '/', '')}: "
                                 f"HTTP {response.status}"))

    def on_failed(request: Any) -> None:
        if not is_outside(request.url, origin) and not request.url.endswith("/favicon.ico"):
            found.append(Problem(page.path, "failed request",
                                 f"{request.url}: {request.failure}"))

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: found.append(Problem(page.path, "console error",
                                                           str(error))))
    tab.on("response", on_response)
    tab.on("requestfailed", on_failed)
    try:
        url = f"{origin}/{page.path}"
        tab.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        tab.evaluate("document.fonts.ready.then(() => true)")
        for src in tab.evaluate(_BROKEN_IMAGES_JS) or []:
            found.append(Problem(page.path, "image not loaded",
                                 src.replace(origin + "/", "")[:120]))
        found.extend(broken_links(tab.evaluate(_LINKS_JS), url, origin, out,
                                  tab.evaluate(_IDS_JS), page.path))
        path = screenshots / page.screenshot_name
        tab.screenshot(path=str(path), full_page=True, timeout=LOAD_TIMEOUT_MS)
        result.screenshot = path
        response = axe.run(tab, options=axe_options()).response
        result.violations = parse_axe_violations(response, page.path)
    finally:
        tab.close()
    return result


def launch(chromium: Path) -> tuple[Any, Any]:
    """Playwright and a headless system Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=list(CHROMIUM_ARGS))
    except Exception:
        playwright.stop()
        raise
    return playwright, browser


def check_site(out: Path, pages: Sequence[Page], screenshots: Path, chromium: Path,
               year: int) -> list[PageResult]:
    """Every page checked in one browser; requests leaving the site are refused
    and reported."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    results = []
    with serve(out) as origin:
        playwright, browser = launch(chromium)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="sv-SE",
                                          service_workers="block")
            outside: list[str] = []

            def guard(route: Any) -> None:
                if is_outside(route.request.url, origin):
                    outside.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            context.route("**/*", guard)
            for page in pages:
                before = len(outside)
                result = check_page(context, axe, origin, out, page, screenshots)
                result.problems += [Problem(page.path, "outside request", u)
                                    for u in outside[before:]]
                results.append(result)
                print("\n".join(format_result(result)), flush=True)
            context.close()
        finally:
            browser.close()
            playwright.stop()
    pdfs = PageResult(Page("PDF files", f"{year}/*.pdf"), problems=missing_pdfs(out, year))
    print("\n".join(format_result(pdfs)), flush=True)
    results.append(pdfs)
    return results


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
    if not result.problems and not result.violations:
        lines.append("   ok")
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python scripts/browser_check.py",
        description="Open a published round in headless Chromium: screenshots, console "
                    "and network errors, links, images, PDFs and WCAG 2.1 A/AA checks "
                    "with axe-core.",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Check the round; 0 clean, 1 problems or violations found, 2 usage error."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        pages = select_pages(args.out, args.year, args.municipality)
        if not args.chromium.is_file():
            raise UsageError(f"{args.chromium} not found: apt-get install chromium")
        try:
            import axe_playwright_python  # noqa: F401
            import playwright  # noqa: F401
        except ImportError:
            raise UsageError("playwright and axe-playwright-python are not installed: "
                             "pip install -e '.[browser]'") from None
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    year = args.year or find_rounds(args.out)[-1]
    screenshots = args.screenshots or args.out / ".screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    try:
        results = check_site(args.out, pages, screenshots, args.chromium, year)
    except Exception as exc:  # Chromium did not start, or a page never loaded
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_FOUND

    problems = sum(len(r.problems) for r in results)
    violations = sum(len(r.violations) for r in results)
    elements = sum(len(v.targets) for r in results for v in r.violations)
    print(f"\n{len(pages)} pages checked and the PDFs: {problems} problem(s), {violations} "
          f"accessibility violation(s) on {elements} element(s)")
    return EXIT_FOUND if problems or violations else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
