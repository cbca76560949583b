"""Where a chain's time goes, request by request, in process: SQL statements counted, optionally profiled.

Runs the requests of bench/http.py's chain (create+start, open the task, submit, the reviewer's inbox,
approve) through the Flask test client with bearer tokens on a fresh SQLite database, and prints per
request its median time, its CPU time and the SQL statements it ran (a SQLAlchemy event listener counts
them). `--sql` lists the statements of the last chain; `--profile` runs the loop under cProfile and prints
the functions that took longest; `--calls` (not with `--profile`) counts each request's Python function
calls, which a busy machine does not change, so two versions of the code compare without a quiet machine.
`--loops N` then returns one document N times and times 20 more loops (bench/http.py's last figure, in
process; PROFILE_LOOPS=tottime profiles those 20). This is how the completion path was taken apart
(README, Performance).

Run: `.venv/bin/python bench/profile_chain.py [--chains 100] [--sql] [--calls | --profile [--sort tottime]]`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import time
from collections import defaultdict

from _setup import fresh_database
from sqlalchemy import event, select

STEPS = ("create+start", "open task", "submit", "reviewer's inbox", "approve")


def filled(document: dict) -> dict:
    for row in document["rows"]:
        for key in row["cells"]:
            row["cells"][key] = f"{row['label']}：三年内达到学院骨干教师要求，每学年完成阶段任务并留存佐证。"
    return document


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chains", type=int, default=100)
    ap.add_argument("--sql", action="store_true", help="list the statements of each request of the last chain")
    ap.add_argument("--profile", action="store_true", help="run the timed chains under cProfile")
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    ap.add_argument("--callees", default=None, help="with --profile: what the functions matching this name called")
    ap.add_argument("--calls", action="store_true", help="count the Python function calls of each request (cProfile)")
    ap.add_argument("--loops", type=int, default=0, help="then return one document this often and time 20 more loops")
    ap.add_argument("--database", default=None, help="an empty database URL (default: a new SQLite file)")
    a = ap.parse_args()
    if a.calls and a.profile:
        ap.error("--calls counts with a profiler of its own: not with --profile")

    from engine.models import Subject, User
    from web import create_app
    from web.db import db
    from web.org.auth import make_api_token

    url = fresh_database("profile", a.database)
    # pages take a session (a token opens /api only); CSRF is a browser's concern, not what is measured here
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    statements: list[str] = []
    durations: list[float] = []
    engine = app.extensions["zhengai_db"]["engine"]
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: (statements.append(sql), durations.append(time.perf_counter())))
    event.listen(engine, "after_cursor_execute",  # each statement's time, in the database and the round trip
                 lambda *_a: durations.append((time.perf_counter() - durations.pop()) * 1000))  # fmt: skip
    with app.app_context():
        users = {
            u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["t01", "dzxy_reviewer"])))
        }
        subject_id = db.session.scalar(select(Subject.id).where(Subject.user_id == users["t01"].id))
        headers = {name: {"Authorization": f"Bearer {make_api_token(u)}", "Accept": "application/json"}
                   for name, u in users.items()}  # fmt: skip
        db.session.commit()  # tokens are stored (hashed)
    client = app.test_client()
    teacher_pages = app.test_client()
    assert teacher_pages.post("/login", data={"username": "t01", "password": "demo1234"}).status_code == 302
    timings: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    last_sql: dict[str, list[str]] = {}
    calls: dict[str, list[int]] = defaultdict(list)

    def timed(step: str, call):
        statements.clear()
        durations.clear()
        counter = cProfile.Profile() if a.calls else None
        wall, cpu = time.perf_counter(), time.process_time()
        if counter:
            counter.enable()
        response = call()
        if counter:
            counter.disable()
            calls[step].append(pstats.Stats(counter).total_calls)
        timings[step].append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
                              len(statements)))  # fmt: skip
        last_sql[step] = [f"{ms:6.2f} ms  {sql.split(chr(10))[0][:130]}"
                          for sql, ms in zip(statements, durations, strict=True)]  # fmt: skip
        assert response.status_code < 400, (step, response.status_code, response.get_data()[:300])
        return response

    def chain() -> None:
        form = {"subject_id": subject_id, "doc_type": "target"}
        started = timed("create+start", lambda: teacher_pages.post("/my-documents/start", data=form))
        task_id = int(re.search(r"/tasks/(\d+)", started.headers["Location"]).group(1))
        task = timed("open task", lambda: client.get(f"/api/v1/tasks/{task_id}", headers=headers["t01"])).get_json()
        body = {"document": filled(task["document"]["data"])}
        timed("submit", lambda: client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers["t01"]))
        inbox = timed("reviewer's inbox", lambda: client.get("/api/v1/tasks?tab=mine&sort=-created&per_page=20",
                                                             headers=headers["dzxy_reviewer"])).get_json()  # fmt: skip
        review_id = next(i["id"] for i in inbox["items"] if i["title"] == task["title"])
        decision = {"decision": "approve", "comment": "同意"}
        timed("approve", lambda: client.post(f"/api/v1/tasks/{review_id}/complete", json=decision,
                                             headers=headers["dzxy_reviewer"]))  # fmt: skip

    for _ in range(10):  # warm the spec cache, the compiled statements and the connection pool
        chain()
    timings.clear()
    if os.environ.get("ZHENGAI_GC_THRESHOLD", "10000") != "0":  # as a server worker does (web/wsgi.py)
        import gc

        gc.collect()
        gc.freeze()
        gc.set_threshold(int(os.environ.get("ZHENGAI_GC_THRESHOLD", "10000")), 20, 20)
    profiler = cProfile.Profile() if a.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(a.chains):
        chain()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    for step in STEPS:
        rows = timings[step]
        print(f"{step:18s} median {statistics.median(r[0] for r in rows):6.2f} ms  "
              f"cpu {statistics.median(r[1] for r in rows):6.2f} ms  statements {rows[-1][2]}"
              + (f"  function calls {statistics.median(calls[step]):.0f}" if calls[step] else ""))  # fmt: skip
    print(f"whole chains in process: {a.chains / elapsed:.1f} chains/s")
    if a.loops:
        calls.clear()
        loops(a.loops, client, teacher_pages, headers, subject_id, timed, timings, last_sql, a.sql, calls)
    if a.sql:
        for step in STEPS:
            print(f"== {step}")
            print("\n".join(last_sql[step]))
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(a.sort)
        stats.print_stats(50)
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        if a.callees:
            stats.print_callees(a.callees)


def loops(count, client, teacher_pages, headers, subject_id, timed, timings, last_sql, sql, calls) -> None:
    """bench/http.py's last figure in process: a document returned `count` times, then 20 timed loops."""

    def own(user: str, title: str) -> int:
        page = client.get("/api/v1/tasks?tab=mine&sort=-created&per_page=50", headers=headers[user]).get_json()
        return next(i["id"] for i in page["items"] if i["title"] == title)

    form = {"subject_id": subject_id, "doc_type": "target"}
    started = teacher_pages.post("/my-documents/start", data=form)
    task_id = int(re.search(r"/tasks/(\d+)", started.headers["Location"]).group(1))
    task = client.get(f"/api/v1/tasks/{task_id}", headers=headers["t01"]).get_json()
    body = {"document": filled(task["document"]["data"])}
    ret = {"decision": "return", "comment": "请补充"}
    client.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers["t01"])
    profiler = cProfile.Profile() if os.environ.get("PROFILE_LOOPS") else None
    for n in range(count + 20):
        if n == count:
            timings.clear()
            calls.clear()
            if profiler:
                profiler.enable()
        review = own("dzxy_reviewer", task["title"])
        timed("return", lambda r=review: client.post(f"/api/v1/tasks/{r}/complete", json=ret,
                                                     headers=headers["dzxy_reviewer"]))  # fmt: skip
        mine = own("t01", task["title"])
        timed("submit", lambda m=mine: client.post(f"/api/v1/tasks/{m}/complete", json=body, headers=headers["t01"]))
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ["PROFILE_LOOPS"]).print_stats(40)
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
    for step in ("submit", "return"):
        rows = timings[step]
        print(f"{step} after {count} loops: median {statistics.median(r[0] for r in rows):6.2f} ms  "
              f"cpu {statistics.median(r[1] for r in rows):6.2f} ms  statements {rows[-1][2]}"
              + (f"  function calls {statistics.median(calls[step]):.0f}" if calls[step] else ""))  # fmt: skip
        if sql:
            print("\n".join(last_sql[step]))


if __name__ == "__main__":
    main()
