"""The web judge for a class, against a fake judge (fast; no Docker): the admin gate, queue
position and wait estimate, the summary per group, the 429 page, grade export and similarity.
Whatever reads or writes the database runs on SQLite and on PostgreSQL (conftest's
`database_url`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from judgekit.package.problem import Problem
from judgekit.web.accounts import auth
from judgekit.web.classroom import api as class_api
from judgekit.web.classroom import pages as class_pages
from judgekit.web.db.database import Database
from judgekit.web.judging.queue_place import NO_SLOTS, QueuePlace, estimate_wait
from judgekit.web.routes import api, events, pages
from judgekit.web.routes.pages import require_admin
from judgekit.web.settings import Settings
from web_support import PASSWORD, InstantFakeJudge, app_client, bearer, until_one, upload

WRONG = b"WRONG = 1\n\ndef frozen_kernel_unchanged(seed, x, f, bias):\n    return [0, 0, 0]\n"


@pytest.fixture()
def tokens(database_url: str) -> dict[str, str]:
    db = Database(database_url)
    try:
        return {
            name: auth.create_user(db, name, PASSWORD, admin=name == "admin")[1]
            for name in ("alice", "bob", "-cmd", "admin")
        }
    finally:
        db.close()


@pytest.fixture()
def gate() -> threading.Event:
    opened = threading.Event()
    opened.set()
    return opened


@pytest.fixture()
def client(
    problem: Problem,
    data: Path,
    database_url: str,
    tokens: dict[str, str],
    gate: threading.Event,
) -> Iterator[TestClient]:
    settings = Settings(
        problem=problem,
        data_dir=data,
        database_url=database_url,
        judging_threads=1,
        max_pending_per_user=3,
        similarity_poll_s=0.1,
    )
    with app_client(settings, InstantFakeJudge(gate)) as test_client:
        yield test_client


def login(client: TestClient, name: str) -> None:
    csrf = client.get("/login").cookies.get(auth.CSRF_COOKIE) or client.cookies.get(
        auth.CSRF_COOKIE
    )
    response = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, auth.CSRF_FIELD: csrf, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


# -- the admin gate -------------------------------------------------------------------------

ADMIN_PAGES = [
    ("GET", "/admin"),
    ("POST", "/admin/rejudge"),
    ("GET", "/admin/grades"),
    ("GET", "/admin/grades.csv"),
    ("GET", "/admin/similarity"),
    ("GET", "/admin/similarity/1/2"),
]


def test_every_admin_page_sends_nobody_to_log_in_and_back_and_hides_from_a_learner(
    client: TestClient,
) -> None:
    for method, path in ADMIN_PAGES:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"] == f"/login?next={quote(path)}"
    login(client, "alice")
    for method, path in ADMIN_PAGES:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 404, (method, path, response.status_code)


def test_every_admin_route_is_behind_the_one_gate() -> None:
    routers = (pages.router, class_pages.router, api.router, class_api.router, events.router)
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    admin = [r for r in routes if r.path.startswith("/admin")]
    assert {(method, r.path) for r in admin for method in r.methods or ()} == {
        (method, path.replace("1/2", "{first_id}/{second_id}").replace(".csv", ".{kind}"))
        for method, path in ADMIN_PAGES
    }
    for route in admin:
        assert [d.call for d in route.dependant.dependencies].count(require_admin) == 1, route


# -- queue position -------------------------------------------------------------------------


def test_the_wait_is_the_median_judging_time_per_slot_for_each_submission_up_to_this_one() -> None:
    assert estimate_wait(0, [4.0], 1) == 4.0
    assert estimate_wait(2, [10.0, 20.0, 90.0], 2) == 30.0
    assert estimate_wait(5, [], 4) is None
    assert estimate_wait(0, [4.0], 0) is None  # nothing judges that device
    assert "unknown" in QueuePlace(1, 0, None).text
    assert "no judge host" in QueuePlace(1, 0, None, NO_SLOTS).text


def test_queued_submissions_show_their_place_and_wait_in_the_api_and_the_page(
    client: TestClient, tokens: dict[str, str], gate: threading.Event
) -> None:
    alice, bob = tokens["alice"], tokens["bob"]
    until_one(client, upload(client, alice), token=alice)  # some judging history
    gate.clear()
    running = upload(client, alice)
    until_one(client, running, "running", token=alice)
    second, third = upload(client, bob), upload(client, alice)
    assert client.get(f"/api/submissions/{running}", headers=bearer(alice)).json()["queue"] is None
    place = client.get(f"/api/submissions/{third}", headers=bearer(alice)).json()["queue"]
    assert place["position"] == 2 and place["ahead"] == 1
    assert isinstance(place["estimated_wait_s"], float) and place["estimated_wait_s"] >= 0
    assert (
        client.get(f"/api/submissions/{second}", headers=bearer(bob)).json()["queue"]["position"]
        == 1
    )
    login(client, "alice")
    page = client.get(f"/submissions/{third}", headers={"accept": "text/html"}).text
    assert "Place 2 in the queue (1 submission ahead)" in page
    gate.set()
    assert until_one(client, third, token=alice)["queue"] is None


def test_openapi_describes_the_queue_place(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    queue = schema["components"]["schemas"]["QueueModel"]
    assert set(queue["properties"]) == {"position", "ahead", "estimated_wait_s"}
    assert "queue" in schema["components"]["schemas"]["SubmissionModel"]["properties"]


# -- the 429 page ---------------------------------------------------------------------------


def test_the_pending_limit_page_says_the_limit_and_how_long_to_wait(
    client: TestClient, tokens: dict[str, str], gate: threading.Event
) -> None:
    gate.clear()
    for _ in range(3):
        upload(client, tokens["alice"])
    login(client, "alice")
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    response = client.post(
        "/submit",
        data={"code": "x = 2\n", auth.CSRF_FIELD: csrf},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "5"
    assert "you already have 3 submissions waiting" in response.text
    assert "try again in 5 s" in response.text
    api = client.post("/api/submissions", headers=bearer(tokens["alice"]), json={"source": "x"})
    assert api.status_code == 429 and api.headers["retry-after"] == "5"
    assert "detail" in api.json()
    gate.set()


# -- the summary per group ------------------------------------------------------------------


def test_a_judged_submission_shows_a_summary_per_group_and_keeps_hidden_cases_collapsed(
    client: TestClient, tokens: dict[str, str], problem: Problem
) -> None:
    wrong = upload(client, tokens["alice"], WRONG)
    until_one(client, wrong, token=tokens["alice"])
    login(client, "alice")
    page = client.get(f"/submissions/{wrong}", headers={"accept": "text/html"}).text
    assert 'data-testid="group-summary"' in page
    hidden = sorted(problem.hidden_groups)
    for group in hidden:
        assert f'<details class="hidden-group" data-group="{group}"' in page  # not open
    assert page.count("<details open") == 1  # the first failing public case only
    assert 'id="only-failures"' in page


# -- grade export ---------------------------------------------------------------------------


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_grades_give_each_learner_the_best_verdict_attempts_and_first_ac(
    client: TestClient, tokens: dict[str, str]
) -> None:
    alice, bob = tokens["alice"], tokens["bob"]
    wrong = upload(client, alice, WRONG)
    until_one(client, wrong, token=alice)
    accepted = upload(client, alice)
    until_one(client, accepted, token=alice)
    until_one(client, upload(client, alice, WRONG), token=alice)  # a worse try after the AC
    until_one(client, upload(client, bob, WRONG), token=bob)
    admin = bearer(tokens["admin"])
    body = client.get("/api/grades", headers=admin).json()
    by_user = {g["user"]: g for g in body["grades"]}
    assert set(by_user) == {"alice", "bob", "-cmd"}  # admins are not graded
    assert by_user["alice"]["best_verdict"] == "AC" and by_user["alice"]["attempts"] == 3
    assert by_user["alice"]["first_ac_submission_id"] == accepted
    assert by_user["alice"]["first_ac_url"].endswith(f"/submissions/{accepted}")
    assert by_user["bob"]["best_verdict"] == "WA" and by_user["bob"]["first_ac_at"] is None
    assert by_user["-cmd"]["attempts"] == 0 and by_user["-cmd"]["best_verdict"] is None

    response = client.get("/api/grades?format=csv", headers=admin)
    assert response.headers["content-type"].startswith("text/csv")
    rows = {row["user"]: row for row in _csv(response.text)}
    assert "'-cmd" in rows  # a learner-chosen name never runs as a spreadsheet formula
    assert rows["alice"]["best_verdict"] == "AC" and rows["alice"]["attempts"] == "3"


def test_a_deadline_counts_only_earlier_submissions_and_a_bad_one_is_refused(
    client: TestClient, tokens: dict[str, str]
) -> None:
    alice = tokens["alice"]
    until_one(client, upload(client, alice, WRONG), token=alice)
    admin = bearer(tokens["admin"])
    before = client.get("/api/grades?deadline=2000-01-01T00:00:00Z", headers=admin).json()
    assert before["deadline"] == "2000-01-01T00:00:00+00:00"
    assert {g["user"]: g["attempts"] for g in before["grades"]}["alice"] == 0
    later = client.get("/api/grades?deadline=2999-01-01T00:00:00%2B02:00", headers=admin).json()
    assert {g["user"]: g["best_verdict"] for g in later["grades"]}["alice"] == "WA"
    bad = client.get("/api/grades?deadline=next friday", headers=admin)
    assert bad.status_code == 422 and "ISO-8601" in bad.json()["detail"]
    assert client.get("/api/grades", headers=bearer(alice)).status_code == 403
    assert client.get("/api/grades").status_code == 401


def test_grades_stream_page_after_page_for_a_large_class(database_url: str) -> None:
    db = Database(database_url)
    for number in range(1203):
        db.add_user(f"learner{number:04}", "x", f"token{number}", admin=number % 100 == 7)
    rows = list(db.grade_rows(page_size=100))  # admins are left out in SQL, not by the pages
    assert [row[1] for row in rows] == [f"learner{n:04}" for n in range(1203) if n % 100 != 7]
    assert all(len(row) == 9 for row in rows)
    db.close()


def test_the_admin_downloads_grades_as_csv_from_the_page(
    client: TestClient, tokens: dict[str, str]
) -> None:
    login(client, "admin")
    page = client.get("/admin/grades", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'href="/admin/grades.csv"' in page.text
    download = client.get("/admin/grades.csv")
    assert download.headers["content-disposition"] == 'attachment; filename="grades.csv"'
    assert {row["user"] for row in _csv(download.text)} == {"alice", "bob", "'-cmd"}
    login(client, "alice")
    assert client.get("/admin/grades.json").status_code == 404


def test_openapi_describes_the_grade_export(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    get = schema["paths"]["/api/grades"]["get"]
    assert {p["name"] for p in get["parameters"]} == {"format", "deadline"}
    assert {"application/json", "text/csv"} <= set(get["responses"]["200"]["content"])
    assert {"401", "403", "422"} <= set(get["responses"])


# -- similarity -----------------------------------------------------------------------------

FILES = Path(__file__).resolve().parent / "similarity_files"


def test_the_admin_sees_a_copied_pair_side_by_side_with_the_matches_marked(
    client: TestClient, tokens: dict[str, str]
) -> None:
    original = (FILES / "original.py.txt").read_bytes()
    copy = (FILES / "renamed_copy.py.txt").read_bytes() + b"# <script>alert(1)</script>\n"
    independent = (FILES / "independent_functional.py.txt").read_bytes()
    ids = {
        "alice": upload(client, tokens["alice"], original),
        "bob": upload(client, tokens["bob"], copy),
        "-cmd": upload(client, tokens["-cmd"], independent),
    }
    for name, submission_id in ids.items():
        until_one(client, submission_id, token=tokens[name])
    login(client, "admin")
    pair = f"{ids['alice']}-{ids['bob']}"
    for _ in range(200):
        listing = client.get("/admin/similarity", headers={"accept": "text/html"}).text
        if f'data-pair="{pair}"' in listing:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"pair {pair} never listed")
    for _ in range(200):  # until the scan has compared the third submission too
        listing = client.get("/admin/similarity", headers={"accept": "text/html"}).text
        if "Scanned so far: 3 compared, 0 skipped" in listing:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the scan never compared all three")
    assert listing.count("data-pair=") == 1
    page = client.get(f"/admin/similarity/{ids['alice']}/{ids['bob']}").text
    assert page.count('<mark class="match">') >= 2
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert client.get(f"/admin/similarity/{ids['alice']}/{ids['-cmd']}").status_code == 404
    login(client, "alice")
    assert client.get("/admin/similarity").status_code == 404


def test_the_place_counts_only_queued_submissions_for_the_same_device(database_url: str) -> None:
    db = Database(database_url)
    user = db.add_user("ada", "x", "token", admin=False)

    def add(device: str) -> int:
        return db.add_submission(
            user_id=user.id,
            filename="s.py",
            stored_name="s",
            size=1,
            sha256="h",
            device=device,
            max_pending=99,
        )

    first_cpu, gpu, second_cpu, third_cpu = add("cpu"), add("gpu"), add("cpu"), add("cpu")
    claimed = db.claim_next()  # the oldest, first_cpu, is running now
    assert claimed is not None and claimed.id == first_cpu
    assert db.queue_ahead(first_cpu) is None
    assert db.queue_ahead(gpu) == 0
    assert db.queue_ahead(second_cpu) == 0
    assert db.queue_ahead(third_cpu) == 1
    assert db.recent_judging_times() == []
    db.close()
