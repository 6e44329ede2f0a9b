"""Team changes during a run (人员变动): hires, departures and account moves from ``Scenario.managers.changes``.

KAM example: in month 6 Ms Li (M003) leaves and her accounts go to M001, who is
now overloaded; in month 9 the company hires M006 and moves half of M001's
accounts to her.  :class:`Staffing` checks such a plan against the portfolio
before the run starts (the message names the change and the manager) and applies
it at the start of each month: the team's hours, every account's manager (and so
its manager's skill), and the ``manager_id`` policies see.

Hired managers are part of the run's manager table from month 0 with no hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.engine.world import World
from kamsim.scenario import Scenario


class Staffing:
    """The scenario's staff changes, checked and ready to apply month by month.

    Building it extends ``world``'s manager arrays with the hired managers (capacity 0 until hired).

    Raises
    ------
    ValueError
        For a change whose month is outside the run, an unknown manager, a hire of an existing manager, a
        departure or move to the same or an unknown manager (the message names the change by position).
    """

    def __init__(self, scenario: Scenario, world: World, skill_by_manager: np.ndarray, months: int) -> None:
        mg = scenario.managers
        self.changes = sorted(enumerate(mg.changes), key=lambda pair: (pair[1].month, pair[0]))
        ids = list(world.manager_ids)
        capacity = list(world.manager_capacity)
        skill = list(skill_by_manager)
        known = set(ids)
        for position, change in self.changes:
            where = f"scenario: managers.changes[{position}]"
            if change.month >= months:
                raise ValueError(f"{where}: month {change.month} is not in the run (months 0-{months - 1})")
            if change.action == "hire":
                if change.manager in known or not change.manager:
                    raise ValueError(f"{where}: hire needs a new manager id, got {change.manager!r}")
                ids.append(change.manager)
                capacity.append(0.0)
                skill.append(change.skill)
                known.add(change.manager)
                continue
            if change.manager not in known:
                raise ValueError(f"{where}: unknown manager {change.manager!r} (known: {sorted(known)})")
            if change.to not in known or change.to == change.manager:
                raise ValueError(f"{where}: {change.action} needs 'to', another known manager, got {change.to!r}")
        self.multiplier = mg.capacity_multiplier
        self.index = {m: i for i, m in enumerate(ids)}
        self.skill_by_manager = np.asarray(skill, dtype="float64")
        world.manager_ids = np.asarray(ids, dtype=object)
        world.manager_capacity = np.asarray(capacity, dtype="float64")

    def apply(self, month: int, world: World) -> bool:
        """Apply the changes of ``month`` to ``world``; True if anything changed."""
        todo = [change for _, change in self.changes if change.month == month]
        for change in todo:
            j = self.index[change.manager]
            if change.action == "hire":
                world.manager_capacity[j] = change.capacity_hours * self.multiplier
                continue
            mine = np.flatnonzero(world.manager_of == j)
            if change.action == "leave":
                world.manager_capacity[j] = 0.0
                moved = mine
            else:
                count = max(1, int(round(change.share * len(mine)))) if len(mine) else 0
                moved = mine[np.argsort(world.account_ids[mine].astype(str), kind="stable")][len(mine) - count:]
            world.manager_of[moved] = self.index[change.to]
        if todo:
            world.skill = self.skill_by_manager[world.manager_of]
            dtype = world.static["manager_id"].dtype
            world.static["manager_id"] = pd.array(world.manager_ids[world.manager_of].astype(str), dtype=dtype)
        return bool(todo)
