"""Settings (kind ``setting``): protocol and numerical choices, not model parameters (docs/provenance.md).

A setting is not counted by ``noradsim params --summary``. Only the names below may be
settings, each with the reason it is one; a ``setting`` anywhere else in the data files
(in a biological parameter table) fails. Values that were checked and are NOT settings
(``recording.reach``, ``local_ne.reference_tau``) have a test here that shows why.
"""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from noradsim.cli import main as cli_main
from noradsim.errors import InputError
from noradsim.parameters import SETTING, data_path, read_provenance, read_toml
from noradsim.provenance import model_records, setting_records

# Every allowed setting: the ex vivo binding design is chosen by the experimenter and is
# set per experiment in its ``assay`` table (protocols/ex_vivo.py parse_assay).
ALLOWED_SETTINGS = {
    "ex_vivo.toml:assay.radioligand_concentration": "protocol: radioligand concentration of the binding assay",
    "ex_vivo.toml:assay.homogenate_volume": "protocol: buffer volumes per tissue volume in the binding tube",
    "ex_vivo.toml:assay.washes": "protocol: centrifugal washes before binding",
    "ex_vivo.toml:assay.wash_volume": "protocol: buffer volumes of a wash",
    # The rate law is algebraic at the rate model's time scales: the spiking population has no
    # first-order lag, and results are converged in lc_tau (tests/test_lc_rate_lag.py).
    "lc.toml:parameters.lc_tau": "numerical: relaxation time of the LC rate towards the rate law",
    # The model's Ca2+ has no physical unit: only ca_per_charge / ahp_kd enters the dynamics
    # (tests/test_lc_kernel.py::test_ca_unit_rescaling_keeps_every_spike).
    "lc_neuron.toml:parameters.ahp_kd": "numerical: the unit of the model's Ca2+ variable",
}


def _settings_in(table, prefix=""):
    for key, entry in table.items():
        if isinstance(entry, dict) and "value" in entry:
            if entry.get("kind") == SETTING:
                yield f"{prefix}{key}"
        elif isinstance(entry, dict):
            yield from _settings_in(entry, f"{prefix}{key}.")


def test_only_whitelisted_names_are_settings_in_any_data_file():
    found = set()
    for path in sorted(Path(data_path("terminal.toml")).parent.glob("*.toml")):
        found |= {f"{path.name}:{name}" for name in _settings_in(read_toml(path))}
    assert found == set(ALLOWED_SETTINGS)
    assert {name for name, _ in setting_records()} == set(ALLOWED_SETTINGS)


def test_settings_are_not_counted_as_parameters():
    names = {name for name, _ in model_records()}
    assert not names & set(ALLOWED_SETTINGS)
    assert all(not p.is_setting for _, p in model_records())
    for _, p in setting_records():
        assert p.provenance.setting_type in ("protocol", "numerical")


def test_setting_reason_is_checked():
    prov = read_provenance({"kind": "setting", "reason": "protocol: chosen by the experimenter"}, "x", 1.0)
    assert prov.setting_type == "protocol" and prov.text().startswith("setting, protocol:")
    with pytest.raises(InputError, match="protocol:' or 'numerical:"):
        read_provenance({"kind": "setting", "reason": "a cut-off"}, "x", 1.0)
    with pytest.raises(InputError, match="must name the test"):
        read_provenance({"kind": "setting", "reason": "numerical: a cut-off radius"}, "x", 1.0)
    with pytest.raises(InputError, match="reason must not be empty"):
        read_provenance({"kind": "setting"}, "x", 1.0)
    ok = read_provenance({"kind": "setting", "reason": "numerical: converged, tests/test_x.py::test_y"}, "x", 1.0)
    assert ok.setting_type == "numerical"


def test_a_setting_cannot_be_calibrated(tmp_path):
    from noradsim.calibration.overlay import file_records, overlaid

    f = tmp_path / "cal.toml"
    f.write_text('schema = "noradsim-calibration/1"\n[parameter.washes]\nvalue = 1\nfile = "ex_vivo.toml"\n'
                 'source = "calibrated: test"\n')
    with pytest.raises(InputError, match="parameter.washes is a setting"):
        overlaid("ex_vivo.toml", file_records("ex_vivo.toml", calibrated=False), f)


def test_params_settings_lists_them(capsys):
    assert cli_main(["params", "--settings"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"{len(ALLOWED_SETTINGS)} settings"
    for name, reason in ALLOWED_SETTINGS.items():
        kind = reason.split(":", 1)[0]  # protocol or numerical, as the whitelist says
        assert any(line.startswith(name + " ") and f"{kind}: " in line for line in out), name


# ---------------------------------------------------------------- protocol settings are per experiment

TARGET = {"id": "t", "source": "s", "measure": "net_occupancy", "statistic": "mean", "unit": "%", "species": "rat",
          "region": "prefrontal_cortex", "expected": 50, "range": [0, 100],
          "interventions": [{"drug": "desipramine", "dose": "10 mg/kg", "route": "ip"}]}


def test_assay_settings_are_set_per_target():
    from noradsim.protocols.ex_vivo import assay, measured_occupancy
    from noradsim.validation.targets import parse_target

    cond = parse_target(dict(TARGET, assay={"radioligand_concentration": "4 nM", "homogenate_volume": 50,
                                            "washes": 1, "wash_volume": 20}), 0).conditions
    a = cond.assay
    assert (a.ligand, a.volume, a.washes, a.wash_volume) == (4.0, 50.0, 1, 20.0)
    assert a.kd == assay().kd  # the radioligand's Kd is measured, not a setting
    assert parse_target(dict(TARGET), 0).conditions.assay is None  # the shipped defaults
    # the closed form with the experiment's design: R = 1, one wash keeps nothing unbound
    assert float(measured_occupancy([(100.0, 1.0, 1.0)], a)) == 0.0
    unwashed = float(measured_occupancy([(100.0, 1.0, 1.0)], dataclasses.replace(a, washes=0)))
    assert unwashed == pytest.approx(2.0 / (1.0 + 4.0 / a.kd + 2.0))  # 100 nM diluted 50-fold: x = 2


@pytest.mark.parametrize("assay,expect", [
    ({"washes": -1}, "assay.washes: must be >= 0"),
    ({"washes": 1.5}, "assay.washes: must be a whole number"),
    ({"homogenate_volume": 0.5}, "assay.homogenate_volume: must be >= 1"),
    ({"homogenate_volume": "100"}, "assay.homogenate_volume: must be a finite number"),
    ({"wash_volume": float("nan")}, "assay.wash_volume: must be a finite number"),
    ({"radioligand_concentration": "1 mg/kg"}, "assay.radioligand_concentration"),
    ({"radioligand_concentration": "0 nM"}, "assay.radioligand_concentration"),
    ({"washs": 1}, "did you mean 'washes'"),
    ("none", "assay: must be a table"),
])
def test_bad_assay_names_the_field(assay, expect):
    from noradsim.validation.targets import parse_target

    with pytest.raises(InputError, match=expect.replace("(", r"\(")):
        parse_target(dict(TARGET, assay=assay), 0)


def test_bad_assay_in_an_experiment_file_exits_2_with_one_line(tmp_path, capfd):
    example = (Path(__file__).resolve().parents[1] / "examples" / "atomoxetine_pfc_microdialysis.toml").read_text()
    text = example.replace('region = "prefrontal_cortex"', 'region = "prefrontal_cortex"\nassay = { washes = 11 }', 1)
    assert text != example
    f = tmp_path / "exp.toml"
    f.write_text(text)
    rc = cli_main(["run", str(f), "--out", str(tmp_path / "out")])
    err = capfd.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "assay.washes: must be <= 10" in err[0] and "Traceback" not in err[0]


# ---------------------------------------------------------------- min_distance is a physical size, not a setting

def test_min_distance_lies_within_the_measured_soma():
    """Prolate spheroid 35 x 20 um (Shimizu et al. 1978): the clip lies between its semi-axes.

    The sphere of the same surface has r = 12.35 um: the derived value (round 7, adopted
    with the sorter's isolation-distance bar; see its note).
    """
    rec = read_toml(data_path("lc_neuron.toml"))["recording"]["min_distance"]
    a, b = 17.5, 10.0
    e = math.sqrt(1.0 - (b / a) ** 2)
    surface = 2.0 * math.pi * b * b * (1.0 + a / (b * e) * math.asin(e))
    assert surface == pytest.approx(1918.0, abs=0.5)  # the soma-only area in the note of soma_area
    assert math.sqrt(surface / (4 * math.pi)) == pytest.approx(12.35, abs=0.005)
    assert "12.35 um" in rec["note"] and rec["kind"] != SETTING
    assert rec["range"] == [b, a] and b <= rec["value"] <= a
    assert rec["kind"] == "derived" and rec["value"] == pytest.approx(math.sqrt(surface / (4 * math.pi)), abs=0.005)


def test_clipping_at_the_soma_radius_is_exact_for_a_spherical_source():
    """Potential of a uniformly emitting sphere of radius R: I/(4 pi sigma max(r, R)) (quadrature)."""
    big_r, sigma, current = 12.35, 0.3, 1.0
    theta = (np.arange(4000) + 0.5) * np.pi / 4000
    for r in (0.0, 6.0, 12.35, 20.0, 60.0):
        dist = np.sqrt(r * r + big_r * big_r - 2 * r * big_r * np.cos(theta))
        phi = current / (4 * np.pi * sigma) * np.sum(0.5 * np.sin(theta) / dist) * (np.pi / 4000)
        assert phi == pytest.approx(current / (4 * np.pi * sigma * max(r, big_r)), rel=1e-4)


# ---------------------------------------------------------------- values checked and found NOT to be settings

def test_reach_is_not_converged_at_150_um():
    """Why ``recording.reach`` stays a counted, assumed value (its note).

    A numerical cut-off is a setting only if raising it changes nothing: no unit beyond it
    may give a spike above the detection threshold. From the currents of five awake
    units, spikes at 150 um cross 4.5 x the band-limited 8 uV amplifier noise in some
    directions (along the 300 um dendrite, whose return current the electrode picks up);
    beyond dendrite_length + 50 um none does, so a converged cut-off would be about 350 um.
    """
    from noradsim.lc.neuron import load_lc_parameters
    from noradsim.lc.population import build_population, simulate_population
    from noradsim.lc.stimuli import build_inputs
    from noradsim.protocols.recording.detection import bandpass
    from noradsim.protocols.recording.electrode import unit_signals, units_in_reach

    params = load_lc_parameters()
    dt = 5e-5
    fs = 1.0 / dt
    pop = build_population(params, 60, seed=0)
    rec = units_in_reach(params, pop, pop.positions.mean(axis=0), max_units=5)
    sim = simulate_population(params, pop, build_inputs(params, "awake", [], 3.0), dt=dt, seed=0, record=rec)
    assert all(len(sim.spike_trains()[i]) >= 2 for i in rec)
    noise = bandpass(np.random.default_rng(0).standard_normal(int(3 * fs)) * 8.0, fs, (300.0, 5000.0))
    threshold = 4.5 * float(noise.std())
    dirs = np.random.default_rng(1).standard_normal((80, 3))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]

    def above(r):
        amps = [np.abs(bandpass(unit_signals(params, pop, sim, pop.positions[i] + r * u)[k], fs, (300.0, 5000.0))).max()
                for k, i in enumerate(rec) for u in dirs]
        return float(np.mean(np.array(amps) > threshold))

    reach, dendrite = params.value("reach"), params.value("dendrite_length")
    assert above(reach) > 0.01  # not converged at the shipped reach
    assert above(dendrite + 50.0) == 0.0 and above(dendrite + 100.0) == 0.0


def test_reference_tau_changes_the_inhibition():
    """Why ``local_ne.reference_tau`` stays a model parameter (its note): over its range the
    post-activation inhibition after footpinch moves by more than 10 %."""
    from noradsim.lc.analysis import phasic_response
    from noradsim.lc.neuron import load_lc_parameters
    from noradsim.lc.population import build_population, simulate_population
    from noradsim.lc.stimuli import build_inputs, parse_interventions

    base = load_lc_parameters()
    events = parse_interventions([{"stimulus": "footpinch", "duration": "1 s", "at": "1.5 s"}])
    inhibition = {}
    for tau in (1000.0, 5000.0):
        params = base.updated({"reference_tau": tau})
        pop = build_population(params, 300, seed=0)
        sim = simulate_population(params, pop, build_inputs(params, "anesthetized:halothane", events, 3.5),
                                  dt=1e-4, seed=0)
        inhibition[tau] = float(np.nanmedian([phasic_response(st, 1.5)["inhibition_ms"] for st in sim.spike_trains()]))
    assert inhibition[5000.0] > 1.10 * inhibition[1000.0]
