"""Where replications run: in this process, a local process pool, or a Dask cluster.

A comparison of five retention policies with 40 replications is 200
independent simulations.  They can run

* serially (``executor=None`` or ``"serial"``) — the default, best for tiny runs
  and for debugging;
* on a local process pool (``executor=4`` -> ``ProcessPoolExecutor(4)``, created
  and shut down for you; at most :data:`MAX_WORKERS` may be asked for, and the pool
  never has more processes than tasks or CPUs: ``min(executor, tasks, os.cpu_count())``,
  serial when that is 1);
* on anything implementing :class:`concurrent.futures.Executor` that you pass
  in, e.g. a Dask cluster: ``distributed.Client(...).get_executor()``.  You own
  that executor; kamsim never shuts it down.

:func:`run_tasks` returns results in task order, whatever order they finish in,
so results never depend on the executor or the number of workers.  A tqdm
progress bar counts finished tasks on stderr; it is off with
``progress=False`` or when stderr is not a terminal (CI logs, notebooks run
under nbval stay clean).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from tqdm import tqdm  # plain tqdm: tqdm.auto warns in Jupyter when ipywidgets is absent

T = TypeVar("T")
R = TypeVar("R")

#: Accepted ``executor`` arguments.
ExecutorLike = None | str | int | cf.Executor

#: Largest number of worker processes that may be asked for (the pool is further capped by tasks and CPUs).
MAX_WORKERS: int = 256


def check_executor(executor: object) -> None:
    """Validate an ``executor`` argument without creating anything.

    Raises
    ------
    ValueError
        If ``executor`` is not ``None``, ``"serial"``, an int from 1 to :data:`MAX_WORKERS` or a
        :class:`concurrent.futures.Executor`.
    """
    if executor is None or isinstance(executor, cf.Executor):
        return
    if isinstance(executor, str):
        if executor != "serial":
            raise ValueError(f"executor must be None, 'serial', a positive int or an Executor, got {executor!r}")
        return
    if isinstance(executor, bool) or not isinstance(executor, int):
        raise ValueError(
            f"executor must be None, 'serial', a positive int or a concurrent.futures.Executor, "
            f"got {type(executor).__name__}"
        )
    if executor < 1:
        raise ValueError(f"executor (number of worker processes) must be >= 1, got {executor}")
    if executor > MAX_WORKERS:
        raise ValueError(f"executor (number of worker processes) must be <= {MAX_WORKERS}, got {executor:,}")


def pool_size(workers: int, n_tasks: int | None = None) -> int:
    """Worker processes actually started for ``executor=workers``: ``min(workers, n_tasks, os.cpu_count())``.

    Parameters
    ----------
    workers
        Processes asked for (>= 1).
    n_tasks
        Number of tasks (``None``: unknown, not a limit).
    """
    limit = [workers, os.cpu_count() or 1]
    if n_tasks is not None:
        limit.append(max(n_tasks, 1))
    return min(limit)


@contextmanager
def resolve_executor(executor: ExecutorLike, n_tasks: int | None = None) -> Iterator[cf.Executor | None]:
    """Turn an ``executor`` argument into an Executor (``None`` = run serially in this process).

    An int ``n`` creates a :class:`~concurrent.futures.ProcessPoolExecutor` with
    :func:`pool_size` ``(n, n_tasks)`` workers that is shut down on exit; when that is 1
    (``executor=1``, one task or one CPU) the tasks run serially.  An Executor passed in
    is yielded unchanged and left running.
    """
    check_executor(executor)
    if executor is None or executor == "serial" or (isinstance(executor, int) and pool_size(executor, n_tasks) == 1):
        yield None
        return
    if isinstance(executor, int):
        pool = cf.ProcessPoolExecutor(max_workers=pool_size(executor, n_tasks))
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    yield executor  # type: ignore[misc]


def progress_enabled(progress: bool) -> bool:
    """True when a progress bar should be shown: requested and stderr is an interactive terminal."""
    if not progress:
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    executor: ExecutorLike = None,
    progress: bool = True,
    desc: str = "replications",
) -> list[R]:
    """Apply ``fn`` to every task and return the results in task order.

    Parameters
    ----------
    fn
        A picklable top-level function (process pools and Dask send it to workers by reference).
    tasks
        Picklable task objects.
    executor
        See :func:`resolve_executor`.
    progress
        Show a tqdm bar over finished tasks (only when stderr is a terminal).
    desc
        Label of the progress bar.

    Raises
    ------
    Exception
        The first error raised by a task, re-raised unchanged with a note naming
        the task index (Python >= 3.11).  Pending tasks are cancelled.
    """
    tasks = list(tasks)
    results: list[Any] = [None] * len(tasks)
    bar = tqdm(total=len(tasks), desc=desc, unit="run", disable=not progress_enabled(progress), leave=False)
    try:
        with resolve_executor(executor, len(tasks)) as pool:
            if pool is None:
                for i, task in enumerate(tasks):
                    results[i] = _call(fn, task, i)
                    bar.update(1)
                return results
            futures: dict[cf.Future[Any], int] = {}
            try:
                for i, task in enumerate(tasks):
                    futures[pool.submit(fn, task)] = i
                for fut in cf.as_completed(futures):
                    i = futures[fut]
                    exc = fut.exception()
                    if exc is not None:
                        _add_note(exc, f"raised by task {i} of {len(tasks)}")
                        raise exc
                    results[i] = fut.result()
                    bar.update(1)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
            return results
    finally:
        bar.close()


def _call(fn: Callable[[T], R], task: T, index: int) -> R:
    try:
        return fn(task)
    except Exception as exc:
        _add_note(exc, f"raised by task {index}")
        raise


def _add_note(exc: BaseException, note: str) -> None:
    if hasattr(exc, "add_note"):  # Python >= 3.11
        exc.add_note(note)
