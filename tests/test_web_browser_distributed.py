"""The browser against the distributed judge: `judgekit serve --broker` (nothing judges in the
web process) and one `judgekit worker` judge host. A submission made through the page fills in
case by case while the judge host runs it, then shows the verdict; the admin page shows the
queue and the judge host's device, job and heartbeat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from judge_hosts_support import start_judge_host, start_web_app, wait_for_log
from postgres_support import PostgresServer
from redis_support import redis_server
from repo_support import REFERENCE, need
from web_support import CHROMIUM, Server, add_user, need_chromium, need_docker

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(600)]

PASSWORD = "distributed browser password"


@pytest.fixture(scope="module")
def web(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer | None
) -> Iterator[Server]:
    need_chromium()
    need_docker()
    need(postgres_server is not None, "PostgreSQL 15 (run tools/setup.sh)")
    assert postgres_server is not None
    database = postgres_server.create_database()
    folder = tmp_path_factory.mktemp("distributed")
    data = folder / "judge-data"
    add_user(data, "admin", PASSWORD, admin=True, database_url=database)
    add_user(data, "alice", PASSWORD, database_url=database)
    with redis_server(folder / "redis") as broker:
        app = start_web_app(data, broker.url, database_url=database)
        host = start_judge_host(folder, "browser-host", broker.url, app.url)
        try:
            wait_for_log(host, "judge host", 180)
            yield app
        finally:
            host.stop()
            app.stop()


def log_in(page: object, url: str, name: str) -> None:
    page.goto(url + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]


def test_cases_appear_live_while_a_judge_host_judges(web: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            log_in(page, web.url, "alice")
            expect(page.get_by_test_id("who")).to_contain_text("alice")
            page.goto(web.url + "/submit")
            page.set_input_files("input[name=file]", str(REFERENCE))
            page.click("#submit-form button[type=submit]")
            page.wait_for_url("**/submissions/*")
            # Some cases are shown while the verdict is still pending: they arrive live.
            page.wait_for_function(
                "() => document.querySelectorAll('[data-case]').length > 0"
                " && document.querySelector('[data-testid=verdict]').dataset.verdict === ''",
                timeout=180_000,
            )
            expect(page.get_by_test_id("verdict")).to_have_attribute(
                "data-verdict", "AC", timeout=240_000
            )

            admin = browser.new_page()
            log_in(admin, web.url, "admin")
            admin.goto(web.url + "/admin")
            hosts = admin.get_by_test_id("judging-slots")
            expect(hosts).to_contain_text("browser-host/1")
            expect(hosts).to_contain_text("cpu")
            expect(admin.get_by_test_id("queues")).to_contain_text("judgekit.cpu")
        finally:
            browser.close()
