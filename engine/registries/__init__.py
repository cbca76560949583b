"""The registries of the seed's tables 27 (资源开发与配置机制), 28 (支持服务) and the second 28 (监督控制制度).

`catalogue.csv` holds every row of the three tables with a stable key; `zhengai init` loads it for every
school (`load_catalogue`). The support-service catalogue that service requests use is `services`.
"""

from .service import (
    KIND_LABELS,
    STATUS_LABELS,
    editable_entry,
    entries,
    get_entry,
    ids_by_key,
    lead_units,
    load_catalogue,
    may_edit,
    services,
    set_status,
    update_entry,
)

__all__ = [
    "KIND_LABELS", "STATUS_LABELS", "editable_entry", "entries", "get_entry", "ids_by_key", "lead_units",
    "load_catalogue", "may_edit", "services", "set_status", "update_entry",
]  # fmt: skip
