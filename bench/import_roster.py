"""Time the roster import: 1,500 staff and 20,000 students into a fresh SQLite database, then the same
files again (which must change nothing). Target: under 60 s for the first import.

    .venv/bin/python bench/import_roster.py [--students 20000] [--staff 1500] [--xlsx]
"""

from __future__ import annotations

import argparse
import io
import time

from _setup import NOW, SETTINGS, fresh_database
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.org import importing

COLLEGES = 8


def tables(students: int, staff: int) -> dict[str, list[list[str]]]:
    units = [["单位代码", "单位名称", "单位类型", "上级单位代码"], ["B00", "基准职业学院", "学校", ""]]
    units += [[f"B{c:02d}", f"第{c}学院", "二级学院", "B00"] for c in range(1, COLLEGES + 1)]
    people = [["工号", "姓名", "单位代码", "人员类别", "邮箱"]]
    kinds = ["教师", "教师", "教师", "辅导员", "职员"]
    people += [[f"B{n:05d}", f"教工{n}", f"B{n % COLLEGES + 1:02d}", kinds[n % 5], ""] for n in range(staff)]
    majors = [["专业代码", "专业名称", "学院代码", "专业负责人工号", "团队成员工号"]]
    majors += [[f"M{c}{m}", f"专业{c}-{m}", f"B{c:02d}", "", ""] for c in range(1, COLLEGES + 1) for m in range(5)]
    per_class = 40
    class_count = (students + per_class - 1) // per_class
    classes = [["班级代码", "班级名称", "专业代码", "年级", "辅导员工号"]]
    major_codes = [r[0] for r in majors[1:]]
    classes += [[f"K{k:04d}", f"班级{k}", major_codes[k % len(major_codes)], str(2023 + k % 3), ""]
                for k in range(class_count)]  # fmt: skip
    pupils = [["学号", "姓名", "班级代码", "入学年份"]]
    pupils += [[f"S{n:07d}", f"学生{n}", f"K{n // per_class:04d}", ""] for n in range(students)]
    return {"units": units, "staff": people, "majors": majors, "classes": classes, "students": pupils}


def encode(rows: list[list[str]], xlsx: bool) -> tuple[str, bytes]:
    if not xlsx:
        return "roster.csv", "\n".join(",".join(r) for r in rows).encode()
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return "roster.xlsx", buf.getvalue()


def run(session, kind, rows, xlsx) -> tuple[float, dict]:
    name, data = encode(rows, xlsx)
    start = time.perf_counter()
    result = importing.import_file(session, None, kind, name, data, NOW).summary["result"]
    session.commit()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=1_500)
    parser.add_argument("--xlsx", action="store_true", help="upload Excel files instead of CSV")
    args = parser.parse_args()
    url = fresh_database("import")
    eng = make_engine(url)
    data = tables(args.students, args.staff)
    for label in ("first import", "same files again"):
        total = 0.0
        with Session(eng, info=SETTINGS.session_info()) as session:
            for kind in ("units", "staff", "majors", "classes", "students"):
                seconds, result = run(session, kind, data[kind], args.xlsx)
                total += seconds
                print(f"{label}: {kind:<8} {len(data[kind]) - 1:>6} rows {seconds:6.2f} s  {result}")
        print(f"{label}: total {total:.2f} s (target < 60 s)")
    eng.dispose()


if __name__ == "__main__":
    main()
