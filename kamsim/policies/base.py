"""Base classes of the three policy kinds and the :class:`PolicyBundle` that combines them.

KAM example: every month a sales director decides three things -- which
accounts are key (segmentation, 客户分级), which accounts at risk get extra
attention (retention, 客户挽留) and how the team's limited hours are shared out
(allocation, 资源分配).  kamsim models each decision as a small class with one
method:

* :class:`SegmentationPolicy` -- ``segment(state)``: a tier label per account;
* :class:`RetentionPolicy` -- ``retain(state)``: extra hours per account (>= 0);
* :class:`AllocationPolicy` -- ``allocate(state, capacity_hours)``: regular hours per
  account (sum <= capacity).

Each returns a Series indexed like ``state``.

``state`` is the engine's monthly account snapshot, indexed by ``account_id``
(see docs/DESIGN.md "Policies").  Policies are pure functions of ``state`` and
their settings: no randomness, no memory between months.  Like scikit-learn
estimators, ``__init__`` only stores settings; :meth:`Policy.get_params`
returns them and ``repr`` shows them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from kamsim.policies.checks import (  # noqa: F401  (the helpers stay importable from here)
    MAX_DISCOUNT,
    active_mask,
    cap_to_budget,
    check_capacity,
    check_discounts,
    check_fraction,
    check_hours,
    check_non_negative,
    column,
    in_stages,
    require_columns,
)
from kamsim.vocabulary import POLICY_KINDS

#: Default cost of one hour of retention / win-back effort (CU per hour).
DEFAULT_COST_PER_HOUR: float = 80.0



class Policy:
    """Common behaviour of all policies: a ``name``, a ``kind``, settings access and a readable ``repr``.

    Subclasses set the class attributes ``name`` (registry name, e.g. ``"abc"``)
    and store every ``__init__`` argument under the same attribute name, so that
    :meth:`get_params` and ``repr`` work without further code.
    """

    #: Registry name of the policy (override in subclasses).
    name: ClassVar[str] = "policy"
    #: ``"segmentation"``, ``"retention"`` or ``"allocation"``.
    kind: ClassVar[str] = "policy"

    def get_params(self) -> dict[str, Any]:
        """Settings of this policy: the ``__init__`` arguments and their current values."""
        params = {}
        for pname, param in inspect.signature(type(self).__init__).parameters.items():
            if pname == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if not hasattr(self, pname):
                raise AttributeError(
                    f"{type(self).__name__} must store its __init__ argument {pname!r} as self.{pname} "
                    "(needed by get_params and repr)"
                )
            params[pname] = getattr(self, pname)
        return params

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_params() == other.get_params()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable settings: not hashable, like dataclasses


class SegmentationPolicy(Policy):
    """Assigns a tier label (客户分级) to every account.

    Subclasses implement :meth:`segment` and list their labels, best tier
    first, in the class attribute ``tiers``.
    """

    kind: ClassVar[str] = "segmentation"
    #: Possible tier labels, best first (categories of the returned Series).
    tiers: ClassVar[tuple[str, ...]] = ()

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """Tier label per account.

        Parameters
        ----------
        state : DataFrame
            Monthly account snapshot indexed by ``account_id``.

        Returns
        -------
        Series
            Categorical tier labels (categories ``self.tiers``), index ``state.index``, name ``"tier"``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement segment(state)")

    def _labels(self, state: pd.DataFrame, labels: Iterable[str] | np.ndarray) -> pd.Series:
        """Wrap labels as the documented categorical Series (helper for subclasses)."""
        values = np.asarray(labels, dtype=object)
        if not self.tiers:
            return pd.Series(pd.Categorical(values), index=state.index, name="tier")
        categories = list(self.tiers)
        if len(set(categories)) == len(categories):
            # fast path: one hash lookup gives the codes (what pd.Categorical(values, categories) computes)
            dtype = pd.CategoricalDtype(categories)
            codes = dtype.categories.get_indexer_for(values)
            if len(codes) == 0 or codes.min() >= 0:
                return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=state.index, name="tier")
        unknown = set(pd.unique(values)) - set(self.tiers)
        if unknown:
            raise ValueError(
                f"policy {self.name!r}: labels {sorted(map(str, unknown))} are not in its tiers {list(self.tiers)}"
            )
        return pd.Series(pd.Categorical(values, categories=list(self.tiers)), index=state.index, name="tier")


class RetentionPolicy(Policy):
    """Decides extra account-manager hours (retention or win-back effort) per account this month.

    Attributes
    ----------
    cost_per_hour : float
        Cost of one hour of effort (CU per hour); the engine books
        ``hours * cost_per_hour`` as retention (or win-back) cost.
    targets_lost : bool
        True for win-back policies, which spend hours on accounts whose stage is ``"lost"``.
    """

    kind: ClassVar[str] = "retention"
    targets_lost: ClassVar[bool] = False
    cost_per_hour: float = DEFAULT_COST_PER_HOUR

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """Extra hours per account this month (float, >= 0, index ``state.index``, name ``"retention_hours"``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement retain(state)")

    def cost(self, hours: pd.Series | np.ndarray | float) -> float:
        """Total cost (CU) of ``hours`` of effort at ``cost_per_hour``."""
        return float(np.sum(hours)) * float(self.cost_per_hour)

    def _hours(self, state: pd.DataFrame, hours: np.ndarray | float) -> pd.Series:
        """Wrap hours as the documented float Series (helper for subclasses)."""
        arr = np.broadcast_to(np.asarray(hours, dtype="float64"), (len(state),)).copy()
        return pd.Series(arr, index=state.index, name="retention_hours")


class AllocationPolicy(Policy):
    """Shares the team's regular monthly hours between accounts.

    Only active accounts (stage not in :data:`INACTIVE_STAGES`) receive hours;
    prospects may receive acquisition hours.  The hours returned sum to at most
    ``capacity_hours``.
    """

    kind: ClassVar[str] = "allocation"

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Hours per account this month (float, >= 0, index ``state.index``, name ``"allocated_hours"``).

        Parameters
        ----------
        state : DataFrame
            Monthly account snapshot indexed by ``account_id``.
        capacity_hours : float
            Total account-manager hours available this month (hours, >= 0).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement allocate(state, capacity_hours)")

    def needs_analysis_share(self, state: pd.DataFrame) -> np.ndarray | float | None:
        """Share (0-1) of each account's hours spent on needs analysis; None: the scenario's ``needs.discovery_share``.

        Read by the engine only when the needs model is on (``Scenario.needs.latent_prob > 0``).
        """
        return None

    def _allocation(self, state: pd.DataFrame, hours: np.ndarray) -> pd.Series:
        """Wrap hours as the documented float Series (helper for subclasses)."""
        return pd.Series(np.asarray(hours, dtype="float64"), index=state.index, name="allocated_hours")


class PricingPolicy(Policy):
    """Decides a discount per account this month, on top of the negotiated discount (定价策略).

    The engine turns the discount into more volume and, for price-sensitive accounts, lower churn and
    decline hazards (``Scenario.pricing``, docs/engine.md "Price response").  The discount costs margin on
    every unit sold, including those the account would have bought anyway.

    Attributes
    ----------
    max_discount : float
        Largest discount any account may get (share of list price); the bundle refuses more.
    """

    kind: ClassVar[str] = "pricing"
    max_discount: ClassVar[float] = MAX_DISCOUNT

    def price(self, state: pd.DataFrame) -> pd.Series:
        """Discount per account this month (share of list price in [0, 0.5], index ``state.index``, name ``"discount"``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement price(state)")

    def _discounts(self, state: pd.DataFrame, discount: np.ndarray | float) -> pd.Series:
        """Wrap discounts as the documented float Series (helper for subclasses)."""
        arr = np.broadcast_to(np.asarray(discount, dtype="float64"), (len(state),)).copy()
        return pd.Series(arr, index=state.index, name="discount")


#: The policy kinds and their base classes, in the order a bundle applies them.
KINDS: dict[str, type[Policy]] = dict(
    zip(POLICY_KINDS, (SegmentationPolicy, RetentionPolicy, AllocationPolicy, PricingPolicy))
)


# ----------------------------------------------------------------------------- the bundle


@dataclass
class PolicyBundle:
    """One segmentation, one retention and one allocation policy: everything the engine asks each month.

    Parameters
    ----------
    segmentation : SegmentationPolicy or str
        Tiering of accounts; a string is looked up with ``get_policy("segmentation", name)``.
    retention : RetentionPolicy or str
        Extra retention / win-back hours.
    allocation : AllocationPolicy or str
        Sharing of regular account-manager hours.
    name : str, optional
        Label used in results and comparisons; defaults to the policy names joined by ``"+"`` (the pricing
        policy's only when it gives discounts).
    pricing : PricingPolicy or str, default "none"
        Discounts on top of the negotiated price (``"none"``: no policy discount, today's prices).

    Examples
    --------
    >>> from kamsim.policies import PolicyBundle, RiskTargetedRetention
    >>> bundle = PolicyBundle("abc", RiskTargetedRetention(threshold=0.05), "equal", name="my_test")
    >>> bundle.retention.threshold
    0.05
    """

    segmentation: SegmentationPolicy
    retention: RetentionPolicy
    allocation: AllocationPolicy
    name: str | None = None
    pricing: PricingPolicy = "none"  # type: ignore[assignment]  # a name is resolved in __post_init__

    def __post_init__(self) -> None:
        for kind, base in KINDS.items():
            value = getattr(self, kind)
            if isinstance(value, str):
                from kamsim.policies.registry import get_policy  # the registry imports this module

                value = get_policy(kind, value)
                setattr(self, kind, value)
            if not isinstance(value, base):
                raise ValueError(
                    f"PolicyBundle.{kind} must be a {base.__name__} (or a registered {kind} name), "
                    f"got {type(value).__name__}"
                )
        if self.name is None:
            kinds = [k for k in KINDS if k != "pricing" or self.pricing.name != "none"]
            self.name = "+".join(getattr(self, k).name for k in kinds)
        elif not isinstance(self.name, str) or not self.name:
            raise ValueError(f"PolicyBundle.name must be a non-empty string, got {self.name!r}")

    @classmethod
    def default(cls) -> PolicyBundle:
        """The status quo: ABC segmentation, no retention effort, equal allocation of hours."""
        from kamsim.policies.allocation import EqualAllocation
        from kamsim.policies.retention import NoRetention
        from kamsim.policies.segmentation import ABCSegmentation

        return cls(ABCSegmentation(), NoRetention(), EqualAllocation(), name="status_quo")

    def get_params(self) -> dict[str, Any]:
        """Settings of the bundle: its name and each policy's class name and parameters."""
        out: dict[str, Any] = {"name": self.name}
        for kind in KINDS:
            policy = getattr(self, kind)
            out[kind] = {"policy": type(policy).__name__, **policy.get_params()}
        return out

    def decide(self, state: pd.DataFrame, capacity_hours: float) -> pd.DataFrame:
        """Run the four decisions for one month and check what each policy returned.

        The new tiers replace ``state["tier"]`` (on a copy) before retention,
        allocation and pricing are asked, so tier-based policies see this month's tiers.
        The engine calls this every month.

        Returns
        -------
        DataFrame
            Index ``state.index``; columns ``tier`` (as returned by the segmentation),
            ``retention_hours`` and ``allocated_hours`` (float hours, >= 0; missing = 0) and
            ``discount`` (share of list price, 0-0.5; missing = 0).

        Raises
        ------
        ValueError
            Naming the bundle and the decision, if a policy returns something other than a
            Series, or hours that are negative or not finite (with the account).
        """
        name = str(self.name)
        tiers = self.segmentation.segment(state)
        if not isinstance(tiers, pd.Series):
            raise ValueError(f"policy {name!r}: segment(state) must return a pandas Series, got {type(tiers).__name__}")
        if not tiers.index.equals(state.index):
            tiers = tiers.reindex(state.index)
        current = state.assign(tier=tiers.to_numpy())
        retention = check_hours(self.retention.retain(current), state.index, "retain(state)", name)
        allocation = check_hours(
            self.allocation.allocate(current, capacity_hours), state.index, "allocate(state, capacity_hours)", name
        )
        discount = check_discounts(self.pricing.price(current), state.index, name)
        return pd.DataFrame(
            {"tier": tiers, "retention_hours": retention, "allocated_hours": allocation, "discount": discount},
            index=state.index,
        )
