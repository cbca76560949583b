"""The services one may request: the support-service catalogue (table 28, engine/registries) with a lead
department, and each one's service-level due time."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import registries
from ..models import RegistryEntry, RegistryStatus

# Hours the provider has to close a request with its 服务结束反馈, when the entry does not set its own
# (`registry_entry.service_hours`): a network fault is urgent, a dormitory repair takes two days, ...
DEFAULT_HOURS = {
    "network": 4,
    "campus_safety": 4,
    "teaching_equipment_repair": 24,
    "campus_cleaning": 24,
    "dormitory_repair": 48,
    "special_student_aid": 120,
}
FALLBACK_HOURS = 72
MAX_HOURS = 24 * 60


def hours_of(entry: RegistryEntry) -> int:
    """The entry's own due time, else the default of its kind of service, else three days."""
    if entry.service_hours and 0 < entry.service_hours <= MAX_HOURS:
        return entry.service_hours
    return DEFAULT_HOURS.get(entry.key, FALLBACK_HOURS)


def offered(session: Session) -> list[RegistryEntry]:
    """The catalogue's services with a provider (the lead department exists), not retired, in the seed's order."""
    return [
        e for e in registries.services(session) if e.lead_unit_id is not None and e.status != RegistryStatus.RETIRED
    ]


def by_key(session: Session) -> dict[str, RegistryEntry]:
    return {e.key: e for e in offered(session)}
