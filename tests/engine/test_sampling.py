"""The school sampling draw (engine/cycle/sampling.py `draw`): reproducible, stratified, pilots first."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.core.errors import InvalidInput
from engine.cycle.sampling import Member, draw, parse_config

# 30 teachers: college 10 has 15, college 20 has 10, college 30 has 5; 6 majors, two of them pilots
TEACHERS = [Member(100 + i, "person", 10 if i < 15 else 20 if i < 25 else 30) for i in range(30)]
MAJORS = [Member(200 + i, "program", 10 + 10 * (i % 2), pilot=i in (1, 4)) for i in range(6)]
POPULATION = TEACHERS + MAJORS
COLLEGE = {m.subject_id: m.college_id for m in POPULATION}


def test_the_same_seed_gives_the_same_list_in_any_population_order():
    config = {"sizes": {"person": 6, "program": 3}, "stratify": False, "pilots": False}
    first = draw(POPULATION, config, "a1b2c3")
    again = draw(list(reversed(POPULATION)), config, "a1b2c3")
    assert first == again
    assert len(first["person"]) == 6 and len(first["program"]) == 3
    assert set(first["person"]) <= {m.subject_id for m in TEACHERS}


def test_a_different_seed_gives_a_different_list():
    config = {"sizes": {"person": 6}, "stratify": False, "pilots": False}
    lists = {tuple(draw(POPULATION, config, seed)["person"]) for seed in ("s1", "s2", "s3")}
    assert len(lists) == 3  # 593,775 possible lists of 6 out of 30: three seeds agreeing would be a broken draw


def test_stratified_allocation_is_proportional_with_largest_remainders():
    # 7 of 30: quotas 3.5 / 2.33 / 1.17 -> floors 3 / 2 / 1, the one left goes to the largest remainder (college 10)
    picked = draw(POPULATION, {"sizes": {"person": 7}, "stratify": True, "pilots": False}, "x")["person"]
    assert Counter(COLLEGE[i] for i in picked) == {10: 4, 20: 2, 30: 1}
    # 6 of 30: exactly 3 / 2 / 1
    picked = draw(POPULATION, {"sizes": {"person": 6}, "stratify": True, "pilots": False}, "y")["person"]
    assert Counter(COLLEGE[i] for i in picked) == {10: 3, 20: 2, 30: 1}
    # 4 of 30: quotas 2 / 1.33 / 0.67 -> 2 / 1 / 0 and the remaining one to college 30 (0.67 > 0.33)
    picked = draw(POPULATION, {"sizes": {"person": 4}, "stratify": True, "pilots": False}, "z")["person"]
    assert Counter(COLLEGE[i] for i in picked) == {10: 2, 20: 1, 30: 1}


def test_pilots_come_first_and_count_in_the_size():
    config = {"sizes": {"program": 3}, "stratify": False, "pilots": True}
    for seed in ("p1", "p2", "p3", "p4"):
        picked = draw(POPULATION, config, seed)["program"]
        assert len(picked) == 3 and {201, 204} <= set(picked)
    without = [draw(POPULATION, {**config, "pilots": False}, s)["program"] for s in ("p1", "p2", "p3", "p4", "p5")]
    assert any(not {201, 204} <= set(p) for p in without)  # without the option they are drawn like any other
    # a size below the number of pilots still takes every pilot
    assert draw(POPULATION, {"sizes": {"program": 1}, "stratify": True, "pilots": True}, "q")["program"] == [201, 204]


def test_a_size_above_the_population_takes_everyone():
    config = {"sizes": {"person": 99, "program": 6, "unit": 5}, "stratify": True, "pilots": True}
    result = draw(POPULATION, config, "all")
    assert result["person"] == [m.subject_id for m in TEACHERS]
    assert result["program"] == [m.subject_id for m in MAJORS]
    assert result["unit"] == []  # a level nobody is in


@pytest.mark.parametrize(
    ("sizes", "field"),
    [({"person": "-1"}, "size_person"), ({"person": "abc"}, "size_person"), ({"unit": "1.5"}, "size_unit"),
     ({"team": "100001"}, "size_team"), ({}, "sizes"), ({"person": "0"}, "sizes")],
)  # fmt: skip
def test_bad_sizes_are_refused_by_field(sizes, field):
    with pytest.raises(InvalidInput) as caught:
        parse_config(sizes, True, True)
    assert field in caught.value.fields


def test_a_good_configuration_keeps_only_the_levels_with_a_size():
    assert parse_config({"person": " 5 ", "unit": "", "program": "0"}, True, False) == {
        "sizes": {"person": 5}, "stratify": True, "pilots": False,
    }  # fmt: skip
