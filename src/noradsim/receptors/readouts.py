r"""Functional read-outs of NE: arousal, working memory, adaptive gain, stress, mood, glia.

Each read-out is a small documented model whose parameters are the cited records of
``receptors.toml`` ``[readouts]``. Inputs are the prefrontal extracellular NE (nM; what
recovery-corrected microdialysis reports), drug brain (unbound ECF) concentrations and,
where needed, the LC firing rate. All functions accept scalars or numpy arrays.

Shared assumption (``receptor_exposure``): receptors near varicosities see endogenous NE
at ``receptor_exposure`` x the tissue-average ECF; drugs distribute evenly and are not
scaled. Receptor activation uses the operational model (:mod:`.occupancy`) with every
ligand present competing.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..drugs import DrugLibrary, load_library
from ..parameters import data_path, load_parameter_table
from .occupancy import activation, ligand_parameters

PFC_RECEPTORS = ("alpha2A", "alpha1A", "beta1")

#: How each read-out reads in a figure: ``key: (name, unit, group)``. The unit says what
#: the number is (the functions below define them); panels group read-outs of one kind.
READOUT_LABELS = {
    "working_memory": ("working memory, delayed response", "fraction correct", "cognition"),
    "task_performance": ("task performance, adaptive gain", "fraction of the best", "cognition"),
    "arousal": ("wakefulness", "probability awake", "arousal"),
    "p_wake": ("wakefulness", "probability awake", "arousal"),
    "low_tone_index": ("low NE tone, depression-like", "index 0-1", "mood"),
    "anxiety_index": ("anxiety-like", "index 0-1", "mood"),
    "stress_response": ("stress response, alpha1 + beta1", "mean activation 0-1", "mood"),
    "microglia_inflammation": ("microglial cytokine output", "1 = no beta2 suppression", "glia"),
    "astrocyte_neurotrophic": ("astrocytic BDNF/NGF release", "1 = no beta stimulation", "glia"),
    "ne_nM": ("prefrontal extracellular NE", "nM", "neurochemistry"),
    "lc_rate_hz": ("LC firing rate", "Hz", "neurochemistry"),
}
#: Panel title and y-axis label of each group.
READOUT_GROUPS = {"cognition": ("Cognition", "fraction (0-1)"), "arousal": ("Arousal", "probability awake"),
                  "mood": ("Mood and stress proxies", "index (0-1)"),
                  "glia": ("Glia (beta-adrenergic)", "relative to no beta effect"),
                  "neurochemistry": ("Neurochemistry", "")}


def readout_label(key: str, with_unit: bool = True) -> str:
    """``"working memory, delayed response (fraction correct)"`` for ``"working_memory"``."""
    name, unit, _ = READOUT_LABELS.get(key, (key.replace("_", " "), "", ""))
    return f"{name} ({unit})" if with_unit and unit else name


@lru_cache(maxsize=1)
def readout_parameters() -> dict[str, float]:
    """``{name: value}`` of the ``[readouts]`` table."""
    return load_parameter_table(data_path("receptors.toml"), "readouts").values()


def _operational(ne_local, ne_ki, ne_tau, drugs: dict[str, tuple[float, float, float]]):
    """E/Em with NE plus drugs ``{name: (conc, ki, tau)}`` (same formula as occupancy.activation)."""
    x_ne = np.asarray(ne_local, dtype=float) / ne_ki
    xs = x_ne.copy()
    stim = ne_tau * x_ne
    for conc, ki, tau in drugs.values():
        x = conc / ki if np.isfinite(ki) else 0.0
        xs = xs + x
        stim = stim + tau * x
    return stim / (1.0 + xs + stim)


def pfc_receptor_activation(ne_nM, drug_nM: dict[str, float] | None = None, *, species: str = "rat",
                            library: DrugLibrary | None = None) -> dict[str, np.ndarray]:
    r"""Activation of prefrontal alpha2A, alpha1 and beta1 receptors.

    NE uses the prefrontal affinities of ``[readouts]`` (alpha2A high affinity, alpha1
    and beta1 lower; Ramos & Arnsten 2007) and native-tissue reserve ``pfc_tau``; drugs
    use their library Ki at alpha2A, alpha1A and beta1 and ``efficacy x tau``.
    """
    p = readout_parameters()
    lib = library or (load_library() if drug_nM else None)
    local = p["receptor_exposure"] * np.asarray(ne_nM, dtype=float)
    ne = {"alpha2A": (p["pfc_alpha2a_ki"], p["pfc_alpha2a_tau"]), "alpha1A": (p["pfc_alpha1_ki"], p["pfc_tau"]),
          "beta1": (p["pfc_beta1_ki"], p["pfc_tau"])}
    out = {}
    for rec, (ki, tau) in ne.items():
        drugs = {}
        for name, conc in (drug_nM or {}).items():
            dki, dtau = ligand_parameters(rec, name, species, lib)
            eff = dtau / ligand_parameters(rec, "norepinephrine", species)[1]
            drugs[name] = (np.asarray(conc, dtype=float), dki, eff * tau)
        out[rec] = _operational(local, ki, tau, drugs)
    return out


def working_memory(ne_nM, drug_nM: dict[str, float] | None = None, *, species: str = "rat",
                   library: DrugLibrary | None = None) -> dict[str, np.ndarray]:
    r"""Delayed-response accuracy as an inverted U of prefrontal NE.

    Model (Arnsten 2009, Nat Rev Neurosci 10:410; Arnsten 2011, Biol Psychiatry 69:e89;
    Ramos & Arnsten 2007, Pharmacol Ther 113:523; Wang et al. 2007, Cell 129:397):

    * spine cAMP (relative to rest) :math:`c = c_0 (1 - I\,A_{\alpha2A}) + g\,A_{\beta1}`:
      alpha2A-Gi lowers cAMP, closes HCN channels and strengthens the recurrent network;
      beta1-Gs raises it;
    * network strength :math:`n = \frac{1}{1 + (c/c_{1/2})^h}\cdot\frac{1}{1 + (A_{\alpha1}/a_{1/2})^m}`:
      alpha1-Gq (PKC, IP3-Ca2+ opening K+ channels) weakens delay firing (Birnbaum et al. 2004);
    * accuracy :math:`P = P_{chance} + (P_{max} - P_{chance})\,n`.

    Assumptions: steady state (no desensitisation); one well-mixed spine compartment; NE
    is the only modulator (dopamine D1 acts in parallel and is ignored); the stress
    response is represented only by higher NE (not by glucocorticoids).

    Returns ``{"working_memory", "camp_relative", "network_strength", "alpha2A", "alpha1A", "beta1"}``.
    """
    p = readout_parameters()
    act = pfc_receptor_activation(ne_nM, drug_nM, species=species, library=library)
    camp = p["camp_basal_tone"] * (1 - p["camp_alpha2a_inhibition"] * act["alpha2A"]) + p["camp_beta1_gain"] * act["beta1"]
    network = 1.0 / (1.0 + (camp / p["camp_half_network"]) ** p["camp_hill"])
    network = network / (1.0 + (act["alpha1A"] / p["alpha1_half_impairment"]) ** p["alpha1_hill"])
    perf = p["performance_chance"] + (p["performance_max"] - p["performance_chance"]) * network
    return {"working_memory": perf, "camp_relative": camp, "network_strength": network, **act}


def arousal(lc_rate_hz) -> dict[str, np.ndarray]:
    r"""Sleep/wake state probabilities from the LC firing rate.

    LC neurons fire about 1-3 Hz in waking, less in slow-wave sleep and are nearly
    silent in REM (Aston-Jones & Bloom 1981, J Neurosci 1:876; Foote, Aston-Jones &
    Bloom 1980, PNAS 77:3033). Model: :math:`p_{wake} = 1/(1 + e^{-(r - r_{1/2})/s})`;
    the sleep remainder splits into REM with weight :math:`e^{-r/r_{REM}}` and SWS.
    Assumption: the LC rate alone indexes arousal (other arousal systems covary).
    """
    p = readout_parameters()
    r = np.asarray(lc_rate_hz, dtype=float)
    wake = 1.0 / (1.0 + np.exp(-(r - p["lc_rate_wake_half"]) / p["lc_rate_wake_slope"]))
    rem = (1.0 - wake) * np.exp(-r / p["lc_rate_rem"])
    return {"arousal": wake, "p_wake": wake, "p_sws": 1.0 - wake - rem, "p_rem": rem}


def adaptive_gain(lc_rate_hz) -> dict[str, np.ndarray]:
    r"""Tonic/phasic adaptive-gain account of task performance.

    Aston-Jones & Cohen 2005 (Annu Rev Neurosci 28:403) and Usher et al. 1999 (Science
    283:549): at low tonic LC rates the animal is drowsy and disengaged; at intermediate
    tonic rates phasic LC bursts follow task events and performance is best
    (exploitation); at high tonic rates phasic responses shrink and behaviour becomes
    distractible (exploration). Model: engagement :math:`e = r^2/(r^2 + r_{low}^2)`,
    phasic ratio :math:`\phi = 1/(1 + (r/r_{high})^4)`, performance :math:`\propto e\phi`
    normalised to its maximum over rates; exploration index :math:`1 - \phi`.
    Assumption: one tonic rate stands for the whole nucleus.
    """
    p = readout_parameters()
    r = np.asarray(lc_rate_hz, dtype=float)

    def raw(rate):
        eng = rate ** 2 / (rate ** 2 + p["tonic_low"] ** 2)
        return eng / (1.0 + (rate / p["tonic_high"]) ** 4)

    grid = np.linspace(0.0, 10.0, 2001)
    phasic = 1.0 / (1.0 + (r / p["tonic_high"]) ** 4)
    return {"task_performance": raw(r) / raw(grid).max(), "phasic_ratio": phasic, "exploration": 1.0 - phasic}


def _tone(ne_nM, drug_nM, species, library):
    act = pfc_receptor_activation(ne_nM, drug_nM, species=species, library=library)
    ref = pfc_receptor_activation(readout_parameters()["ne_basal"], None, species=species)
    return sum(act.values()) / sum(ref.values()), act


def mood(ne_nM, drug_nM=None, *, species: str = "rat", library: DrugLibrary | None = None) -> dict[str, np.ndarray]:
    r"""Mood proxies from the noradrenergic tone.

    Tone :math:`T` = summed alpha2A + alpha1 + beta1 activation relative to that at basal
    ECF NE. Low-tone (depression-like) index :math:`1/(1 + (T/T_{1/2})^2)` (catecholamine
    hypothesis, Schildkraut 1965, Am J Psychiatry 122:509); anxiety-like index
    :math:`T^2/(T^2 + T_{anx}^2)` (high NE in stress and anxiety, Tanaka et al. 2000).
    Assumption: these are monotone proxies, not behavioural scores.
    """
    p = readout_parameters()
    tone, _ = _tone(ne_nM, drug_nM, species, library)
    return {"ne_tone": tone, "low_tone_index": 1.0 / (1.0 + (tone / p["mood_tone_half"]) ** 2),
            "anxiety_index": tone ** 2 / (tone ** 2 + p["anxiety_half"] ** 2)}


def stress_response(ne_nM, drug_nM=None, *, time_s=None, species: str = "rat",
                    library: DrugLibrary | None = None) -> np.ndarray:
    r"""Stress read-out over time: alpha1 + beta1 engagement filtered over minutes.

    :math:`dS/dt = (D(t) - S)/\tau_s` with :math:`D = (A_{\alpha1} + A_{\beta1}) / 2`
    (the low-affinity receptors that high, stress-level NE recruits; Arnsten 2009) and
    :math:`\tau_s` = ``stress_time_constant``. Without ``time_s`` the steady state
    :math:`S = D` is returned. Exact exponential update between samples (piecewise
    constant drive).
    """
    p = readout_parameters()
    act = pfc_receptor_activation(ne_nM, drug_nM, species=species, library=library)
    drive = np.atleast_1d(0.5 * (act["alpha1A"] + act["beta1"]))
    if time_s is None:
        return drive if np.ndim(ne_nM) else float(drive[0])
    t = np.asarray(time_s, dtype=float)
    out = np.empty_like(drive)
    out[0] = drive[0]
    for i in range(1, len(t)):
        w = np.exp(-(t[i] - t[i - 1]) / p["stress_time_constant"])
        out[i] = w * out[i - 1] + (1 - w) * drive[i - 1]
    return out


def glia(ne_nM, drug_nM=None, *, species: str = "rat", library: DrugLibrary | None = None) -> dict[str, np.ndarray]:
    r"""Glial read-outs: microglial inflammatory output and astrocytic neurotrophic release.

    Microglia: beta2-cAMP suppresses LPS-induced TNF-alpha/IL-1beta release (Mori et al.
    2002, Neuropharmacology 43:1026; Heneka et al. 2010, PNAS 107:6058): output
    :math:`1 - s_{max} A_{\beta2}/A_{\beta2,max}` (1 = unsuppressed). Astrocytes: beta
    stimulation releases BDNF/NGF (Juric et al. 2008): :math:`1 + n_{max}\,\bar A_\beta`
    with :math:`\bar A_\beta` the mean normalised beta1/beta2 activation. Receptor
    affinities from the receptor table (``species``); NE at ``receptor_exposure`` x ECF
    (glial processes ensheath synapses). Assumption: no desensitisation.
    """
    p = readout_parameters()
    lib = library or (load_library() if drug_nM else None)
    conc = {"norepinephrine": p["receptor_exposure"] * np.asarray(ne_nM, dtype=float), **(drug_nM or {})}
    out = {}
    for rec in ("beta1", "beta2"):
        tau = ligand_parameters(rec, "norepinephrine", species)[1]
        out[rec] = activation(rec, conc, species, library=lib) / (tau / (1 + tau))
    return {"microglia_inflammation": 1.0 - p["microglia_suppression_max"] * np.clip(out["beta2"], 0, 1),
            "astrocyte_neurotrophic": 1.0 + p["astro_ntf_max"] * 0.5 * (out["beta1"] + out["beta2"])}


def readouts(ne_nM, drug_nM: dict[str, float] | None = None, *, lc_rate_hz=None, time_s=None,
             species: str = "rat", library: DrugLibrary | None = None) -> dict[str, float | np.ndarray]:
    """All read-outs for prefrontal ECF NE (nM, scalar or array) and drug brain concentrations.

    Parameters
    ----------
    ne_nM : float or array
        Prefrontal extracellular NE (recovery-corrected), nM.
    drug_nM : dict, optional
        ``{drug: unbound brain concentration nM}``.
    lc_rate_hz : float or array, optional
        LC firing rate; adds ``arousal``, ``p_wake``, ``p_sws``, ``p_rem``,
        ``task_performance``, ``phasic_ratio``, ``exploration``.
    time_s : array, optional
        Times of an NE time series; makes ``stress_response`` a filtered time course.

    Examples
    --------
    >>> r = readouts(1.5)
    >>> 0.5 < r["working_memory"] < 0.95
    True
    """
    scalar = np.ndim(ne_nM) == 0 and (lc_rate_hz is None or np.ndim(lc_rate_hz) == 0)
    wm = working_memory(ne_nM, drug_nM, species=species, library=library)
    out: dict = {k: wm[k] for k in ("working_memory", "camp_relative", "network_strength")}
    out.update({f"activation_{k}": wm[k] for k in PFC_RECEPTORS})
    out.update(mood(ne_nM, drug_nM, species=species, library=library))
    out["stress_response"] = stress_response(ne_nM, drug_nM, time_s=time_s, species=species, library=library)
    out.update(glia(ne_nM, drug_nM, species=species, library=library))
    if lc_rate_hz is not None:
        out.update(arousal(lc_rate_hz))
        out.update(adaptive_gain(lc_rate_hz))
    if scalar:
        out = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in out.items()}
    return out

