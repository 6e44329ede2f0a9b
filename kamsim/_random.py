"""Named, reproducible random streams.

A KAM simulation draws randomness for several independent processes: how many
orders an account places, whether it churns, when it complains.  Common random
numbers (CRN) need each process to own its stream, so that a policy which
changes, say, the number of visits never shifts the draws used for orders.

Every component asks for streams by name from one master seed::

    >>> rngs = streams(42, ["orders", "churn"])
    >>> float(rngs["orders"].random()) == float(streams(42, ["orders"])["orders"].random())
    True

The stream for a name does not depend on which other names are requested, nor
in which order, because each name is hashed into the ``SeedSequence`` spawn key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

#: Streams used by the simulation engine; one per exogenous process.
ENGINE_STREAMS: tuple[str, ...] = (
    "arrivals",
    "orders",
    "churn",
    "transitions",
    "complaints",
    "handling",
    "surveys",
    "contracts",
    "interactions",
    "policy",
    "latent",
    "needs",
)


def _name_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


def check_seed(seed: object, field: str = "seed") -> int:
    """Validate a user-supplied seed and return it as ``int``.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"{field} must be a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{field} must be a non-negative integer, got {seed}")
    return int(seed)


def seed_sequence(seed: int, *path: int | str) -> np.random.SeedSequence:
    """A ``SeedSequence`` for ``seed`` below a path of names or indices.

    ``seed_sequence(7, "replication", 3)`` is the seed of replication 3 of a
    run with master seed 7; it is the same whatever process computes it.
    """
    key = tuple(_name_key(p) if isinstance(p, str) else int(p) for p in path)
    return np.random.SeedSequence(check_seed(seed), spawn_key=key)


def streams(seed: int | np.random.SeedSequence, names: Iterable[str]) -> dict[str, np.random.Generator]:
    """Independent ``numpy.random.Generator`` objects, one per name.

    Parameters
    ----------
    seed
        Master seed (non-negative int) or a ``SeedSequence`` from :func:`seed_sequence`.
    names
        Stream names, e.g. :data:`ENGINE_STREAMS`.
    """
    if isinstance(seed, np.random.SeedSequence):
        base_entropy, base_key = seed.entropy, tuple(seed.spawn_key)
    else:
        base_entropy, base_key = check_seed(seed), ()
    return {
        name: np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(base_entropy, spawn_key=base_key + (_name_key(name),)))
        )
        for name in names
    }
