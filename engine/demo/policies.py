"""The demo year's standards and registries, played through the services like the rest of the year
(engine/demo/year.py): units write work standards (table 9) through their own chains, four published and
one still with 党政办公室; 质量管理处 and the lead departments put mechanisms, services and supervision
systems (tables 27, 28) in force, one being drafted and one being revised."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from .. import registries
from ..documents import service as documents
from ..models import HumanTask, RegistryEntry, RegistryStatus, TaskState
from ..workflow import runtime

IN_FORCE = {
    "info_warning": "第一条 为及时发现人才培养过程中的质量问题，建立本制度。\n第二条 预警分红、黄、蓝三级。",
    "quality_inspection": "第一条 学校设立质量督导组，对教学、教育和服务质量开展督导。",
    "teaching_equipment_repair": "第一条 教学设备报修后 24 小时内响应，72 小时内修复或提供替代设备。",
    "network": "第一条 校园网络 7×24 小时运行，故障报修 2 小时内响应。",
    "major_setting": "第一条 新设专业须经市场调研、专家论证、学校专业建设委员会审议。",
}
REVISED_URL = "https://www.example.edu.cn/zhidu/xinxi-caiji.pdf"


def events(story) -> list[tuple[int, Callable[[], None]]]:
    """(days before now, action) for the story's clock."""
    return [
        (85, lambda: work_standard(story, "JWC", "post", "jwc_staff", publish=True)),
        (84, lambda: work_standard(story, "JWC", "management", "jwc_staff", publish=True)),
        (82, lambda: work_standard(story, "DZXY", "duty", "dzxy_office", publish=True)),
        (81, lambda: work_standard(story, "DZB", "post", "dzb_staff", publish=True)),
        (75, lambda: registry_entries(story)),
        (6, lambda: work_standard(story, "XXH", "post", "xxh_staff", publish=False)),  # waits for 党政办公室
    ]


def work_standard(story, code: str, category: str, who: str, publish: bool) -> None:
    """A unit's work standard through its own chain: submitted, then approved at every step or left in review."""
    s, user = story.session, story.user(who)
    ht = documents.start_document(s, user, story.subjects[code].id, f"ws_{category}", story.t)
    runtime.complete_task(s, user, ht.id, {"document": story.written(ht, code)}, story.t)
    while publish:
        review = s.scalar(
            select(HumanTask).where(HumanTask.instance_id == ht.instance_id, HumanTask.state == TaskState.OPEN)
        )
        if review is None:
            break
        decision = {"decision": "approve", "comment": "同意。"}
        runtime.complete_task(s, story.actor(review, None), review.id, decision, story.t)


def registry_entries(story) -> None:
    found = {e.key: e for e in story.session.scalars(select(RegistryEntry))}
    day = story.t.date()
    for key, text in IN_FORCE.items():
        registries.set_status(story.session, found[key], RegistryStatus.IN_FORCE, story.t, document_text=text,
                              document_date=day)  # fmt: skip
    registries.set_status(story.session, found["staffing_quota"], RegistryStatus.DRAFTING, story.t)
    registries.set_status(story.session, found["info_collection"], RegistryStatus.REVISING, story.t,
                          document_url=REVISED_URL, document_date=day)  # fmt: skip
