"""Who may read a published document (seed §六(二)6(2)), as a matrix over the demo organisation.

Authors, everyone on the document's chain, the levels above the subject (its college, its parent
subject's team, a student's counselor), the lead department of the subject type, school leaders and
诊改办公室 read it; everybody else gets 404 - and the document lists agree with the single loads.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.core.errors import NotFound
from engine.documents import service as documents
from engine.documents import sharing
from engine.models import Subject
from tests.conftest import NOW, user
from tests.workflows.test_chain_paths import actor_for, open_task_of, submit, submitter

VIEWERS = [
    "t01", "t02", "t03", "t06", "s01", "s02", "c01", "c02", "dzxy_reviewer", "rjxy_reviewer", "jwc_reviewer",
    "rsc_reviewer", "xgb_reviewer", "dzb_reviewer", "zlc_admin", "shuji", "fxz_jiang",
]  # fmt: skip
EVERYONE_ABOVE = {"zlc_admin", "shuji", "fxz_jiang"}  # 诊改办公室 and school leaders (all leaders are 校领导)
MATRIX = {
    # (subject type, code): readers besides EVERYONE_ABOVE
    ("teacher", "t01"): {"t01", "dzxy_reviewer", "rsc_reviewer"},
    ("major", "510102"): {"t01", "t02", "dzxy_reviewer", "jwc_reviewer"},
    ("course", "DZ1001"): {"t01", "t02", "dzxy_reviewer", "jwc_reviewer"},
    ("student", "s01"): {"s01", "c01", "dzxy_reviewer", "xgb_reviewer"},
    ("functional_dept", "JWC"): {"jwc_reviewer", "dzb_reviewer"},
    # the major's team reads the student-cultivation documents of its major (the parent subject)
    ("student_cultivation", "510102-XS"): {"c01", "t01", "t02", "dzxy_reviewer", "xgb_reviewer"},
}


def publish(session, subject_type, code):
    subject = session.scalar(select(Subject).where(Subject.type == subject_type, Subject.code == code))
    author = submitter(session, subject)
    first = documents.start_document(session, author, subject.id, "target", NOW)
    submit(session, first, author)
    while (task := open_task_of(session, first.instance_id)) is not None:
        from engine.workflow import runtime

        runtime.complete_task(session, actor_for(session, task), task.id, {"decision": "approve"}, NOW)
    session.flush()
    return documents.get_document(session, author, first.document_id)


@pytest.fixture
def published(session):
    return {key: publish(session, *key) for key in MATRIX}


@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{t}-{c}" for t, c in MATRIX])
def test_reading_matrix(session, published, key):
    doc = published[key]
    assert doc.published_version == 1
    expected = MATRIX[key] | EVERYONE_ABOVE
    readers = set()
    for name in VIEWERS:
        viewer = user(session, name)
        principals = org.principals_of(session, viewer.id)
        listed = {d.id for d in sharing.list_documents(session, viewer, principals, per_page=100)[0]}
        try:
            sharing.access(session, viewer, doc.id, principals)
            readers.add(name)
            assert doc.id in listed, f"{name} may read {key} but does not see it listed"
        except NotFound:
            assert doc.id not in listed, f"{name} sees {key} listed but may not read it"
    assert readers == expected & set(VIEWERS)


def test_an_explicit_share_opens_one_document_to_one_user(session, published):
    doc = published[("teacher", "t01")]
    outsider = user(session, "t06")
    with pytest.raises(NotFound):
        sharing.access(session, outsider, doc.id)
    sharing.share(session, user(session, "t01"), doc.id, "t06", NOW)
    assert sharing.access(session, outsider, doc.id)[1] == "published"
    with pytest.raises(NotFound):  # only the one document
        sharing.access(session, outsider, published[("major", "510102")].id)
