"""One simulation run: the world's state and the SimPy driver process that steps it month by month.

KAM example: "what happens to revenue, churn and complaint waits over the next three
years under this policy?" -- :class:`Run` holds every account's state, the managers'
hours, the complaint desk and the event log, and performs the months in order.  Use
:func:`kamsim.simulate` rather than this class; :func:`kamsim.engine.warm_start` reuses it
for history.

Time runs in days in a SimPy environment; a month is ``DAYS_PER_MONTH`` (365.25 / 12) days.
One driver process performs each month:

1. draw this month's random numbers -- full-size arrays from every stream of
   ``kamsim._random.ENGINE_STREAMS``, whatever the policy does (CRN);
2. refill the managers' hour containers; renew / end contracts;
3. build the ``state`` snapshot and ask the policy bundle (``PolicyBundle.decide``):
   tiers, extra retention hours, regular hours (capped by the team's and each manager's hours);
4. orders, interactions, retention / win-back offers, complaints (handed to the
   SimPy complaint desk), surveys;
5. let SimPy run the month (complaints queue for handlers);
6. update satisfaction and move accounts between stages.

Stream use: ``orders`` orders; ``interactions`` timing of visits/calls/QBRs;
``complaints`` complaint counts and times; ``handling`` handling durations;
``surveys`` survey answers and satisfaction noise; ``contracts`` renewals and
terms; ``churn`` loss; ``transitions`` other stage moves; ``arrivals``
acquisition of prospects; ``latent`` the calibrated accounts' rates, once per run
(:mod:`kamsim.engine.calibrated`); ``policy`` is reserved for policies and not drawn
by the engine.
"""


from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import simpy

from kamsim._random import ENGINE_STREAMS, streams
from kamsim.engine import contracts
from kamsim.engine.calibrated import CalibratedRates
from kamsim.engine.complaints import ComplaintDesk, ComplaintDraws
from kamsim.engine.events import END_OF_MONTH, Details, EventLog, lookup_strings, string_array
from kamsim.engine.kpis import KpiTotals, kpi_totals
from kamsim.engine.lifecycle import Lifecycle
from kamsim.engine.manager_work import ManagerWork, manager_panel
from kamsim.engine.managers import CALL, QBR, VISIT, ManagerTeam, plan_interactions
from kamsim.engine.needs import NeedsModel
from kamsim.engine.orders import MonthOrders, OrderDraws, OrderModel
from kamsim.engine.result import PANEL_COLUMNS, SimulationResult
from kamsim.engine.satisfaction import SurveyDraws, surveys, update_satisfaction
from kamsim.engine.staffing import Staffing
from kamsim.engine.world import LOST, PROSPECT, STAGE_LABELS, World
from kamsim.policies import PolicyBundle
from kamsim.scenario import Scenario
from kamsim.vocabulary import (
    COMPLAINT_STAGES,
    DAYS_PER_MONTH,
    EVENT_TYPES,
    category_details,
    complaint_details,
    complaint_ids,
)

#: Event type code (position in ``EVENT_TYPES``) of each interaction kind, indexed by ``QBR``, ``VISIT``, ``CALL``.
_INTERACTION_CODES = np.array([EVENT_TYPES.index(name) for name in ("qbr", "visit", "call")], dtype=np.int8)[[QBR, VISIT, CALL]]


def tier_labels(tier: pd.Series) -> np.ndarray:
    """A segmentation's tiers as an object array of ``str`` (``pd.NA`` where missing), as ``astype("string")`` gives.

    A categorical Series (what every built-in returns) is converted through its categories only.
    """
    if isinstance(tier.dtype, pd.CategoricalDtype):
        codes = tier.array.codes
        categories = pd.Categorical.from_codes(np.arange(len(tier.dtype.categories)), dtype=tier.dtype)
        table = pd.Series(categories).astype("string").to_numpy(dtype=object, na_value=pd.NA)
        return np.append(table, pd.NA)[codes]  # code -1 (missing) picks the NA at the end
    return tier.astype("string").to_numpy(dtype=object, na_value=pd.NA)


def _scheduled_events(env: simpy.Environment) -> int:
    """Number of events the environment scheduled so far (SimPy numbers them with a counter)."""
    counter = getattr(env, "_eid", None)
    return int(next(counter)) if counter is not None else -1


class Run:
    """State and SimPy processes of one simulation run (internal; use :func:`kamsim.simulate`)."""

    def __init__(
        self, scenario: Scenario, portfolio: Any, bundle: PolicyBundle, seed: int | np.random.SeedSequence, months: int
    ) -> None:
        self.scenario = scenario
        self.bundle = bundle
        self.policy_name = str(bundle.name)
        self.months = months
        self.rngs = streams(seed, ENGINE_STREAMS)
        self.world = World.from_portfolio(portfolio, scenario, self.rngs["contracts"])
        skill = portfolio.account_managers["skill"].to_numpy(dtype="float64")
        self.staffing = Staffing(scenario, self.world, skill, months) if scenario.managers.changes else None
        n = self.world.n
        self.env = simpy.Environment()
        self.team = ManagerTeam(self.env, self.world)
        tiers = tuple(str(t) for t in getattr(bundle.segmentation, "tiers", ()) or ())
        self.work = ManagerWork(self.env, scenario, self.world, tiers) if scenario.managers.queueing else None
        self.desk = ComplaintDesk(self.env, scenario, n, scenario.complaints.n_handlers(n))
        calibrated = CalibratedRates.from_accounts(portfolio.accounts, self.rngs["latent"])
        self.life = Lifecycle(scenario, self.world, calibrated)
        products = portfolio.products
        self.product_ids = products["product_id"].astype("object").to_numpy()
        self.order_model = OrderModel(
            scenario,
            products["list_price"].to_numpy(dtype="float64"),
            products["margin_rate"].to_numpy(dtype="float64"),
            calibrated,
        )
        self.needs = self._needs_model(portfolio) if scenario.needs.latent_prob > 0 else None
        self.discount_cost = 0.0
        self.log = EventLog()
        self.cost_per_hour = float(getattr(bundle.retention, "cost_per_hour", 0.0))
        self.retention_cost = 0.0
        self.winback_cost = 0.0
        self.orders_cut = 0
        self.skill_mult = scenario.managers.skill_floor + self.world.skill
        shape = (months, n)
        self.p_stage = np.zeros(shape, dtype=np.int8)
        float_cols = ("satisfaction", "revenue", "margin", "contact_hours", "retention_hours", "churn_hazard")
        self.p_float = {k: np.zeros(shape) for k in float_cols}
        self.p_complaints = np.zeros(shape, dtype=np.int64)
        self.p_tier = np.empty(shape, dtype=object)
        k = len(self.world.manager_ids)
        self.p_manager = {key: np.zeros((months, k)) for key in ("capacity", "used", "done", "missed", "wait")}

    def _needs_model(self, portfolio: Any) -> NeedsModel:
        """The run's latent needs (``Scenario.needs`` on): categories from the products table."""
        category = portfolio.products["category"].astype("object").to_numpy()
        names, codes = np.unique(category, return_inverse=True)
        return NeedsModel(self.scenario, self.world, codes, names, portfolio.events, self.product_ids, self.rngs["needs"])

    # ------------------------------------------------------------------ policy

    def _decide(self, state: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """The bundle's checked decisions: tier labels (object array), retention and allocated hours, discounts.

        The discounts are None when the pricing policy gives none this month.
        """
        capacity = self.team.total_capacity
        if self.work is not None:
            capacity *= self.scenario.managers.planned_share
        decided = self.bundle.decide(state, capacity)
        discount = decided["discount"].to_numpy()
        return (
            tier_labels(decided["tier"]),
            decided["retention_hours"].to_numpy(),
            decided["allocated_hours"].to_numpy(),
            discount if discount.any() else None,
        )

    def _needs_hours(self, state: pd.DataFrame, effective: np.ndarray) -> np.ndarray:
        """Needs-analysis hours per account: the allocation policy's share (or the scenario's) of effective contact."""
        default = self.scenario.needs.discovery_share
        share = self.bundle.allocation.needs_analysis_share(state)
        if share is None:
            return effective * default
        share = np.broadcast_to(np.asarray(share, dtype="float64"), effective.shape)
        return effective * np.clip(np.where(np.isnan(share), default, share), 0.0, 1.0)

    # ------------------------------------------------------------------ the month

    def process(self) -> Generator[simpy.Event, Any, None]:
        """The SimPy driver process: one iteration per month."""
        for month in range(self.months):
            yield from self._month(month)

    def _month(self, m: int) -> Generator[simpy.Event, Any, None]:
        sc, w, rng, log = self.scenario, self.world, self.rngs, self.log
        n = w.n
        # 1. this month's randomness, always the same amount (common random numbers)
        d_orders = OrderDraws.draw(rng["orders"], n, sc.orders.max_per_month)
        u_interactions = rng["interactions"].random((n, sc.interactions.max_per_month))
        d_complaints = ComplaintDraws.draw(rng["complaints"], rng["handling"], n, sc.complaints.max_per_month)
        d_surveys = SurveyDraws.draw(rng["surveys"], n)
        d_contracts = contracts.ContractDraws.draw(rng["contracts"], n)
        u_churn = rng["churn"].random(n)
        u_trans = rng["transitions"].random(n)
        u_arrival = rng["arrivals"].random(n)

        # 2. team changes, managers' hours and contracts due
        if self.staffing is not None and self.staffing.apply(m, w):
            self.team.set_capacity(w.manager_capacity)
            self.skill_mult = sc.managers.skill_floor + w.skill
            if self.work is not None:
                self.work.queues.set_capacity(w.manager_capacity)
        self.team.start_month()
        ce = contracts.start_of_month(sc, w, m, d_contracts)
        log.add(ce.kind, ce.account, m, 0.0, manager=w.manager_of[ce.account], detail=ce.detail)

        # 3. the policy's decisions
        zeros = np.zeros(n)
        risk = self.life.churn_probability(w, m, w.contact_hours_prev * self.skill_mult, zeros)
        state = w.state_frame(m, risk)
        tiers, retention, allocation, discount = self._decide(state)
        customer = w.customers()
        lost = w.stage == LOST
        allocation = np.where(lost, 0.0, allocation)
        total = allocation.sum()
        if total > self.team.total_capacity > 0:
            allocation = allocation * (self.team.total_capacity / total)
        if self.work is None:
            delivered = self.team.deliver(allocation)
            effective = delivered * self.skill_mult
        else:  # queue model: the hours are requested now and worked during the month; last month's count
            delivered = allocation
            effective = (allocation if m == 0 else w.contact_hours_prev) * self.skill_mult
        ret_hours = np.where(customer, retention, 0.0)
        wb_hours = np.where(lost, retention, 0.0)
        if self.life.constant:
            hz = None
            churn = self.life.churn_probability(w, m, effective, ret_hours)
            stop = None
        else:
            contact = np.where(customer, effective, 0.0)
            business_development = np.where(w.stage == PROSPECT, effective, 0.0)
            hz = self.life.hazards(w, m, contact, ret_hours, business_development, wb_hours, discount)
            churn = hz.churn
            stop = self.life.order_stop(w, churn, u_churn)

        # 4. what happens during the month
        mo = self.order_model.month(w, d_orders, m, stop, discount, self.needs)
        self.orders_cut += mo.cut
        log.add("order", mo.account, m, mo.frac, product=mo.product, quantity=mo.quantity, amount=mo.amount,
                margin=mo.margin, manager=w.manager_of[mo.account])
        if discount is not None:
            self.discount_cost += self.order_model.discount_cost(mo, discount)
        if self.needs is not None:
            mo = self._cross_sell(m, state, effective, customer, discount, mo)
        it = plan_interactions(sc, w, m, delivered, u_interactions)
        if self.work is None:
            log.add(_INTERACTION_CODES[it.kind], it.account, m, it.frac, hours=it.hours, manager=w.manager_of[it.account])
        for kind, hours in (("retention_offer", ret_hours), ("winback_offer", wb_hours)):
            acc = np.flatnonzero(hours > 0)
            cost = hours[acc] * self.cost_per_hour
            log.add(kind, acc, m, 0.0, hours=hours[acc], amount=cost, manager=w.manager_of[acc])
            if kind == "retention_offer":
                self.retention_cost += float(cost.sum())
            else:
                self.winback_cost += float(cost.sum())
        start_day = m * DAYS_PER_MONTH
        rates = self.desk.rates(w.satisfaction, customer)
        acc_c, frac_c, ids_c = self.desk.open_month(m, start_day, DAYS_PER_MONTH, rates, d_complaints)
        log.add("complaint_opened", acc_c, m, frac_c, manager=w.manager_of[acc_c], detail=Details(complaint_ids, ids_c))
        new_complaints = np.bincount(acc_c, minlength=n)
        s_acc, s_score, s_frac = surveys(sc, w, d_surveys)
        log.add("survey", s_acc, m, s_frac, score=s_score)
        if self.work is not None:
            self.work.submit(w, start_day, it, tiers, ret_hours, wb_hours, acc_c, frac_c)

        # 5. SimPy runs the month: complaints queue for handlers (and tasks for their managers)
        yield self.env.timeout(DAYS_PER_MONTH)

        # 6. end of month: satisfaction and stage transitions
        w.open_complaints = self.desk.open_now.copy()
        self.p_manager["capacity"][m] = self.team.capacity
        if self.work is None:
            waited = missed = 0.0
            self.p_manager["used"][m] = np.bincount(w.manager_of, weights=delivered, minlength=len(w.manager_ids))
            self.p_manager["done"][m] = np.bincount(w.manager_of[it.account], minlength=len(w.manager_ids))
        else:
            done = self.work.close(m, w, log)
            delivered, waited, missed = done.contact_hours, done.mean_wait_days, done.missed
            effective = delivered * self.skill_mult
            self.team.record_used(done.used_hours)
            for key, values in (("used", done.used_hours), ("done", done.done), ("missed", done.missed_by_manager),
                                ("wait", done.wait_days_by_manager)):
                self.p_manager[key][m] = values
        new_sat = update_satisfaction(
            sc,
            w,
            effective,
            new_complaints,
            self.desk.wait_month,
            self.desk.resolved_month,
            self.desk.open_now,
            d_surveys.z_noise,
            contact_wait_days=waited,
            missed_contacts=missed,
        )
        old_stage = w.stage
        new_stage = self.life.step(w, hz, u_churn, u_trans, u_arrival)
        moved = np.flatnonzero(new_stage != old_stage)
        log.add("stage_change", moved, m, END_OF_MONTH, stage_from=old_stage[moved], stage_to=new_stage[moved],
                manager=w.manager_of[moved])
        ce = contracts.after_transitions(sc, w, m, old_stage, new_stage, d_contracts.u_term)
        log.add(ce.kind, ce.account, m, END_OF_MONTH, manager=w.manager_of[ce.account], detail=ce.detail)

        self.p_stage[m] = old_stage
        self.p_float["satisfaction"][m] = w.satisfaction
        self.p_float["revenue"][m] = mo.revenue_by_account
        self.p_float["margin"][m] = mo.margin_by_account
        self.p_float["contact_hours"][m] = delivered
        self.p_float["retention_hours"][m] = ret_hours + wb_hours
        self.p_float["churn_hazard"][m] = churn
        self.p_complaints[m] = new_complaints
        self.p_tier[m] = tiers

        w.satisfaction = new_sat
        w.months_in_stage = np.where(new_stage != old_stage, 0, w.months_in_stage + 1)
        w.stage = new_stage
        w.record_orders(m, mo.revenue_by_account, mo.margin_by_account, mo.count_by_account)
        w.contact_hours_prev = delivered
        w.tier = tiers

    def _cross_sell(self, m: int, state: pd.DataFrame, effective: np.ndarray, customer: np.ndarray,
                    discount: np.ndarray | None, mo: MonthOrders) -> MonthOrders:
        """Needs analysis and first orders of adopted categories this month; ``mo`` with them added."""
        assert self.needs is not None
        w, log = self.world, self.log
        nm = self.needs.month(w, self._needs_hours(state, effective), customer)
        names = self.needs.categories
        log.add("need_identified", nm.revealed_account, m, nm.revealed_frac, manager=w.manager_of[nm.revealed_account],
                detail=category_details(names[nm.revealed_category]))
        if not len(nm.adopted_account):
            return mo
        first = self.order_model.first_orders(w, self.needs, nm, discount)
        acc = first.account
        log.add("order", acc, m, first.frac, product=first.product, quantity=first.quantity, amount=first.amount,
                margin=first.margin, manager=w.manager_of[acc])
        log.add("cross_sell", acc, m, first.frac, product=first.product, manager=w.manager_of[acc],
                detail=category_details(names[nm.adopted_category]))
        if discount is not None:
            self.discount_cost += self.order_model.discount_cost(first, discount)
        return mo.plus(first)

    # ------------------------------------------------------------------ results

    def run(self, start: pd.Timestamp, month_offset: int, first_id: int, seed: int, portfolio: Any) -> SimulationResult:
        """Run every month and assemble the :class:`SimulationResult`."""
        self._run_months()
        w = self.world
        complaints = self.desk.table(w.account_ids)
        self._log_resolved(complaints)
        events = self.log.to_frame(w.account_ids, self.product_ids, w.manager_ids, start, month_offset, first_id)
        complaints["month"] = complaints["month"] + month_offset
        return SimulationResult(
            events=events,
            panel=self._panel(month_offset),
            complaints=complaints,
            final_stage=self._final_stage(),
            manager_hours=self._manager_hours(),
            manager_panel=manager_panel(w.manager_ids, month_offset, *(self.p_manager[k] for k in
                                                                       ("capacity", "used", "done", "missed", "wait"))),
            scenario=self.scenario,
            policy_name=self.policy_name,
            seed=seed,
            portfolio=portfolio,
            months=self.months,
            retention_cost=self.retention_cost,
            winback_cost=self.winback_cost,
            simpy_events=_scheduled_events(self.env),
            meta={
                "start": start.date().isoformat(),
                "handlers": self.desk.n_handlers,
                "days_per_month": DAYS_PER_MONTH,
                "orders_cut": self.orders_cut,
                "orders_max_per_month": self.scenario.orders.max_per_month,
                "discount_cost": self.discount_cost,
            },
        )

    def kpi_totals(self) -> KpiTotals:
        """Run every month and return only the :class:`KpiTotals` of :meth:`SimulationResult.kpi_totals`.

        The same numbers, bit for bit, without building the event log's frame (about a quarter of a run's time
        at 10,000 accounts, and most of its memory): what the KPIs need of the log is read from its codes.
        """
        self._run_months()
        complaints = self.desk.table(self.world.account_ids)
        logged = self.log.event_totals()  # + the complaint_resolved rows run() adds before building the frame
        logged = replace(logged, rows=logged.rows + int(complaints["resolved"].sum()))
        return kpi_totals(self._panel(0), self._final_stage(), complaints, self._manager_hours(), logged,
                          self.retention_cost, self.winback_cost)

    def _run_months(self) -> None:
        driver = self.env.process(self.process())
        self.env.run(until=driver)

    def _final_stage(self) -> pd.Series:
        w = self.world
        stages = pd.array(STAGE_LABELS[w.stage], dtype="string")
        return pd.Series(stages, index=pd.Index(w.account_ids, name="account_id"), name="stage")

    def _manager_hours(self) -> pd.DataFrame:
        return pd.DataFrame({
            "manager_id": pd.array(self.world.manager_ids, dtype="string"),
            "capacity_hours": self.team.capacity_by_manager,
            "used_hours": self.team.used_by_manager,
        })

    def _log_resolved(self, complaints: pd.DataFrame) -> None:
        done = complaints[complaints["resolved"]]
        if not len(done):
            return
        t = done["resolved_day"].to_numpy()
        month = np.minimum(np.floor(t / DAYS_PER_MONTH).astype(np.int64), self.months - 1)
        frac = np.clip(t / DAYS_PER_MONTH - month, 0.0, END_OF_MONTH)
        stage_cols = [f"{s}_days" for s in COMPLAINT_STAGES]
        ids = done["complaint_id"].to_numpy(dtype=object)
        queue = done["queue_days"].to_numpy()
        stage_vals = done[stage_cols].to_numpy()

        def details(rows: np.ndarray) -> np.ndarray:  # written once, when the log becomes a frame
            return complaint_details(ids[rows], queue[rows], stage_vals[rows])

        acc = np.asarray(self.desk.account, dtype=np.int64)[done.index.to_numpy()]
        self.log.add("complaint_resolved", acc, month, frac, wait_days=t - done["opened_day"].to_numpy(),
                     manager=self.world.manager_of[acc], detail=Details(details, np.arange(len(done))))

    def _panel(self, month_offset: int) -> pd.DataFrame:
        months, n = self.p_stage.shape
        data: dict[str, Any] = {
            "month": np.repeat(np.arange(months, dtype=np.int64) + month_offset, n),
            "account_id": lookup_strings(self.world.account_ids, np.tile(np.arange(n), months)),
            "stage": lookup_strings(STAGE_LABELS, self.p_stage.ravel()),
            "satisfaction": self.p_float["satisfaction"].ravel(),
            "revenue": self.p_float["revenue"].ravel(),
            "margin": self.p_float["margin"].ravel(),
            "contact_hours": self.p_float["contact_hours"].ravel(),
            "complaints": self.p_complaints.ravel(),
            "tier": string_array(self.p_tier.ravel()),
            "retention_hours": self.p_float["retention_hours"].ravel(),
            "churn_hazard": self.p_float["churn_hazard"].ravel(),
        }
        return pd.DataFrame({c: data[c] for c in PANEL_COLUMNS})
