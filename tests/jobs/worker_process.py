"""A real worker process (``flask --app coop worker``) and a loopback SMTP server for it.

The worker runs with the production settings, as it would on a server: its
database, Redis and mail server come from the environment. It shares the
test's database (the run's SQLite file, or its PostgreSQL database), so the
test commits for real (``database_uri``).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from jobs.conftest import REDIS_URL

PROJECT = Path(__file__).resolve().parents[2]
# The project's own command, as a service manager runs it (or the same through -m).
_SCRIPT = Path(sys.executable).with_name("flask")
FLASK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "flask"]
# Long enough for a slow machine; a test that waits longer has failed, not passed late.
PATIENCE = 60.0


def free_port() -> int:
    """Return a loopback port nothing listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Worker:
    """A ``flask --app coop worker`` process of the test's own, its output kept in a file."""

    def __init__(self, *, database_uri: str, mail_port: int, log: Path, burst: bool) -> None:
        env = {
            **os.environ,
            "COOP_CONFIG": "production",
            "SECRET_KEY": "worker-test-not-secret",
            "DATABASE_URL": database_uri,
            "SITE_URL": "http://localhost",
            "REDIS_URL": REDIS_URL,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
        }
        self.log = log
        self._output = log.open("ab")
        # A session of its own: killing it takes its scheduler process with it,
        # as a service manager kills a unit's whole control group.
        self.process = subprocess.Popen(
            [*FLASK, "--app", "coop", "worker", *(["--burst"] if burst else [])],
            cwd=PROJECT,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its children: no chance to tidy up."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=PATIENCE)

    def stop(self) -> int:
        """Ask the worker to stop (SIGTERM, RQ's warm shutdown); return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.finish()

    def finish(self) -> int:
        """Wait for the worker to exit by itself (``--burst``); return its exit status."""
        try:
            status = self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker did not exit:\n{self.output()}") from None
        self._signal_group(signal.SIGKILL)  # its scheduler, should it linger
        self._output.close()
        return status

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


@contextmanager
def worker(
    *, database_uri: str, mail_port: int, log: Path, burst: bool = False
) -> Iterator[Worker]:
    """Run a worker for the block; it is killed afterwards if it is still running."""
    process = Worker(database_uri=database_uri, mail_port=mail_port, log=log, burst=burst)
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.kill()
        process._signal_group(signal.SIGKILL)
        process._output.close()


def wait_for(condition: Callable[[], bool], what: str, process: Worker | None = None) -> None:
    """Wait until *condition* holds, reading the database afresh each time.

    Fails with the worker's output if the worker exits first or *what* never happens.
    """
    deadline = time.monotonic() + PATIENCE
    while True:
        db.session.remove()  # a fresh read of what the worker committed
        if condition():
            return
        if process is not None and process.process.poll() is not None:
            raise AssertionError(f"the worker exited before {what}:\n{process.output()}")
        if time.monotonic() > deadline:
            log = process.output() if process is not None else ""
            raise AssertionError(f"gave up waiting for {what}\n{log}")
        time.sleep(0.05)


def statuses() -> dict[OutboxStatus, int]:
    """How many outbox messages there are in each status, as the database has them now."""
    db.session.remove()
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    db.session.remove()
    return dict(rows)


class Inbox:
    """What a loopback SMTP server received; it can hold back its answer to one message.

    With *hold_at*, the server takes that message's DATA whole and keeps it,
    as a mail server that has queued it for delivery, then holds back its
    answer until `release`, as one that stalls (or a network that drops the
    reply) would.
    """

    def __init__(self, hold_at: int | None = None) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.hold_at = hold_at
        self.holding = threading.Event()
        self._released = threading.Event()
        self._seen = 0

    async def handle_DATA(self, server, session, envelope):
        self._seen += 1
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        if self._seen == self.hold_at:
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._released.set()

    def recipients(self) -> list[str]:
        return sorted(str(message["To"]) for message in self.messages)


@contextmanager
def smtp_server_on(port: int, inbox: Inbox) -> Iterator[Inbox]:
    """Serve SMTP on loopback *port* into *inbox* for the block."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        inbox.release()
        controller.stop()
