"""Every document template renders in every view a person can open, walked through the pages.

For one subject of each of the eight types the annual cycle runs from step 1 to step 11 through the
web pages: each task is opened by a person who may act on it (edit, review, acknowledge), then
submitted as the browser would post it; the first reviewer of every chain returns the document once.
Every published document is then opened read-only, as a version, as the working copy, printed and
exported to Excel and Word; every chain document is revised once more so that its comparison view
has two versions. A template whose page breaks (e.g. a Jinja filter the pinned Jinja2 lacks) fails
here, whichever of the 24 seed tables or derived cycle templates it is.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from docx import Document as Docx
from openpyxl import load_workbook
from sqlalchemy import select

from engine import cycle, org
from engine.documents import service as documents
from engine.models import Document, DocumentVersion, HumanTask, Subject, SubjectMember, TaskCandidate, User
from forms.templates import builtin_templates
from tests.conftest import NOW, TZ, filled, form_fields, own_subject
from tests.workflows.test_cycle import draw

# the annual cycle's subject types; a basic standard's document is walked by tests/web/test_basic_standards.py
SUBJECT_TYPES = [t for t in documents.SUBJECT_TYPE_LABELS if t != "basic_standard"]
BROKEN = re.compile(r"Traceback|TemplateSyntaxError|UndefinedError|jinja2\.|服务器内部错误")


def ok_page(client, url: str, *, status: int = 200) -> str:
    response = client.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code == status, f"{url}: {response.status_code} {text[:300]}"
    assert not BROKEN.search(text), f"{url}: {BROKEN.search(text).group(0)}"
    return text


class Walker:
    """Opens and completes the open tasks of one instance through the web pages."""

    def __init__(self, session, login_as):
        self.session, self.login_as, self.clients = session, login_as, {}
        self.returned_chains: set[tuple[int, str]] = set()
        self.rendered: dict[str, set[str]] = {}  # template key -> views rendered

    def client(self, user: User):
        if user.username not in self.clients:
            self.clients[user.username] = self.login_as(user.username)
        return self.clients[user.username]

    def actor(self, task: HumanTask) -> User:
        """Who may act on the task: an author who may submit, else the first user behind its candidates."""
        principals = self.session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == task.id)).all()
        users = org.users_behind(self.session, principals)
        ids = sorted(set().union(*users.values()))
        assert ids, f"nobody may act on {task.name}"
        if task.kind == "edit" and task.subject_id:
            leader = self.session.scalar(
                select(SubjectMember.user_id).where(
                    SubjectMember.subject_id == task.subject_id, SubjectMember.role == "leader"
                )
            )
            if leader in ids:
                return self.session.get(User, leader)
        return self.session.get(User, ids[0])

    def seen(self, doc: Document, view: str) -> None:
        self.rendered.setdefault(doc.template_key, set()).add(view)

    def step(self, task: HumanTask) -> None:
        user = self.actor(task)
        client = self.client(user)
        doc = self.session.get(Document, task.document_id) if task.document_id else None
        page = ok_page(client, f"/tasks/{task.id}")
        assert task.name in page
        if doc is not None:
            assert 'data-testid="document-table"' in page, f"{task.name}: no document table"
        if task.kind == "edit":
            self.seen(doc, "edit")
            template = documents.template_of(self.session, doc).definition
            data = filled(doc.data)
            data["header"] = {h["key"]: "演示" for h in template["header"] if h.get("source", "input") == "input"}
            fields = form_fields(data) | {"action": "submit"}
            response = client.post(f"/tasks/{task.id}", data=fields)
        elif task.kind == "review":
            self.seen(doc, "review")
            chain = (task.instance_id, doc.doc_type)
            if chain in self.returned_chains:
                decision = {"decision": "approve", "comment": "同意"}
            else:
                self.returned_chains.add(chain)
                decision = {"decision": "return", "comment": "请补充可量化的指标"}
            response = client.post(f"/tasks/{task.id}", data=decision)
        else:
            if doc is not None:
                self.seen(doc, task.kind)
            response = client.post(f"/tasks/{task.id}", data={"decision": "ack", "comment": "已阅"})
        assert response.status_code == 302, f"{task.name}: {response.get_data(as_text=True)[:400]}"
        done = ok_page(client, f"/tasks/{task.id}")  # the task after it is done: read-only
        if doc is not None:
            assert 'data-testid="document-table"' in done

    def run(self, instance_id: int, limit: int = 60) -> None:
        for _ in range(limit):
            self.session.expire_all()
            task = self.session.scalar(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
                .order_by(HumanTask.id)
                .limit(1)
            )
            if task is None:
                return
            self.step(task)
        pytest.fail(f"instance {instance_id} did not finish in {limit} steps")

    def open_document(self, doc: Document, viewer: User) -> None:
        client = self.client(viewer)
        page = ok_page(client, f"/documents/{doc.id}")
        assert 'data-testid="document-table"' in page
        ok_page(client, f"/documents/{doc.id}/versions/{doc.published_version}")
        ok_page(client, f"/documents/{doc.id}/working-copy")
        printed = ok_page(client, f"/documents/{doc.id}/print")
        assert 'data-testid="document-table"' in printed
        xlsx = client.get(f"/documents/{doc.id}/export.xlsx")
        assert xlsx.status_code == 200
        assert load_workbook(BytesIO(xlsx.data)).active.max_row > 2
        docx = client.get(f"/documents/{doc.id}/export.docx")
        assert docx.status_code == 200
        assert Docx(BytesIO(docx.data)).tables, "the Word export has the document's table"
        for view in ("show", "version", "working_copy", "print", "xlsx", "docx"):
            self.seen(doc, view)


@pytest.fixture
def walker(session, login_as):
    return Walker(session, login_as)


def subject_of(session, subject_type: str) -> Subject:
    if subject_type == "teacher":  # a 教师 (the 职员 listed first in the roster review their own units)
        return own_subject(session, "t01")
    return session.scalar(select(Subject).where(Subject.type == subject_type).order_by(Subject.id).limit(1))


@pytest.mark.slow
@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
def test_every_view_of_every_template_renders(session, walker, subject_type):
    subject = subject_of(session, subject_type)
    draw(session, 2026, [subject.id])  # sampled: the school's review and the written conclusion are edited too
    instance = cycle.start_for_subject(session, subject, 2026, cycle.default_dues(2026, TZ), None, NOW)
    session.flush()
    walker.run(instance.id)

    session.expire_all()
    docs = session.scalars(select(Document).where(Document.subject_id == subject.id)).all()
    made = {d.doc_type for d in docs}
    expected = {"target", "standard", "plan", "implementation", "diagnosis", "report", "upper_review", "school_review",
                "feedback"}  # fmt: skip
    if subject_type == "college":
        expected.add("quality_report")
    assert made == expected
    admin = session.scalar(select(User).where(User.username == "zlc_admin"))
    for doc in docs:
        assert doc.status == "published", f"{doc.title} is {doc.status}"
        walker.open_document(doc, admin)
        if doc.doc_type not in documents.CHAIN_DOC_TYPES:  # never revised: comparing needs two versions
            response = walker.client(admin).get(f"/documents/{doc.id}/diff")
            assert response.status_code == 302

    # revise every chain document once through 我的文档, so that it can be compared with its first version
    members = session.execute(
        select(SubjectMember.user_id, SubjectMember.role).where(SubjectMember.subject_id == subject.id)
    ).all()
    author = session.get(User, next((uid for uid, role in members if role == "leader"), min(m[0] for m in members)))
    for doc_type in documents.CHAIN_DOC_TYPES:
        client = walker.client(author)
        response = client.post("/my-documents/start", data={"subject_id": subject.id, "doc_type": doc_type})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        task = session.get(HumanTask, int(re.search(r"/tasks/(\d+)", response.headers["Location"]).group(1)))
        walker.run(task.instance_id)
        doc = session.get(Document, task.document_id)
        session.refresh(doc)
        assert doc.published_version == 2
        page = ok_page(walker.client(admin), f"/documents/{doc.id}/diff")
        assert "v1" in page and "v2" in page
        walker.seen(doc, "diff")

    keys = {d.template_key for d in docs}
    for key in keys:
        views = walker.rendered.get(key, set())
        wanted = {"show", "version", "working_copy", "print", "xlsx", "docx"}
        doc_type = builtin_templates()[key]["doc_type"]
        if doc_type in documents.CHAIN_DOC_TYPES:
            wanted |= {"edit", "review", "diff"}
        else:
            wanted |= {"edit"}
        assert wanted <= views, f"{key}: not rendered {sorted(wanted - views)}"
    versions = session.scalars(
        select(DocumentVersion.document_id).join(Document).where(Document.subject_id == subject.id)
    ).all()
    assert len(versions) == len(docs) + 3


def test_the_walk_covers_every_shipped_template():
    """Each shipped template belongs to one of the subject types walked above (no template is missed)."""
    shipped = builtin_templates()
    assert len([k for k, d in shipped.items() if d["doc_type"] in documents.CHAIN_DOC_TYPES]) == 24
    assert {d["subject_type"] for d in shipped.values()} == {*SUBJECT_TYPES, "basic_standard"}
