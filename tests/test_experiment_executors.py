"""Results of compare() do not depend on where replications run: serial == process pool == Dask."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import pandas as pd
import pytest

from kamsim.experiment import PortfolioSpec, compare
from kamsim.generators import generate_portfolio
from kamsim.scenario import Scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "retention_showdown.yaml"


@pytest.fixture(scope="module")
def settings() -> dict:
    return dict(
        scenario=Scenario.from_file(SCENARIO),
        policies=["status_quo", "risk_targeted", "win_back"],
        portfolio=PortfolioSpec(60, seed=4),
        replications=3,
        seed=21,
        months=12,
        progress=False,
    )


@pytest.fixture(scope="module")
def serial(settings) -> pd.DataFrame:
    return compare(**settings).replications


def test_serial_run_is_reproducible_and_complete(settings, serial):
    assert len(serial) == 3 * 3 * serial["kpi"].nunique()
    assert serial["value"].notna().all()
    pd.testing.assert_frame_equal(serial, compare(**settings, executor="serial").replications, check_exact=True)


def test_process_pool_gives_identical_results(settings, serial):
    with cf.ProcessPoolExecutor(2) as pool:
        pooled = compare(**settings, executor=pool).replications
        # a Portfolio object sent with every task == the same portfolio built from its recipe in the workers
        shipped = compare(**{**settings, "portfolio": generate_portfolio(60, 4)}, executor=pool).replications
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)
    pd.testing.assert_frame_equal(serial, shipped, check_exact=True)
    # an int asks compare() to create (and shut down) its own pool
    pd.testing.assert_frame_equal(serial, compare(**settings, executor=2).replications, check_exact=True)


def test_dask_local_cluster_gives_identical_results(settings, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_dask = compare(**settings, executor=client.get_executor()).replications
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)


def test_serial_runs_leave_the_shared_portfolio_untouched(settings, serial):
    """Serial replications share one Portfolio object; the engine must not modify it."""
    portfolio = generate_portfolio(60, 4)
    before = {name: frame.copy() for name, frame in portfolio.tables().items()}
    again = compare(**{**settings, "portfolio": portfolio}).replications
    for name, frame in portfolio.tables().items():
        pd.testing.assert_frame_equal(frame, before[name])
    pd.testing.assert_frame_equal(serial, again, check_exact=True)
