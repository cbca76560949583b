"""The demo school: its organisation (organisation), and a year in flight played through the product's
own services (year, the story in script). Loaded by `zhengai init` (engine/install.py)."""

from .assessment import load as load_assessment
from .credits import load as load_credits
from .diagnosis import load as load_diagnosis
from .feeds import load_feeds
from .feeds39 import load as load_management_feeds
from .history import load as load_history
from .organisation import DEMO_PASSWORD, is_loaded, load
from .reports import load as load_reports
from .services import load as load_services
from .standards import load as load_standards
from .supervision import load as load_supervision
from .warnings39 import load as load_warnings
from .year import load as load_year

__all__ = [
    "DEMO_PASSWORD", "is_loaded", "load", "load_assessment", "load_credits", "load_diagnosis", "load_feeds",
    "load_history", "load_management_feeds", "load_reports", "load_services", "load_standards", "load_supervision",
    "load_warnings",
    "load_year",
]  # fmt: skip
