"""Virtual in vivo microdialysis: Bungay probe theory, sample collection, HPLC-ECD, report.

>>> from noradsim.protocols import microdialysis
>>> cfg = microdialysis.parse({"region": "prefrontal_cortex", "sample": "30 min",
...     "interventions": [{"drug": "atomoxetine", "dose": "3 mg/kg", "route": "ip"}]})
>>> res = microdialysis.run(cfg, seed=0)
>>> 150 < res.to_dict()["peak_percent_baseline"] < 400
True
"""

from .config import MicrodialysisConfig, PopulationSpec, parse, phenotype_overrides
from ..probe import Probe, probe_parameters
from .population import PopulationResult, sobol_indices, virtual_population
from .run import MicrodialysisResult, run
from .sampling import Samples, bin_samples, collect

Config = MicrodialysisConfig  # the registry's common names: every protocol has Config and Result
Result = MicrodialysisResult

__all__ = ["Config", "MicrodialysisConfig", "MicrodialysisResult", "PopulationResult", "PopulationSpec", "Probe", "Result", "Samples",
           "bin_samples", "collect", "parse", "phenotype_overrides", "probe_parameters", "run",
           "sobol_indices", "virtual_population"]
