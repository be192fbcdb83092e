"""Sweeps of an experiment over doses, drugs, routes, regions and states, in virtual populations.

``noradsim sweep FILE --out DIR`` reads the experiment's ``[sweep]`` and ``[population]``
tables (:mod:`.plan`), runs every (sweep point, chunk of rats) task on dask.distributed
(:mod:`.run`, :mod:`.compute`), writes ``DIR/results.zarr`` task by task (:mod:`.store`)
and ``DIR/report.html`` (:mod:`.report`). The protocols know nothing of sweeps.

>>> from noradsim.sweep import plan_from_document
>>> plan = plan_from_document({"protocol": "microdialysis", "region": "prefrontal_cortex",
...     "interventions": [{"drug": "atomoxetine", "dose": "3 mg/kg", "route": "ip"}],
...     "sweep": {"dose": {"from": "0.3 mg/kg", "to": "3 mg/kg", "n": 2}}, "population": {"n": 4}}, "doc")
>>> plan.shape, [round(v, 3) for v in plan.axes[0].values]
((2,), [0.3, 3.0])
"""

from .plan import Axis, Population, SweepPlan, plan_from_document, read_plan
from .run import SweepSummary, run_sweep
from .store import open_results

__all__ = ["Axis", "Population", "SweepPlan", "SweepSummary", "open_results", "plan_from_document", "read_plan",
           "run_sweep"]
