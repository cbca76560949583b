"""Warnings (预警, seed figure 11 and table 39): raised by rules on the data every scheduler tick (rules),
reported by hand, acknowledged and resolved (service)."""

from . import accidents, catalogue, rules, service, table39
from .service import KINDS, LEVELS, STATUSES

__all__ = ["KINDS", "LEVELS", "STATUSES", "accidents", "catalogue", "rules", "service", "table39"]
