"""Shipped portfolios: ``kamsim.datasets.load("small")``.

The course notebooks and exercises all start from the same few portfolios so
that every student sees the same numbers.  They are made by
:func:`kamsim.generate_portfolio` with the settings in :data:`DATASETS` and
stored as portfolio folders under ``<repo>/datasets/<name>/`` (see
``datasets/README.md`` for the data dictionary).  Nothing is downloaded:
:func:`load` reads the folder, :func:`build` regenerates one (the test suite
checks the shipped folders are current), and ``tools/make_datasets.py``
rebuilds them all.

Set the environment variable ``KAMSIM_DATASETS`` to read the folders from
another place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kamsim.portfolio import Portfolio

#: Environment variable that overrides the datasets folder.
ENV_VAR = "KAMSIM_DATASETS"


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


def available() -> list[str]:
    """Names of the shipped datasets, sorted."""
    return sorted(DATASETS)


def _spec(name: str) -> DatasetSpec:
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}")
    return DATASETS[name]


def datasets_dir() -> Path:
    """Folder holding the dataset folders: ``$KAMSIM_DATASETS`` or ``<repo>/datasets``."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
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


def generate(name: str) -> Portfolio:
    """Generate dataset ``name`` in memory from its registry entry (no files)."""
    from kamsim.synthetic import generate_portfolio

    spec = _spec(name)
    return generate_portfolio(
        spec.n_accounts, spec.seed, spec.locale, as_of=spec.as_of, history_months=spec.history_months
    )


def build(name: str, out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Regenerate dataset ``name`` into ``out_dir/<name>`` (default: :func:`datasets_dir`) and return that folder.

    An existing portfolio folder of that name is replaced.
    """
    root = datasets_dir() if out_dir is None else Path(out_dir)
    return generate(name).to_dir(root / name, overwrite=True)


__all__ = ["DATASETS", "DatasetSpec", "ENV_VAR", "available", "build", "datasets_dir", "generate", "load"]
