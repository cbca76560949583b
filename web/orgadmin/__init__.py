"""系统管理: the unit tree, people, positions, majors / courses / classes, imports (blueprint `orgadmin`).

Administrators manage everything; a department head manages the positions inside the units they head
and sees nothing else here (404, as for any page a user may not see).
"""

from . import imports, people, positions, teaching, units  # noqa: F401  (the views register on bp)
from .blueprint import bp

__all__ = ["bp"]
