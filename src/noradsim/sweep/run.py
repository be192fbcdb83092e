"""Run a sweep on dask.distributed: a local cluster by default, or the user's scheduler.

Both use the same code path: tasks (one sweep point x one chunk of rats) are submitted to
a :class:`distributed.Client`; the driver writes each result to ``results.zarr`` as it
arrives (one writer, so regions never race) and marks the task done. The rats'
parameters are drawn up front from the seed (:mod:`.plan`), so the numbers do not depend
on the number of workers, the chunk size or how often the sweep was resumed.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import store
from .compute import FAILED, OK, run_task
from .plan import SweepPlan


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did: simulations ok and failed, tasks run and skipped, wall time."""

    ok: int
    failed: int
    tasks_run: int
    tasks_skipped: int
    seconds: float
    out: Path
    task_seconds: float = 0.0  # from the first task submitted to the last written (no cluster start-up)

    def line(self) -> str:
        return f"subjects: {self.ok} ok, {self.failed} failed"


def run_sweep(plan: SweepPlan, out, *, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, chunk: int = 64, progress: bool = False) -> SweepSummary:
    """Run every (sweep point, chunk of rats) task not yet done and write ``out``.

    Parameters
    ----------
    plan : SweepPlan
        From :func:`noradsim.sweep.read_plan`.
    out : path
        Output folder: ``results.zarr``, ``done/``, ``report.html``.
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:port``) instead of a local cluster.
    resume : bool
        Keep the existing store and skip the tasks it marks done.
    chunk : int
        Rats per task (ignored on resume: the store's chunk size is kept).
    """
    t0 = time.perf_counter()
    out = Path(out)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(f"--chunk: a whole number >= 1, got {chunk!r}")
    if workers is not None and scheduler is not None:
        raise InputError("--workers and --scheduler: give one (the scheduler's cluster has its own workers)")
    if workers is not None and not 1 <= workers <= 1024:
        raise InputError(f"--workers: a whole number from 1 to 1024, got {workers}")
    if resume:
        chunk = store.check_resumable(out, plan, chunk)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for old in (out / "done").glob("*.json"):
            old.unlink()
        store.create(out, plan, chunk)
    todo = pending_tasks(plan, chunk, store.done_tasks(out))
    n_all = len(plan.configs) * -(-plan.population.n // chunk)
    task_seconds = 0.0
    if todo:
        task_seconds = _execute(plan, out, todo, workers or os.cpu_count() or 1, scheduler, progress)
    from .report import write_report
    from .sensitivity import analyse

    analyse(out)
    write_report(out)
    ok, failed = count_status(out)
    return SweepSummary(ok, failed, len(todo), n_all - len(todo), time.perf_counter() - t0, out, task_seconds)


def pending_tasks(plan: SweepPlan, chunk: int, done: set[str]) -> list[tuple[int, int, int]]:
    """``(point, start, stop)`` of every task without a done marker."""
    n = plan.population.n
    return [(p, s, min(s + chunk, n)) for p in range(len(plan.configs)) for s in range(0, n, chunk)
            if store.task_name(p, s) not in done]


def _execute(plan, out: Path, todo, workers: int, scheduler: str | None, progress: bool) -> float:
    from distributed import Client, LocalCluster, as_completed

    factors = plan.population.factors()
    names = plan.population.parameters
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--scheduler: cannot reach {scheduler!r} ({exc})") from None
    try:
        client.wait_for_workers(1, timeout=120)
        t0 = time.perf_counter()
        futures = [client.submit(run_task, plan.configs[p], plan.library_files, names, factors[s:e], p, s,
                                 key=f"noradsim-sweep-{plan.fingerprint}-{store.task_name(p, s)}", pure=False)
                   for p, s, e in todo]
        bar = _bar(len(futures), progress)
        for fut in as_completed(futures, loop=client.loop):  # this client's loop, not the default client's
            store.write_task(out, plan, fut.result())
            fut.release()
            bar.update(1)
        bar.close()
        return time.perf_counter() - t0
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _bar(total: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="sweep tasks", unit="task", file=sys.stderr,
                disable=not (progress and sys.stderr.isatty()))


def count_status(out: Path) -> tuple[int, int]:
    """Simulations (sweep point x rat) that succeeded and that failed."""
    status = np.asarray(store.open_results(out)["status"].values)
    return int((status == OK).sum()), int((status == FAILED).sum())
