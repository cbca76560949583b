"""The diagnosis modes: review checklists, review assessments, 规定性诊断."""
