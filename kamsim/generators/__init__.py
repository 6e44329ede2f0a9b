"""Synthetic key-account portfolios: :func:`generate_portfolio`.

The generator combines curated tables (:mod:`~kamsim.generators.tables`),
firmographics and Faker names (:mod:`~kamsim.generators.firmographics`),
heavy-tailed value (:mod:`~kamsim.generators.value`), latent traits and
lifecycle (:mod:`~kamsim.generators.traits`) and the contacts, catalogue and
team (:mod:`~kamsim.generators.relations`).  The generators are pure: they never run
the engine; :mod:`kamsim.synthetic` adds simulated history on top.
"""

from kamsim.generators.portfolio_builder import DEFAULT_ACCOUNTS, GENERATOR_STREAMS, default_n_managers, generate_portfolio
from kamsim.generators.value import TOP20_SHARE_BAND

__all__ = ["DEFAULT_ACCOUNTS", "GENERATOR_STREAMS", "TOP20_SHARE_BAND", "default_n_managers", "generate_portfolio"]
