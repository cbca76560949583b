"""Walk every path of every approval chain (seed figures 3-9) on the demo organisation.

For each of the eight subject types: approve straight through; and for every review step, return there
once (the document goes back to the author with the comment) and then approve all the way.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.documents import service as documents
from engine.models import Document, HumanTask, ProcessInstance, RoleAssignment, Subject, SubjectMember, User
from engine.workflow import runtime, tasks
from tests.conftest import NOW, filled

# subject type -> (subject code in the demo, the review steps' task names in order)
CHAINS = {
    "functional_dept": ("JWC", ["党政办公室审核", "分管领导或联系领导审定"]),
    "college": ("DZXY", ["党政办公室审核", "分管领导或联系领导审定"]),
    "major": ("510102", ["二级学院审核", "教务处审定"]),
    "course": ("DZ1001", ["二级学院审核", "教务处审定"]),
    "faculty_team": ("RJXY-SZ", ["人力资源处审核", "分管领导审定"]),
    "teacher": ("t06", ["二级学院审定"]),
    "student_cultivation": ("510203-XS", ["二级学院审阅", "党委学生工作部审核", "分管领导审定"]),
    "student": ("s12", ["辅导员审定"]),
}


def subject_of(session, subject_type):
    code, _ = CHAINS[subject_type]
    return session.scalar(select(Subject).where(Subject.type == subject_type, Subject.code == code))


def submitter(session, subject) -> User:
    """The member who may submit: the leader of a team, or the single author."""
    member = session.scalar(
        select(SubjectMember).where(SubjectMember.subject_id == subject.id).order_by(SubjectMember.role != "leader")
    )
    return session.get(User, member.user_id)


def actor_for(session, task: HumanTask) -> User:
    """A user who holds one of the task's candidate principals."""
    from engine.models import TaskCandidate

    for principal in session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == task.id)):
        if principal.startswith("u:"):
            return session.get(User, int(principal[2:]))
        _, role, scope_type, scope_id = principal.split(":")
        ra = session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.role == role,
                RoleAssignment.scope_type == scope_type,
                (RoleAssignment.scope_id == int(scope_id)) | (RoleAssignment.scope_id.is_(None) & (int(scope_id) == 0)),
            )
        )
        if ra is not None:
            return session.get(User, ra.user_id)
    raise AssertionError(f"nobody can act on {task.name}")


def open_task_of(session, instance_id):
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))


def submit(session, task, author):
    doc = session.get(Document, task.document_id)
    runtime.complete_task(session, author, task.id, {"document": filled(doc.data)}, NOW)


@pytest.mark.parametrize("subject_type", list(CHAINS))
@pytest.mark.parametrize("return_at", [None, 0, 1, 2])
def test_chain_path(session, subject_type, return_at):
    steps = CHAINS[subject_type][1]
    if return_at is not None and return_at >= len(steps):
        pytest.skip("the chain has fewer steps")
    subject = subject_of(session, subject_type)
    author = submitter(session, subject)
    first = documents.start_document(session, author, subject.id, "target", NOW)
    instance_id = first.instance_id
    submit(session, first, author)

    seen = []
    returned = False
    while True:
        task = open_task_of(session, instance_id)
        if task is None:
            break
        if task.kind == "edit":
            assert returned, "the author only gets the document back after a return"
            assert task.candidates_label == subject.name
            assert task.return_comment == f"{steps[return_at]}：请修改"
            submit(session, task, author)
            continue
        seen.append(task.name)
        actor = actor_for(session, task)
        # nobody from an unrelated unit can see it
        assert not tasks.list_tasks(session, session.scalar(select(User).where(User.username == "t10"))).total
        step = len(seen) - 1 if not returned else None
        if step is not None and step == return_at:
            returned = True
            comment = f"{task.name}：请修改"
            runtime.complete_task(session, actor, task.id, {"decision": "return", "comment": comment}, NOW)
        else:
            runtime.complete_task(session, actor, task.id, {"decision": "approve", "comment": ""}, NOW)

    expected = steps if return_at is None else steps[: return_at + 1] + steps
    assert seen == expected
    doc = session.get(Document, first.document_id)
    assert doc.status == "published" and doc.published_version == 1
    assert session.get(ProcessInstance, instance_id).status == "completed"
