"""The three diagnosis modes of seed figure 12: review checklists (复核性诊断指标体系) as versioned data
(checklists), the assessment a review records against the checklist in force (assessments), and the structured
规定性诊断 of a subject against a basic standard's criteria, which raises "未达到基本标准" (prescriptive)."""

from . import assessments, checklists, prescriptive
from .assessments import REVIEW_TYPES, WRITING_KIND, assessment_of

__all__ = ["REVIEW_TYPES", "WRITING_KIND", "assessment_of", "assessments", "checklists", "prescriptive"]
