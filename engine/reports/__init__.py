"""The yearly reports (§六(二)7(5), annex 质量报告): report types with editable headings, the units' own reports
(prefilled from their subjects' diagnoses and reviews), the school's four reports as BPMN processes with
parallel contributions, publication and the public list.

Modules: catalogue (the types and their headings), units (a unit's reports), school (the processes: start, the
`report` task kind, the `publish_report` service), prefill (what a school report's sections start with), reading
(permission-checked loading, the public reports, the export dict), data (the data analysis report's charts),
summary (what the leaders' view reads). What BPMN calls is registered by `register`.
"""

from .. import workflow
from . import catalogue, data, reading, school, summary, units
from .school import STATUSES


def register() -> None:
    workflow.register_task_kind("report", "撰写质量报告", school.take_step)
    workflow.register_service("publish_report", "发布质量报告（向社会公开）", school.publish_service)


__all__ = ["STATUSES", "catalogue", "data", "reading", "register", "school", "summary", "units"]
