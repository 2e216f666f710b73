"""How long closing a big round keeps the coordinator waiting, with the mail queue and without.

    .venv/bin/python bench/close_round_queue.py [--households 1000] [--items 300] [--repeat 3]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite-only] [--check]

Builds the round of `close_round.py` (1,000 households by default, each
ordering about 60 of 300 items) and starts an SMTP server on loopback in a
process of its own, which takes every message and keeps none. Then it times,
on the same database, taking turns:

- closing without the queue: ``MAIL_SERVER`` set and no ``REDIS_URL``, so the
  outbox is sent inline right after the close commits and the close returns
  once the mail server has taken all 1,000 messages;
- closing with the queue: ``REDIS_URL`` set (Redis database 13, emptied
  first), so the close returns after its commit and the enqueue of the
  sending job;
- a worker (`coop.services.jobs.work`, in burst mode, in this process)
  draining that queue: sending the 1,000 messages.

The report shows each time and the queued close's ratio to the inline one.
The target is only that the queued close is the faster: it waits for no
mail. Each close is checked to have written (and sent) every household's
message. Needs Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from _common import Line, bench_app, main, taking_turns, time_once
from close_round import World, build, reopen
from sqlalchemy import func, select

from coop.domain.allocation import FIRST_COME
from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.services.jobs import build_worker
from coop.services.rounds.closing import close_round

REDIS_URL = "redis://127.0.0.1:6379/13"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[int]:
    """Run an SMTP server that takes every message and keeps none; yield its port."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "-c", "aiosmtpd.handlers.Sink"])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the SMTP server on loopback did not start")
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def close(world: World) -> int:
    """Close the round as the coordinator's request does: the service, then one commit."""
    closed = close_round(round_id=world.round_id, by=None)
    db.session.commit()  # inline, the outbox is sent here, before the commit returns
    return closed.households


def outbox(status: OutboxStatus) -> int:
    db.session.remove()
    found = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)
    )
    return int(found or 0)


def check(what: str, status: OutboxStatus, households: int) -> None:
    """Stop the benchmark if the outbox is not as it should be (a fast wrong close is no use)."""
    found = outbox(status)
    if found != households:
        sys.exit(f"after {what}, {found} messages are {status.value}; expected {households}")


def bench(url: str, args: argparse.Namespace) -> list[Line]:
    app = bench_app(url)
    store = redis.Redis.from_url(REDIS_URL)
    with smtp_sink() as port, app.app_context():
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        built, world = time_once(lambda: build(args.households, args.items, args.per_household))
        print(
            f"  built {args.households:,} households, {args.items} items, "
            f"{world.requests:,} order requests in {built.median:.1f} s",
            flush=True,
        )
        households = 0

        def inline() -> int:
            nonlocal households
            households = close(world)
            check("closing without the queue", OutboxStatus.SENT, households)
            return households

        def queued() -> int:
            nonlocal households
            households = close(world)
            check("closing with the queue", OutboxStatus.QUEUED, households)
            return households

        def drain() -> int:
            # As `flask --app coop worker --burst` does, without RQ's line per job.
            build_worker(app).work(burst=True, with_scheduler=True, logging_level="WARNING")
            check("the worker's run", OutboxStatus.SENT, households)
            return households

        def reset(name: str) -> None:
            if name == "drain":  # it sends what the queued close just wrote
                return
            reopen(world, FIRST_COME)
            store.flushdb()
            app.config["REDIS_URL"] = REDIS_URL if name == "queued" else ""

        actions = {"inline": inline, "queued": queued, "drain": drain}
        # A warm-up close, untimed; sending is not warmed, each run sends a thousand anyway.
        taking_turns({"queued": queued}, reset, 1)
        runs = taking_turns(actions, reset, args.repeat)
        (inline_time, sent), (queued_time, _), (drain_time, _) = runs.values()
        store.flushdb()
        db.session.remove()
        db.engine.dispose()
    store.close()
    return [
        Line(f"close, {sent:,} emails sent inline (no REDIS_URL)", inline_time),
        Line(f"close, {sent:,} emails queued (REDIS_URL)", queued_time, inline_time, "inline"),
        Line(f"a worker sends the {sent:,} queued emails", drain_time),
    ]


def run(label: str, url: str, args: argparse.Namespace) -> tuple[list[Line], list[bool]]:
    """Bench one database; return the report and whether the queued close was the faster."""
    lines = bench(url, args)
    inline, queued = lines[0].timing, lines[1].timing
    faster = queued.median < inline.median
    print(
        f"  {'PASS' if faster else 'FAIL'}  with the queue the close takes {queued.median:.2f} s,"
        f" without it {inline.median:.2f} s (the coordinator waits for no mail)"
    )
    return lines, [faster]


if __name__ == "__main__":
    main(__doc__, "close round, mail queued or inline", run, repeat=3)
