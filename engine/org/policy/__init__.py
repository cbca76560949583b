"""Who may see and act on what: every permission rule of the product, in one place, as SQL.

A rule is a condition over one table that a query adds to its WHERE clause, so a list and a single load
ask the same question and an object one may not see is simply not found (the caller answers 404, never
403: an id reveals nothing). `None` instead of a condition means "everything" (monitors). The rules read
a `Viewer`: the user and the principals they act as (engine/org/principal.py), parsed once.

What each rule admits:

- a task: monitors; its candidates (one of their principals is offered it), its claimant, who completed
  it. Acting on it (engine/workflow/tasks.py) needs it open, unclaimed or claimed by oneself, offered.
- a document: its working copy to the subject's members, everyone on its chain and monitors; its
  published versions also to positions in the subject's department, the parent subject's members, a
  student's counselor, the subject type's lead department, school leaders and explicit shares.
- a process instance (its page): monitors, who started it, heads of the subject's department, the
  process's owners, participants. Acting on it: the watch scope.
- the watch scope (monitoring, task and instance administration): monitors the whole school, heads
  their departments' subjects; anybody else is shown nothing (404).
- a warning: monitors and the 诊改办公室 (function quality_office) see all; the responsible person, the
  reporter, positions in and members of the department, 保卫处 (security_office) for safety hazards;
  students only warnings naming them. Heads, reviewers and staff of the department, the responsible
  person and the all-seeing act on it. Functions are held by units (engine/org/functions.py).
- a template: monitors; owners (process owner or head) of the subject type's lead department.
- a process: administrators and its department's owners edit it (modeler); monitors and owners
  analyse its versions (heat map).
- an annual-table row: monitors, positions and members of a responsible department mark it done.
- the school sampling (学校抽样复核): monitors and 质量管理处 draw and read it.
- a supervision record (质量督导): monitors; staff of the kind's lead and cooperating departments; a college's
  staff and teachers those on the college's subjects (教学); its supervisor; the supervised party (the subject's
  person, its team leader, a unit subject's head or reviewer), who alone responds. The lead department writes
  the kind's plan. Satisfaction surveys: staff and teachers read them, monitors and 质量管理处 import them.
- a registry entry: all read it; monitors, 质量管理处 and its lead department (members, positions) edit it.
- a review checklist (复核性诊断指标体系): staff and teachers read it; monitors, 质量管理处 and its lead department
  edit and publish its drafts. A review's assessment: whoever may work on the review document's open task.
- a 规定性诊断: the basic standard's lead department (its staff and positions) records it; monitors read it.
- a service request (table 38): its requester; the provider department (staff, positions) in its queue;
  党政办公室 (function party_office) and monitors all of them.
- table 39's warning types: staff and teachers read them; monitors and 质量管理处 set the blank providers. A
  quality accident's grade is proposed by the 诊改办公室 (monitors, 质量管理处) or a 诊改工作组 member (not of the
  deciding department), decided and its handling recorded by the responsible department (heads, reviewers, its
  administrative staff).
- a data feed (table 37): monitors and its lead department edit it, issue tokens, upload and read every record;
  a record is also seen by its 信息源 person, and a class's records by the class's students and counselor.
- the school leaders' quality view (质量看板): monitors, 校领导 and 质量管理处 the whole school; a 分管领导 or 联系领导
  who is not a school leader the units they lead; everybody else nothing (404).
- student quality credits (综合素质学分): 党委学生工作部 (function student_affairs) and monitors keep the catalogue,
  see every ledger and claim, record 减分 and reverse recognitions; a counselor sees their classes' ledgers and
  claims and records 减分 for them; a student their own ledger and the claims they made or that name them;
  教务处 (academic_affairs) also runs the graduation check.
- the developmental assessment (table 40): monitors and 人力资源处 edit the indicator systems and run campaigns;
  they, 党政办公室 and 质量管理处 read every campaign and its results before publication (教务处 also the 专业/课程
  campaigns, 教务处 and 党委学生工作部 the 教师/辅导员/职员 ones); a published result is read by the unit's own
  staff and positions and the school leaders, a 专业's, 课程's or person's by the one responsible, the heads of
  its unit and the school leaders; a scorer sees their own assignments only.
- a yearly report: 质量管理处 (function quality_office) and monitors edit the report types' headings, start and
  compile the school's reports; they and school leaders read every report, school leaders approve the school's;
  a 职能部门's or 二级学院's staff (and positions in it) write and publish its own; published ones are public.
"""

from __future__ import annotations

from .assessment import organises_assessment, reads_subject_result, reads_unit_result, runs_assessment
from .base import (
    ANNUAL_ROW_ROLES,
    DOCUMENT_UNIT_ROLES,
    LEAD_FUNCTIONS,
    MONITOR,
    OWNER_ROLES,
    SCHOOL_WIDE_READERS,
    WARNING_ACT_ROLES,
    WARNING_LEAD_FUNCTIONS,
    WARNING_REPORTERS,
    WARNING_SEE_ROLES,
    WARNINGS_SEEN_BY_ALL_OF,
    F,
    Principal,
    Viewer,
    document_full_access,
    document_visible,
    head_units,
    instance_visible,
    instance_watched,
    is_monitor,
    lead_function,
    led_by_units,
    may_analyse_process,
    offered_task_ids,
    owned_subject_types,
    owned_unit_ids,
    owns_any_process,
    owns_process,
    positions_of,
    process_analysable,
    process_editable,
    process_versions_of_units,
    scopes_held,
    subjects_of_units,
    task_offered,
    task_visible,
    task_visible_to,
    task_waiting_for,
    task_watched,
    template_editable,
    viewer,
    watch_scope,
)
from .credits import (
    counselled_classes,
    credit_claim_visible,
    credit_student_visible,
    manages_credits,
    runs_graduation_check,
)
from .diagnosis import (
    in_lead_department,
    may_diagnose_standard,
    may_edit_checklist,
    reads_checklists,
    reads_prescriptive,
)
from .feeds import class_ids_seen, feed_record_visible, manages_feed
from .leaders import UNIT_LEADER_ROLES, led_units, quality_view_scope, sees_quality_view
from .reports import is_school_leader, manages_reports, report_visible, report_writer_units
from .school import (
    WARNING_ACTING_KINDS,
    draws_samples,
    edits_committees,
    may_act_on_warning,
    may_complete_annual_row,
    may_edit_registry_entry,
    reads_annual_table,
    reads_standards,
    reportable_warning_kinds,
    sees_all_warnings,
    warning_actionable,
    warning_visible,
)
from .servicedesk import sees_all_service_requests, service_provider_units, service_request_visible
from .supervision import (
    SUPERVISION_UNITS,
    leads_supervision,
    reads_surveys,
    runs_surveys,
    supervised_subjects,
    supervises,
    supervision_kinds_seen,
    supervision_record_visible,
)
from .table39 import (
    configures_warning_providers,
    may_decide_accident,
    may_propose_accident_grade,
    reads_warning_types,
)

__all__ = [
    "ANNUAL_ROW_ROLES", "DOCUMENT_UNIT_ROLES", "F", "LEAD_FUNCTIONS", "MONITOR", "OWNER_ROLES", "Principal",
    "SCHOOL_WIDE_READERS", "Viewer", "WARNINGS_SEEN_BY_ALL_OF", "WARNING_ACTING_KINDS", "WARNING_ACT_ROLES",
    "WARNING_LEAD_FUNCTIONS", "WARNING_REPORTERS", "WARNING_SEE_ROLES", "document_full_access", "document_visible",
    "in_lead_department", "may_diagnose_standard", "may_edit_checklist", "reads_checklists", "reads_prescriptive",
    "draws_samples", "edits_committees", "head_units", "instance_visible", "instance_watched", "is_monitor",
    "lead_function", "led_by_units", "may_act_on_warning", "may_analyse_process", "may_complete_annual_row",
    "may_edit_registry_entry", "offered_task_ids", "owned_subject_types", "owned_unit_ids", "owns_any_process",
    "owns_process", "positions_of", "process_analysable", "process_editable", "process_versions_of_units",
    "reads_annual_table", "reads_standards", "reportable_warning_kinds", "scopes_held", "sees_all_warnings",
    "subjects_of_units", "task_offered", "task_visible", "task_visible_to", "task_waiting_for", "task_watched",
    "template_editable", "viewer", "warning_actionable", "warning_visible", "watch_scope",
    "SUPERVISION_UNITS", "leads_supervision", "reads_surveys", "runs_surveys", "supervised_subjects", "supervises",
    "supervision_kinds_seen", "supervision_record_visible",
    "sees_all_service_requests", "service_provider_units", "service_request_visible",
    "configures_warning_providers", "may_decide_accident", "may_propose_accident_grade", "reads_warning_types",
    "class_ids_seen", "feed_record_visible", "manages_feed",
    "UNIT_LEADER_ROLES", "led_units", "quality_view_scope", "sees_quality_view",
    "counselled_classes", "credit_claim_visible", "credit_student_visible", "manages_credits",
    "runs_graduation_check",
    "organises_assessment", "reads_subject_result", "reads_unit_result", "runs_assessment",
    "is_school_leader", "manages_reports", "report_visible", "report_writer_units",
]  # fmt: skip
