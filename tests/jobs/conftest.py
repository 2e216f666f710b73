"""Fixtures of the job queue tests: the test Redis, and the attempts seen."""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path

import pytest
import redis

from jobs.job_functions import attempts

# Database 15 is the rate-limit test's; the queue tests flush this one.
REDIS_URL = "redis://127.0.0.1:6379/14"
# Every run on this machine and each of its pytest-xdist workers share that
# database and the queue's name, so a test holds this lock while it uses them:
# another's flush, or its worker, would take this one's jobs.
REDIS_LOCK = Path(tempfile.gettempdir()) / "coop-tests-redis-14.lock"


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_is_up(), reason="needs Redis on 127.0.0.1:6379 (CI starts it)"
)


@pytest.fixture(autouse=True)
def no_attempts():
    attempts.clear()
    yield
    attempts.clear()


@pytest.fixture
def store(app):
    """The test Redis, empty before and after, with the app's queue on it, for this test alone."""
    with REDIS_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        connection = redis.Redis.from_url(REDIS_URL)
        connection.flushdb()
        app.config["REDIS_URL"] = REDIS_URL
        yield connection
        connection.flushdb()
        connection.close()
