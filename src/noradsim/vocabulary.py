"""The one vocabulary shared by experiment files, targets files, the CLI and the API."""

SPECIES = ("rat", "mouse", "cat", "monkey", "human")
REGIONS = ("prefrontal_cortex", "frontal_cortex", "cingulate_cortex", "occipital_cortex", "hippocampus",
           "hypothalamus", "locus_coeruleus", "in_vitro")
STATES = ("awake", "active_wake", "quiet_wake", "sws", "rem", "anesthetized:chloral_hydrate",
          "anesthetized:halothane", "anesthetized:isoflurane", "anesthetized:urethane")
PREPARATIONS = ("in_vivo", "cells:hNET", "cells:SK-N-BE(2)C", "slice")
MEASURES = ("extracellular_ne", "dialysate_ne", "lc_firing_rate", "lc_phasic_response", "lc_spike_width",
            "tissue_ne", "net_uptake", "net_inhibition")
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
