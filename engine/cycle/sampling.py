"""The school sampling draw (学校抽样复核, seed §三(四)): a reproducible random sample of a year's subjects.

`draw` is pure: the population is plain data, the seed a string, the result {level: [subject ids]}. It is
deterministic: one `random.Random(seed)` walks the levels in `LEVELS` order over ids sorted ascending, so
anyone holding the seed and the population gets the same list (`verify`). With `pilots`, 诊改试点 majors and
courses are taken first and count in the level's size (all of them are taken, even beyond it). With
`stratify`, the rest of a level's size is shared among colleges in proportion to their subjects
(largest-remainder rounding, ties to the lower college id) and each college is drawn separately, in
college-id order. A size above the population takes everyone.

`make_draw` reads the population of the year's cycle (subjects with a cycle instance that year), draws and
records the draw with an audit entry; a year may have several draws, the latest is the year's sample.
The population's size and digest are stored with the configuration, so `verify` can say whether a
different list comes from a changed population rather than from the draw.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import CycleInstance, OrgUnit, SamplingDraw, Subject
from ..org import policy
from .steps import LEVELS, level_of

MAX_SIZE = 100_000
NOTE_MAX = 500


@dataclass(frozen=True)
class Member:
    """One subject of the population: its id, level (engine/cycle/steps.py LEVELS), college, pilot mark."""

    subject_id: int
    level: str
    college_id: int | None
    pilot: bool = False


def _largest_remainder(total: int, counts: dict) -> dict:
    """`total` shared among keys in proportion to `counts` (largest remainder, ties to the lower key)."""
    whole = sum(counts.values())
    if not whole:
        return dict.fromkeys(counts, 0)
    quotas = {k: total * n / whole for k, n in counts.items()}
    shares = {k: int(q) for k, q in quotas.items()}
    left = total - sum(shares.values())
    for k in sorted(counts, key=lambda k: (-(quotas[k] - shares[k]), _college_order(k)))[:left]:
        shares[k] += 1
    return shares


def _college_order(college_id) -> tuple:
    return (college_id is None, college_id or 0)  # subjects without a college form the last stratum


def draw(population, config: dict, seed: str) -> dict[str, list[int]]:
    """The sample: {level: [subject ids, ascending]} for every level with a size in `config["sizes"]`."""
    rng = random.Random(str(seed))
    sizes = config.get("sizes") or {}
    result = {}
    for level in LEVELS:
        if level not in sizes:
            continue
        members = sorted((m for m in population if m.level == level), key=lambda m: m.subject_id)
        size = min(int(sizes[level]), len(members))
        chosen = [m.subject_id for m in members if m.pilot] if config.get("pilots") else []
        rest = [m for m in members if m.subject_id not in set(chosen)]
        wanted = max(0, size - len(chosen))
        if config.get("stratify"):
            strata: dict = {}
            for m in rest:
                strata.setdefault(m.college_id, []).append(m.subject_id)
            shares = _largest_remainder(wanted, {k: len(v) for k, v in strata.items()})
            for college in sorted(strata, key=_college_order):
                chosen += rng.sample(strata[college], shares[college])
        else:
            chosen += rng.sample([m.subject_id for m in rest], wanted)
        result[level] = sorted(chosen)
    return result


def digest(population) -> str:
    """A fingerprint of the population (what the draw ran over), stored with the draw."""
    rows = sorted((m.subject_id, m.level, m.college_id, bool(m.pilot)) for m in population)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


# -- the year's population, the draw, its verification ------------------------------------------------


def _colleges(session: Session) -> dict[int, int]:
    """Each unit's top unit below the school (a 教研室's college, a 科室's department)."""
    parents = dict(session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all())

    def top(unit_id):
        seen = set()
        while parents.get(unit_id) is not None and parents.get(parents[unit_id]) is not None and unit_id not in seen:
            seen.add(unit_id)
            unit_id = parents[unit_id]
        return unit_id

    return {u: top(u) for u in parents}


def population(session: Session, year: int) -> list[Member]:
    """The subjects of the year's cycle (a cycle instance that year), as plain data for `draw`."""
    rows = session.execute(
        select(Subject.id, Subject.type, Subject.org_unit_id, Subject.attrs)
        .join(CycleInstance, CycleInstance.subject_id == Subject.id)
        .where(CycleInstance.year == year)
    ).all()
    colleges = _colleges(session)
    return [
        Member(sid, level_of(stype), colleges.get(unit, unit), bool((attrs or {}).get("pilot")))
        for sid, stype, unit, attrs in rows
    ]


def may_draw(user, principals) -> bool:
    return policy.draws_samples(policy.viewer(user, principals))


def check_allowed(user, principals) -> None:
    if user is None or not may_draw(user, principals):
        raise NotFound(N_("页面不存在"))


def parse_config(sizes: dict, stratify: bool, pilots: bool) -> dict:
    """The configuration from the form's text (size per level), or InvalidInput naming each bad field."""
    errors, clean = {}, {}
    for level in LEVELS:
        raw = str(sizes.get(level) or "0").strip()
        try:
            n = int(raw)
        except ValueError:
            errors[f"size_{level}"] = [N_("请填写 0 或正整数")]
            continue
        if not 0 <= n <= MAX_SIZE:
            errors[f"size_{level}"] = [N_("请填写 0 或正整数")]
        elif n:
            clean[level] = n
    if not errors and not clean:
        errors["sizes"] = [N_("请至少为一个层级填写抽样数量")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    return {"sizes": clean, "stratify": bool(stratify), "pilots": bool(pilots)}


def make_draw(
    session: Session, user, year: int, config: dict, now: datetime, seed: str | None = None, note: str = "",
    principals=(),
) -> SamplingDraw:  # fmt: skip
    """Draw the year's sample and record it (with an audit entry); the caller commits."""
    if user is not None:
        check_allowed(user, principals)
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput(N_("年度无效"), fields={"year": [N_("年度无效")]})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [N_("说明不能超过 500 字")]})
    people = population(session, int(year))
    if not people:
        raise InvalidInput(N_("该年度尚未启动诊改周期，没有可抽样的主体"))
    seed = seed or secrets.token_hex(8)
    subjects = draw(people, config, seed)
    stored = {**config, "population": {"size": len(people), "digest": digest(people)}}
    row = SamplingDraw(year=int(year), seed=seed, config=stored, drawn_at=now, subjects=subjects, note=note,
                       drawn_by_id=user.id if user is not None else None)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor_id=row.drawn_by_id, action="sampling.draw", object_type="sampling_draw", object_id=row.id,
        now=now, after={"year": row.year, "seed": seed, "config": config, "subjects": subjects},
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class Verification:
    same: bool  # re-running the draw from the stored seed gives the stored list
    population_same: bool  # the year's population is the one the draw ran over


def verify(session: Session, row: SamplingDraw) -> Verification:
    """Re-run the draw from its stored seed and configuration over the year's population."""
    people = population(session, row.year)
    config = {k: v for k, v in row.config.items() if k != "population"}
    again = draw(people, config, row.seed)
    same = {k: sorted(v) for k, v in again.items()} == {k: sorted(v) for k, v in (row.subjects or {}).items()}
    return Verification(same, digest(people) == (row.config.get("population") or {}).get("digest"))


def draws_of(session: Session, year: int) -> list[SamplingDraw]:
    """The year's draws, latest first (the first is the year's sample)."""
    return list(
        session.scalars(select(SamplingDraw).where(SamplingDraw.year == year).order_by(SamplingDraw.id.desc())).all()
    )


def get_draw(session: Session, user, principals, draw_id) -> SamplingDraw:
    """A draw the user may see, or NotFound."""
    check_allowed(user, principals)
    row = session.get(SamplingDraw, object_id(draw_id, N_("记录不存在")))
    if row is None:
        raise NotFound(N_("记录不存在"))
    return row


def listing(session: Session, row: SamplingDraw) -> dict[str, list[dict]]:
    """The draw's subjects per level with name, type, college name and pilot mark, for the page."""
    ids = [i for ids in (row.subjects or {}).values() for i in ids]
    found = session.execute(
        select(Subject.id, Subject.name, Subject.type, Subject.org_unit_id, Subject.attrs).where(Subject.id.in_(ids))
    ).all()
    colleges = _colleges(session)
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    by_id = {
        sid: {"subject_id": sid, "name": name, "type": stype, "pilot": bool((attrs or {}).get("pilot")),
              "college": names.get(colleges.get(unit, unit), "")}
        for sid, name, stype, unit, attrs in found
    }  # fmt: skip
    return {level: [by_id[i] for i in ids if i in by_id] for level, ids in (row.subjects or {}).items()}
