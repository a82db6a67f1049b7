"""Simulated batches on their way to the loader: simulated here, or by a forked worker
process that runs ahead of the load (simulating is Python on one core, COPY is PostgreSQL
on the other).
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from queue import Empty
from typing import Any

from salestrack.generator import loader
from salestrack.generator.copytext import now_stamp
from salestrack.generator.presummed import Summaries, Tally
from salestrack.generator.records import Context, Rows
from salestrack.generator.simulate import simulate_lead


@dataclass
class Batch:
    """A simulated batch on its way to the database."""

    leads: int
    blocks: list[loader.Block]
    held: dict[uuid.UUID, int]


@dataclass
class Outcome:
    """What the simulation ends with: code counters reached and the counter totals."""

    counters: dict[str, int]
    tally: Tally


def simulate_batches(
    ctx: Context, summaries: Summaries, leads: int, batch: int
) -> Generator[Batch, None, None]:
    """Simulate ``leads`` leads, ``batch`` at a time (lead days skew towards today)."""
    rng, today = ctx.rng, ctx.today_ordinal
    for start in range(0, leads, batch):
        count = min(batch, leads - start)
        rows = Rows()
        ctx.now = now_stamp()
        for _ in range(count):
            simulate_lead(ctx, rows, summaries, today - int(rng.triangular(0, 365, 0)))
        yield Batch(count, loader.blocks(rows), rows.held)


def _worker(ctx: Context, leads: int, batch: int, queue: Any) -> None:
    """The simulating process: batches into ``queue``, then the ``Outcome``."""
    summaries = Summaries(ctx.tenant_id)
    for item in simulate_batches(ctx, summaries, leads, batch):
        queue.put(item)
    queue.put(Outcome(ctx.counters, summaries.tally))


def from_worker(
    ctx: Context, summaries: Summaries, leads: int, batch: int
) -> Generator[Batch, None, None]:
    """Batches simulated by a forked worker (two ahead at most), then its outcome merged.

    The worker is forked here, before the progress bar and the loader threads exist (a
    fork copies only the calling thread), and stopped when the batches are closed."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=2)
    process = context.Process(target=_worker, args=(ctx, leads, batch, queue), daemon=True)
    process.start()
    return _drain(process, queue, ctx, summaries)


def _drain(
    process: Any, queue: Any, ctx: Context, summaries: Summaries
) -> Generator[Batch, None, None]:
    try:
        while True:
            try:
                item = queue.get(timeout=5)
            except Empty:
                if not process.is_alive():
                    died = f"the simulating process died ({process.exitcode})"
                    raise RuntimeError(died) from None
                continue
            if isinstance(item, Outcome):
                ctx.counters = item.counters
                summaries.tally.merge(item.tally)
                return
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
