"""noradsim sweep: same numbers for any workers/chunks/resume history, failures recorded, bad input."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from noradsim.cli import main
from noradsim.sweep import open_results, read_plan, run_sweep
from noradsim.sweep.compute import FAILED, OK, run_task

SMALL = """schema = "noradsim-experiment/1"
name = "test sweep"
protocol = "microdialysis"
region = "prefrontal_cortex"
sample = "30 min"
baseline = ["-60 min", "0 min"]
window = ["0 min", "120 min"]
interventions = [{ drug = "atomoxetine", dose = "3 mg/kg", route = "ip" }]

[sweep]
dose = { from = "0.3 mg/kg", to = "3 mg/kg", n = 2, scale = "log" }
region = ["prefrontal_cortex"]

[population]
n = %d
spread = 2.0
seed = 7
"""
VARIABLES = ("percent_baseline", "peak_percent_baseline", "min_percent_baseline", "status", "failure_reason",
             "factor")


def _file(tmp_path: Path, n: int = 6) -> Path:
    path = tmp_path / f"sweep{n}.toml"
    path.write_text(SMALL % n)
    return path


def _arrays(out: Path) -> dict[str, bytes]:
    ds = open_results(out).load()
    return {v: np.ascontiguousarray(ds[v].values).tobytes() for v in VARIABLES}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run: one worker, all six rats of a point in one task."""
    tmp = tmp_path_factory.mktemp("ref")
    plan = read_plan(_file(tmp))
    summary = run_sweep(plan, tmp / "out", workers=1, chunk=6)
    return plan, tmp / "out", summary


def test_reference_run_is_complete_and_plausible(reference):
    plan, out, summary = reference
    assert (summary.ok, summary.failed) == (12, 0)
    ds = open_results(out)
    assert ds["percent_baseline"].dims == ("dose", "region", "subject", "sample")
    assert ds["peak_percent_baseline"].attrs["units"] == "% of baseline"
    peak = ds["peak_percent_baseline"].values[:, 0, :]
    assert np.all(peak[1] > peak[0])  # every rat responds more to 3 than to 0.3 mg/kg (NET inhibition)
    base = ds["percent_baseline"].values[..., ds["sample_start"].values < 0]
    np.testing.assert_allclose(base.mean(axis=-1), 100.0, rtol=1e-12)  # % of the rat's own baseline
    assert (out / "report.html").read_text().count("<img") == 1


def test_same_numbers_for_two_workers_and_other_chunks(reference, tmp_path):
    plan, out, _ = reference
    run_sweep(plan, tmp_path / "two", workers=2, chunk=2)
    assert _arrays(tmp_path / "two") == _arrays(out)


def test_resume_after_losing_one_task_gives_the_uninterrupted_result(reference, tmp_path):
    plan, out, _ = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    marker = sorted((copy / "done").glob("*.json"))[1]
    marker.unlink()  # the task's output is lost: blank its region as the store was created
    ds = xr.open_zarr(copy / "results.zarr")
    blank = ds[["peak_percent_baseline"]].isel(dose=slice(1, 2)).load()
    blank["peak_percent_baseline"][:] = np.nan
    blank.drop_vars(list(blank.coords)).to_zarr(copy / "results.zarr",
                                                region={"dose": slice(1, 2), "region": slice(0, 1),
                                                        "subject": slice(0, 6)})
    assert _arrays(copy) != _arrays(out)
    summary = run_sweep(plan, copy, workers=1, resume=True)
    assert (summary.tasks_run, summary.tasks_skipped) == (1, 1)
    assert _arrays(copy) == _arrays(out)


def test_existing_scheduler_address(reference, tmp_path):
    from distributed import LocalCluster

    plan, out, _ = reference
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        run_sweep(plan, tmp_path / "ext", scheduler=cluster.scheduler_address, chunk=4)
    assert _arrays(tmp_path / "ext") == _arrays(out)


def test_killing_the_whole_process_then_resume(tmp_path):
    path = _file(tmp_path, n=40)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "noradsim.cli", "sweep", str(path), "--out", str(tmp_path / "run"),
           "--workers", "1", "--chunk", "1"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    done = tmp_path / "run" / "done"
    while time.time() < deadline and proc.poll() is None:
        if done.is_dir() and len(list(done.glob("*.json"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its local cluster, all at once
    proc.wait()
    n_done = len(list(done.glob("*.json")))
    assert 3 <= n_done < 80
    assert main(["sweep", str(path), "--out", str(tmp_path / "run"), "--workers", "1", "--resume"]) == 0
    plan = read_plan(path)
    run_sweep(plan, tmp_path / "whole", workers=1, chunk=40)
    assert _arrays(tmp_path / "run") == _arrays(tmp_path / "whole")


def test_a_rat_the_solver_cannot_integrate_is_recorded_not_raised(reference):
    plan = reference[0]
    factors = plan.population.factors(0, 3)
    factors[1, 0] = -5.0  # a negative NET capacity: CVODE fails
    res = run_task(plan.configs[0], (), plan.population.parameters, factors, 0, 0)
    assert list(res.status) == [OK, FAILED, OK]
    assert res.reason[1].startswith("solver: CVODE Error")
    assert np.isnan(res.peak[1]) and np.all(np.isfinite(res.peak[[0, 2]]))


@pytest.mark.parametrize("table, field", [
    ('[sweep]\nconcentration = ["1 uM"]', "sweep field"),
    ('[sweep]\ndose = { from = "3 mg/kg", to = "1 mg/kg", n = 3 }', "sweep.dose"),
    ('[sweep]\ndose = { from = "0 mg/kg", to = "1 mg/kg", n = 3, scale = "log" }', "sweep.dose.from"),
    ('[sweep]\nregion = ["prefrontal_cortex", "cerebellum"]', "region"),
    ('[sweep]\ndose = ["1 mg/kg"]\n[population]\nparameters = ["net_vmaxx"]', "population.parameters"),
    ('[sweep]\ndose = ["1 mg/kg"]\n[population]\nsobol = "yes"', "population.sobol"),
    ('[sweep]\ndose = ["1 mg/kg"]\n[population]\nsobol = true\nn = 1', "population.n"),
])
def test_bad_sweep_input_is_one_line_and_exit_2(tmp_path, capsys, table, field):
    head = SMALL.split("[sweep]")[0]
    path = tmp_path / "bad.toml"
    path.write_text(head + table + "\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and field in err
    assert not (tmp_path / "o").exists()


def test_killing_one_worker_mid_run_loses_nothing(tmp_path):
    """SIGKILL one of two workers while it holds tasks: dask re-runs them; same arrays as uninterrupted."""
    import threading

    from distributed import Client, LocalCluster

    plan = read_plan(_file(tmp_path, n=40))
    out = tmp_path / "killed"
    killed: dict = {}

    def kill_one_busy_worker(client, pids):
        deadline = time.time() + 120
        while time.time() < deadline and "pid" not in killed:
            if (out / "done").is_dir() and any((out / "done").glob("*.json")):
                busy = {w: keys for w, keys in client.processing().items() if keys}
                if busy:
                    worker, keys = sorted(busy.items())[0]
                    killed.update(pid=pids[worker], held=len(keys), done=len(list((out / "done").glob("*.json"))))
                    os.kill(pids[worker], signal.SIGKILL)
                    return
            time.sleep(0.005)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        watcher = threading.Thread(target=kill_one_busy_worker, args=(client, pids), daemon=True)
        watcher.start()
        summary = run_sweep(plan, out, scheduler=cluster.scheduler_address, chunk=1)
        watcher.join(timeout=5)
        assert killed.get("held", 0) >= 1, "no worker was killed while holding a task"
        assert killed["done"] < 80, "the sweep finished before the kill"
        assert killed["pid"] not in client.run(os.getpid).values()  # that process is gone
    assert (summary.ok, summary.failed, summary.tasks_run) == (80, 0, 80)
    run_sweep(plan, tmp_path / "whole", workers=1, chunk=40)
    assert _arrays(out) == _arrays(tmp_path / "whole")


SOBOL = SMALL.split("[population]")[0] + """[population]
sobol = true
n = 32
parameters = ["net_vmax", "release_per_spike", "k_diffusion_loss"]
spread = 2.0
seed = 11
"""


def test_sobol_indices_same_for_one_and_two_workers(tmp_path):
    path = tmp_path / "sobol.toml"
    path.write_text(SOBOL)
    plan = read_plan(path)
    assert plan.population.n == 32 * (3 + 2)
    t0 = time.perf_counter()
    one = run_sweep(plan, tmp_path / "one", workers=1, chunk=160)
    print(f"sobol sweep, 2 doses x 160 parameter sets, 1 worker: {time.perf_counter() - t0:.1f} s")
    run_sweep(plan, tmp_path / "two", workers=2, chunk=40)
    assert (one.ok, one.failed) == (320, 0)
    a, b = open_results(tmp_path / "one").load(), open_results(tmp_path / "two").load()
    for k in ("S1", "S1_conf", "ST", "ST_conf", "peak_percent_baseline"):
        assert a[k].values.tobytes() == b[k].values.tobytes(), k
    assert a["S1"].dims == ("dose", "region", "parameter")
    # the stored design is Saltelli's: row 1 + i of each block is A with column i taken from B
    f = a["factor"].values.reshape(32, 5, 3)
    for i in range(3):
        keep = [j for j in range(3) if j != i]
        np.testing.assert_array_equal(f[:, 1 + i, keep], f[:, 0, keep])
        np.testing.assert_array_equal(f[:, 1 + i, i], f[:, 4, i])
    s1, st, ct = a["S1"].values, a["ST"].values, a["ST_conf"].values
    print("S1:", np.round(s1, 3).tolist(), "ST:", np.round(st, 3).tolist(), "ST_conf:", np.round(ct, 3).tolist())
    assert np.all(np.isfinite(s1)) and np.all(ct > 0)
    assert np.all(st >= 0) and np.all(st <= 1.0 + 2 * ct)  # a total index is a fraction of the variance
    assert "Sobol indices" in (tmp_path / "two" / "report.html").read_text()
