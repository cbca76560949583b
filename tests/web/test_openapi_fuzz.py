"""Schemathesis over /api/v1/openapi.json against a live app on loopback: no 5xx, every response as described.

A fresh demo database where t01 has tasks (a target document being written, a standard document submitted and
under review) and a bearer token; schemathesis (its CLI, in a process of its own) runs the examples, coverage
and fuzzing phases with a fixed seed and at most MAX_EXAMPLES cases per operation. Run it alone with
`.venv/bin/pytest -m fuzz`; a failure prints schemathesis's report with the request that reproduces it.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from engine.core.db import make_engine
from engine.documents import service as documents
from engine.models import Document
from engine.security import tokens
from engine.workflow import runtime
from tests.conftest import NOW, SETTINGS, filled, fresh_database, make_app, own_subject, seed, user

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

MAX_EXAMPLES = 25
SEED = 20261124
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
CHECKS += "response_schema_conformance"


def _demo_with_tasks(url: str) -> dict:
    """t01 writes a target document and has submitted the standard one; returns the ids and t01's API token."""
    engine = make_engine(url)
    with Session(engine, info=SETTINGS.session_info()) as session:
        teacher = user(session, "t01")
        subject = own_subject(session, "t01")
        writing = documents.start_document(session, teacher, subject.id, "target", NOW)
        submitted = documents.start_document(session, teacher, subject.id, "standard", NOW)
        data = filled(session.get(Document, submitted.document_id).data)
        runtime.complete_task(session, teacher, submitted.id, {"document": data}, NOW)
        token = tokens.issue(session, teacher, "api", NOW, days=30)
        ids = {"task_id": writing.id, "doc_id": writing.document_id, "subject_id": subject.id, "token": token,
               "feed_key": "teacher_attendance"}  # fmt: skip
        session.commit()
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("fuzz"), "fuzz")
    seed(url)
    ids = _demo_with_tasks(url)
    app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True, ZHENGAI_CLOCK=lambda: NOW)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, ids
    server.shutdown()


def _with_examples(description: dict, ids: dict) -> dict:
    """The description with the demo's ids as examples, so the examples phase reaches real tasks and documents
    (the description itself names no data)."""
    out = copy.deepcopy(description)
    for ops in out["paths"].values():
        for op in ops.values():
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    param["example"] = ids[param["name"]]
    out["components"]["schemas"]["StartBody"]["example"] = {"subject_id": ids["subject_id"], "doc_type": "plan"}
    out["components"]["schemas"]["BatchBody"]["example"] = {"task_ids": [ids["task_id"]], "comment": "同意"}
    return out


def test_schemathesis_finds_no_5xx_and_no_response_off_the_description(live_api, tmp_path):
    base, app, ids = live_api
    client = app.test_client()
    description = client.get("/api/v1/openapi.json").get_json()
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {ids['token']}"}).get_json()["total"] >= 1
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(_with_examples(description, ids), ensure_ascii=False), encoding="utf-8")
    command = [
        sys.executable, "-m", "schemathesis.cli", "--no-color", "run", str(schema_file), "--url", base,
        "--header", f"Authorization: Bearer {ids['token']}",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
        "--request-timeout", "10", "--suppress-health-check", "all", "--generation-database", "none",
        "--generation-with-security-parameters", "false",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    print(run.stdout[-3000:])  # the summary, with `-s`
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
