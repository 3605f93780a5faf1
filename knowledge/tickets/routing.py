"""DAC routing: the coordination team (DAC) a request for a commune goes to.

The choice is the orienter's (`Orienter.nearest`): of the DACs serving the commune, the one whose
zone is the most local (commune < EPCI < department < region), so the departmental DAC wins
over a regional single number. The caller copies the chosen DAC into `NewRequest` (`dac_id`,
`dac_nom`, `dac_telephone`: they appear in the e-mails).
"""
from __future__ import annotations

from knowledge.directory import Directory, Service
from knowledge.gazetteer import Gazetteer
from knowledge.orientation import Orienter

DAC = "DAC"


def route_dac(commune_insee: str, orienter: Orienter | Directory,
              gazetteer: Gazetteer | None = None) -> Service | None:
    """The DAC whose area covers the commune (INSEE code), or None.

    `orienter`: the process's `Orienter`; a bare `Directory` (with an optional gazetteer) is
    wrapped in one, for callers that hold no orienter (the console, scripts).
    """
    if not isinstance(orienter, Orienter):
        orienter = Orienter(directory=orienter, gazetteer=gazetteer, centres={})
    return orienter.nearest(DAC, commune=commune_insee)
