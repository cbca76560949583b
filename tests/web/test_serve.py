"""`zhengai serve` for real: gunicorn with two workers over HTTP, and two instances side by side.

The login limit must hold across workers (with per-process counters the 6th attempt got through
whenever it reached the other worker), and two servers on one machine must not share gunicorn's
control socket.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine import demo
from tests.conftest import fresh_database

pytestmark = pytest.mark.slow

ZHENGAI = str(Path(sys.executable).parent / "zhengai")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGAI_", "GUNICORN_"))}
    env.update(DATABASE_URL=url, ZHENGAI_SECRET_KEY="serve-test-secret", PYTHONPATH=str(ROOT), **extra)
    return env


@dataclass
class Server:
    port: int
    cwd: Path
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)
    url: str = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)


def start(cwd: Path, url: str, port: int, **extra: str) -> Server:
    """Start `zhengai serve` with two workers; return once both are ready and the control socket listens."""
    env = environment(url, ZHENGAI_LOG_FORMAT="json", **extra)  # each access line names the worker's pid
    process = subprocess.Popen(
        [ZHENGAI, "serve", "--port", str(port), "--workers", "2"], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server = Server(port, cwd, process)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        for line in process.stdout:
            server.log.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    ready = control = 0
    while ready < 2 or not control:
        line = lines.get(timeout=60)
        if line is None:
            raise AssertionError("gunicorn stopped:\n" + "".join(server.log))
        ready += "worker ready" in line  # our line (web/wsgi.py), once a worker can answer
        control += "Control socket listening" in line
    return server


def access_lines(server: Server) -> list[dict]:
    """The JSON access-log lines (web/access_log.py) the server wrote so far."""
    lines = [json.loads(line) for line in list(server.log) if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "zhengai.access"]


def request(port: int, method: str, path: str, body: str | None = None, source: str = "127.0.0.1", **headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@dataclass
class Browser:
    """A session cookie and its CSRF token, as a browser holds them after opening the login page."""

    port: int
    cookie: str
    token: str

    def login(self, username: str, password: str = "wrong", source: str = "127.0.0.1"):
        from urllib.parse import urlencode

        body = urlencode({"username": username, "password": password, "csrf_token": self.token})
        return request(self.port, "POST", "/login", body, source, Cookie=self.cookie,
                       **{"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip


def signed_in(port: int, username: str, password: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a browser signed in as `username`: a bearer token opens only /api."""
    browser = open_login_page(port)
    status, headers, _page = browser.login(username, password)
    assert status == 302
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, headers, page = request(port, "GET", "/profile", Cookie=cookie)
    assert status == 200
    cookie = headers.get("Set-Cookie", cookie).split(";", 1)[0]  # the session now holds the CSRF token
    return cookie, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def open_login_page(port: int) -> Browser:
    status, headers, page = request(port, "GET", "/login")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith(f"zhengai_session_{port}=")  # a cookie per instance: browsers ignore ports
    return Browser(port, cookie, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def server(workdir) -> Iterator[Server]:
    url = fresh_database(workdir, "serve")
    subprocess.run([ZHENGAI, "init"], cwd=workdir, env=environment(url), check=True, capture_output=True)
    server = start(workdir, url, free_port(), ZHENGAI_LOGIN_LIMIT="5 per minute",
                   ZHENGAI_LOGIN_ADDRESS_LIMIT="5 per minute", ZHENGAI_LOGIN_NAME_LIMIT="7 per minute")  # fmt: skip
    yield server
    server.stop()


def test_the_limit_holds_across_two_workers(server):
    browser = open_login_page(server.port)
    # one user name from ever new addresses: only the per-name limit (across addresses) applies
    codes = [browser.login("t01", source=f"127.0.1.{i}")[0] for i in range(1, 10)]
    assert codes == [401] * 7 + [429] * 2

    # ten attempts at the same instant for another user: exactly seven get through
    results: list[int] = []
    barrier = threading.Barrier(10, timeout=30)

    def at_once(i):
        barrier.wait()
        results.append(browser.login("t02", source=f"127.0.2.{i}")[0])

    threads = [threading.Thread(target=at_once, args=(i,)) for i in range(1, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [401] * 7 + [429] * 3

    # both workers answered login attempts, so the counts were shared, not per process
    pids = {line["pid"] for line in access_lines(server) if line["method"] == "POST" and line["path"] == "/login"}
    assert len(pids) == 2, "".join(server.log[-40:])


def test_the_limit_per_address_counts_every_user_name(server):
    browser = open_login_page(server.port)
    codes = [browser.login(f"nobody{i}", source="127.0.3.1")[0] for i in range(8)]
    assert codes == [401] * 5 + [429] * 3
    assert browser.login("nobody9", source="127.0.3.2")[0] == 401


def test_the_429_page_offers_the_login_page(server):
    browser = open_login_page(server.port)
    for _ in range(5):
        browser.login("t03", source="127.0.4.1")
    status, headers, page = browser.login("t03", source="127.0.4.1")  # the name from one address
    assert status == 429 and 0 < int(headers["Retry-After"]) <= 61
    assert "登录尝试次数过多" in page and f"请在 {headers['Retry-After']} 秒后再试" in page
    assert 'href="/login" data-testid="login-link"' in page
    assert request(server.port, "GET", "/login")[0] == 200


def test_two_instances_side_by_side_each_with_its_own_control_socket(server, workdir):
    """Same checkout, another port and another database: both serve, each gunicorn keeps its own socket."""
    from gunicorn.ctl.client import ControlClient

    other_url = fresh_database(workdir, "serve_other")
    subprocess.run([ZHENGAI, "migrate"], cwd=workdir, env=environment(other_url), check=True, capture_output=True)
    other = start(workdir, other_url, free_port())
    try:
        sockets = {s.port: workdir / "instance" / f"gunicorn-127.0.0.1-{s.port}.ctl" for s in (server, other)}
        for port, path in sockets.items():
            with ControlClient(str(path), timeout=10) as ctl:
                listeners = ctl.send_command("show listeners")["listeners"]
            assert [entry["address"] for entry in listeners] == [f"http://127.0.0.1:{port}"]
            assert request(port, "GET", "/healthz")[0] == 200
        # the other instance has its own database: no users there, and its own login counters
        assert open_login_page(other.port).login("t01")[0] == 401
    finally:
        other.stop()
    assert not sockets[other.port].exists() and sockets[server.port].exists()
    with ControlClient(str(sockets[server.port]), timeout=10) as ctl:
        assert len(ctl.send_command("show workers")["workers"]) == 2


def test_the_control_socket_can_be_turned_off(tmp_path):
    from web.cli import control_socket_args

    assert control_socket_args("127.0.0.1", 5001, "off", tmp_path) == ["--no-control-socket"]
    assert control_socket_args("::1", 5001, None, tmp_path) == [
        "--control-socket", str(tmp_path.resolve() / "gunicorn-__1-5001.ctl")
    ]  # fmt: skip
    assert control_socket_args("127.0.0.1", 5001, "/run/z.ctl", tmp_path) == ["--control-socket", "/run/z.ctl"]
    deep = tmp_path / ("d" * 120)
    assert control_socket_args("127.0.0.1", 5001, None, deep) == ["--no-control-socket"]  # too long for AF_UNIX


# --- threaded workers: keep-alive connections, several writers at once on one database ----------------


@pytest.fixture(scope="module")
def threaded_server(workdir) -> Iterator[Server]:
    """One gthread worker of four threads on the demo organisation (no year in flight)."""
    url = fresh_database(workdir, "serve_threads")
    env = environment(url)
    subprocess.run([ZHENGAI, "init", "--demo=org"], cwd=workdir, env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [ZHENGAI, "serve", "--port", str(port), "--workers", "1", "--threads", "4", "--control-socket", "off"],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server = Server(port, workdir, process, url=url)
    for line in process.stdout:
        server.log.append(line)
        if "Booting worker" in line:
            break
    threading.Thread(target=lambda: server.log.extend(process.stdout), daemon=True).start()
    yield server
    server.stop()


def token(server: Server, username: str) -> str:
    done = subprocess.run([ZHENGAI, "token", username], cwd=server.cwd, env=environment(server.url), check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip()


def test_serve_runs_threaded_workers_that_keep_connections_alive(threaded_server):
    assert any("Using worker: gthread" in line for line in threaded_server.log), "".join(threaded_server.log)
    conn = http.client.HTTPConnection("127.0.0.1", threaded_server.port, timeout=30)
    sockets = set()
    for _ in range(5):
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b'{"status":"ok"}\n'
        assert response.getheader("Connection", "").lower() != "close"
        sockets.add(id(conn.sock))
    assert len(sockets) == 1  # five requests, one TCP connection
    conn.close()


def test_eight_teachers_submit_at_once_through_one_threaded_worker(threaded_server):
    """SQLite with several threads: writers queue on the busy timeout, every submission lands, none is lost."""
    import json
    from urllib.parse import urlencode

    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from engine.models import Document, HumanTask, Subject, User

    teachers = [f"t{i:02d}" for i in range(1, 9)]
    eng = create_engine(threaded_server.url)
    with Session(eng) as s:
        subjects = dict(s.execute(select(User.username, Subject.id).join(Subject, Subject.user_id == User.id)
                                  .where(User.username.in_(teachers))).all())  # fmt: skip
    tokens = {t: token(threaded_server, t) for t in teachers}
    sessions = {t: signed_in(threaded_server.port, t, demo.DEMO_PASSWORD) for t in teachers}  # starting is a page
    barrier = threading.Barrier(len(teachers), timeout=60)
    results: dict[str, list[int]] = {}

    def submit(username: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", threaded_server.port, timeout=60)  # kept alive throughout
        auth = {"Authorization": f"Bearer {tokens[username]}", "Accept": "application/json"}
        codes = []
        barrier.wait()
        cookie, csrf = sessions[username]
        form = urlencode({"subject_id": subjects[username], "doc_type": "target", "csrf_token": csrf})
        conn.request("POST", "/my-documents/start", form,
                     {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        started = conn.getresponse()
        started.read()
        codes.append(started.status)
        task_id = started.getheader("Location").rsplit("/", 1)[1]
        conn.request("GET", f"/api/v1/tasks/{task_id}", headers=auth)
        opened = conn.getresponse()
        data = json.loads(opened.read())["document"]["data"]
        codes.append(opened.status)
        for row in data["rows"]:
            row["cells"] = {k: f"{username} 的目标：{row['label']}" for k in row["cells"]}
        conn.request("POST", f"/api/v1/tasks/{task_id}/complete", json.dumps({"document": data}),
                     {**auth, "Content-Type": "application/json"})  # fmt: skip
        done = conn.getresponse()
        done.read()
        codes.append(done.status)
        results[username] = codes
        conn.close()

    threads = [threading.Thread(target=submit, args=(t,)) for t in teachers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == {t: [302, 200, 200] for t in teachers}, "".join(threaded_server.log[-30:])
    with Session(eng) as s:
        in_review = s.scalar(select(func.count()).select_from(Document).where(Document.status == "in_review"))
        reviews = s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.kind == "review",
                                                                             HumanTask.state == "open"))  # fmt: skip
    eng.dispose()
    assert in_review == reviews == len(teachers)


def wait_for_line(server: Server, needle: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not any(needle in line for line in list(server.log)):
        assert time.monotonic() < deadline, f"no {needle!r} in the log:\n" + "".join(server.log[-30:])
        time.sleep(0.05)


def test_one_request_is_logged_once_by_our_access_log(threaded_server):
    """gunicorn's access log is off: the app's line (request id, route, status, duration; no query string)
    is the only one, and gunicorn's error log still tells the boot."""
    marker, follow_up = uuid.uuid4().hex, uuid.uuid4().hex
    conn = http.client.HTTPConnection("127.0.0.1", threaded_server.port, timeout=30)
    conn.request("GET", f"/nope-{marker}?token=SECRET-{marker}", headers={"X-Request-ID": f"rid-{marker}"})
    response = conn.getresponse()
    response.read()
    assert response.status == 404 and response.getheader("X-Request-ID") == f"rid-{marker}"
    # the same kept-alive connection: gunicorn reads the next request only after it finished (and would have
    # logged) the first, so once the second's line is there, every line of the first is too
    conn.request("GET", f"/healthz?probe={follow_up}", headers={"X-Request-ID": f"rid-{follow_up}"})
    conn.getresponse().read()
    conn.close()
    wait_for_line(threaded_server, f"request_id=rid-{follow_up}")

    lines = [line for line in list(threaded_server.log) if marker in line]
    assert len(lines) == 1, lines
    assert "zhengai.access GET" in lines[0] and f"path=/nope-{marker}" in lines[0] and "status=404" in lines[0]
    assert "duration_ms=" in lines[0] and "SECRET" not in lines[0]
    assert any("Booting worker with pid" in line for line in threaded_server.log)  # gunicorn's error log stays
