"""Lighthouse on every public page of the demo site, against issue 13's budgets.

    uv run python tools/lighthouse/run.py [--performance-budget N] [--reports DIR] [--json FILE]

Potluck is started as production serves it: DEBUG off, a throwaway SQLite database in a
temporary folder, `migrate`, `seed_demo --in-production`, `collectstatic` (into the
git-ignored staticfiles/), gunicorn bound to 127.0.0.6. gunicorn terminates TLS itself with
a self-signed certificate made for 127.0.0.6, so the pages are audited over https as visitors
get them behind the proxy: Secure cookies, HSTS and Lighthouse's "Uses HTTPS" hold for real
(Chromium is told to accept the certificate). Then tools/lighthouse/audit.mjs runs Lighthouse
(mobile, default simulated throttling) on each page in one Chromium; the table of the four
category scores is printed, with every weighted audit that did not pass, and the exit status
is 1 when a page misses a budget.

Budgets: performance >= 98 (--performance-budget), accessibility, best practices and SEO 100.
EXCEPTIONS below lists, per page, the audits that fail on purpose; they are left out of that
page's score, and each must still fail, so an exception never outlives its reason.
Needs `make lighthouse-install` (npm ci in tools/lighthouse) and Debian's chromium.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.6"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
BUDGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}


def _fails(audit: dict) -> bool:
    return audit["score"] == 0


def _only_own_404(audit: dict) -> bool:
    """The one console error is Chromium's note that the document itself answered 404."""
    items = audit["details"]["items"]
    return bool(items) and all(
        item["source"] == "network"
        and "status of 404" in item["description"]
        and item["sourceLocation"]["url"].endswith(PAGE_404)
        for item in items
    )


PAGE_404 = "/no-such-page/"
# Audits that fail on purpose, per page name: (reason, the check that it fails for that reason
# alone). They are left out of the page's score; an exception whose check no longer holds is a
# failure, so none outlives its reason.
EXCEPTIONS = {
    # robots.txt says "Disallow: /accounts/" (groups/views.py): the login and sign-up forms
    # are kept out of search results on purpose, so "Page isn't blocked from indexing" fails.
    "login": {"is-crawlable": ("robots.txt disallows /accounts/ on purpose", _fails)},
    "signup": {"is-crawlable": ("robots.txt disallows /accounts/ on purpose", _fails)},
    # A missing page answers 404 on purpose: "Page has successful HTTP status code" fails, and
    # Chromium logs the 404 of the document itself as a console error ("No browser errors").
    "404": {
        "http-status-code": ("a missing page answers 404 on purpose", _fails),
        "errors-in-console": ("Chromium logs the page's own 404 status", _only_own_404),
    },
}

# Pages found in the seeded demo; printed as JSON by `manage.py shell`.
FIND_PAGES = """
import json
from django.utils import timezone
from events.models import Event, Series, Speaker
from photos.models import Album, Visibility
now = timezone.now()
events = Event.objects.published()
pages = {
    "event": events.upcoming(now).first().get_absolute_url(),
    "past-event": events.past(now).first().get_absolute_url(),
    "speaker": Speaker.objects.order_by("pk").first().get_absolute_url(),
    "series": Series.objects.order_by("pk").first().get_absolute_url(),
    "album": Album.objects.filter(visibility=Visibility.PUBLIC).order_by("pk").first()
        .get_absolute_url(),
}
print("PAGES:" + json.dumps(pages))
"""


def pages(found: dict[str, str]) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("events", "/events/"),
        ("past-events", "/events/past/"),
        ("event", found["event"]),
        ("past-event", found["past-event"]),
        ("speaker", found["speaker"]),
        ("series", found["series"]),
        ("photos", "/photos/"),
        ("album", found["album"]),
        ("calendar", "/calendar/"),
        ("privacy", "/privacy/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("404", PAGE_404),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(workdir: Path, port: int) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "POTLUCK_"))
        and name not in {"DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS", "WEB_CONCURRENCY"}
    }
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        POTLUCK_SITE_URL=f"https://{HOST}:{port}",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        POTLUCK_MEDIA_ROOT=str(workdir / "media"),
        # Not the checkout's staticfiles/: every test client of a suite running beside this
        # would scan it (WhiteNoise reads STATIC_ROOT whenever a handler starts).
        POTLUCK_STATIC_ROOT=str(workdir / "static"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {args[0]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make_certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    # fmt: off
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST}",
        "-keyout", str(key), "-out", str(cert),
    ]
    # fmt: on
    subprocess.run(  # noqa: S603
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


def _insecure() -> ssl.SSLContext:
    """For this script's own requests to the self-signed server."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def warm_up(origin: str, page_list: list[tuple[str, str]]) -> None:
    """Each page a few times first, so that every gunicorn worker has imported and compiled
    what it serves: the audits measure a running site, not the first request after a start."""
    for _round in range(3):
        for _name, path in page_list:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(origin + path, context=_insecure(), timeout=30).close()  # noqa: S310


def wait_until_answering(url: str, server: subprocess.Popen, log: Path) -> None:
    insecure = _insecure()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited {server.returncode}:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, context=insecure, timeout=5) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within 60 s:\n{log.read_text()}")


@contextlib.contextmanager
def serve(workdir: Path):
    """Potluck in production mode on https://127.0.0.6:<port>; yields (origin, pages)."""
    port = free_port()
    env = production_env(workdir, port)
    manage(env, "migrate", "--no-input")
    manage(env, "seed_demo", "--in-production")
    manage(env, "collectstatic", "--no-input")
    out = manage(env, "shell", "--no-imports", "-c", FIND_PAGES)
    found = json.loads(next(line for line in out.splitlines() if line.startswith("PAGES:"))[6:])
    cert, key = make_certificate(workdir)
    log = workdir / "gunicorn.log"
    with log.open("ab") as output:
        # fmt: off
        command = [
            str(BIN / "gunicorn"), "config.wsgi", "--workers", "2",
            "--bind", f"{HOST}:{port}", "--certfile", str(cert), "--keyfile", str(key),
        ]
        # fmt: on
        server = subprocess.Popen(  # noqa: S603
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    origin = f"https://{HOST}:{port}"
    try:
        wait_until_answering(origin + "/healthz", server, log)
        page_list = pages(found)
        warm_up(origin, page_list)
        yield origin, page_list
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def audit(
    origin: str, page_list: list[tuple[str, str]], reports: Path, categories: list[str]
) -> list[dict]:
    """Runs audit.mjs; returns each page's Lighthouse report (the JSON it saved)."""
    node_modules = HERE / "node_modules" / "lighthouse"
    if not node_modules.exists():
        sys.exit("tools/lighthouse/node_modules is missing: run `make lighthouse-install`")
    targets = [("status-ok:" if name == "404" else "") + origin + path for name, path in page_list]
    env = dict(
        os.environ,
        CHROME_PATH=os.environ.get("CHROME_PATH")
        or os.environ.get("CHROMIUM")
        or "/usr/bin/chromium",
        LIGHTHOUSE_CATEGORIES=",".join(categories),
    )
    done = subprocess.run(  # noqa: S603
        ["node", str(HERE / "audit.mjs"), str(reports), *targets],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"audit.mjs exited {done.returncode}:\n{done.stdout}\n{done.stderr[-5000:]}")
    return [json.loads((reports / f"{index}.json").read_text()) for index in range(len(page_list))]


def judge(name: str, lhr: dict, performance_budget: int, categories: list[str]) -> dict:
    """Scores (with this page's exceptions left out) and the problems against the budgets."""
    exceptions = EXCEPTIONS.get(name, {})
    budgets = dict(BUDGETS, performance=performance_budget)
    scores, problems = {}, []
    for category in categories:
        refs = [
            (ref["weight"], lhr["audits"][ref["id"]])
            for ref in lhr["categories"][category]["auditRefs"]
            if ref["weight"] > 0 and lhr["audits"][ref["id"]]["score"] is not None
        ]
        kept = [(weight, audit) for weight, audit in refs if audit["id"] not in exceptions]
        total = sum(weight for weight, _ in kept)
        score = round(100 * sum(weight * audit["score"] for weight, audit in kept) / total)
        scores[category] = score
        if score < budgets[category]:
            failing = [
                f"{audit['id']} ({audit['score']:.2f}"
                + (f", {audit['displayValue']}" if audit.get("displayValue") else "")
                + ")"
                for _, audit in kept
                if audit["score"] < 1
            ]
            problems.append(f"{category} {score} < {budgets[category]}: {', '.join(failing)}")
    for audit_id, (reason, check) in exceptions.items():
        if audit_id not in lhr["audits"]:
            continue
        if not check(lhr["audits"][audit_id]):
            problems.append(f"exception {audit_id} ({reason}) does not hold: fix or remove it")
    return {"scores": scores, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--performance-budget",
        type=int,
        default=BUDGETS["performance"],
        help="0 reports performance without holding it to a budget",
    )
    parser.add_argument(
        "--skip-performance",
        action="store_true",
        help="accessibility, best practices and SEO only (the pytest test: quicker, and "
        "their results do not depend on the machine's load)",
    )
    parser.add_argument(
        "--performance-tries",
        type=int,
        default=3,
        help="a page under the performance budget is audited again, up to this many runs in "
        "all, and its best run counts (the timing of one run is noisy on a busy machine)",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=HERE / "reports",
        help="where each page's HTML and JSON report goes (default tools/lighthouse/reports)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--only", help="comma-separated page names (home, events, 404, …), in that order"
    )
    options = parser.parse_args()

    categories = CATEGORIES[1:] if options.skip_performance else CATEGORIES
    started = time.monotonic()
    for old in options.reports.glob("run-*"):
        shutil.rmtree(old)
    with (
        tempfile.TemporaryDirectory(prefix="potluck-lighthouse-") as tmp,
        serve(Path(tmp)) as (origin, page_list),
    ):
        if options.only:
            by_name = dict(page_list)
            page_list = [(name, by_name[name]) for name in options.only.split(",")]
        served = time.monotonic()
        reports = audit(origin, page_list, options.reports / "run-1", categories)
        runs = [1] * len(page_list)
        for attempt in range(2, options.performance_tries + 1):
            if options.skip_performance:
                break
            slow = [
                index
                for index, lhr in enumerate(reports)
                if 100 * lhr["categories"]["performance"]["score"] < options.performance_budget
            ]
            if not slow:
                break
            again = audit(
                origin, [page_list[i] for i in slow], options.reports / f"run-{attempt}", categories
            )
            for index, lhr in zip(slow, again, strict=True):
                runs[index] += 1
                best = reports[index]["categories"]["performance"]["score"]
                if lhr["categories"]["performance"]["score"] > best:
                    reports[index] = lhr
    audited = time.monotonic()

    results = []
    width = max(len(path) for _, path in page_list)
    header = f"{'page':<{width}}  {'perf':>4}  {'a11y':>4}  {'b-p':>4}  {'seo':>4}  runs"
    print(header)
    print("-" * len(header))
    for (name, path), lhr, count in zip(page_list, reports, runs, strict=True):
        verdict = judge(name, lhr, options.performance_budget, categories)
        results.append({"name": name, "path": path, "runs": count, **verdict})
        s = verdict["scores"]
        print(
            f"{path:<{width}}  {s.get('performance', '-'):>4}  {s['accessibility']:>4}  "
            f"{s['best-practices']:>4}  {s['seo']:>4}  {count:>4}"
            f"{'  *' if name in EXCEPTIONS else ''}{'  FAIL' if verdict['problems'] else ''}"
        )
    print()
    names = {name for name, _ in page_list}
    for name, reasons in EXCEPTIONS.items():
        for audit_id, (reason, _check) in reasons.items():
            if name in names:
                print(f"* {name}: {audit_id} left out of the score ({reason})")
    failures = [result for result in results if result["problems"]]
    for result in failures:
        for problem in result["problems"]:
            print(f"{result['path']}: {problem}")
    performance = (
        f"performance >= {options.performance_budget} (best of up to "
        f"{options.performance_tries} runs)"
        if options.performance_budget and not options.skip_performance
        else "performance not measured"
        if options.skip_performance
        else "performance not held to a budget"
    )
    print(
        f"\nbudgets: {performance}; accessibility, best practices, SEO 100. "
        f"Set-up {served - started:.0f} s, Lighthouse {audited - served:.0f} s; "
        f"reports in {options.reports}"
    )
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
