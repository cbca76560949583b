"""No unit code of the demo school in engine/, web/ or workflows/ (engine/demo/ excepted): lanes, owners and
rules name functions (engine/org/functions.py), so any college can install the product (issue #13)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from engine.demo import organisation

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("engine", "web", "workflows")
SKIPPED = (ROOT / "engine" / "demo", ROOT / "web" / "translations", ROOT / "web" / "static" / "vendor")
SUFFIXES = {".py", ".bpmn", ".html", ".js", ".json", ".css", ".cfg"}


def demo_codes() -> list[str]:
    """The demo school's unit codes (but the school's own, which is also the word `SCHOOL`), read from the
    demo organisation's data."""
    with open(organisation.DATA / "units.csv", encoding="utf-8") as f:
        return [row["单位代码"] for row in csv.DictReader(f) if row["单位类型"] in ("职能部门", "二级学院")]


def code_pattern(codes) -> re.Pattern:
    # a code as a word of its own (`unit:DZB`, "DZB", owner="RSC"), not inside another identifier
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, codes)) + r")(?![A-Za-z0-9_])")


def offending_lines(codes) -> list[str]:
    pattern = code_pattern(codes)
    out = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.suffix not in SUFFIXES
                or any(path.is_relative_to(s) for s in SKIPPED)
                or "__pycache__" in path.parts
            ):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if match := pattern.search(line):
                    out.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}: {line.strip()[:100]}")
    return out


def test_the_demo_codes_are_read_from_the_demo_organisation():
    codes = demo_codes()
    assert {"DZB", "JWC", "RSC", "XGB", "ZLC", "BWC", "DZXY"} <= set(codes) and len(codes) == 22


def test_no_demo_unit_code_outside_the_demo():
    assert offending_lines(demo_codes()) == []


def test_the_grep_finds_a_code_where_it_would_be_written():
    pattern = code_pattern(["DZB", "ZLC"])
    assert pattern.search('scope="unit:DZB"') and pattern.search('WARNINGS_SEEN_BY_ALL_OF = "ZLC"')
    assert not pattern.search("DZBX = 1") and not pattern.search("function:quality_office")
