"""The engine's knobs as one value: the school's time zone, the cycle's base year, deadlines, proxy hops.

`Settings` is frozen and built in one place (`Settings.from_env`, which web/config.py, the CLI, the
scheduler, the benches and `engine.install` all use); its defaults are the seed's school (Asia/Shanghai,
target periods from 2016). It travels with the unit of work: a session is opened with it
(`make_session_factory(bind, settings)` or `Session(..., info=settings.session_info())`) and a service
that needs it reads `settings.of(session)`; pure helpers take it (or its time zone) as a parameter.
There are no module globals to configure: two apps in one process can run with two time zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_KEY = "zhengai_settings"


@dataclass(frozen=True)
class Settings:
    timezone: ZoneInfo = ZoneInfo("Asia/Shanghai")  # the school's: periods, "today", end-of-day dues, digests
    cycle_base_year: int = 2016  # first year of the three-year target periods (seed: 2016-2018)
    reminder_days: tuple[int, ...] = (7, 1)  # reminders this many days before a due moment (no `remind` of its own)
    escalate_after: timedelta = timedelta(hours=24)  # the overdue notice: first digest moment after due + this
    digest_hour: int = 8  # the daily digest moment, school time
    proxy_hops: int = 0  # trusted reverse proxies in front of the app (X-Forwarded-For / -Proto)
    credit_standard: float = 10.0  # quality credits (综合素质学分) a student needs to graduate (the seed's 10)
    credit_program_years: int = 3  # 学制: a class of 年级 Y graduates in Y + this (unless its year is set)
    credit_check_month: int = 5  # the tick checks this year's graduating classes from the 1st of this month

    def __post_init__(self):
        if not 0 <= self.digest_hour <= 23:
            raise ValueError(f"the digest hour (ZHENGAI_DIGEST_HOUR) must be 0-23, not {self.digest_hour}")
        if self.proxy_hops < 0:
            raise ValueError(f"proxy hops (ZHENGAI_PROXY_HOPS) must be 0 or more, not {self.proxy_hops}")
        if not 0 < self.credit_standard <= 100:
            raise ValueError(f"the credit standard (ZHENGAI_CREDIT_STANDARD) must be 0-100, not {self.credit_standard}")
        if not 1 <= self.credit_program_years <= 8 or not 1 <= self.credit_check_month <= 12:
            raise ValueError("ZHENGAI_CREDIT_PROGRAM_YEARS must be 1-8 and ZHENGAI_CREDIT_CHECK_MONTH 1-12")
        days = tuple(sorted({int(d) for d in self.reminder_days if int(d) > 0}, reverse=True))
        object.__setattr__(self, "reminder_days", days)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """From ZHENGAI_* variables (os.environ or any mapping of strings); unset ones keep the defaults."""
        default = cls()

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        def read(name: str, parse, fallback):
            value = get(name)
            if value is None:
                return fallback
            try:
                return parse(value)
            except (ValueError, KeyError, ZoneInfoNotFoundError) as exc:  # say which variable, not just "invalid"
                raise ValueError(f"{name}={value!r} is not valid: {exc}") from None

        return cls(
            timezone=read("ZHENGAI_TIMEZONE", ZoneInfo, default.timezone),
            cycle_base_year=read("ZHENGAI_CYCLE_BASE_YEAR", int, default.cycle_base_year),
            reminder_days=read(
                "ZHENGAI_REMINDER_DAYS",
                lambda v: tuple(int(d) for d in v.split(",") if d.strip()),
                default.reminder_days,
            ),
            escalate_after=read(
                "ZHENGAI_ESCALATE_AFTER_HOURS", lambda v: timedelta(hours=float(v)), default.escalate_after
            ),
            digest_hour=read("ZHENGAI_DIGEST_HOUR", int, default.digest_hour),
            proxy_hops=read("ZHENGAI_PROXY_HOPS", int, default.proxy_hops),
            credit_standard=read("ZHENGAI_CREDIT_STANDARD", float, default.credit_standard),
            credit_program_years=read("ZHENGAI_CREDIT_PROGRAM_YEARS", int, default.credit_program_years),
            credit_check_month=read("ZHENGAI_CREDIT_CHECK_MONTH", int, default.credit_check_month),
        )

    # -- the school's calendar ---------------------------------------------------------------------

    def local(self, at: datetime) -> datetime:
        """`at` on the school's clock."""
        return at.astimezone(self.timezone)

    def today(self, now: datetime) -> date:
        """The school's calendar day at `now`."""
        return now.astimezone(self.timezone).date()

    def end_of_day(self, d: date) -> datetime:
        """23:59:59 of day `d`, school time (the due moment of a date)."""
        return datetime.combine(d, time(23, 59, 59), self.timezone)

    def digest_slot(self, at: datetime) -> datetime:
        """The first daily digest moment at or after `at` (UTC)."""
        local = self.local(at)
        slot = local.replace(hour=self.digest_hour, minute=0, second=0, microsecond=0)
        if slot < local:
            slot += timedelta(days=1)
        return slot.astimezone(UTC)

    def session_info(self) -> dict:
        """The `info` a session carries these settings in (`Session(..., info=settings.session_info())`)."""
        return {_KEY: self}


def of(session) -> Settings:
    """The settings the session was opened with; a session opened without them is a programming error
    (falling back to a default zone would silently compute Shanghai's dates for another school)."""
    try:
        return session.info[_KEY]
    except KeyError:
        raise RuntimeError("a session without Settings: open it with make_session_factory(bind, settings)") from None
