"""The explorer's run machinery: the job snapshot, an executor that counts replications and cancels.

KAM example: a strategist compares status_quo and risk_targeted with 50
replications, watches "Simulating: 37 of 100 runs finished." and presses
cancel; the pending replications are dropped at once and the page says so::

    import threading
    from kamsim.experiment import compare
    from kamsim.explorer.run import TrackedExecutor
    finished = []
    executor = TrackedExecutor(workers=2, cancel_event=threading.Event(), on_done=lambda: finished.append(1))
    compare(scenario, ["status_quo", "risk_targeted"], replications=50, executor=executor)
    # meanwhile the Cancel button calls executor.cancel(): compare() stops with CancelledError

:class:`Job` is the form as it stood when the run started (later edits do not
change it); :class:`TrackedExecutor` is the executor handed to
:func:`kamsim.experiment.compare`, in the calling thread or a process pool;
:class:`RunCancelled` ends a run the user cancelled.
:class:`~kamsim.explorer.state.ExplorerState` runs the job in a background thread.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario

# ----------------------------------------------------------------------------- running in the background


class RunCancelled(Exception):
    """Raised inside a run when the user pressed cancel."""


def _pool_context() -> Any:
    """``forkserver`` where it works (no fork of a process running a web server's threads), else the default.

    A forkserver child re-imports the ``__main__`` script; when that is no file (``python -`` reading
    stdin) it cannot, and the platform default is used instead.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    path = getattr(main, "__file__", None)
    if spec_name or path is None or os.path.isfile(path):
        context = multiprocessing.get_context("forkserver")
        # the server process imports the engine once; each worker forks from it ready to simulate
        context.set_forkserver_preload(["kamsim.experiment.runner", "kamsim.engine", "kamsim.policies"])
        return context
    return None


class TrackedExecutor(cf.Executor):
    """The executor handed to :func:`compare`: counts finished replications and honours cancel.

    ``workers == 1`` runs each replication when it is submitted, in the calling (background)
    thread; ``workers > 1`` forwards them to a process pool (``forkserver`` start method where
    available: safe in a process that runs a web server's threads).  Every future handed
    back is a proxy, so that cancel can mark the pending ones cancelled *and* wake
    ``concurrent.futures.as_completed`` at once.  Results are the same either way:
    ``compare`` puts them back in task order.
    """

    def __init__(self, workers: int, cancel_event: threading.Event, on_done: Any) -> None:
        self._cancel = cancel_event
        self._on_done = on_done
        self._lock = threading.RLock()
        self._proxies: list[tuple[cf.Future[Any], cf.Future[Any]]] = []
        self._pool: cf.ProcessPoolExecutor | None = None
        if workers > 1:
            self._pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if self._cancel.is_set():
            raise RunCancelled("cancelled")
        proxy: cf.Future[Any] = cf.Future()
        if self._pool is None:
            proxy.set_running_or_notify_cancel()
            try:
                proxy.set_result(fn(*args, **kwargs))
            except Exception as exc:  # handed to compare() like a pool would
                proxy.set_exception(exc)
            self._on_done()
            return proxy
        inner = self._pool.submit(fn, *args, **kwargs)
        with self._lock:
            self._proxies.append((proxy, inner))
        inner.add_done_callback(lambda done, p=proxy: self._relay(done, p))
        return proxy

    def _relay(self, inner: cf.Future[Any], proxy: cf.Future[Any]) -> None:
        with self._lock:
            if proxy.done():
                return
            if inner.cancelled():
                proxy.cancel()
                proxy.set_running_or_notify_cancel()
                return
            proxy.set_running_or_notify_cancel()
            exc = inner.exception()
            if exc is not None:
                proxy.set_exception(exc)
            else:
                proxy.set_result(inner.result())
        self._on_done()

    def cancel(self) -> None:
        """Stop submitting; cancel every pending replication (running ones finish)."""
        self._cancel.set()
        with self._lock:
            for proxy, _inner in self._proxies:
                if not proxy.done() and proxy.cancel():
                    proxy.set_running_or_notify_cancel()  # wakes as_completed
            inners = [inner for _proxy, inner in self._proxies]
        for inner in inners:  # outside the lock: a cancelled inner future calls _relay at once
            inner.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@dataclass(frozen=True)
class Job:
    """A snapshot of the form taken when a run starts (later edits do not change it)."""

    scenario: Scenario
    policies: tuple[str, ...]
    baseline: str
    replications: int
    workers: int
    seed: int
    source: str
    dataset: str
    folder: str
    generated: tuple[int, int, str, int]
    locale: str
    portfolio: Portfolio | None  # a folder already loaded by the check
