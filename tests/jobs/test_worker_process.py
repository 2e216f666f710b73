"""The outbox end to end: a round closes, a real worker process sends every household's email.

Each test runs ``flask --app coop worker`` as a process of its own with the
production settings, on the test's database, the test Redis and an SMTP
server on loopback; the test closes the round in its own process, as the
coordinator's request or ``flask tick`` would.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rounds.builders import RoundWorld, build_round_world
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import select, update

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.models.types import utcnow
from coop.services.jobs import function_path, job_id, job_queue
from coop.services.mail import mark_unanswered_message_sent, send_outbox
from coop.services.rounds.closing import close_round
from coop.web.links import order_link
from jobs.conftest import needs_redis
from jobs.worker_process import Inbox, free_port, smtp_server_on, statuses, wait_for, worker

pytestmark = [pytest.mark.committing, needs_redis]

HOUSEHOLDS = 6
OUTBOX_JOB = job_id(function_path(send_outbox), "outbox")


@pytest.fixture
def world(factory) -> RoundWorld:
    return build_round_world(factory, households=HOUSEHOLDS)


def _close_a_round_everyone_ordered_in(world: RoundWorld) -> list[str]:
    """Close a round in which every household asked for whole cases; return their addresses."""
    product = world.product(case_size=1)
    round_ = world.round(product)
    for household in world.households:
        world.ask(round_, product, household, 2)
    close_round(round_id=round_.id, by=world.coordinator, link_for=order_link)
    db.session.commit()  # the coordinator's request ends here; the worker does the rest
    return sorted(household.user.email for household in world.households)


def _everything_sent() -> bool:
    return statuses() == {OutboxStatus.SENT: HOUSEHOLDS}


def test_a_worker_sends_every_household_its_closing_email_once(
    app, database_uri, store, mailbox, smtp_server, world, tmp_path
):
    with worker(database_uri=database_uri, mail_port=smtp_server[1], log=tmp_path / "w") as running:
        addresses = _close_a_round_everyone_ordered_in(world)

        wait_for(_everything_sent, "every message to be sent", running)
        assert running.stop() == 0

    received = Counter(str(message["To"]) for message in mailbox.messages)
    assert sorted(received) == addresses
    assert set(received.values()) == {1}
    assert {str(message["Subject"]) for message in mailbox.messages} == {
        "Fishwick Food: what you will receive from Weekly order"
    }


def test_mail_waits_while_the_mail_server_is_down_and_arrives_once_it_is_back(
    app, database_uri, store, world, runner, tmp_path
):
    port = free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    addresses = _close_a_round_everyone_ordered_in(world)

    with worker(database_uri=database_uri, mail_port=port, log=tmp_path / "1", burst=True) as w:
        assert w.finish() == 0
    assert statuses() == {OutboxStatus.QUEUED: HOUSEHOLDS}  # tried once, waiting to try again

    with smtp_server_on(port, Inbox()) as inbox:
        # The retry interval passes (the worker's own is a minute).
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert runner.invoke(args=["tick"]).exit_code == 0  # finds them due: queues the sender
        with worker(database_uri=database_uri, mail_port=port, log=tmp_path / "2", burst=True) as w:
            assert w.finish() == 0

    assert inbox.recipients() == addresses
    assert _everything_sent()
    db.session.remove()
    assert {m.attempts for m in db.session.scalars(select(OutboxMessage))} == {2}


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_sent_twice(
    app, database_uri, store, world, runner, tmp_path
):
    """SIGKILL the worker while its batch is half sent; tick and the next worker send the rest.

    The kill lands while the mail server holds back its answer to the third
    message: two are ``sent``, the third was handed over (``handed_at``
    committed before its DATA) and the other three are claimed, not handed.

    What follows, found with RQ 2:

    - RQ still has the dead worker's job as *started*: a SimpleWorker beats
      its heartbeat only between jobs, so the job stays in the started
      registry until the job's timeout plus a minute has passed (four minutes
      by default). Until then ``flask tick`` finds the outbox job pending and
      queues no second one (its key keeps one job at a time), so the outbox
      waits those minutes; it loses nothing.
    - ``flask tick`` gives back the three claimed messages (after
      ``MAIL_CLAIM_TIMEOUT``, here 0) and leaves the handed-over one
      ``sending`` for a person to check on the outbox page.
    - Once the heartbeat has run out (here the test moves it into the past),
      a worker's maintenance, at its start and every ten minutes, marks the
      job abandoned; as it still has retries RQ runs it again (after the
      first retry interval, 30 s by default, here 0) and it sends the three.
      With no retries left it would be *failed* and the next tick would queue
      a new one. So with a worker restarted at once, the rest of the batch
      waits up to about ten minutes.

    Every household gets its email once; the third's arrived as the worker
    died, and the platform admin marks it as sent after checking.
    """
    port = free_port()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_CLAIM_TIMEOUT=0, JOB_RETRY_INTERVALS=[0]
    )
    with smtp_server_on(port, Inbox(hold_at=3)) as inbox:
        with worker(database_uri=database_uri, mail_port=port, log=tmp_path / "1") as first:
            addresses = _close_a_round_everyone_ordered_in(world)
            assert inbox.holding.wait(timeout=60), first.output()
            first.kill()
        inbox.release()  # the held message was delivered; its answer goes nowhere

        assert statuses() == {OutboxStatus.SENT: 2, OutboxStatus.SENDING: 4}
        queue = job_queue(app)
        assert Job.fetch(OUTBOX_JOB, connection=queue.connection).get_status() == JobStatus.STARTED

        result = runner.invoke(args=["tick"])
        assert "Put 3 message(s) back on the outbox's queue." in result.output
        assert len(queue) == 0  # the dead worker's job still counts as pending

        # The job's heartbeat runs out, as it would four minutes after the kill.
        started = StartedJobRegistry(queue=queue)
        for execution in queue.connection.zrange(started.key, 0, -1):
            queue.connection.zadd(started.key, {execution: 1})
        with worker(database_uri=database_uri, mail_port=port, log=tmp_path / "2") as second:
            wait_for(lambda: statuses().get(OutboxStatus.SENT) == 5, "the rest to be sent", second)
            assert second.stop() == 0

    received = Counter(inbox.recipients())
    assert sorted(received) == addresses
    assert set(received.values()) == {1}
    [unanswered] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
    ).all()
    assert unanswered.recipient == str(inbox.messages[2]["To"])
    admin = world.factory.user(is_platform_admin=True)
    mark_unanswered_message_sent(message_id=unanswered.id, by=admin)
    db.session.commit()
    assert _everything_sent()
