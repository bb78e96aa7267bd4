"""Run one function over many items in worker processes, and survive the workers.

- The work goes out in chunks of about equal weight, heaviest items first, not one task per
  item.
- Each worker runs an initializer once (the rules and the project facts are made there, not per
  item), ignores Ctrl-C (the parent alone stops the run) and sends back plain data.
- A worker that dies (a segfault in native code, ``os._exit``, the out-of-memory killer) breaks
  the pool and loses the chunks it and the others held. Those items run again in a fresh pool,
  one task each and at most one per worker at a time; the few that were running when a worker
  died again then run alone, so that a crash is pinned on the one item that causes it
  (``Failed``) and every other item still gets its result.
- Ctrl-C in the parent terminates the workers at once and lets the interrupt go on; a worker
  whose parent was killed outright ends by itself.

The start method is ``fork`` on Linux when the parent runs no other Python thread (the cheapest:
the parent's modules, rules and project facts are inherited, nothing is pickled). Neither
keras-lint nor libcst's native parser starts threads of its own, so such a fork never copies a lock
that another thread holds. Elsewhere (macOS, where system libraries are not fork-safe; Windows; a
parent with threads, such as a program that calls ``lint_paths`` from one) it is ``forkserver``
where it exists, else ``spawn``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: each chunk takes 1 / (GUIDED_SHARE * workers) of the work not yet cut
GUIDED_SHARE = 2
#: no chunk is lighter than 1 / (MIN_CHUNKS_PER_WORKER * workers) of the whole
MIN_CHUNKS_PER_WORKER = 32
#: the largest chunk: a lost chunk (a crash) is at most this many items to run again
MAX_CHUNK = 64


@dataclass(frozen=True)
class Failed:
    """No result for an item: ``reason`` says why (the worker died on it, or raised)."""

    reason: str


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    process_cpu_count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if process_cpu_count is not None:
        count = process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def chunks(
    order: Sequence[int], workers: int, weights: Sequence[int] | None = None
) -> list[list[int]]:
    """``order`` cut into consecutive chunks that shrink as the work left does ("guided"
    scheduling): each takes about ``1 / (GUIDED_SHARE * workers)`` of the weight (size) not yet
    cut, so the first chunks are large (little overhead) and the last ones small (the workers
    finish together). No chunk is lighter than ``1 / (MIN_CHUNKS_PER_WORKER * workers)`` of
    the whole or longer than ``MAX_CHUNK`` items."""
    if weights is None:
        weights = [1] * (max(order, default=-1) + 1)
    left = sum(max(1, weights[index]) for index in order)
    smallest = left / (workers * MIN_CHUNKS_PER_WORKER)
    pieces: list[list[int]] = []
    piece: list[int] = []
    load = 0
    target = max(left / (workers * GUIDED_SHARE), smallest)
    for index in order:
        piece.append(index)
        load += max(1, weights[index])
        if load >= target or len(piece) == MAX_CHUNK:
            pieces.append(piece)
            left -= load
            piece, load = [], 0
            target = max(left / (workers * GUIDED_SHARE), smallest)
    if piece:
        pieces.append(piece)
    return pieces


# -- in the worker ------------------------------------------------------------------------------

_START_FAILURE: str | None = None


#: how often a worker checks that the process that started it is still there (seconds)
PARENT_CHECK_INTERVAL = 0.5


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGTERM, SIGKILL: no chance to stop its workers) would
    wait forever for work on a pipe that it holds open itself: it ends when its parent is gone."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_INTERVAL)
    os._exit(1)


def _start_worker(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    global _START_FAILURE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:
        initializer(*initargs)
    except Exception as error:  # reported per item: a pool whose start fails is not "broken"
        _START_FAILURE = f"the worker process could not start: {_describe(error)}"


def _run_chunk(work: Callable[[Item], Result], items: list[Item]) -> list[Result | Failed]:
    if _START_FAILURE is not None:
        return [Failed(_START_FAILURE) for _ in items]
    results: list[Result | Failed] = []
    for item in items:
        try:
            results.append(work(item))
        except Exception as error:
            results.append(Failed(_describe(error)))
    return results


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# -- in the parent ------------------------------------------------------------------------------


class _Pool(Generic[Item, Result]):
    def __init__(
        self,
        workers: int,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
    ) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(start_method()),
            initializer=_start_worker,
            initargs=(initializer, initargs),
        )
        self.processes: dict[int, Any] = {}

    def submit(
        self, work: Callable[[Item], Result], items: list[Item]
    ) -> Future[list[Result | Failed]]:
        try:
            future = self.executor.submit(_run_chunk, work, items)
        except BrokenProcessPool as error:
            # a worker died since the last submit: these items are lost like the running ones
            future = Future()
            future.set_exception(error)
            return future
        # the executor forgets its processes once broken: keep them to read their exit status
        self.processes.update(getattr(self.executor, "_processes", None) or {})
        return future

    def exit_reason(self) -> str:
        """Why the pool broke, as far as the dead worker's exit status tells."""
        codes = []
        self._join(getattr(self.executor, "_executor_manager_thread", None))
        for process in self.processes.values():
            if process.exitcode not in (None, 0):
                codes.append(process.exitcode)
        return _exit_reason(codes[0] if codes else None)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop at once: cancel what waits, kill what runs (Ctrl-C in the parent)."""
        manager = getattr(self.executor, "_executor_manager_thread", None)  # gone after shutdown
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in self.processes.values():
            if process.is_alive():
                process.terminate()
        self._join(manager)

    def _join(self, manager: threading.Thread | None) -> None:
        """Wait for the workers to end and be reaped. The executor's own thread reaps them too:
        until it is done, a join here can lose that race, find no exit status and take a dead
        worker for a live one."""
        if manager is not None:
            manager.join(timeout=5)
        for process in self.processes.values():
            process.join(timeout=5)


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "the worker process ended abruptly"
    if code < 0:
        try:
            return f"the worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"the worker process was killed by signal {-code}"
    return f"the worker process exited with status {code}"


def run_parallel(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    weights: Sequence[int] | None = None,
) -> list[Result | Failed]:
    """``[work(item) for item in items]``, computed by ``workers`` processes, in item order.

    ``work`` and ``initializer`` must be module-level functions; each worker calls
    ``initializer(*initargs)`` once before its first item. ``weights`` (a size per item) puts the
    heaviest items first, so that the last chunks are short. An item whose worker died, or whose
    ``work`` raised, gets ``Failed``.
    """
    order = list(range(len(items)))
    if weights is not None:
        order.sort(key=lambda index: -weights[index])
    results: dict[int, Result | Failed] = {}
    lost: list[int] = []
    pool: _Pool[Item, Result] = _Pool(workers, initializer, initargs)
    try:
        pending = {
            pool.submit(work, [items[index] for index in chunk]): chunk
            for chunk in chunks(order, workers, weights)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                try:
                    values = future.result()
                except BrokenProcessPool:
                    lost.extend(chunk)
                    continue
                except Exception as error:  # the results could not come back (pickling)
                    values = [Failed(_describe(error))] * len(chunk)
                results.update(zip(chunk, values, strict=True))
    except BaseException:
        pool.terminate()
        raise
    pool.close()
    # Items of lost chunks again, one per task, at most one per worker at a time: a crash now
    # leaves a few suspects, which then run alone, so that the crash is pinned on its item.
    found, suspects = _run_singly(work, items, sorted(lost), workers, initializer, initargs)
    results.update(found)
    results.update(_run_singly(work, items, suspects, 1, initializer, initargs)[0])
    return [results[index] for index in range(len(items))]


def _run_singly(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    indexes: Sequence[int],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> tuple[dict[int, Result | Failed], list[int]]:
    """The results of ``indexes``, each item its own task, and the items that were running
    when a worker died (with one worker, there are none: such an item gets ``Failed``)."""
    results: dict[int, Result | Failed] = {}
    suspects: list[int] = []
    waiting = list(reversed(indexes))
    running: dict[Future[list[Result | Failed]], int] = {}
    pool: _Pool[Item, Result] | None = None
    try:
        while waiting or running:
            if pool is None:
                pool = _Pool(workers, initializer, initargs)
            while waiting and len(running) < workers:
                index = waiting.pop()
                running[pool.submit(work, [items[index]])] = index
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                index = running.pop(future)
                try:
                    results[index] = future.result()[0]
                except BrokenProcessPool:
                    broken = True
                    if workers == 1:
                        results[index] = Failed(pool.exit_reason())
                    else:
                        suspects.append(index)
                except Exception as error:
                    results[index] = Failed(_describe(error))
            if broken:  # the others that ran in the broken pool are lost too
                suspects.extend(running.values())
                running.clear()
                pool.close()
                pool = None
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    if pool is not None:
        pool.close()
    return results, sorted(suspects)
