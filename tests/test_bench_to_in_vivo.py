"""From bench to simulator: fit a new compound's NET Ki, save it, dose it in a rat (issue #4, step 4)."""

import subprocess
import sys

import numpy as np

from noradsim.drugs import load_library
from noradsim.protocols.assays import get_preparation, simulate_uptake


def cli(*args):
    return subprocess.run([sys.executable, "-m", "noradsim.cli", *map(str, args)], capture_output=True, text=True)


def test_fitted_compound_is_saved_and_dosed_in_prefrontal_cortex(tmp_path):
    prep = get_preparation("cells:hNET")
    tracer = prep.tracer.value
    rng = np.random.default_rng(0)
    conc = np.logspace(-2, 4, 13)
    control = simulate_uptake(prep, np.array([tracer]))[0]
    rows = ["x,y"]
    for c in conc:
        v = simulate_uptake(prep, np.array([tracer]), inhibitors=[(c, 3.0)])[0]
        for _ in range(3):
            rows.append(f"{c},{100 * v / control * (1 + 0.01 * rng.standard_normal())}")
    data = tmp_path / "inhibition.csv"
    data.write_text("\n".join(rows) + "\n")
    drugs = tmp_path / "mine.toml"
    r = cli("fit", "inhibition", data, "--substrate", f"{tracer}nM", "--km", f"{prep.km.value}nM", "--json",
            "--save-drug", "compound_x", "--drug-file", drugs, "--molar-mass", "300", "--pk-like", "atomoxetine")
    assert r.returncode == 0, r.stderr
    cpd = load_library([drugs]).get("compound_x")
    assert abs(cpd.ki("NET", "human") - 3.0) / 3.0 < 0.05
    assert cpd.pk is not None and cpd.pk.clearance.source.startswith("assumed: PK as atomoxetine")
    exp = tmp_path / "exp.toml"
    exp.write_text(f'''schema = "noradsim-experiment/1"
protocol = "microdialysis"
region = "prefrontal_cortex"
drugs = ["{drugs.name}"]
interventions = [ {{ drug = "compound_x", dose = "10 mg/kg", route = "ip" }} ]
''')
    r = cli("run", exp, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    peak = float(next(l for l in r.stdout.splitlines() if l.startswith("peak_percent_baseline")).split()[1])
    assert peak > 180
