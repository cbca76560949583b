"""The demo school: its organisation (organisation), and a year in flight played through the product's
own services (year, the story in script). Loaded by `zhengai init` (engine/install.py)."""

from .diagnosis import load as load_diagnosis
from .feeds import load_feeds
from .organisation import DEMO_PASSWORD, is_loaded, load
from .reports import load as load_reports
from .services import load as load_services
from .standards import load as load_standards
from .supervision import load as load_supervision
from .warnings39 import load as load_warnings
from .year import load as load_year

__all__ = [
    "DEMO_PASSWORD", "is_loaded", "load", "load_diagnosis", "load_feeds", "load_services", "load_standards",
    "load_reports", "load_supervision", "load_warnings",
    "load_year",
]  # fmt: skip
