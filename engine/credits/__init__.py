"""Student quality credits (综合素质学分, issue #18): the 认定标准 catalogue 党委学生工作部 keeps, claims recognised by
the class's counselor through workflows/credit_claim.bpmn, an append-only ledger per student, the graduation
check raising table 39's `graduation` warning, and the ledger's values for the documents and the leaders' view.

Modules: catalogue (items, defaults, edits), claims (claim, the `credit` task kind, 减分, reversal), ledger
(totals, standing, graduating classes), graduation (the check), figures (the documents' 学分达标 values), summary
(`standing_by_unit`), access (who the user is to the credits). What BPMN calls is registered by `register`.
"""

from .. import workflow
from . import access, catalogue, claims, figures, graduation, ledger, summary


def register() -> None:
    workflow.register_task_kind("credit", "综合素质学分认定", claims.take_step)


__all__ = ["access", "catalogue", "claims", "figures", "graduation", "ledger", "register", "summary"]
