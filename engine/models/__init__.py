"""ORM models; import from here."""

from .audit import AuditEntry
from .batch import BatchRun
from .document import Attachment, Document, DocumentShare, DocumentVersion, FormTemplate
from .org import OrgUnit, RoleAssignment, SchoolClass, Section, Subject, SubjectMember, User
from .process import HumanTask, ProcessDefinition, ProcessDraft, ProcessInstance, ProcessVersion, TaskCandidate
from .ratelimit import RateLimitCounter
from .schedule import AnnualTask, CycleInstance, CycleRun, Notification, ScheduledEffect, SchedulerLease
from .warning import QualityWarning, WarningRuleCursor

__all__ = [
    "Attachment",
    "AnnualTask",
    "CycleInstance",
    "CycleRun",
    "Notification",
    "ScheduledEffect",
    "SchedulerLease",
    "AuditEntry",
    "BatchRun",
    "Document",
    "DocumentShare",
    "DocumentVersion",
    "FormTemplate",
    "HumanTask",
    "OrgUnit",
    "ProcessDefinition",
    "ProcessDraft",
    "ProcessInstance",
    "ProcessVersion",
    "QualityWarning",
    "RateLimitCounter",
    "RoleAssignment",
    "SchoolClass",
    "Section",
    "Subject",
    "SubjectMember",
    "TaskCandidate",
    "User",
    "WarningRuleCursor",
]
