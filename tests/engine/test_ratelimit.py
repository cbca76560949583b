"""The database rate-limit storage: exact counts under racing threads, windows, sweeping, own transaction.

Runs on SQLite, and on PostgreSQL when the suite does (`fresh_database`), with real commits.
"""

from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import RateLimitCounter
from engine.security.ratelimit import DatabaseStorage
from tests.conftest import NOW, fresh_database

T0 = NOW.timestamp()


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("ratelimit"), "ratelimit")
    eng = make_engine(url)
    RateLimitCounter.__table__.create(eng)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE request_write (x INTEGER)"))  # stands for the request's own rows
    yield eng
    eng.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def storage(db, clock):
    store = storage_from_string("database://", bind=db, clock=clock)
    store.reset()
    return store


def rows(db) -> dict[str, int]:
    with db.connect() as conn:
        return dict(conn.execute(select(RateLimitCounter.key, RateLimitCounter.count)).all())


def test_the_scheme_is_registered_and_needs_the_database():
    with pytest.raises(ConfigurationError):
        storage_from_string("database://")
    assert isinstance(storage_from_string("database://", bind=make_engine("sqlite://")), DatabaseStorage)


def test_five_per_minute_refuses_the_sixth_and_every_further_hit_until_the_window_closes(storage, clock):
    limiter, limit = FixedWindowRateLimiter(storage), parse("5 per minute")
    assert [limiter.hit(limit, "login:t01") for _ in range(8)] == [True] * 5 + [False] * 3
    assert limiter.hit(limit, "login:t02")  # other keys count on their own
    clock.now += 59
    assert not limiter.hit(limit, "login:t01")
    key = limit.key_for("login:t01")
    assert storage.get(key) == 9 and storage.get_expiry(key) == T0 + 60
    assert limiter.get_window_stats(limit, "login:t01") == (T0 + 60, 0)
    clock.now += 1  # the window opened at the first hit closes 60 s later
    assert storage.get(key) == 0
    assert [limiter.hit(limit, "login:t01") for _ in range(6)] == [True] * 5 + [False]
    assert storage.get_expiry(key) == T0 + 120


def test_racing_threads_get_every_count_exactly_once(db, storage):
    threads, hits = 8, 25
    counts: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads, timeout=30)

    def hammer():
        barrier.wait()  # all start on a key that does not exist yet: the first INSERTs collide too
        mine = [storage.incr("race", 60) for _ in range(hits)]
        with lock:
            counts.extend(mine)

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(counts) == list(range(1, threads * hits + 1))  # no lost update, no count handed out twice
    assert rows(db)["race"] == threads * hits


def test_racing_logins_let_exactly_the_limit_through(storage):
    limiter, limit = FixedWindowRateLimiter(storage), parse("5 per minute")
    results: list[bool] = []
    barrier = threading.Barrier(12, timeout=30)

    def attempt():
        barrier.wait()
        results.append(limiter.hit(limit, "login:t03"))

    workers = [threading.Thread(target=attempt) for _ in range(12)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(results) == [False] * 7 + [True] * 5


def test_a_hit_is_not_undone_by_the_rollback_of_the_request_around_it(db, storage):
    with Session(db) as request_session:
        request_session.execute(text("SELECT count(*) FROM request_write")).scalar()  # the request reads...
        storage.incr("login:t04", 60)  # ...the limiter counts (before the view runs)...
        request_session.execute(text("INSERT INTO request_write VALUES (4)"))  # ...the view writes...
        request_session.rollback()  # ...and the request fails
    assert rows(db)["login:t04"] == 1
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM request_write")).scalar() == 0


def test_expired_counters_are_swept_so_the_table_stays_bounded(db, clock):
    storage = DatabaseStorage("database://", bind=db, clock=clock, sweep_interval=30)
    storage.reset()
    for i in range(50):
        storage.incr(f"login:user{i}", 60)
    clock.now += 10
    storage.incr("login:late", 60)  # opened 10 s later, still open after the others expire
    assert len(rows(db)) == 51
    clock.now += 55  # the first 50 windows have closed
    storage.incr("login:late", 60)  # the next hit after the sweep interval sweeps
    assert rows(db) == {"login:late": 2}
    for i in range(5):
        storage.incr(f"login:other{i}", 60)
    clock.now += 120
    storage.incr("login:new", 60)  # one sweep per interval and process: within 30 s nothing more
    storage.incr("login:new", 60)
    assert rows(db) == {"login:new": 2}


def test_long_keys_are_stored_as_their_digest(db, storage):
    long_name = "login:" + "长" * 5000
    assert [storage.incr(long_name, 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get(long_name) == 3
    assert all(len(key) <= 255 for key in rows(db))
    storage.clear(long_name)
    assert storage.get(long_name) == 0


def test_check_clear_and_reset(storage):
    assert storage.check()
    storage.incr("a", 60, amount=2)
    storage.incr("b", 60)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert storage.reset() == 1 and storage.get("b") == 0
