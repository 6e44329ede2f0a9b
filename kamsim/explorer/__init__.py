"""Policy explorer: a browser app in which a strategist compares policy bundles without writing code.

``kamsim explore`` serves it on 127.0.0.1; in JupyterLab the same app is a cell output::

    from kamsim.explorer import explorer
    explorer()                  # the Panel layout (needs the optional extra: pip install "kamsim[explore]")

The package is split in two: :mod:`kamsim.explorer.state` holds the form, its checks, the run in a
background thread and the results, without any user-interface import (tested without a browser;
its parts live in :mod:`~kamsim.explorer.fields`, :mod:`~kamsim.explorer.form`,
:mod:`~kamsim.explorer.run` and :mod:`~kamsim.explorer.results`);
:mod:`kamsim.explorer.app` binds Panel widgets to one state object per session.  Panel is imported
only when :func:`explorer` or :func:`serve` is called.
"""

from __future__ import annotations

from typing import Any

from kamsim.explorer.state import ExplorerState, Knob, RunResult, scenario_knobs


def explorer(**kwargs: Any) -> Any:
    """The explorer as a Panel layout (a JupyterLab cell output); arguments as :class:`ExplorerState`."""
    from kamsim.explorer.app import explorer as _explorer

    return _explorer(**kwargs)


def serve(**kwargs: Any) -> Any:
    """Serve the explorer on 127.0.0.1 (see :func:`kamsim.explorer.app.serve`)."""
    from kamsim.explorer.app import serve as _serve

    return _serve(**kwargs)


__all__ = ["ExplorerState", "Knob", "RunResult", "explorer", "scenario_knobs", "serve"]
