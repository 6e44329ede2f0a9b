"""Shipped portfolios: ``kamsim.datasets.load("small")``.

The course notebooks and exercises all start from the same few portfolios so
that every student sees the same numbers.  They are made by
:func:`kamsim.generate_portfolio` with the settings in :data:`DATASETS` and
stored as portfolio folders under ``<repo>/datasets/<name>/`` (see
``datasets/README.md`` for the data dictionary).  Nothing is downloaded:
:func:`load` reads the folder, :func:`build` regenerates one (the test suite
checks the shipped folders are current), and ``tools/make_datasets.py``
rebuilds them all.

Where the folders are read from (:func:`datasets_dir`), first match wins:

1. the environment variable ``KAMSIM_DATASETS``;
2. a student pack: the folder named in the nearest ``kamsim-pack.json`` in the working
   directory or above it (``python -m kamsim.course release`` writes one; with a roster,
   each student's pack holds datasets generated with that student's own seeds, so the
   same notebooks show every student other numbers);
3. ``<repo>/datasets``.

Real transaction logs ship next to them, under ``<datasets>/logs/<name>.csv`` (:data:`LOGS`,
``datasets/logs/README.md``): :func:`log_path` gives the file to pass to
:func:`kamsim.analytics.read_transactions`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kamsim.portfolio import Portfolio

#: Environment variable that overrides the datasets folder.
ENV_VAR = "KAMSIM_DATASETS"

#: File that marks the root of a student pack; its ``"datasets"`` entry is the pack's datasets folder.
PACK_FILE = "kamsim-pack.json"


@dataclass(frozen=True)
class DatasetSpec:
    """How a shipped dataset is generated (arguments of :func:`kamsim.generate_portfolio`)."""

    n_accounts: int
    seed: int
    locale: str
    history_months: int
    description: str
    as_of: str = "2024-01-01"


#: Registry of the shipped datasets.
DATASETS: dict[str, DatasetSpec] = {
    "small": DatasetSpec(200, 2024, "en_US", 24, "200 US accounts: quick examples and exercises"),
    "small_zh": DatasetSpec(200, 2026, "zh_CN", 24, "200 Chinese accounts (names, provinces, cities in Chinese)"),
    "medium": DatasetSpec(2000, 2025, "en_US", 24, "2,000 US accounts: segmentation and simulation experiments"),
}


#: Shipped transaction logs (``<datasets>/logs/<name>.csv``): name -> description.
LOGS: dict[str, str] = {
    "cdnow_sample": "CDNOW sample (Fader, Hardie & Lee 2005): 6,919 purchases of 2,357 customers who first bought "
    "in Q1 1997, 1997-01-01 .. 1998-06-30; columns customer_id, date, quantity, amount (USD)",
}

#: The shipped logs of the source tree (read when the datasets folder in use has no logs, e.g. a student pack).
_REPO_LOGS = Path(__file__).resolve().parents[2] / "datasets" / "logs"


def available() -> list[str]:
    """Names of the shipped datasets, sorted."""
    return sorted(DATASETS)


def _spec(name: str) -> DatasetSpec:
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}")
    return DATASETS[name]


def datasets_dir() -> Path:
    """Folder holding the dataset folders: ``$KAMSIM_DATASETS``, the enclosing student pack's, or ``<repo>/datasets``."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    pack = find_pack()
    if pack is not None:
        return pack.parent / str(read_pack(pack).get("datasets", "datasets"))
    return Path(__file__).resolve().parents[2] / "datasets"


def load(name: str) -> Portfolio:
    """Load shipped dataset ``name`` (see :func:`available`) as a validated :class:`Portfolio`.

    Raises
    ------
    ValueError
        If ``name`` is not a shipped dataset (the message lists the names).
    FileNotFoundError
        If the dataset folder is missing (run ``python tools/make_datasets.py``).
    """
    _spec(name)
    folder = datasets_dir() / name
    if not folder.is_dir():
        raise FileNotFoundError(
            f"dataset folder {folder} not found; run 'python tools/make_datasets.py' or set {ENV_VAR}"
        )
    return Portfolio.from_dir(folder)


def available_logs() -> list[str]:
    """Names of the shipped transaction logs (:data:`LOGS`), sorted."""
    return sorted(LOGS)


def log_path(name: str) -> Path:
    """Path of shipped transaction log ``name`` (see :func:`available_logs`): ``<datasets>/logs/<name>.csv``.

    ``<datasets>`` is :func:`datasets_dir` (``$KAMSIM_DATASETS``, the enclosing student pack's, or
    ``<repo>/datasets``); if that folder holds no such log (a ``KAMSIM_DATASETS`` folder, or a pack made
    before packs carried ``logs/``), the source tree's ``datasets/logs`` is used, since a log is the same real
    data for everyone.

    Examples
    --------
    >>> from kamsim.analytics import read_transactions
    >>> log = read_transactions(log_path("cdnow_sample"), customer_col="customer_id")  # doctest: +SKIP

    Raises
    ------
    ValueError
        If ``name`` is not a shipped log (the message lists the names).
    FileNotFoundError
        If the file is in none of those folders (the message names them).
    """
    if not isinstance(name, str) or name not in LOGS:
        raise ValueError(f"unknown transaction log {name!r}; available logs: {', '.join(available_logs())}")
    candidates = [datasets_dir() / "logs" / f"{name}.csv", _REPO_LOGS / f"{name}.csv"]
    for path in candidates:
        if path.is_file():
            return path
    searched = " or ".join(str(p) for p in dict.fromkeys(candidates))
    raise FileNotFoundError(f"transaction log {name!r} not found: no file {searched}")


#: The source tree's scenario files (``scenarios/<name>.yaml``), used by chapter 08 and the exercises.
_REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario_path(name: str) -> Path:
    """Path of shipped scenario file ``name`` (e.g. ``"am_allocation"``): ``scenarios/<name>.yaml``.

    Looked up next to :func:`datasets_dir` (a student pack's ``scenarios/``) and then in
    the source tree, so a notebook finds it from any folder (``notebooks/`` or ``notebooks/zh_CN/``).

    Raises
    ------
    ValueError
        If no such scenario exists; the message lists the available ones.
    """
    for folder in (datasets_dir().parent / "scenarios", _REPO_SCENARIOS):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    names = sorted(p.stem for p in _REPO_SCENARIOS.glob("*.yaml"))
    raise ValueError(f"unknown scenario {name!r}; available: {', '.join(names) or 'none'}")


def find_pack(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ``kamsim-pack.json`` in ``start`` (default: the working directory) or a folder above it."""
    here = Path.cwd() if start is None else Path(start)
    for folder in (here, *here.parents):
        candidate = folder / PACK_FILE
        if candidate.is_file():
            return candidate
    return None


def read_pack(path: str | os.PathLike[str]) -> dict:
    """The settings of a student pack file (``ValueError`` naming the file if it is not valid JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable kamsim pack file ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a kamsim pack file holds a JSON object")
    return data


def generate(name: str, seed: int | None = None) -> Portfolio:
    """Generate dataset ``name`` in memory from its registry entry (no files).

    ``seed`` replaces the registry's seed: same size, locale and history, other accounts
    (a student's personal variant, :mod:`kamsim.course.roster`).
    """
    from kamsim.synthetic import generate_portfolio

    spec = _spec(name)
    return generate_portfolio(
        spec.n_accounts, spec.seed if seed is None else seed, spec.locale, as_of=spec.as_of,
        history_months=spec.history_months,
    )


def build(name: str, out_dir: str | os.PathLike[str] | None = None, seed: int | None = None) -> Path:
    """Regenerate dataset ``name`` into ``out_dir/<name>`` (default: :func:`datasets_dir`) and return that folder.

    An existing portfolio folder of that name is replaced; ``seed`` as in :func:`generate`.
    """
    root = datasets_dir() if out_dir is None else Path(out_dir)
    return generate(name, seed).to_dir(root / name, overwrite=True)


__all__ = [
    "DATASETS",
    "ENV_VAR",
    "LOGS",
    "PACK_FILE",
    "DatasetSpec",
    "available",
    "available_logs",
    "build",
    "datasets_dir",
    "find_pack",
    "generate",
    "load",
    "log_path",
    "read_pack",
    "scenario_path",
]
