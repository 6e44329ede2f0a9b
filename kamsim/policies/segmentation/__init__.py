"""Segmentation policies (客户分级): a tier label per account each month.

* :mod:`~kamsim.policies.segmentation.rules` -- ABC, RFM, value x potential, KAM matrix, screening scorecard;
* :mod:`~kamsim.policies.segmentation.noisy` -- any of them decided on a degraded customer file.
"""

from kamsim.policies.segmentation.rules import (
    ABCSegmentation,
    KAMMatrixSegmentation,
    RFMSegmentation,
    ScreeningSegmentation,
    ValuePotentialSegmentation,
)
from kamsim.policies.segmentation.noisy import NoisyDataSegmentation

__all__ = [
    "ABCSegmentation",
    "KAMMatrixSegmentation",
    "NoisyDataSegmentation",
    "RFMSegmentation",
    "ScreeningSegmentation",
    "ValuePotentialSegmentation",
]
