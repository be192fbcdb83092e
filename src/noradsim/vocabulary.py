"""The one vocabulary shared by experiment files, targets files, the CLI and the API."""

SPECIES = ("rat", "mouse", "cat", "monkey", "human")
REGIONS = ("prefrontal_cortex", "frontal_cortex", "cingulate_cortex", "occipital_cortex", "hippocampus",
           "hypothalamus", "locus_coeruleus", "in_vitro")
# Regions with a modelled noradrenergic terminal field (data/regions.toml): where a probe can sample.
TERMINAL_REGIONS = REGIONS[:6]
STATES = ("awake", "active_wake", "quiet_wake", "sws", "rem", "anesthetized:chloral_hydrate",
          "anesthetized:halothane", "anesthetized:isoflurane", "anesthetized:urethane")
PREPARATIONS = ("in_vivo", "cells:hNET", "cells:SK-N-BE(2)C", "slice")
MEASURES = ("extracellular_ne", "dialysate_ne", "lc_firing_rate", "lc_phasic_response", "lc_spike_width",
            "tissue_ne", "extracellular_da", "brain_drug", "net_occupancy", "net_uptake", "net_inhibition")
# Second-probe sites of dual-probe designs (`site` of a reverse-dialysis intervention).
SITES = ("locus_coeruleus",)
STATISTICS = ("mean", "peak_percent_baseline", "min_percent_baseline", "mean_percent_baseline", "ed50",
              "latency", "inhibition_duration", "width", "km", "ki")
ROUTES = ("iv", "ip", "sc", "po", "sc_minipump", "reverse_dialysis", "iontophoresis", "bath")
PERFUSATES = ("calcium_free", "calcium", "potassium", "tetrodotoxin")
# paw_pinch is the LC literature's name for a pinch of the (contralateral hind) paw: a synonym of
# footpinch (STIMULUS_SYNONYMS). The spiking LC model (noradsim.lc.stimuli) treats both alike;
# the rate model (data/stimuli.toml) lists footpinch only and refuses paw_pinch by name.
STIMULI = ("restraint", "tail_shock", "footshock", "footpinch", "paw_pinch", "tail_pinch", "sensory", "lc_electrical")
STIMULUS_SYNONYMS = {"paw_pinch": "footpinch"}
PROTOCOLS = ("microdialysis", "recording", "inverted_u")
# Top-level fields of an experiment file, shared by every protocol, and each protocol's own.
EXPERIMENT_KEYS = ("schema", "name", "protocol", "description", "seed", "drugs")
MICRODIALYSIS_KEYS = ("species", "region", "state", "preparation", "sample", "flow", "probe_length", "equilibration",
                      "baseline", "window", "interventions", "parameters", "hplc", "placement", "uncertainty",
                      "phenotype", "assay")
UNCERTAINTY_KEYS = ("n", "spread", "workers", "parameters", "sobol")
