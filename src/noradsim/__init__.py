"""noradsim: quantitative simulation of the brain's noradrenergic system.

Layers (see docs/architecture.md): data (cited parameters, drug library) → model
(declarative reactions) → engines (libroadrunner, scipy reference) → protocols
(microdialysis, recording, assays) → results (xarray) → analysis, reports, validation.
"""

__version__ = "0.1.0"
