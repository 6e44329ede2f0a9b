"""Bring your own CRM log: a simulation twin calibrated from a transaction log, checked on a holdout.

Contents
--------
calibrate
    ``calibrate(log, as_of) -> (Portfolio, Scenario)``: one account per customer with its
    orders as history and its own Pareto/NBD purchase and dropout behaviour; the
    scenario switches off what a log cannot identify (:mod:`kamsim.calibration.fit`).
holdout_check
    Calibrate on the log before ``as_of``, simulate to ``until`` under the status quo
    with replications and compare with what really happened, beside BG/NBD's
    conditional forecast: per-customer errors and the weekly tracking curve
    (:mod:`kamsim.calibration.holdout`).
pareto_nbd_log
    A transaction log whose truth is known (Pareto/NBD customers), for exercises and benchmarks.
UNIDENTIFIED, PLACEHOLDERS
    The scenario fields and account columns a log cannot identify, and what the twin uses.

Model, mapping and limits: docs/calibration.md.
"""

from __future__ import annotations

from kamsim.calibration.fit import MIN_CUSTOMERS, UNIDENTIFIED, calibrate
from kamsim.calibration.holdout import HoldoutCheck, holdout_check
from kamsim.calibration.synthetic_log import pareto_nbd_log
from kamsim.calibration.tables import PLACEHOLDERS

__all__ = ["MIN_CUSTOMERS", "PLACEHOLDERS", "UNIDENTIFIED", "HoldoutCheck", "calibrate", "holdout_check", "pareto_nbd_log"]
