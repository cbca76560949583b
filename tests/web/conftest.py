"""Fixtures shared by the web tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cycle import annual
from engine.models import QualityWarning
from engine.warnings import rules as warning_rules
from tests.engine.test_warnings import AFTER_DUE, GENERATED, TABLE


@pytest.fixture
def raised(session, clock):
    """The 2026 table's warnings: 人力资源处's basic standard (red), 工作标准 for every department (yellow)."""
    annual.instantiate(session, 2026, None, GENERATED, TABLE)
    warning_rules.evaluate(session, AFTER_DUE)
    session.flush()
    clock.now = AFTER_DUE
    by_unit = {}
    for w in session.scalars(select(QualityWarning)):
        by_unit.setdefault(w.org_unit.code, {})[w.kind] = w
    return by_unit
