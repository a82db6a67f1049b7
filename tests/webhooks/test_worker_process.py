"""``salestrack worker`` as its own process: killed with SIGKILL mid-delivery, the event is
delivered by the next worker with the same id; two workers deliver each event once; SIGTERM
stops a worker cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from salestrack.core.config import Settings
from tests.cli.process import environment
from tests.journey.helpers import new_lead
from tests.support import ApiClient, TenantWorld
from tests.webhooks.conftest import RETRY_BASE, deliveries, register, settled
from tests.webhooks.receiver import Receiver, running


def _worker_env(settings: Settings) -> dict[str, str]:
    return environment(
        settings,
        SALESTRACK_WEBHOOK_ALLOW_PRIVATE="true",
        SALESTRACK_WORKER_LEASE_SECONDS="2",
        SALESTRACK_WEBHOOK_RETRY_BASE_SECONDS=str(RETRY_BASE),
        SALESTRACK_WORKER_IDLE_SECONDS="0.1",
        SALESTRACK_WORKER_SCHEDULE_SECONDS="0",
    )


@contextmanager
def worker_process(
    settings: Settings, directory: Path, tenant: str
) -> Iterator[subprocess.Popen[str]]:
    """A running ``salestrack worker`` for the test's tenant (other tests' endpoints are
    never contacted); killed at the end if the test left it running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "salestrack.cli", "worker", "--tenant", tenant],
        env=_worker_env(settings),
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM: the worker finishes what it holds and exits 0 (a busy machine may take a while)."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "worker stopped" in output


def test_a_worker_killed_mid_delivery_leaves_the_event_to_the_next_one(
    hook_world: TenantWorld, hook_settings: Settings, tmp_path: Path
) -> None:
    api = hook_world.admin
    with running(Receiver(hold_first=True)) as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        new_lead(api, name="Meera Iyer")
        with worker_process(hook_settings, tmp_path, hook_world.slug) as first:
            assert receiver.first_arrived.wait(60), "the first worker never delivered"
            os.kill(first.pid, signal.SIGKILL)  # mid-delivery: the receiver holds the request
            first.wait(timeout=10)
        receiver.released.set()
        [log] = deliveries(api, endpoint_id)
        assert (log["status"], log["attempts"]) == ("running", 1)
        with worker_process(hook_settings, tmp_path, hook_world.slug) as second:
            wait_for(settled(api, endpoint_id, 1))
            _stop(second)
        payloads = receiver.verified(secret)
    assert len(payloads) == 2  # at least once: the killed attempt and the retry
    assert len(set(receiver.ids())) == 1, "the retry must carry the same webhook-id"
    assert payloads[0]["data"]["name"] == "Meera Iyer"
    [log] = deliveries(api, endpoint_id)
    assert (log["status"], log["attempts"], log["response_code"]) == ("succeeded", 2, 200)


def _leads(api: ApiClient, count: int) -> None:
    for number in range(count):
        new_lead(api, name=f"Lead {number}")


def test_two_workers_deliver_each_event_once(
    hook_world: TenantWorld, hook_settings: Settings, tmp_path: Path
) -> None:
    api = hook_world.admin
    with running() as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        _leads(api, 30)
        with (
            worker_process(hook_settings, tmp_path, hook_world.slug) as one,
            worker_process(hook_settings, tmp_path, hook_world.slug) as two,
        ):
            wait_for(settled(api, endpoint_id, 30))
            time.sleep(1)  # time for a duplicate to arrive, were there one
            _stop(one)
            _stop(two)
        payloads = receiver.verified(secret)
    counts = Counter(receiver.ids())
    assert len(counts) == 30
    assert set(counts.values()) == {1}, "an event was delivered twice"
    assert sorted(p["data"]["name"] for p in payloads) == sorted(f"Lead {n}" for n in range(30))
    assert all(d["attempts"] == 1 for d in deliveries(api, endpoint_id))


@pytest.mark.postgres_only
def test_two_workers_share_the_queue_on_postgresql(
    hook_world: TenantWorld, hook_settings: Settings, tmp_path: Path
) -> None:
    """With a slow receiver both workers deliver (SKIP LOCKED: neither waits on the other's
    rows), and still each event once."""
    api = hook_world.admin
    with running(Receiver(delay=0.3)) as receiver:
        endpoint_id, secret = register(api, receiver.url, ["lead.created"])
        _leads(api, 12)
        with (
            worker_process(hook_settings, tmp_path, hook_world.slug) as one,
            worker_process(hook_settings, tmp_path, hook_world.slug) as two,
        ):
            wait_for(settled(api, endpoint_id, 12))
            _stop(one)
            _stop(two)
        receiver.verified(secret)
    assert sorted(Counter(receiver.ids()).values()) == [1] * 12
    assert receiver.most_in_flight == 2, "the workers never delivered at the same time"
