"""Course tools: figure style with Chinese labels, the KAM glossary, notebook refresh.

Every course notebook starts with::

    import kamsim.course
    kamsim.course.setup()          # course style + CJK font; returns the font name or None

and labels its figures with ``label("Churn rate")`` -> ``"Churn rate (流失率)"``
(English only when no CJK font is available).  Maintenance commands:
``python -m kamsim.course refresh | check-timing | strip | glossary``
(see :mod:`kamsim.course.refresh`).
"""

from kamsim.course.terms import glossary, translate
from kamsim.course.style import DPI, FIGSIZE, PALETTE, cjk_enabled, cjk_font, label, setup, use_cjk

__all__ = [
    "DPI",
    "FIGSIZE",
    "PALETTE",
    "cjk_enabled",
    "cjk_font",
    "glossary",
    "label",
    "setup",
    "translate",
    "use_cjk",
]
