"""A real browser (Debian's Chromium through Playwright).

Against `judgekit serve` with the real sandboxed judge (needs Docker): log in, submit the
reference (AC on every case), submit a wrong answer (the first failing sample shows expected vs
got), and another user cannot open it. Screenshots of every page go to artifacts/screenshots/
(desktop and phone width).

Against the app with a gated fake judge in this process (no Docker; the judge's verdicts are
not what is tested here): a class's journey, with axe-core's WCAG 2.1 A and AA rules on every
page, a keyboard-only submission, the summary per group, queue position with several queued
submissions, the 429 page, grade export as CSV, and the similarity pages."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from judgekit.package.problem import Problem
from repo_support import REFERENCE, REPO_ROOT
from web_support import (
    CHROMIUM,
    InstantFakeJudge,
    Server,
    StepGate,
    add_user,
    free_port,
    need_chromium,
    need_docker,
    running_server,
    until_one,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

SHOTS = REPO_ROOT / "artifacts" / "screenshots"
WRONG = """import jax.numpy as jnp


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    # Wrong on purpose: counts the bias as a parameter and forgets the norms.
    return jnp.array([2.0, 1.0, 0.0], dtype=jnp.float32)
"""
PASSWORD = "browser test password"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    need_chromium()
    need_docker()
    data = tmp_path_factory.mktemp("browser") / "judge-data"
    add_user(data, "admin", PASSWORD, admin=True)
    add_user(data, "alice", PASSWORD)
    add_user(data, "bob", PASSWORD)
    with running_server(data, judging_threads=2) as running:
        yield running


def shoot(page: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@pytest.mark.docker
def test_learner_journey(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            alice = browser.new_context(viewport=DESKTOP)
            page = alice.new_page()
            page.goto(server.url + "/login")
            shoot(page, "01-login")
            page.fill("input[name=name]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            expect(page.get_by_test_id("who")).to_contain_text("alice")
            page.goto(server.url + "/")
            expect(page.locator("article.statement h1").first).to_be_visible()
            shoot(page, "02-problem")

            # The reference, uploaded as a file: AC on every case, filled in live.
            page.goto(server.url + "/submit")
            shoot(page, "03-submit")
            page.set_input_files("input[name=file]", str(REFERENCE))
            page.click("#submit-form button[type=submit]")
            page.wait_for_url("**/submissions/*")
            page.wait_for_selector("tr.case", timeout=180_000)
            shoot(page, "04-judging-live")
            banner = page.locator("#result .banner")
            expect(banner).to_have_attribute("data-verdict", "AC", timeout=240_000)
            verdicts = page.locator("tr.case").evaluate_all(
                "rows => rows.map(r => r.dataset.verdict)"
            )
            assert verdicts and set(verdicts) == {"AC"}, verdicts
            shoot(page, "05-accepted")

            # A wrong answer pasted into the editor: the first failing sample is open.
            page.goto(server.url + "/submit")
            page.locator(".CodeMirror").evaluate(
                "(el, code) => el.CodeMirror.setValue(code)", WRONG
            )
            shoot(page, "06-editor")
            page.click("#submit-form button[type=submit]")
            page.wait_for_url("**/submissions/*")
            wrong_url = page.url
            expect(banner).to_have_attribute("data-verdict", "WA", timeout=240_000)
            first = page.locator("tr.detail details[open]").first
            expect(first).to_be_visible()
            values = first.locator("table.values")
            expect(values.locator("td.expected").first).to_be_visible()
            expect(values.locator("td.got").first).to_have_text("2.0")
            assert page.locator("tr.detail details[open]").count() == 1
            hidden = page.locator("tr.case[data-case^='secret/']")
            assert hidden.count() > 0
            assert page.locator("tr.detail[data-detail^='secret/']").count() == 0
            shoot(page, "07-wrong-answer")
            page.goto(server.url + "/submissions")
            expect(page.locator("table.list tbody tr")).to_have_count(2)
            shoot(page, "08-my-submissions")

            phone = browser.new_context(viewport=PHONE, storage_state=alice.storage_state())
            phone_page = phone.new_page()
            for path, name in (
                ("/", "09-phone-problem"),
                (wrong_url[len(server.url) :], "10-phone-wrong-answer"),
                ("/submit", "11-phone-submit"),
            ):
                phone_page.goto(server.url + path)
                shoot(phone_page, name)
            phone.close()

            # Bob cannot open Alice's submission.
            bob = browser.new_context(viewport=DESKTOP)
            bob_page = bob.new_page()
            bob_page.goto(server.url + "/login")
            bob_page.fill("input[name=name]", "bob")
            bob_page.fill("input[name=password]", PASSWORD)
            bob_page.click("form[action='/login'] button[type=submit]")
            expect(bob_page.get_by_test_id("who")).to_contain_text("bob")
            response = bob_page.goto(wrong_url)
            assert response is not None and response.status == 404
            expect(bob_page.locator("[data-testid=source]")).to_have_count(0)
            shoot(bob_page, "12-other-user-404")

            admin = browser.new_context(viewport=DESKTOP)
            admin_page = admin.new_page()
            admin_page.goto(server.url + "/login")
            admin_page.fill("input[name=name]", "admin")
            admin_page.fill("input[name=password]", PASSWORD)
            admin_page.click("form[action='/login'] button[type=submit]")
            admin_page.goto(server.url + "/admin")
            expect(admin_page.get_by_test_id("count-done")).to_have_text("2")
            shoot(admin_page, "13-admin")
        finally:
            browser.close()


# -- a class's journey, against a gated fake judge ------------------------------------------

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HALF_RIGHT = """def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    # HALF of the cases right (the fake judge's marker)
    return [1.0, 2.0, 3.0]
"""
FILES = Path(__file__).resolve().parent / "similarity_files"


@dataclass
class ClassServer:
    url: str
    gate: StepGate
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def class_server(
    tmp_path_factory: pytest.TempPathFactory, problem: Problem
) -> Iterator[ClassServer]:
    import uvicorn
    from judgekit.web.accounts import auth
    from judgekit.web.app import create_app
    from judgekit.web.db.database import Database
    from judgekit.web.http_server import server_config
    from judgekit.web.settings import Settings

    need_chromium()
    data = tmp_path_factory.mktemp("class") / "judge-data"
    db = Database.for_data_dir(data)
    tokens = {
        name: auth.create_user(db, name, PASSWORD, admin=name == "admin")[1]
        for name in ("admin", "alice", "bob")
    }
    db.close()
    gate = StepGate()
    gate.open()
    port = free_port()
    settings = Settings(
        problem=problem,
        data_dir=data,
        host="127.0.0.1",
        port=port,
        judging_threads=1,
        max_pending_per_user=4,
        similarity_poll_s=0.2,
    )
    server = uvicorn.Server(server_config(create_app(settings, InstantFakeJudge(gate)), settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    try:
        yield ClassServer(f"http://127.0.0.1:{port}", gate, tokens)
    finally:
        gate.open()
        server.should_exit = True
        thread.join(30)


def assert_accessible(page: Page, name: str) -> None:
    """axe-core's WCAG 2.1 A and AA rules find nothing on PAGE; a screenshot either way."""
    from axe_playwright_python.sync_playwright import Axe

    shoot(page, f"class-{name}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    found = [
        f"{v['id']} ({len(v['nodes'])}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]
    assert not found, f"{name} ({page.url}): {found}"


def api_upload(server: ClassServer, user: str, source: str) -> int:
    response = httpx.post(
        f"{server.url}/api/submissions",
        headers={"Authorization": f"Bearer {server.tokens[user]}"},
        json={"source": source},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def api_wait(server: ClassServer, user: str, submission_id: int) -> None:
    with httpx.Client(base_url=server.url) as client:
        until_one(client, submission_id, token=server.tokens[user], timeout=30)


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/submissions")


def focused_in(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => !!document.activeElement?.closest(s)", selector))


def tab_until(page: Page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_in(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_class_journey_is_accessible_and_readable(class_server: ClassServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = class_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
            page.goto(url + "/login")
            assert_accessible(page, "login")
            log_in(page, url, "alice")
            page.goto(url + "/")
            assert_accessible(page, "problem")

            # Keyboard only: Tab to the editor, paste, Escape + Tab out, Enter on Submit.
            page.goto(url + "/submit")
            assert_accessible(page, "submit")
            tab_until(page, ".CodeMirror")
            page.keyboard.insert_text(HALF_RIGHT)  # what a paste delivers
            page.keyboard.press("Tab")  # Tab inside the editor indents: focus stays
            assert focused_in(page, ".CodeMirror")
            page.keyboard.press("Escape")
            tab_until(page, "#submit-form button[type=submit]")
            page.keyboard.press("Enter")
            page.wait_for_url("**/submissions/*")
            half_url = page.url
            banner = page.locator("#result .banner")
            expect(banner).to_have_attribute("data-verdict", "WA", timeout=30_000)

            # The summary per group: passed/total first, the first failing sample open,
            # the hidden group collapsed, a filter for failures.
            summary = page.get_by_test_id("group-summary")
            expect(summary.locator("li[data-group=sample]")).to_contain_text("2/4")
            expect(summary.locator("li[data-group=secret]")).to_contain_text("67/134")
            assert page.locator("tr.detail details[open]").count() == 1
            expect(page.locator("tr.detail details[open]")).to_be_visible()
            hidden = page.get_by_test_id("hidden-secret")
            expect(hidden).not_to_have_attribute("open", "")
            expect(page.locator("tr.case[data-case^='secret/']").first).to_be_hidden()
            assert page.locator("tr.detail[data-detail^='secret/']").count() == 0
            assert_accessible(page, "judged-wa")
            passing = page.locator("tr.case:not(.failed)").first
            expect(passing).to_be_visible()
            page.get_by_label("Show failed cases only").check()
            expect(passing).to_be_hidden()
            expect(page.locator("tr.case.failed").first).to_be_visible()
            assert_accessible(page, "judged-wa-failures-only")

            accepted = api_upload(class_server, "alice", "def f():\n    return 1\n")
            api_wait(class_server, "alice", accepted)
            page.goto(f"{url}/submissions/{accepted}")
            expect(banner).to_have_attribute("data-verdict", "AC")
            assert_accessible(page, "judged-ac")

            # Queue position: one running, three queued behind it, updated live.
            class_server.gate.close()
            queued = [api_upload(class_server, "alice", f"x = {n}\n") for n in range(4)]
            page.goto(f"{url}/submissions/{queued[-1]}")
            place = page.get_by_test_id("queue-place")
            expect(place).to_have_attribute("data-position", "3")
            expect(place).to_contain_text("Place 3 in the queue (2 submissions ahead)")
            expect(place).to_contain_text("estimated wait: about")
            assert_accessible(page, "queued")
            page.goto(url + "/submit")  # the per-user limit (4) is reached
            page.locator(".CodeMirror").evaluate("(el) => el.CodeMirror.setValue('x = 9')")
            page.click("#submit-form button[type=submit]")
            expect(page.get_by_test_id("submit-error")).to_contain_text(
                "you already have 4 submissions waiting"
            )
            expect(page.get_by_test_id("submit-error")).to_contain_text("try again in 5 s")
            assert_accessible(page, "too-many-pending")
            page.goto(f"{url}/submissions/{queued[-1]}")
            expect(place).to_have_attribute("data-position", "3")
            class_server.gate.step()  # the running one finishes, the next one starts
            expect(place).to_have_attribute("data-position", "2", timeout=10_000)
            class_server.gate.open()
            expect(banner).to_have_attribute("data-verdict", "AC", timeout=30_000)
            page.goto(url + "/submissions")
            assert_accessible(page, "my-submissions")
            response = page.goto(url + "/submissions/999999")
            assert response is not None and response.status == 404
            assert_accessible(page, "not-found")

            # Similarity: Bob hands in a renamed copy of Alice's solution.
            original = api_upload(class_server, "alice", (FILES / "original.py.txt").read_text())
            copy = api_upload(class_server, "bob", (FILES / "renamed_copy.py.txt").read_text())
            api_wait(class_server, "bob", copy)

            admin = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
            log_in(admin, url, "admin")
            admin.goto(url + "/admin")
            assert_accessible(admin, "admin")
            admin.goto(url + "/admin/grades")
            assert_accessible(admin, "grades")
            with admin.expect_download() as info:
                admin.get_by_test_id("grades-csv").click()
            rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
            by_user = {row["user"]: row for row in rows}
            assert set(by_user) == {"alice", "bob"}
            assert by_user["alice"]["best_verdict"] == "AC"
            assert by_user["alice"]["attempts"] == "7"
            assert by_user["alice"]["first_ac_url"] == f"{url}/submissions/{accepted}"

            pair = admin.locator(f"tr[data-pair='{original}-{copy}']")
            for _ in range(50):
                admin.goto(url + "/admin/similarity")
                if pair.count():
                    break
                time.sleep(0.2)
            expect(pair).to_be_visible()
            assert_accessible(admin, "similarity")
            pair.get_by_role("link", name="side by side").click()
            expect(admin.locator("mark.match").first).to_be_visible()
            assert admin.get_by_test_id("side-2").locator("mark.match").count() >= 1
            assert_accessible(admin, "similarity-pair")
            page.goto(half_url)
            assert_accessible(page, "judged-wa-reloaded")
        finally:
            browser.close()
