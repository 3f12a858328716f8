"""A real browser (Debian's Chromium through Playwright) against `judgekit serve` with the real
sandboxed judge: log in, submit the reference (AC on every case), submit a wrong answer (the
first failing sample shows expected vs got), and another user cannot open it. Screenshots of
every page go to artifacts/screenshots/ (desktop and phone width)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from web_support import (
    CHROMIUM,
    REPO_ROOT,
    Server,
    add_user,
    need_chromium,
    need_docker,
    running_server,
)

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(600)]

SHOTS = REPO_ROOT / "artifacts" / "screenshots"
REFERENCE = REPO_ROOT / "reference" / "frozen_kernel_unchanged.py"
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
    with running_server(data, workers=2) as running:
        yield running


def shoot(page: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


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
