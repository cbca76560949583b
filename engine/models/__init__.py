"""ORM models; import from here."""

from .assessment import AssessmentAssignment, AssessmentCampaign, AssessmentSystem, AssessmentTarget
from .audit import AuditEntry
from .batch import BatchRun
from .credits import CreditClaim, CreditEntry, CreditGraduation, CreditItem
from .diagnosis import ChecklistVersion, PrescriptiveDiagnosis, ReviewAssessment, ReviewChecklist
from .document import Attachment, Document, DocumentShare, DocumentVersion, FormTemplate
from .enums import (
    DocumentStatus,
    FunctionKey,
    InstanceStatus,
    RegistryKind,
    RegistryStatus,
    Role,
    ScopeType,
    TaskState,
    WarningLevel,
    WarningStatus,
)
from .feed import FeedDefinition, FeedRecord, FeedToken
from .org import OrgFunction, OrgUnit, RoleAssignment, SchoolClass, Subject, SubjectMember, User
from .orgdata import ImportRun, PositionTerm
from .process import HumanTask, ProcessDefinition, ProcessDraft, ProcessInstance, ProcessVersion, TaskCandidate
from .ratelimit import RateLimitCounter
from .registry import RegistryEntry
from .report import Report, ReportContribution, ReportType
from .schedule import (
    AnnualTask,
    CycleInstance,
    CycleRun,
    CycleSchool,
    Notification,
    SamplingDraw,
    ScheduledEffect,
    SchedulerLease,
)
from .servicedesk import ServiceRequest
from .standards import BasicStandard, Committee, CommitteeMember
from .supervision import SatisfactionResult, SatisfactionSurvey, SupervisionPlan, SupervisionRecord
from .token import ApiToken
from .warning import QualityWarning, WarningRuleCursor, WarningTypeProvider

__all__ = [
    "CreditClaim",
    "CreditEntry",
    "CreditGraduation",
    "CreditItem",
    "AssessmentAssignment",
    "AssessmentCampaign",
    "AssessmentSystem",
    "AssessmentTarget",
    "FeedDefinition",
    "FeedRecord",
    "FeedToken",
    "ApiToken",
    "Attachment",
    "AnnualTask",
    "CycleInstance",
    "CycleRun",
    "CycleSchool",
    "SamplingDraw",
    "SatisfactionResult",
    "SatisfactionSurvey",
    "SupervisionPlan",
    "SupervisionRecord",
    "ServiceRequest",
    "Report",
    "ReportContribution",
    "ReportType",
    "Notification",
    "ScheduledEffect",
    "SchedulerLease",
    "AuditEntry",
    "BasicStandard",
    "Committee",
    "CommitteeMember",
    "BatchRun",
    "ChecklistVersion",
    "PrescriptiveDiagnosis",
    "ReviewAssessment",
    "ReviewChecklist",
    "Document",
    "DocumentStatus",
    "DocumentShare",
    "DocumentVersion",
    "FormTemplate",
    "FunctionKey",
    "HumanTask",
    "ImportRun",
    "InstanceStatus",
    "OrgFunction",
    "OrgUnit",
    "PositionTerm",
    "ProcessDefinition",
    "ProcessDraft",
    "ProcessInstance",
    "ProcessVersion",
    "QualityWarning",
    "RateLimitCounter",
    "RegistryEntry",
    "RegistryKind",
    "RegistryStatus",
    "Role",
    "RoleAssignment",
    "ScopeType",
    "SchoolClass",
    "Subject",
    "SubjectMember",
    "TaskCandidate",
    "TaskState",
    "User",
    "WarningLevel",
    "WarningRuleCursor",
    "WarningStatus",
    "WarningTypeProvider",
]
