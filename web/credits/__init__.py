"""综合素质学分 (student quality credits): a student's pages and the claim (pages), the counselors' and 党委学生工作部's
pages (manage), on one blueprint (base)."""

from . import manage, pages
from .base import bp

__all__ = ["bp", "manage", "pages"]
