"""Per-account state of a simulation, held as numpy arrays (one slot per account).

KAM example: at the start of each month a sales director looks at a CRM
snapshot -- stage, satisfaction, revenue and margin of the last 12 months,
months since the last order, open complaints, contract status.  :class:`World`
keeps exactly that for every account as arrays, updates it month by month and
turns it into the ``state`` DataFrame that policies receive
(:meth:`World.state_frame`, columns listed in docs/DESIGN.md "Policies").

Stages are stored as small integers in ``schema.STAGES`` order
(:data:`PROSPECT` ... :data:`WON_BACK`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kamsim.engine.events import string_array
from kamsim.scenario import Scenario
from kamsim.vocabulary import CONTRACT_EVENTS, CUSTOMER_STAGES, STAGES, contract_term

PROSPECT, NEW, GROWING, MATURE, AT_RISK, LOST, WON_BACK = range(len(STAGES))
#: Stage labels indexable by stage code.
STAGE_LABELS: np.ndarray = np.array(STAGES, dtype=object)
#: True for stages of current customers (they order, complain, can be lost).
IS_CUSTOMER: np.ndarray = np.array([s in CUSTOMER_STAGES for s in STAGES])
#: Months of order history kept for ``revenue_12m`` etc.
HISTORY_MONTHS = 12


def stage_codes(labels: pd.Series | np.ndarray, source: str = "accounts") -> np.ndarray:
    """Stage labels -> int8 codes; raises ``ValueError`` naming the row of an unknown stage."""
    values = pd.Series(labels).astype("object").to_numpy()
    lookup = {s: i for i, s in enumerate(STAGES)}
    codes = np.empty(len(values), dtype=np.int8)
    for row, value in enumerate(values):
        if value not in lookup:
            raise ValueError(f"{source}: column 'stage' row {row}: {value!r} is not one of {list(STAGES)}")
        codes[row] = lookup[value]
    return codes


@dataclass
class World:
    """Mutable per-account state of one simulation run (arrays of length ``n``).

    Build it with :meth:`from_portfolio`; the engine mutates it month by month.
    Money in CU, satisfaction on a 0-10 scale, hours per month.
    """

    account_ids: np.ndarray
    static: pd.DataFrame  # accounts columns except ``stage``, index ``account_id``
    manager_of: np.ndarray  # index into manager_ids, per account
    manager_ids: np.ndarray
    manager_capacity: np.ndarray  # hours per month, per manager
    skill: np.ndarray  # skill of each account's manager (0-1)
    potential: np.ndarray  # annual_potential_spend (CU/year)
    growth: np.ndarray
    baseline_satisfaction: np.ndarray
    price_sensitivity: np.ndarray
    cooperativeness: np.ndarray
    strategic_fit: np.ndarray
    credit_risk: np.ndarray
    stage: np.ndarray
    satisfaction: np.ndarray
    contract_end: np.ndarray  # first month not covered by the running contract; -1 = none
    months_in_stage: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    revenue_hist: np.ndarray = field(default_factory=lambda: np.zeros((HISTORY_MONTHS, 0)))
    margin_hist: np.ndarray = field(default_factory=lambda: np.zeros((HISTORY_MONTHS, 0)))
    orders_hist: np.ndarray = field(default_factory=lambda: np.zeros((HISTORY_MONTHS, 0)))
    last_order_month: np.ndarray = field(default_factory=lambda: np.zeros(0))
    open_complaints: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    contact_hours_prev: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # str or pd.NA (none yet)

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.account_ids)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_portfolio(cls, portfolio: object, scenario: Scenario, rng_contracts: np.random.Generator) -> World:
        """Initial state from a Portfolio (accounts, account_managers, optional events history).

        Order history (``events`` rows with ``month < 0``) fills the 12-month
        revenue/margin/order buffers; contract history sets running contracts.
        Customers without contract history get a contract with a random term
        and remaining time drawn from ``rng_contracts`` (always ``3 n`` draws).
        """
        accounts = portfolio.accounts  # type: ignore[attr-defined]
        managers = portfolio.account_managers  # type: ignore[attr-defined]
        if len(accounts) == 0:
            raise ValueError("portfolio.accounts: no accounts to simulate")
        ids = accounts["account_id"].astype("object").to_numpy()
        man_ids = managers["manager_id"].astype("object").to_numpy()
        man_pos = {m: i for i, m in enumerate(man_ids)}
        acc_man = accounts["manager_id"].astype("object").to_numpy()
        manager_of = np.empty(len(ids), dtype=np.int64)
        for row, m in enumerate(acc_man):
            if m not in man_pos:
                raise ValueError(f"accounts: column 'manager_id' row {row}: {m!r} not found in account_managers")
            manager_of[row] = man_pos[m]
        capacity = managers["capacity_hours"].to_numpy(dtype="float64") * scenario.managers.capacity_multiplier
        skill_by_manager = managers["skill"].to_numpy(dtype="float64")

        def num(col: str) -> np.ndarray:
            return accounts[col].to_numpy(dtype="float64")

        stage = stage_codes(accounts["stage"])
        n = len(ids)
        world = cls(
            account_ids=ids,
            static=accounts.drop(columns=["stage"]).set_index("account_id", drop=True),
            manager_of=manager_of,
            manager_ids=man_ids,
            manager_capacity=capacity,
            skill=skill_by_manager[manager_of],
            potential=num("annual_potential_spend"),
            growth=num("growth_potential"),
            baseline_satisfaction=num("baseline_satisfaction"),
            price_sensitivity=num("price_sensitivity"),
            cooperativeness=num("cooperativeness"),
            strategic_fit=num("strategic_fit"),
            credit_risk=num("credit_risk"),
            stage=stage,
            satisfaction=num("baseline_satisfaction").copy(),
            contract_end=np.full(n, -1, dtype=np.int64),
            months_in_stage=np.zeros(n, dtype=np.int64),
            revenue_hist=np.zeros((HISTORY_MONTHS, n)),
            margin_hist=np.zeros((HISTORY_MONTHS, n)),
            orders_hist=np.zeros((HISTORY_MONTHS, n)),
            last_order_month=np.full(n, np.nan),
            open_complaints=np.zeros(n, dtype=np.int64),
            contact_hours_prev=np.zeros(n),
            tier=np.full(n, pd.NA, dtype=object),
        )
        u_term, u_left, _spare = rng_contracts.random((3, n))
        has_history = world._load_history(getattr(portfolio, "events", None))
        customers = IS_CUSTOMER[stage] & ~has_history
        term = np.where(u_term < scenario.contracts.two_year_share, 24, 12)
        left = 1 + np.floor(u_left * term).astype(np.int64)
        world.contract_end = np.where(customers, left, world.contract_end)
        return world

    def _load_history(self, events: pd.DataFrame | None) -> np.ndarray:
        """Fill buffers from history rows (``month < 0``); return a mask of accounts with contract history."""
        has_contract_history = np.zeros(self.n, dtype=bool)
        if events is None or len(events) == 0:
            return has_contract_history
        pos = pd.Series(np.arange(self.n), index=pd.Index(self.account_ids))
        hist = events[events["month"] < 0]
        orders = hist[(hist["event_type"] == "order") & (hist["month"] >= -HISTORY_MONTHS)]
        if len(orders):
            idx = pos.reindex(orders["account_id"].astype("object")).to_numpy()
            ok = ~np.isnan(idx)
            idx = idx[ok].astype(np.int64)
            slot = np.mod(orders["month"].to_numpy(dtype=np.int64)[ok], HISTORY_MONTHS)
            np.add.at(self.revenue_hist, (slot, idx), orders["amount"].to_numpy(dtype="float64")[ok])
            np.add.at(self.margin_hist, (slot, idx), orders["margin"].to_numpy(dtype="float64")[ok])
            np.add.at(self.orders_hist, (slot, idx), 1.0)
        all_orders = hist[hist["event_type"] == "order"]
        if len(all_orders):
            last = all_orders.groupby(all_orders["account_id"].astype("object"))["month"].max()
            idx = pos.reindex(last.index).to_numpy()
            ok = ~np.isnan(idx)
            self.last_order_month[idx[ok].astype(np.int64)] = last.to_numpy(dtype="float64")[ok]
        contracts = hist[hist["event_type"].isin(list(CONTRACT_EVENTS))]
        if len(contracts):
            contracts = contracts.sort_values(["month", "event_id"], kind="stable")
            latest = contracts.groupby(contracts["account_id"].astype("object")).tail(1)
            idx = pos.reindex(latest["account_id"].astype("object")).to_numpy()
            ok = ~np.isnan(idx)
            idx = idx[ok].astype(np.int64)
            kinds = latest["event_type"].astype("object").to_numpy()[ok]
            months = latest["month"].to_numpy(dtype=np.int64)[ok]
            details = latest["detail"].astype("object").to_numpy()[ok]
            for i, kind, month, detail in zip(idx, kinds, months, details):
                has_contract_history[i] = True
                term = contract_term(detail)
                if kind != "contract_ended" and term is not None:
                    # signed at a month's end covers the next months; renewed at a month's start covers it
                    end = month + term + (1 if kind == "contract_signed" else 0)
                    self.contract_end[i] = end if end > 0 else -1
        return has_contract_history

    # ------------------------------------------------------------------ monthly views

    def customers(self) -> np.ndarray:
        """Boolean mask of current customers."""
        return IS_CUSTOMER[self.stage]

    def in_contract(self, month: int) -> np.ndarray:
        """Boolean mask: a contract covers ``month``."""
        return self.contract_end > month

    def state_frame(self, month: int, churn_risk: np.ndarray) -> pd.DataFrame:
        """The monthly snapshot given to policies (index ``account_id``).

        Columns: every accounts column (``stage`` = current stage) plus ``month``,
        ``satisfaction`` (0-10), ``revenue_12m`` and ``margin_12m`` (CU),
        ``orders_12m``, ``months_since_order`` (NaN if never ordered),
        ``churn_risk`` (monthly loss probability without retention effort),
        ``tier`` (previous month's tier, missing in month 0), ``contact_hours``
        (hours delivered last month), ``open_complaints``, ``months_in_stage``,
        ``in_contract``, ``contract_months_left`` and ``manager_capacity_hours``
        (monthly hours of the account's manager, after team changes).
        """
        since = month - self.last_order_month
        left = np.where(self.contract_end > month, self.contract_end - month, 0)
        dynamic = dict(
            stage=STAGE_LABELS[self.stage],
            month=np.full(self.n, month, dtype=np.int64),
            satisfaction=self.satisfaction.copy(),
            revenue_12m=self.revenue_hist.sum(axis=0),
            margin_12m=self.margin_hist.sum(axis=0),
            orders_12m=self.orders_hist.sum(axis=0),
            months_since_order=since,
            churn_risk=churn_risk,
            tier=string_array(self.tier),  # copied by the DataFrame
            contact_hours=self.contact_hours_prev.copy(),
            open_complaints=self.open_complaints.copy(),
            months_in_stage=self.months_in_stage.copy(),
            in_contract=self.contract_end > month,
            contract_months_left=left,
            manager_capacity_hours=self.manager_capacity[self.manager_of],
        )
        return pd.concat([self.static, pd.DataFrame(dynamic, index=self.static.index)], axis=1)

    def record_orders(self, month: int, revenue: np.ndarray, margin: np.ndarray, counts: np.ndarray) -> None:
        """Store this month's order totals in the 12-month ring buffers."""
        slot = month % HISTORY_MONTHS
        self.revenue_hist[slot] = revenue
        self.margin_hist[slot] = margin
        self.orders_hist[slot] = counts
        self.last_order_month = np.where(counts > 0, float(month), self.last_order_month)
