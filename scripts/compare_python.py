"""Helper of scripts/compare-python: generates the tables, runs both tools, checks values, prints ratios."""
import json
import os
import subprocess
import sys
import time

TABLES = [("ratings-3x1000000.csv", 3, 1_000_000), ("ratings-10x100000.csv", 10, 100_000)]
CATEGORIES = ["a", "b", "c"]

# The Python equivalent of `judge-review agreement --ratings F --format json --resamples 0`, run as its own
# process so that interpreter start and imports count, as the Swift process's start does.
PYTHON_EQUIVALENT = r"""
import json, sys
import numpy as np, pandas as pd, krippendorff
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
cells = frame.iloc[:, 1:].to_numpy()
categories = sorted(set(np.unique(cells)) - {""})
codes = np.full(cells.shape, np.nan)
for index, category in enumerate(categories):
    codes[cells == category] = index
alpha = krippendorff.alpha(reliability_data=codes.T, level_of_measurement="nominal")
complete = codes[~np.isnan(codes).any(axis=1)].astype(int)
table, _ = aggregate_raters(complete)
print(json.dumps({"krippendorff_alpha": float(alpha), "fleiss_kappa_complete": float(fleiss_kappa(table, method="fleiss")),
                  "complete_rows": int(len(complete))}))
"""


def generate(folder):
    import numpy as np

    rng = np.random.default_rng(20261201)
    for name, raters, items in TABLES:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            continue
        # Each item has a true category; each rater agrees with it 70% of the time, else picks at random.
        truth = rng.integers(0, 3, size=items)
        agrees = rng.random((items, raters)) < 0.7
        codes = np.where(agrees, truth[:, None], rng.integers(0, 3, size=(items, raters)))
        missing = rng.random((items, raters)) < 0.10
        labels = np.array(CATEGORIES, dtype=object)[codes]
        labels[missing] = ""
        with open(path + ".tmp", "w") as out:
            out.write("item," + ",".join(f"r{r + 1}" for r in range(raters)) + "\n")
            for index in range(items):
                out.write(f"u{index}," + ",".join(labels[index]) + "\n")
        os.replace(path + ".tmp", path)
        print(f"generated {path}", file=sys.stderr)


def timed(command):
    """Wall time (s), CPU time (user + system, s) and peak RSS (MiB) of one child process, and its output."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        # wait4 gives this child's own resource usage (RUSAGE_CHILDREN would mix in earlier children).
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"compare-python: {' '.join(command)} failed:\n{err.read().decode()}")
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def complete_rows_copy(source, target):
    with open(source) as lines, open(target + ".tmp", "w") as out:
        out.write(next(lines))
        for line in lines:
            if ",," not in line and not line.rstrip("\n").endswith(","):
                out.write(line)
    os.replace(target + ".tmp", target)


def compare(binary, folder, runs):
    rows = []
    ok = True
    for name, raters, items in TABLES:
        path = os.path.join(folder, name)
        swift_command = [binary, "agreement", "--ratings", path, "--format", "json", "--resamples", "0"]
        python_command = [sys.executable, "-c", PYTHON_EQUIVALENT, path]
        # With its default intervals too (1000 resamples; the Python packages give none).
        intervals_command = swift_command[:-2]
        swift_best = python_best = intervals_best = None
        for _ in range(runs):
            swift_run = timed(swift_command)
            intervals_run = timed(intervals_command)
            python_run = timed(python_command)
            if swift_best is None or swift_run[0] < swift_best[0]:
                swift_best = swift_run
            if intervals_best is None or intervals_run[0] < intervals_best[0]:
                intervals_best = intervals_run
            if python_best is None or python_run[0] < python_best[0]:
                python_best = python_run
        ours = json.loads(swift_best[3])
        theirs = json.loads(python_best[3])
        alpha = (ours.get("overall", {}).get("krippendorff_alpha") or {}).get("value")
        # statsmodels' Fleiss needs every rater on every row: compare on the complete rows (untimed).
        complete = os.path.join(folder, "complete-" + name)
        complete_rows_copy(path, complete)
        _, _, _, complete_out = timed([binary, "agreement", "--ratings", complete, "--format", "json", "--resamples", "0"])
        fleiss = (json.loads(complete_out).get("overall", {}).get("fleiss_kappa") or {}).get("value")
        alpha_ok = alpha is not None and abs(alpha - theirs["krippendorff_alpha"]) < 1e-9
        fleiss_ok = fleiss is not None and abs(fleiss - theirs["fleiss_kappa_complete"]) < 1e-9
        ok = ok and alpha_ok and fleiss_ok
        rows.append((f"{raters} x {items:,}", swift_best, python_best, alpha, theirs["krippendorff_alpha"], alpha_ok,
                     fleiss, theirs["fleiss_kappa_complete"], fleiss_ok, intervals_best))
    print("whole processes, best of %d: wall and CPU (user + system) seconds, peak RSS MiB" % runs)
    print(f"{'table':<13} {'swift wall':>10} {'cpu':>6} {'MiB':>5} {'python wall':>11} {'cpu':>6} {'MiB':>5} "
          f"{'wall ratio':>10} {'cpu ratio':>9}")
    for (table, ours, theirs, *_rest) in rows:
        print(f"{table:<13} {ours[0]:>10.3f} {ours[1]:>6.2f} {ours[2]:>5.0f} {theirs[0]:>11.3f} {theirs[1]:>6.2f} {theirs[2]:>5.0f} "
              f"{theirs[0] / ours[0]:>9.1f}x {theirs[1] / max(ours[1], 1e-3):>8.1f}x")
    print("with judge-review's default intervals (1000 resamples; Python as above, without intervals)")
    for (table, _ours, theirs, *rest) in rows:
        ours = rest[-1]
        print(f"{table:<13} {ours[0]:>10.3f} {ours[1]:>6.2f} {ours[2]:>5.0f} {theirs[0]:>11.3f} {theirs[1]:>6.2f} {theirs[2]:>5.0f} "
              f"{theirs[0] / ours[0]:>9.1f}x {theirs[1] / max(ours[1], 1e-3):>8.1f}x")
    def show(value):
        return "missing" if value is None else f"{value:.12f}"
    print("values: krippendorff alpha (nominal) on the whole table; fleiss kappa on the complete rows")
    for (table, _o, _t, a_ours, a_py, a_ok, f_ours, f_py, f_ok, _i) in rows:
        print(f"{table:<13} alpha {show(a_ours)} / {a_py:.12f} {'ok' if a_ok else 'DIFFER'}   "
              f"fleiss {show(f_ours)} / {f_py:.12f} {'ok' if f_ok else 'DIFFER'}")
    if not ok:
        sys.exit("compare-python: values differ (or the agreement engine returned none)")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        compare(sys.argv[2], sys.argv[3], int(sys.argv[4]))
