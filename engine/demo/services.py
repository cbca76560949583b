"""The demo school's service requests (table 38), made through the services (engine/servicedesk): one in every
state, so 服务 shows content to every role: a new one at 教务处, one 信息化处's staff claimed, one waiting for the
requester's confirmation, a confirmed one, a 服务未落实 at 党政办公室, one 党政办公室 sent back to the provider, a
closed case, one past its due time that the BPMN timer escalated, and two at 基建后勤处 (its staff answer)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org, servicedesk, workflow
from ..models import HumanTask, ProcessInstance, User

# (hours ago, requester, service, description, place, contact, steps: (who, decision, note, hours later))
REQUESTS = [
    (1, "t03", "teaching_equipment_repair", "投影仪无法开机，指示灯闪烁", "教学楼 A302", "13800000103", []),
    (2, "t06", "network", "办公室有线网络频繁掉线", "实训楼 C201", "13800000106", [("xxh_staff", "claim", "", 0.5)]),
    (
        20,
        "t04",
        "network",
        "实训室 12 台电脑无法访问教学平台",
        "实训楼 B305",
        "13800000104",
        [("xxh_staff", "done", "已重新配置交换机端口，恢复访问", 2)],
    ),
    (
        72,
        "t05",
        "teaching_equipment_repair",
        "多媒体讲台音响无声",
        "教学楼 A105",
        "13800000105",
        [("jwc_staff", "done", "已更换功放模块", 20), ("t05", "resolved", "", 30)],
    ),
    (
        48,
        "t07",
        "network",
        "宿舍区无线网络信号弱，晚间无法上网课",
        "学生公寓 5 号楼",
        "13800000107",
        [("xxh_staff", "done", "已检查，信号正常", 3), ("t07", "unresolved", "晚间 20:00 后仍无法连接", 20)],
    ),
    (
        96,
        "s02",
        "network",
        "校园网账号无法登录",
        "图书馆二楼",
        "13800000202",
        [
            ("xxh_staff", "done", "已重置密码", 2),
            ("s02", "unresolved", "重置后仍提示账号异常", 10),
            ("dzb_staff", "forward", "请信息化处核查账号状态并当面告知处理结果", 20),
        ],
    ),
    (
        240,
        "t08",
        "network",
        "教研室打印机无法通过网络共享",
        "软件学院 301",
        "13800000108",
        [
            ("xxh_staff", "done", "已重装打印服务", 3),
            ("t08", "unresolved", "仍只能本机打印", 24),
            ("dzb_staff", "forward", "请上门处理", 30),
            ("xxh_staff", "done", "已上门更换网络模块", 50),
            ("dzb_staff", "close", "经回访已落实", 60),
        ],
    ),
    (6, "t10", "network", "会议室投屏网络无法连接", "行政楼 402", "13800000110", []),  # 4 h due: escalated
    # 基建后勤处's staff (jhc_staff) answer the dormitory and campus services
    (3, "s03", "dormitory_repair", "宿舍卫生间水龙头漏水", "学生公寓 3 号楼 214", "13800000203", []),
    (
        30,
        "s04",
        "campus_cleaning",
        "教学楼 B 区垃圾桶满溢未清运",
        "教学楼 B 区一楼",
        "13800000204",
        [("jhc_staff", "done", "已安排保洁加派清运班次", 4)],
    ),
]


def load(session: Session, now) -> dict:
    """The requests, as of `now`; those past their due time escalated by their timers."""
    users = {u.username: u for u in session.scalars(select(User))}
    made = []
    for hours, who, key, description, place, contact, steps in REQUESTS:
        at = now - timedelta(hours=hours)
        request = servicedesk.submit(session, users[who], {"service": key, "description": description,
                                                            "place": place, "contact": contact}, at)  # fmt: skip
        for actor, decision, note, later in steps:
            user = users[actor]
            step = session.scalar(
                select(HumanTask.id).where(HumanTask.instance_id == request.instance_id, HumanTask.state == "open")
            )
            when = at + timedelta(hours=later)
            if decision == "claim":
                workflow.claim_task(session, user, step, when)
                continue
            workflow.complete_task(session, user, step, {"decision": decision, "comment": note}, when,
                                   org.principals_of(session, user.id))  # fmt: skip
        made.append(request)
    for request in made:  # what the scheduler would have done by now: escalate the requests past their due time
        instance = session.get(ProcessInstance, request.instance_id)
        if instance.next_timer_at is not None and instance.next_timer_at <= now:
            workflow.wake_instance(session, instance.id, now)
    return {"requests": len(made)}
