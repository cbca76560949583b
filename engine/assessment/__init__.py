"""Developmental assessment (发展性考核, seed §六(二)7(4), table 40) of 职能部门 and 二级学院, and its 2018 extension
to 专业 / 课程 and 教师 / 辅导员 / 职员.

Modules: systems (indicator systems as data, shipped and edited), campaigns (opening one, its scorers from the
organisation, the `assessment_campaign` process's services and task kind, settings, veto and 突出贡献), subjects
(the extension's targets and their scorers), compute (the arithmetic, pure), scoring (网上评价: a scorer's
assignments), closing (the last submission ends the scoring), results (a result's breakdown, the Excel export),
summary (what the leaders' view reads). What BPMN calls is registered by `register` (engine/wiring.py).
"""

from .. import workflow
from . import campaigns, closing, compute, results, scoring, subjects, summary, systems


def register() -> None:
    workflow.register_task_kind("assessment", "发展性考核办理", campaigns.take_decision)
    workflow.register_service("assessment_open_scoring", "发展性考核：开放评分（分配评分任务）", campaigns.open_scoring)
    workflow.register_service("assessment_compute", "发展性考核：计算考核结果", campaigns.compute_results)
    workflow.register_service("assessment_publish", "发展性考核：公布考核结果", campaigns.publish_results)


__all__ = ["campaigns", "closing", "compute", "register", "results", "scoring", "subjects", "summary", "systems"]
