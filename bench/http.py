"""The product as a client sees it: gunicorn on loopback, bearer tokens, keep-alive connections.

Starts `zhengai serve` (gthread workers, which keep connections alive) on a fresh database (SQLite by
default; `--database postgresql+psycopg://...` for an empty PostgreSQL database), seeds 200,000 open tasks
for the inbox figure, then prints the medians and p95 of: create+start (POST /api/v1/documents/start), opening the
task (GET with the document), submit, the reviewer's inbox, approve; the inbox of a user among 200,000
open tasks; whole chains per second from one client and from 8 clients; and submit / return after 50
return loops of one document. Each figure with a target (issue #12) says whether it is met.

Run: `.venv/bin/python bench/http.py [--tasks 200000] [--workers 1] [--threads 4] [--chains 200] [--database URL]`.
"""

from __future__ import annotations

import os
import sys

# This file is bench/http.py, as the issue names it; keep it from shadowing the standard library's http.
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _BENCH]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.append(_BENCH)  # after the standard library: for `from inbox import seed`


def report(label: str, samples_ms: list[float], *, median: float | None = None, p95: float | None = None) -> None:
    """One line of figures; `median` / `p95`: the target (ms) it is held against, shown beside it."""
    s = sorted(samples_ms)
    got = {"median": statistics.median(s), "p95": s[max(0, int(len(s) * 0.95) - 1)]}
    line = f"{label}: n={len(s)} median={got['median']:.2f} ms p95={got['p95']:.2f} ms min={s[0]:.2f} ms"
    targets = [f"{k} <= {v:g} ms {'met' if got[k] <= v else 'MISSED'}" for k, v in (("median", median), ("p95", p95))
               if v is not None]  # fmt: skip
    print(line + (f"   [target: {'; '.join(targets)}]" if targets else ""))


class Client:
    """One keep-alive connection with a bearer token; reconnects when the server closes it."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def call(self, method: str, path: str, body=None):
        headers = dict(self.headers)
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closed the kept-alive connection: open a new one, as browsers do
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response, payload, elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "zhengai"), *args], env=env, cwd=env["ZHENGAI_BENCH_DIR"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip()


def fill(document: dict) -> dict:
    for row in document["rows"]:
        for key in row["cells"]:
            row["cells"][key] = f"{row['label']}：三年内达到学院骨干教师要求，每学年完成阶段任务并留存佐证。"
    return document


class Chain:
    """One teacher's target through the college: start, open, submit, the reviewer finds it and decides."""

    def __init__(self, teacher: Client, reviewer: Client, subject_id: int, timings: dict):
        self.teacher, self.reviewer, self.subject_id, self.t = teacher, reviewer, subject_id, timings

    def _time(self, key: str, result):
        self.t.setdefault(key, []).append(result[2])
        return result

    def start(self) -> int:
        body = {"subject_id": self.subject_id, "doc_type": "target"}
        _r, payload, _ms = self._time("create+start", self.teacher.call("POST", "/api/v1/documents/start", body))
        return json.loads(payload)["id"]

    def submit(self, task_id: int) -> str:
        opened = self.teacher.call("GET", f"/api/v1/tasks/{task_id}")
        _r, body, _ms = self._time("open task (GET, with the document)", opened)
        task = json.loads(body)
        self._time("submit", self.teacher.call("POST", f"/api/v1/tasks/{task_id}/complete",
                                               {"document": fill(task["document"]["data"])}))  # fmt: skip
        return task["title"]

    def review_task(self, title: str) -> int:
        query = "/api/v1/tasks?tab=mine&sort=-created&per_page=20"
        _r, body, _ms = self._time("reviewer's inbox (GET)", self.reviewer.call("GET", query))
        return next(item["id"] for item in json.loads(body)["items"] if item["title"] == title)

    def decide(self, task_id: int, decision: str) -> None:
        body = {"decision": decision, "comment": "请把目标写得更具体" if decision == "return" else "同意"}
        self._time(decision, self.reviewer.call("POST", f"/api/v1/tasks/{task_id}/complete", body))

    def run(self) -> None:
        title = self.submit(self.start())
        self.decide(self.review_task(title), "approve")


def own_task(client: Client, title_part: str) -> int:
    _r, body, _ms = client.call("GET", "/api/v1/tasks?tab=mine&sort=-created&per_page=20")
    return next(i["id"] for i in json.loads(body)["items"] if title_part in i["title"] and i["kind"] == "edit")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=200_000, help="open tasks seeded for the inbox figure")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    ap.add_argument("--chains", type=int, default=200, help="whole chains from one client")
    ap.add_argument("--loops", type=int, default=50, help="return loops before timing completion")
    ap.add_argument("--database", default=None, help="an empty database URL (default: a new SQLite file)")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="zhengai-http-")
    url = a.database or f"sqlite:///{work}/bench.db"
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, ZHENGAI_SECRET_KEY="bench-http", ZHENGAI_RATELIMIT_DISABLED="1",
               ZHENGAI_PORT=str(port), ZHENGAI_BENCH_DIR=work, ZHENGAI_CONTROL_SOCKET="off")  # fmt: skip
    cli(env, "init", "--demo=org")
    if a.tasks:
        from inbox import seed  # the inbox benchmark's 200,000 open tasks over 20,000 users

        started = time.perf_counter()
        seed(url, a.tasks, 20_000)
        if url.startswith("postgresql"):
            from sqlalchemy import create_engine, text

            eng = create_engine(url)
            with eng.begin() as conn:  # the seed wrote explicit ids: move the sequence past them
                for table in ("human_task", "process_instance"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))"))  # fmt: skip
            with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # statistics, as a school's database has: not autovacuum's mid-run
            eng.dispose()
        print(f"seeded {a.tasks} open tasks in {time.perf_counter() - started:.1f} s")
    # The server's logs go to a file: a pipe nobody reads fills up and stops the server mid-run.
    log = open(Path(work) / "serve.log", "wb")  # noqa: SIM115 - closed with the server below
    server = subprocess.Popen([str(BIN / "zhengai"), "serve", "--workers", str(a.workers), "--threads", str(a.threads),
                               "--port", str(port)],
                              env=env, cwd=work, stdout=log, stderr=log)  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        tokens = {u: cli(env, "token", u) for u in
                  ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "dzxy_reviewer", "rjxy_reviewer"]}
        mine = Client(port, tokens["t01"])
        subject_of = {}
        for username in [f"t0{i}" for i in range(1, 10)]:
            slots = json.loads(Client(port, tokens[username]).call("GET", "/api/v1/my-documents")[1])["items"]
            subject_of[username] = next(s["subject_id"] for s in slots
                                        if s["doc_type"] == "target" and s["subject_type"] == "teacher")  # fmt: skip
        reviewer_of = {u: ("dzxy_reviewer" if int(u[1:]) <= 5 else "rjxy_reviewer") for u in subject_of}

        if a.tasks:
            inbox_user = "iu42"
            client = Client(port, cli(env, "token", inbox_user))
            samples = [client.call("GET", "/api/v1/tasks?tab=mine")[2] for _ in range(200)]
            report(f"inbox over HTTP, {a.tasks} open tasks (GET /api/v1/tasks)", samples, p95=8)

        # one client: whole chains back to back (each chain publishes the next version of t01's targets)
        timings: dict[str, list[float]] = {}
        chain = Chain(mine, Client(port, tokens["dzxy_reviewer"]), subject_of["t01"], timings)
        for _ in range(10):  # warm up
            chain.run()
        timings.clear()
        started = time.perf_counter()
        for _ in range(a.chains):
            chain.run()
        elapsed = time.perf_counter() - started
        for key in ("create+start", "open task (GET, with the document)", "submit", "reviewer's inbox (GET)",
                    "approve"):  # fmt: skip
            report(f"{key}, one client", timings[key], median=5 if key in ("submit", "approve") else None)
        rate = a.chains / elapsed
        print(f"whole chains, one client: {rate:.1f} chains/s ({a.chains} chains, 5 requests each)"
              f"   [target: >= 40 chains/s {'met' if rate >= 40 else 'MISSED'}]")  # fmt: skip

        # 8 clients at once, each a teacher of its own with the reviewer of its college
        per_client = max(5, a.chains // 8)
        errors: list[str] = []

        def worker(username: str) -> None:
            try:
                ch = Chain(Client(port, tokens[username]), Client(port, tokens[reviewer_of[username]]),
                           subject_of[username], {})  # fmt: skip
                for _ in range(per_client):
                    ch.run()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"{username}: {exc}")

        threads = [threading.Thread(target=worker, args=(f"t0{i}",)) for i in range(2, 10)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        print(f"whole chains, 8 clients: {8 * per_client / elapsed:.1f} chains/s ({8 * per_client} chains)"
              + (f"; {len(errors)} failed: {errors[:2]}" if errors else ""))  # fmt: skip

        # one document returned again and again: does completing slow down with its history? Then, on the same
        # connections, whole fresh chains as a reference measured at the same moment (the machine's load, the
        # server's pool and caches as the 8 clients left them): the history's cost is the difference.
        timings, fresh = {}, {}
        loop = Chain(mine, Client(port, tokens["dzxy_reviewer"]), subject_of["t01"], timings)
        title = loop.submit(loop.start())
        for _ in range(a.loops):
            loop.decide(loop.review_task(title), "return")
            loop.submit(own_task(mine, "教师发展目标"))
        timings.clear()
        for _ in range(60):
            loop.decide(loop.review_task(title), "return")
            loop.submit(own_task(mine, "教师发展目标"))
        loop.decide(loop.review_task(title), "approve")
        loop.t = fresh
        for _ in range(60):
            loop.run()
        report(f"submit after {a.loops} return loops", timings["submit"], median=6)
        report(f"return after {a.loops} return loops", timings["return"], median=6)
        report("  then, for reference: submit of a fresh chain", fresh["submit"])
        report("  then, for reference: approve of a fresh chain", fresh["approve"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
