"""Every URL that names an object answers 404 to a user who may not see it: not 403 (which would say the
object exists), not 500, and nothing of the object on the page. Unknown and malformed ids get the same 404.

The routes are read from the app's url_map: a route with an argument that is not listed in OBJECTS (or in
NOT_OBJECTS, with the reason) fails `test_every_route_with_an_id_is_covered`, so a new page cannot be added
without saying who must not see it. Each object comes from the demo school's year (`zhengai init`), seen
by an owner (who gets the page: the object exists) and by a near neighbour who must not see it: a teacher
of the other college, a reviewer of another department, the head of another college, a second monitor.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass

import pytest
from flask import url_for
from sqlalchemy import func, select

from engine.models import (
    AnnualTask,
    ApiToken,
    AssessmentAssignment,
    AssessmentCampaign,
    AssessmentTarget,
    Attachment,
    BasicStandard,
    BatchRun,
    Committee,
    CreditClaim,
    CreditEntry,
    CreditItem,
    CycleRun,
    Document,
    DocumentShare,
    DocumentVersion,
    FeedToken,
    FormTemplate,
    HumanTask,
    ImportRun,
    Notification,
    OrgUnit,
    PositionTerm,
    PrescriptiveDiagnosis,
    ProcessDefinition,
    QualityWarning,
    RegistryEntry,
    Report,
    ReviewChecklist,
    SamplingDraw,
    SatisfactionSurvey,
    ServiceRequest,
    Subject,
    SupervisionRecord,
    User,
)
from engine.workflow import tasks
from tests.conftest import NOW, login, make_app

# Route arguments that do not name an object, and routes that show nothing of anybody's.
NOT_OBJECTS = {
    "static": "the application's own files",
    "vendor": "the npm packages' files",
    "auth.set_language": "a language code",
    "registries.entries": "a registry's kind: every signed-in user reads the registries",
    "registries.show": "a registry entry: every signed-in user reads it (its edit form is checked below)",
    "feeds_api.push": "a feed's key: the push API signs in no user, its token decides (tests/web/test_feeds.py)",
    "assessment.system": "an indicator system (table 40): every signed-in user reads it (its edit form: below)",
    "public_reports.download": "a published report is public; any other id is 404 (tests/web/test_reports.py)",
}
# arguments that choose a form of the page (or a step), not an object
VALUE_ARGS = {"fmt": "xlsx", "action": "suspend", "step": "decide"}


@dataclass
class Case:
    """Who owns the object, who must not see it, the URL arguments, and text of the object that must not leak."""

    owner: str
    outsider: str
    args: dict
    marker: str | None = None
    ids: tuple[str, ...] | None = None  # the arguments an unknown id replaces (None: all but VALUE_ARGS)

    def id_args(self) -> tuple[str, ...]:
        return tuple(a for a in self.args if a not in VALUE_ARGS) if self.ids is None else self.ids


class Demo:
    """The demo year's objects, looked up by what they are, not by id."""

    def __init__(self, session):
        self.s = session

    def user(self, username):
        return self.s.scalar(select(User).where(User.username == username))

    def open_edit_task(self, username) -> HumanTask:
        rows = tasks.list_tasks(self.s, self.user(username), tab="mine", per_page=100).rows
        return self.s.get(HumanTask, next(r.id for r in rows if r.kind == "edit"))

    def attachment(self) -> Attachment:
        return self.s.scalar(select(Attachment).order_by(Attachment.id))

    def versioned_document(self) -> Document:
        doc_id = self.s.scalar(
            select(DocumentVersion.document_id).group_by(DocumentVersion.document_id).having(func.count() >= 2)
        )
        return self.s.get(Document, doc_id)

    def warning(self, title_part) -> QualityWarning:
        return self.s.scalar(select(QualityWarning).where(QualityWarning.title.contains(title_part)))

    def template(self, subject_type, doc_type) -> FormTemplate:
        return self.s.scalar(
            select(FormTemplate).where(FormTemplate.subject_type == subject_type, FormTemplate.doc_type == doc_type)
        )

    def batch(self, username, kind) -> BatchRun:
        run = BatchRun(user_id=self.user(username).id, kind=kind, created_at=NOW, results=[], context={})
        self.s.add(run)
        self.s.flush()
        return run

    def api_token(self, username):
        from engine.security import tokens

        tokens.issue(self.s, self.user(username), "api", NOW, 30)
        return self.s.scalar(select(ApiToken).order_by(ApiToken.id.desc()))

    def annual_row(self, unit_code) -> AnnualTask:
        """A row of the annual table that only this department answers for."""
        unit = self.s.scalar(select(OrgUnit.id).where(OrgUnit.code == unit_code))
        return next(
            r for r in self.s.scalars(select(AnnualTask).order_by(AnnualTask.id)) if r.responsible_unit_ids == [unit]
        )


def cases(d: Demo) -> dict[str, Case]:
    """Per endpoint: the object and the people. t01 and t06 teach at two colleges (电子与物联网, 软件与信息技术);
    dzxy_reviewer and rjxy_reviewer head them."""
    t01_task = d.open_edit_task("t01")  # his teacher target, returned to him
    t01_doc = d.s.get(Document, t01_task.document_id)
    t01_subject = d.s.get(Subject, t01_task.subject_id).name
    evidence = d.attachment()  # 软件技术's 6 诊改实施 record, led by t06
    evidence_doc = d.s.get(Document, evidence.document_id)
    evidence_task = d.s.scalar(
        select(HumanTask).where(HumanTask.document_id == evidence_doc.id, HumanTask.state == "open")
    )
    versioned = d.versioned_document()  # 吴婷's target, v1 and v2
    share = d.s.scalar(select(DocumentShare))  # 李娜's target, shared with 张伟
    shared_doc = d.s.get(Document, share.document_id)
    hazard = d.warning("插线板")  # an open 安全隐患 of 电子与物联网学院
    accident = d.warning("请假离校")  # a counselor's quality accident waiting for 党委学生工作部
    note = d.s.scalar(select(Notification).where(Notification.user_id == d.user("t01").id))
    api_token = d.api_token("t01")
    run = d.s.scalar(select(CycleRun))
    hr_row = d.annual_row("RSC")  # 人力资源处
    template = d.template("teacher", "target")  # 人力资源处's
    chain = d.s.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "chain_teacher"))
    approve = d.batch("dzxy_reviewer", "approve")
    remind = d.batch("zlc_admin", "remind")

    task = {"task_id": t01_task.id}
    doc = {"doc_id": t01_doc.id}
    instance = {"instance_id": t01_task.instance_id}
    process = {"key": chain.key}
    evidence_args = {"task_id": evidence_task.id, "attachment_id": evidence.id}
    out = {
        # tasks: t01's own; t06 is a teacher of the other college
        **{
            e: Case("t01", "t06", task, t01_task.title)
            for e in (
                "tasks.show",
                "tasks.submit",
                "tasks.autosave",
                "tasks.claim",
                "tasks.unclaim",
                "tasks.confirm_cancel",
                "tasks.cancel",
                "tasks.confirm_withdraw",
                "tasks.withdraw",
                "tasks.upload_attachment",
                "api.show_task",
                "api.claim",
                "api.unclaim",
                "api.complete",
                "api.save_draft",
            )
        },  # fmt: skip
        "tasks.delete_attachment": Case("t06", "t01", evidence_args, evidence.filename),
        # documents
        **{
            e: Case("t01", "t06", doc, t01_doc.title)
            for e in (
                "documents.show",
                "documents.working_copy",
                "documents.print_view",
                "api.show_document",
            )
        },  # fmt: skip
        "documents.export": Case("t01", "t06", {**doc, "fmt": "xlsx"}, t01_doc.title),
        "documents.attachment": Case(
            "t06", "t01", {"doc_id": evidence_doc.id, "attachment_id": evidence.id}, evidence.filename
        ),
        "documents.version": Case("t09", "t01", {"doc_id": versioned.id, "version": 2}, versioned.title),
        "documents.diff": Case("t09", "t01", {"doc_id": versioned.id}, versioned.title),
        "documents.add_share": Case("t03", "t06", {"doc_id": shared_doc.id}, shared_doc.title),
        "documents.remove_share": Case("t03", "t06", {"doc_id": shared_doc.id, "share_id": share.id}, shared_doc.title),
        # the instance page: rjxy_reviewer heads the other college
        **{
            e: Case("t01", "rjxy_reviewer", instance, t01_subject)
            for e in (
                "instances.show",
                "instances.diagram",
                "instances.state",
            )
        },  # fmt: skip
        # administering an instance: monitors and the head of the subject's college only
        **{
            e: Case("zlc_admin", "rjxy_reviewer", {**instance, "action": "suspend"}, t01_subject)
            for e in (
                "monitor_actions.confirm",
                "monitor_actions.act",
            )
        },  # fmt: skip
        # batch results belong to whoever ran the batch, even among reviewers or monitors
        "inbox.batch_result": Case("dzxy_reviewer", "dzxy_reviewer2", {"run_id": approve.id}),
        "monitor_actions.batch_result": Case("zlc_admin", "xxh_admin", {"run_id": remind.id}),
        # warnings: t06 teaches at the other college
        "warnings.show": Case("dzxy_reviewer", "t06", {"warning_id": hazard.id}, hazard.title),
        "warnings.act": Case("dzxy_reviewer", "t06", {"warning_id": hazard.id, "action": "note"}, hazard.title),
        # a quality accident's 认定与处理: 党委学生工作部 handles a counselor's accident; t06 sees nothing
        "warnings.accident": Case("zlc_admin", "t06", {"warning_id": accident.id, "step": "decide"}, accident.title),
        "notifications.open_one": Case("t01", "t06", {"nid": note.id}, note.title),
        # one's own API and calendar tokens: nobody else revokes them
        "auth.revoke_token": Case("t01", "t06", {"token_id": api_token.id}),
        # the annual cycle's runs: 质量管理处 only
        **{e: Case("zlc_admin", "dzxy_reviewer", {"run_id": run.id}) for e in ("cycle.run", "cycle.run_json")},
        # the annual table: everybody but students reads it; monitors correct rows and generate a year;
        # a responsible department marks its rows done
        "annual.year": Case("t01", "s01", {"year": hr_row.year}, hr_row.task, ids=()),
        "annual.preview": Case("zlc_admin", "dzxy_reviewer", {"year": hr_row.year + 1}, ids=()),
        "annual.instantiate": Case("zlc_admin", "dzxy_reviewer", {"year": hr_row.year + 1}, ids=()),
        "annual.update": Case("zlc_admin", "dzxy_reviewer", {"row_id": hr_row.id}, hr_row.task),
        "annual.done": Case("rsc_reviewer", "t01", {"row_id": hr_row.id}, hr_row.task),
        # templates and processes of 人力资源处: jwc_reviewer owns 教务处's
        **{
            e: Case("rsc_reviewer", "jwc_reviewer", {"key": template.key}, template.title)
            for e in (
                "form_templates.edit",
                "form_templates.publish",
            )
        },  # fmt: skip
        **{
            e: Case("rsc_reviewer", "jwc_reviewer", process, chain.name)
            for e in (
                "modeler.edit",
                "modeler.check_expression",
                "modeler.compare",
                "modeler.confirm_deploy",
                "modeler.deploy",
                "modeler.discard",
                "modeler.save_draft",
                "modeler.import_file",
                "modeler.migration",
                "modeler.migrate",
                "modeler.options",
                "modeler.validate",
                "modeler.versions",
                "modeler.working_xml",
            )
        },  # fmt: skip
        **{
            e: Case("rsc_reviewer", "jwc_reviewer", {**process, "number": 1}, chain.name)
            for e in (
                "modeler.export",
                "modeler.confirm_rollback",
                "modeler.rollback",
            )
        },  # fmt: skip
        **{
            e: Case("rsc_reviewer", "jwc_reviewer", {"version_id": chain.latest_version_id}, chain.name)
            for e in (
                "instances.version_diagram",
                "instances.version_heatmap",
            )
        },  # fmt: skip
    }
    # 系统管理: administrators only (zlc_admin is a monitor, not an administrator); a head ends positions in
    # their own college only
    unit = d.s.scalar(select(OrgUnit).where(OrgUnit.code == "DZXY"))
    t01 = d.user("t01")
    major = d.s.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    head_term = d.s.scalar(select(PositionTerm).where(PositionTerm.user_id == d.user("dzxy_reviewer").id,
                                                      PositionTerm.role == "head"))  # fmt: skip
    run = ImportRun(kind="units", filename="units.csv", status="pending", rows=[], created_at=NOW,
                    summary={"rows": 0, "new": 0, "existing": 0, "errors": 0, "notes": []})  # fmt: skip
    d.s.add(run)
    d.s.flush()
    out.update({
        "orgadmin.update_unit": Case("admin", "zlc_admin", {"unit_id": unit.id}),
        "orgadmin.person": Case("admin", "zlc_admin", {"user_id": t01.id}, t01.display_name),
        "orgadmin.set_active": Case("admin", "zlc_admin", {"user_id": t01.id}),
        "orgadmin.reset_password": Case("admin", "zlc_admin", {"user_id": t01.id}),
        "orgadmin.set_team": Case("admin", "zlc_admin", {"subject_id": major.id}),
        "orgadmin.set_pilot": Case("admin", "zlc_admin", {"subject_id": major.id}),
        "orgadmin.end_position": Case("dzxy_reviewer", "rjxy_reviewer", {"term_id": head_term.id}),
        "orgadmin.import_run": Case("admin", "zlc_admin", {"run_id": run.id}, run.filename),
        "orgadmin.confirm_import": Case("admin", "zlc_admin", {"run_id": run.id}),
        "orgadmin.discard_import": Case("admin", "zlc_admin", {"run_id": run.id}),
        "orgadmin.import_template": Case("admin", "zlc_admin", {"kind": "units"}),
    })  # fmt: skip
    # registries: 教务处 leads 专业设置 and edits it, 人力资源处 does not; work standards: staff, not students
    entry = d.s.scalar(select(RegistryEntry).where(RegistryEntry.key == "major_setting"))
    college = d.s.scalar(select(Subject).where(Subject.type == "college", Subject.code == "DZXY"))
    out.update({
        "registries.edit": Case("jwc_staff", "rsc_reviewer", {"entry_id": entry.id}, entry.document_text),
        "registries.update": Case("jwc_staff", "rsc_reviewer", {"entry_id": entry.id}, entry.document_text),
        "work_standards.unit": Case("dzxy_office", "s01", {"subject_id": college.id}, f"{college.name} · 工作标准"),
    })  # fmt: skip
    # 诊改组织 and 基本标准: staff and teachers read them, students do not; 质量管理处 keeps the committees; a
    # standard's lead department (教务处 for 专业实训条件基本标准) starts its revision
    office = d.s.scalar(select(Committee).where(Committee.kind == "office"))
    standard = d.s.scalar(select(BasicStandard).where(BasicStandard.key == "BS13"))
    out.update({
        "committees.show": Case("t01", "s01", {"committee_id": office.id}, office.name),
        "committees.edit": Case("zlc_admin", "dzxy_reviewer", {"committee_id": office.id}),
        "committees.save": Case("zlc_admin", "dzxy_reviewer", {"committee_id": office.id}),
        "standards.show": Case("t01", "s01", {"standard_id": standard.id}, standard.name),
        "standards.revise": Case("jwc_staff", "t01", {"standard_id": standard.id}, standard.name),
    })  # fmt: skip
    # data feeds (table 37): 教务处 leads 教师出勤 and 作业布置与批改, 人力资源处 does not (and enters neither)
    token = d.s.scalar(select(FeedToken).order_by(FeedToken.id))
    feed = {"feed_key": "teacher_attendance"}
    out.update({
        "feeds.show": Case("jwc_staff", "rsc_reviewer", feed, "考勤系统"),
        "feeds.update": Case("jwc_staff", "rsc_reviewer", feed),
        "feeds.issue_token": Case("jwc_staff", "rsc_reviewer", feed),
        "feeds.revoke_token": Case("jwc_staff", "rsc_reviewer", {**feed, "token_id": token.id}),
        "feeds.template": Case("jwc_staff", "rsc_reviewer", feed),
        "feeds.upload": Case("jwc_staff", "rsc_reviewer", feed, "考勤系统"),
        "feeds.entry": Case("jwc_staff", "rsc_reviewer", {"feed_key": "homework_marking"}, "作业布置与批改"),
    })  # fmt: skip
    # 学校抽样复核: monitors and 质量管理处 only; the demo year's draw names its seed
    draw = d.s.scalar(select(SamplingDraw).where(SamplingDraw.year == 2026))
    out.update({
        "sampling.show": Case("zlc_admin", "dzxy_reviewer", {"draw_id": draw.id}, draw.seed),
        "sampling.verify": Case("zlc_admin", "dzxy_reviewer", {"draw_id": draw.id}, draw.seed),
    })  # fmt: skip
    # 诊断指标体系: staff and teachers read a checklist, students do not; its lead department (教务处 for 专业) and
    # 质量管理处 edit it, another lead department does not. 规定性诊断: the standard's lead department (教务处 for
    # 课程教学基本标准) and monitors only. 复核性诊断指标: whoever writes the review now (the expert t01's step 9)
    major_list = d.s.scalar(select(ReviewChecklist).where(ReviewChecklist.subject_type == "major"))
    bs12 = d.s.scalar(select(BasicStandard).where(BasicStandard.key == "BS12"))
    diagnosis = d.s.scalar(select(PrescriptiveDiagnosis).where(PrescriptiveDiagnosis.standard_id == bs12.id))
    review = d.s.scalar(
        select(Document).join(HumanTask, HumanTask.document_id == Document.id)
        .where(Document.doc_type == "school_review", HumanTask.state == "open", HumanTask.kind == "edit")
    )  # fmt: skip
    checklist = {"checklist_id": major_list.id}
    out.update({
        "checklists.show": Case("t01", "s01", checklist),
        "checklists.version": Case("t01", "s01", {**checklist, "version": 1}),
        **{e: Case("jwc_staff", "rsc_reviewer", checklist)
           for e in ("checklists.edit", "checklists.save", "checklists.publish", "checklists.discard")},
        **{e: Case("jwc_reviewer", "rsc_reviewer", {"standard_id": bs12.id})
           for e in ("reviews.prescriptive_index", "reviews.prescriptive_new", "reviews.prescriptive_save")},
        "reviews.prescriptive_show": Case("jwc_reviewer", "rjxy_reviewer", {"diagnosis_id": diagnosis.id},
                                          diagnosis.results[0]["note"]),
        **{e: Case("t01", "dzxy_reviewer", {"doc_id": review.id}, review.subject.name)
           for e in ("reviews.assessment", "reviews.record_assessment")},
    })  # fmt: skip
    # 质量督导: 张伟's record (his class) is his, his supervisor's and 教学's departments'; not a colleague's.
    # Survey results: staff and teachers read them, students do not (a pending import: its importers only)
    t01_id = d.s.scalar(select(Subject.id).where(Subject.code == "t01"))
    record = d.s.scalar(select(SupervisionRecord).where(SupervisionRecord.subject_id == t01_id))
    survey = d.s.scalar(select(SatisfactionSurvey).where(SatisfactionSurvey.status == "applied"))
    out.update({
        "supervision.show": Case("t01", "t02", {"record_id": record.id}, record.findings),
        "supervision.respond": Case("t01", "t02", {"record_id": record.id}, record.findings),
        "supervision.close": Case("zlc_admin", "t02", {"record_id": record.id}, record.findings),
        "supervision.survey": Case("jwc_staff", "s01", {"survey_id": survey.id}, survey.provider),
        "supervision.confirm_survey": Case("zlc_admin", "s01", {"survey_id": survey.id}),
        "supervision.discard_survey": Case("zlc_admin", "s01", {"survey_id": survey.id}),
    })  # fmt: skip
    # 自我诊断记录: whoever may see the subject's documents (a course's team), not a teacher of the other college
    course = d.s.scalar(select(Subject).where(Subject.code == "RJ2001"))
    out.update({
        "record.show": Case("t08", "t01", {"subject_id": course.id, "year": 2026}, course.name),
        "record.export": Case("t08", "t01", {"subject_id": course.id, "year": 2026, "fmt": "xlsx"}),
    })  # fmt: skip
    # 服务申请: 刘洋's request to 信息化处 is his and 信息化处's; not a colleague's, not 教务处's (another provider)
    service = d.s.scalar(select(ServiceRequest).where(ServiceRequest.requester_id == d.user("t04").id))
    out.update({
        "services.show": Case("t04", "t06", {"request_id": service.id}, service.description),
    })  # fmt: skip
    # 质量看板: school leaders see every unit's page; a college head (not a leader) sees none
    rjxy = d.s.scalar(select(OrgUnit).where(OrgUnit.code == "RJXY"))
    out.update({
        "leaders.unit": Case("xiaozhang", "dzxy_reviewer", {"unit_id": rjxy.id}, rjxy.name),
    })  # fmt: skip
    # 综合素质学分: s01's claim is his (and his counselor c01's), not a student's of another class; his ledger is
    # c01's to read and to record 减分 in, not c02's (another class); the catalogue's items and a class's
    # graduation year are 党委学生工作部's (教务处 sets years too), not a teacher's; reversals 党委学生工作部's only
    s01 = d.user("s01")
    credit_claim = d.s.scalar(select(CreditClaim).where(CreditClaim.student_id == s01.id,
                                                        CreditClaim.evidence_name.is_not(None)))  # fmt: skip
    credit_entry = d.s.scalar(select(CreditEntry).where(CreditEntry.student_id == s01.id))
    credit_item = d.s.scalar(select(CreditItem).where(CreditItem.code == "K01"))
    out.update({
        "credits.show_claim": Case("s01", "s11", {"claim_id": credit_claim.id}, credit_claim.description),
        "credits.evidence": Case("c01", "s11", {"claim_id": credit_claim.id}),
        "credits.student": Case("c01", "c02", {"user_id": s01.id}, s01.display_name),
        "credits.deduct": Case("c01", "c02", {"user_id": s01.id}, s01.display_name),
        "credits.class_standing": Case("c01", "c02", {"class_id": s01.class_id}, s01.display_name),
        "credits.edit_item": Case("xgb_reviewer", "t01", {"item_id": credit_item.id}),
        "credits.save_item": Case("xgb_reviewer", "t01", {"item_id": credit_item.id}),
        "credits.reverse": Case("xgb_reviewer", "c01", {"entry_id": credit_entry.id}),
        "credits.set_year": Case("jwc_staff", "c01", {"class_id": s01.class_id}),
    })  # fmt: skip
    # 发展性考核: 校长's assignment is his, not 蒋副校长's; a campaign is its organisers' (人力资源处), not a teacher's;
    # 教务处's published result is its own people's, not another college's head's
    assignment = d.s.scalar(select(AssessmentAssignment).where(AssessmentAssignment.scorer_id == d.user("xiaozhang").id)
                            .order_by(AssessmentAssignment.id))  # fmt: skip
    published = d.s.scalar(select(AssessmentCampaign).where(AssessmentCampaign.status == "published"))
    result = d.s.scalar(select(AssessmentTarget).join(OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id)
                        .where(AssessmentTarget.campaign_id == published.id, OrgUnit.code == "JWC"))  # fmt: skip
    campaign = {"campaign_id": published.id}
    out.update({
        "assessment.sheet": Case("xiaozhang", "fxz_jiang", {"assignment_id": assignment.id}),
        "assessment.save_sheet": Case("xiaozhang", "fxz_jiang", {"assignment_id": assignment.id}),
        "assessment.campaign": Case("rsc_reviewer", "t01", campaign, published.title),
        "assessment.update_settings": Case("rsc_reviewer", "t01", campaign),
        "assessment.advance": Case("rsc_reviewer", "t01", campaign),
        "assessment.export": Case("rsc_reviewer", "t01", campaign),
        "assessment.set_reasons": Case("rsc_reviewer", "t01", {"target_id": result.id}),
        "assessment.result": Case("jwc_staff", "dzxy_reviewer", {"target_id": result.id}, "查看构成"),
        "assessment.update_item": Case(
            "rsc_reviewer", "t01", {"system_id": published.system_id, "item_key": "routine"}),
    })  # fmt: skip
    # 质量报告: a college's draft is its own and 质量管理处's, not the other college's; a department's section of the
    # school report is that department's step; the headings are 质量管理处's
    draft = d.s.scalar(select(Report).where(Report.unit_id == d.user("dzxy_reviewer").org_unit_id,
                                            Report.status == "draft"))  # fmt: skip
    school_report = d.s.scalar(select(Report).where(Report.type_key == "school_quality",
                                                    Report.status == "contributing"))  # fmt: skip
    research = d.s.scalar(select(HumanTask).where(HumanTask.instance_id == school_report.instance_id,
                                                  HumanTask.bpmn_id == "contrib_research"))  # fmt: skip
    report = {"report_id": draft.id}
    out.update({
        **{e: Case("dzxy_reviewer", "rjxy_reviewer", report, draft.title) for e in ("reports.show", "reports.save")},
        "reports.export": Case("dzxy_reviewer", "rjxy_reviewer", {**report, "fmt": "docx"}),
        "reports.open_unit_report": Case("dzxy_reviewer", "rjxy_reviewer",
                                         {"unit_id": draft.unit_id, "type_key": "unit_diagnosis"}),
        **{e: Case("zlc_admin", "dzxy_reviewer", {"key": "school_quality"})
           for e in ("reports.headings", "reports.save_headings")},
        "reports.take_step": Case("kyc_staff", "jwc_staff", {"task_id": research.id}),
    })  # fmt: skip
    return out


APP = make_app()
ROUTES = sorted(
    {(rule.endpoint, method) for rule in APP.url_map.iter_rules() if rule.arguments
     for method in rule.methods - {"HEAD", "OPTIONS"}}
)  # fmt: skip


def _endpoints_of_cases() -> set[str]:
    """The endpoints `cases` names, read from its source (no database is needed to know them)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cases)))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_every_route_with_an_id_is_covered():
    """A new route with an argument must say who may not see its object (a case in `cases`) or why it names
    none (NOT_OBJECTS); the url_map walk below then checks it."""
    missing = sorted({e for e, _ in ROUTES} - _endpoints_of_cases() - set(NOT_OBJECTS))
    assert missing == [], f"routes with an id and no IDOR case: {missing}"
    assert len(ROUTES) > 60


@pytest.fixture
def demo(demo_year_session):
    return Demo(demo_year_session)


def _client(app, username):
    return login(app.test_client(), username)


def _url(app, endpoint, args):
    with app.test_request_context():
        return url_for(endpoint, **args)


FORM = {"confirm": "yes", "reason": "核查", "note": "核查"}  # what the confirmation pages send


def _call(client, method, url):
    """The request as the page (or an API client) sends it: well-formed, so only the permission can refuse it."""
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={})
    return client.open(url, method=method, data=FORM)


def _unknown(value, name):
    if name == "key":
        return "no-such-key"
    return 987654 if isinstance(value, int) or str(value).isdigit() else "nope"


CHECKED = [r for r in ROUTES if r[0] not in NOT_OBJECTS]


@pytest.mark.parametrize("endpoint, method", CHECKED, ids=[f"{e}-{m}" for e, m in CHECKED])
def test_an_object_one_may_not_see_is_not_found(demo_year_app, demo, endpoint, method):
    case = cases(demo)[endpoint]
    app = demo_year_app
    url = _url(app, endpoint, case.args)

    outsider = _client(app, case.outsider)
    response = _call(outsider, method, url)
    assert response.status_code == 404, f"{case.outsider} {method} {url}: {response.status_code}"
    if case.marker:
        assert case.marker not in response.get_data(as_text=True), f"{method} {url} shows the object to {case.outsider}"

    owner = _client(app, case.owner)
    if method == "GET":  # the object exists and its owner reaches it: the 404 above is a refusal
        seen = owner.get(url)
        assert seen.status_code != 404 and seen.status_code < 500, f"{case.owner} GET {url}: {seen.status_code}"
    rule = next(app.url_map.iter_rules(endpoint))
    for name in case.id_args():  # an id that names nothing gets the same answer as one the user may not see
        unknown = _url(app, endpoint, {**case.args, name: _unknown(case.args[name], name)})
        assert _call(owner, method, unknown).status_code == 404, f"{case.owner} {method} {unknown}"
        if name != "key":  # nor one beyond what the database can store (SQLite refuses to bind it)
            huge = _url(app, endpoint, {**case.args, name: 2**64})
            assert _call(owner, method, huge).status_code == 404, f"{case.owner} {method} {huge}"
        if f"<int:{name}>" not in rule.rule:  # and so does one that is no id at all
            garbage = _url(app, endpoint, {**case.args, name: "x'"})
            assert _call(owner, method, garbage).status_code == 404, f"{case.owner} {method} {garbage}"


def test_a_migration_s_results_are_only_its_runner_s(demo_year_app, demo):
    """The modeler's results page takes its run from the query string: another editor of the same process
    (an administrator) is told nothing, and a run is not shown under another process."""
    run = BatchRun(
        user_id=demo.user("rsc_reviewer").id, kind="migrate", created_at=NOW, context={"key": "chain_teacher"},
        results=[{"id": 1, "ok": True, "message": None}],
    )  # fmt: skip
    demo.s.add(run)
    demo.s.flush()
    url = f"/processes/chain_teacher/migrate?run={run.id}"
    assert _client(demo_year_app, "rsc_reviewer").get(url).status_code == 200
    assert _client(demo_year_app, "admin").get(url).status_code == 404
    assert _client(demo_year_app, "admin").get("/processes/chain_teacher/migrate").status_code == 200
    assert (
        _client(demo_year_app, "rsc_reviewer").get(f"/processes/chain_faculty_team/migrate?run={run.id}").status_code
        == 404
    )
