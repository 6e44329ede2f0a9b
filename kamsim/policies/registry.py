"""The registry of built-in policies and named bundles: one way to turn a name into a policy or a bundle.

KAM example: a course experiment says "compare ``status_quo`` with
``risk_targeted``"; a strategist's scenario says "segment with ``rfm``".  Both
are names, and this module is the one place that turns a name into an object:

* :func:`register` -- class decorator that files a policy under its ``kind`` and ``name``;
* :func:`register_bundle` -- function decorator that files a named bundle factory;
* :func:`get_policy` / :func:`get` -- a fresh single policy / bundle by name;
* :func:`as_bundle` -- the engine's, the experiments' and the CLI's ``policy`` argument
  (bundle, bundle name or None) as a :class:`PolicyBundle`;
* :func:`available` -- the catalogue (``kamsim policies`` prints it).

Every built-in registers itself when its module is imported; ``import kamsim.policies``
imports them all.

>>> from kamsim import policies
>>> policies.get("risk_targeted").retention.threshold
0.05
>>> policies.get_policy("retention", "blanket", hours_per_account=0.5).hours_per_account
0.5
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from kamsim.policies.base import KINDS, Policy, PolicyBundle


#: Built-in single policies by kind and registry name (filled by :func:`register`).
POLICIES: dict[str, dict[str, type[Policy]]] = {kind: {} for kind in KINDS}

#: Named bundles: name -> (description, factory called with the name); filled by :func:`register_bundle`.
BUNDLES: dict[str, tuple[str, Callable[[str], PolicyBundle]]] = {}

P = TypeVar("P", bound=type[Policy])


def register(cls: P) -> P:
    """Class decorator: file ``cls`` in :data:`POLICIES` under ``cls.kind`` and ``cls.name``.

    Raises
    ------
    ValueError
        If the kind is unknown or the name is already taken by another class.
    """
    kind, name = cls.kind, cls.name
    if kind not in POLICIES:
        raise ValueError(f"{cls.__name__}: unknown policy kind {kind!r}; kinds: {', '.join(POLICIES)}")
    if not issubclass(cls, KINDS[kind]):
        raise ValueError(f"{cls.__name__}: a {kind} policy must subclass {KINDS[kind].__name__}")
    taken = POLICIES[kind].get(name)
    if taken is not None and taken is not cls:
        raise ValueError(f"{cls.__name__}: {kind} policy name {name!r} is already used by {taken.__name__}")
    POLICIES[kind][name] = cls
    return cls


def register_bundle(name: str, description: str) -> Callable[[Callable[[str], PolicyBundle]], Callable[[str], PolicyBundle]]:
    """Function decorator: file a factory ``make(name) -> PolicyBundle`` in :data:`BUNDLES`."""

    def decorate(factory: Callable[[str], PolicyBundle]) -> Callable[[str], PolicyBundle]:
        if name in BUNDLES:
            raise ValueError(f"policy bundle name {name!r} is already registered")
        BUNDLES[name] = (description, factory)
        return factory

    return decorate


def _first_line(cls: type) -> str:
    """First docstring line as plain text (reST roles and literals unwrapped)."""
    doc = (cls.__doc__ or "").strip()
    line = doc.splitlines()[0].rstrip(".") if doc else ""
    line = re.sub(r":\w+:`~?([^`]+)`", r"\1", line)
    return line.replace("``", "")


def available(kind: str | None = None) -> pd.DataFrame:
    """Registry of built-ins: one row per bundle and per single policy.

    Parameters
    ----------
    kind : {"bundle", "segmentation", "retention", "allocation"}, optional
        Only list this kind.

    Returns
    -------
    DataFrame
        Columns ``name``, ``kind``, ``description``; bundles first.
    """
    kinds = ("bundle", *POLICIES)
    if kind is not None and kind not in kinds:
        raise ValueError(f"unknown policy kind {kind!r}; available kinds: {', '.join(kinds)}")
    rows = [(name, "bundle", desc) for name, (desc, _) in BUNDLES.items()]
    for k, classes in POLICIES.items():
        rows += [(name, k, _first_line(cls)) for name, cls in classes.items()]
    table = pd.DataFrame(rows, columns=["name", "kind", "description"])
    if kind is not None:
        table = table[table["kind"] == kind].reset_index(drop=True)
    return table


def get(name: str) -> PolicyBundle:
    """A fresh :class:`PolicyBundle` for the registered bundle ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a registered bundle; the message lists the available names.
    """
    if not isinstance(name, str) or name not in BUNDLES:
        raise ValueError(f"unknown policy bundle {name!r}; available bundles: {', '.join(BUNDLES)}")
    return BUNDLES[name][1](name)


def get_policy(kind: str, name: str, **params: Any) -> Policy:
    """A single built-in policy of ``kind`` registered as ``name``, built with ``params``.

    Examples
    --------
    >>> get_policy("allocation", "roi", h0=2.0)
    GreedyMarginalROI(block_hours=1.0, h0=2.0, spread_leftover=True)

    Raises
    ------
    ValueError
        For an unknown kind or name (the message lists the available ones) or an unknown parameter.
    """
    if kind not in POLICIES:
        raise ValueError(f"unknown policy kind {kind!r}; available kinds: {', '.join(POLICIES)}")
    classes = POLICIES[kind]
    if not isinstance(name, str) or name not in classes:
        raise ValueError(f"unknown {kind} policy {name!r}; available {kind} policies: {', '.join(classes)}")
    try:
        return classes[name](**params)
    except TypeError as exc:
        raise ValueError(f"{kind} policy {name!r}: bad parameters {sorted(params)}: {exc}") from None


def as_bundle(policy: PolicyBundle | str | None) -> PolicyBundle:
    """The ``policy`` argument of ``simulate``, ``compare`` and the CLI as a :class:`PolicyBundle`.

    A bundle is returned as is, a name is looked up with :func:`get`, ``None`` is the status quo.

    Raises
    ------
    ValueError
        ``policy: unknown policy bundle ...`` (listing the registered ones) or ``policy: expected ...``
        for another type.
    """
    if policy is None:
        return PolicyBundle.default()
    if isinstance(policy, PolicyBundle):
        return policy
    if isinstance(policy, str):
        try:
            return get(policy)
        except ValueError as exc:
            raise ValueError(f"policy: {exc}") from None
    raise ValueError(f"policy: expected a PolicyBundle, a registered bundle name or None, got {type(policy).__name__}")


__all__ = [
    "BUNDLES",
    "KINDS",
    "POLICIES",
    "as_bundle",
    "available",
    "get",
    "get_policy",
    "register",
    "register_bundle",
]
