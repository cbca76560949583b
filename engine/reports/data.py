"""The charts of the school's 人才培养状态数据分析报告: the collected data (table 37's feeds, read only through
`engine.feeds.values_of`) averaged by month over the report's year, one chart per indicator, drawn as PNG
(forms/charts.py) so the page, the Word file and the PDF show the same picture."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from forms.charts import bar_chart_png

from .. import feeds

DATA_REPORT = "school_data"
# (feed, field, chart title, unit): the indicators the analysis shows
INDICATORS = [
    ("teacher_attendance", "rate", "教师出勤率（月平均）", "%"),
    ("student_attendance", "rate", "学生上课出勤率（月平均）", "%"),
    ("teaching_evaluation", "score", "学生评教得分（月平均）", "分"),
    ("teaching_workload", "hours", "教师教学工作量（月平均）", "学时"),
]
MONTHS = [f"{m}月" for m in range(1, 13)]


def monthly_means(session: Session, feed_key: str, field: str, year: int) -> list[float | None]:
    """The field's mean per calendar month of the year (None: no record that month)."""
    sums, counts = [0.0] * 12, [0] * 12
    for _subject, occurred_on, values in feeds.values_of(session, feed_key, date(year, 1, 1), date(year, 12, 31)):
        value = (values or {}).get(field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sums[occurred_on.month - 1] += value
            counts[occurred_on.month - 1] += 1
    return [round(s / c, 1) if c else None for s, c in zip(sums, counts, strict=True)]


def charts(session: Session, year: int) -> list[dict]:
    """[{"title", "png", "unit", "labels", "values"}] for the data analysis report of the year: the picture and
    the figures it is drawn from (the Excel export lists them)."""
    out = []
    for feed_key, field, title, unit in INDICATORS:
        values = monthly_means(session, feed_key, field, year)
        out.append({"title": title, "png": bar_chart_png(title, MONTHS, values, unit), "unit": unit,
                    "labels": MONTHS, "values": values})  # fmt: skip
    return out
