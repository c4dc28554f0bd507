#!/usr/bin/env python3
"""The coverage harness: do judge-review's 95% intervals cover what they claim, at the study's design?

Each scenario generates studies whose truth is known (the paper's CSV layout, invented text), runs the built
binary (init, import, sample where the design has one, agreement --format json) and checks every estimator's
interval against the truth. Printed per scenario and estimator: coverage among the intervals the tool presents as
trustworthy, coverage of all intervals, the share it marks as not to be trusted, the mean width and the bias.

    scripts/coverage                      # 500 replications a scenario, release build
    scripts/coverage --reps 100 --only clustered

Nothing here runs in the unit tests (slow and random); the table in docs/statistics.md is this script's output.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

HEADER = ["key", "condition", "interjection", "verification_prompt", "verification_options", "verification_correct",
          "model_response", "judge-x_classification", "annotator_1_classification"]

# name: (items, stimuli (0: one a response), icc, mu, se, sp, labels, missing share, design, convention)
SCENARIOS = {
    "srs-30": dict(items=350, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, labels=30, missing=0.0, design="random", convention="exclude"),
    "srs-50-prev0.1": dict(items=350, stimuli=0, icc=0.0, mu=0.1, se=0.85, sp=0.95, labels=50, missing=0.0, design="random", convention="exclude"),
    "srs-300": dict(items=1000, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, labels=300, missing=0.0, design="random", convention="exclude"),
    "clustered-10x35-icc0.5": dict(items=350, stimuli=10, icc=0.5, mu=0.4, se=0.85, sp=0.95, labels=100, missing=0.0, design="random", convention="exclude"),
    "missing-30%-inappropriate": dict(items=500, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, labels=100, missing=0.3, design="random", convention="inappropriate"),
    "missing-30%-left-out": dict(items=500, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, labels=100, missing=0.3, design="random", convention="exclude"),
    "zero-errors-50": dict(items=350, stimuli=0, icc=0.0, mu=0.45, se=0.97, sp=0.98, labels=50, missing=0.0, design="random", convention="exclude"),
    "stratified-misses-100": dict(items=1000, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, labels=100, missing=0.0, design="misses", convention="exclude"),
}


# Two clinicians' agreement on a ratings table (agreement --ratings): items, the true kappa and prevalence.
AGREEMENT_SCENARIOS = {
    "agreement-30-kappa0.9-prev0.1": dict(items=30, kappa=0.9, prevalence=0.1),
    "agreement-30-kappa0.5-prev0.3": dict(items=30, kappa=0.5, prevalence=0.3),
    "agreement-50-kappa0.7-prev0.5": dict(items=50, kappa=0.7, prevalence=0.5),
    "agreement-100-kappa0.9-prev0.1": dict(items=100, kappa=0.9, prevalence=0.1),
}


# Two judges on the same items (judge-x the study's, judge-y attached with import --as-judge): the paired differences.
# second_copies: the share of items on which judge-y repeats judge-x's verdict (the pairing the interval must use);
# otherwise it answers with its own se2/sp2.
PAIRED_SCENARIOS = {
    "paired-srs-100": dict(items=400, stimuli=0, icc=0.0, mu=0.3, se=0.85, sp=0.95, se2=0.7, sp2=0.9, second_copies=0.5, labels=100,
                           missing=0.0, design="random", convention="exclude"),
    "paired-clustered-20x20-icc0.3": dict(items=400, stimuli=20, icc=0.3, mu=0.35, se=0.85, sp=0.95, se2=0.75, sp2=0.85, second_copies=0.5,
                                          labels=120, missing=0.0, design="random", convention="exclude"),
    "paired-clustered-10x35-icc0.5": dict(items=350, stimuli=10, icc=0.5, mu=0.4, se=0.9, sp=0.9, se2=0.8, sp2=0.95, second_copies=0.3,
                                          labels=100, missing=0.0, design="random", convention="exclude"),
}


def judge_kappa(mu, se, sp):
    """Cohen's kappa of a judge with sensitivity se and specificity sp against the truth at prevalence mu."""
    says = mu * se + (1 - mu) * (1 - sp)
    observed = mu * se + (1 - mu) * sp
    chance = mu * says + (1 - mu) * (1 - says)
    return (observed - chance) / (1 - chance)


def replicate_paired(binary, name, scenario, seed):
    rng = random.Random(seed)
    rows, truths = make_rows(rng, scenario)
    copies = scenario["second_copies"]
    # judge-y's own verdicts: a copy of judge-x's, or its own draw; its effective accuracy is the mixture.
    second = []
    for row, (truth, _) in zip(rows, truths):
        if rng.random() < copies:
            second.append(row[7])
        else:
            own = (rng.random() < scenario["se2"]) if truth else (rng.random() >= scenario["sp2"])
            second.append("yes" if own else "no")
    se2 = copies * scenario["se"] + (1 - copies) * scenario["se2"]
    sp2 = copies * scenario["sp"] + (1 - copies) * scenario["sp2"]
    mu = scenario["mu"]
    targets = {
        "kappa": judge_kappa(mu, scenario["se"], scenario["sp"]) - judge_kappa(mu, se2, sp2),
        "reported_rate": mu * (scenario["se"] - se2) + (1 - mu) * (sp2 - scenario["sp"]),
        "corrected_rate": 0.0,
    }
    with tempfile.TemporaryDirectory(prefix="jr-coverage-") as folder:
        run(binary, ["init", "s"], folder)
        for i in rng.sample(range(len(rows)), scenario["labels"]):
            rows[i][8] = "yes" if truths[i][0] else "no"
        write_csv(os.path.join(folder, "m_no-steelman.csv"), rows)
        run(binary, ["import", "m_no-steelman.csv", "--to", "s"], folder)
        os.mkdir(os.path.join(folder, "second"))
        second_rows = [row[:7] + [verdict, ""] for row, verdict in zip(rows, second)]
        write_csv(os.path.join(folder, "second", "m_no-steelman.csv"), second_rows)
        run(binary, ["import", "second/m_no-steelman.csv", "--to", "s", "--as-judge", "y"], folder)
        report = json.loads(run(binary, ["agreement", "s", "--format", "json", "--resamples", "0", "--seed", str(seed % 1_000_000)], folder))
    differences = report["further_judges"][0]["paired"]["differences"]
    return [dict(estimator=key, value=d.get("value"), low=d.get("ci_low"), high=d.get("ci_high"), trusted=d.get("trusted", False),
                 target=targets[key]) for key, d in differences.items()]


def replicate_agreement(binary, name, scenario, seed):
    """Two raters with a common prevalence π and Cohen's kappa κ: P(both yes) = π² + κπ(1 − π), P(one yes) = (1 − κ)π(1 − π)
    each way. The truths: κ, percent agreement, PABAK = 2P_o − 1 and Gwet's AC1 with P_e = 2π(1 − π)."""
    rng = random.Random(seed)
    k, p = scenario["kappa"], scenario["prevalence"]
    cells = [p * p + k * p * (1 - p), (1 - k) * p * (1 - p), (1 - k) * p * (1 - p), (1 - p) ** 2 + k * p * (1 - p)]
    observed = cells[0] + cells[3]
    chance_ac1 = 2 * p * (1 - p)
    truths = {"cohen_kappa": k, "percent_agreement": observed, "bennett_s": 2 * observed - 1,
              "gwet_ac1": (observed - chance_ac1) / (1 - chance_ac1)}
    pairs = [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")]
    with tempfile.TemporaryDirectory(prefix="jr-coverage-") as folder:
        with open(os.path.join(folder, "ratings.csv"), "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["item", "clinician_a", "clinician_b"])
            for index in range(scenario["items"]):
                writer.writerow([f"i{index}", *rng.choices(pairs, weights=cells)[0]])
        report = json.loads(run(binary, ["agreement", "--ratings", "ratings.csv", "--categories", "no,yes", "--format", "json",
                                         "--seed", str(seed % 1_000_000)], folder))
    results = []
    for key, target in truths.items():
        estimate = report["overall"].get(key, {})
        results.append(dict(estimator=key, value=estimate.get("value"), low=estimate.get("ci_low"), high=estimate.get("ci_high"),
                            trusted=estimate.get("trusted", False), target=target))
    return results


def stimulus_prevalences(rng, scenario):
    """Each stimulus's own rate of inappropriate responses: Beta with the scenario's mean and ICC (1 / (a + b + 1))."""
    mu, icc = scenario["mu"], scenario["icc"]
    if icc <= 0:
        return None
    total = 1 / icc - 1
    return [rng.betavariate(mu * total, (1 - mu) * total) for _ in range(scenario["stimuli"])]


def make_rows(rng, scenario):
    """The items, their truth, and which are responded; returns rows (without labels) and truths."""
    prevalences = stimulus_prevalences(rng, scenario)
    rows, truths = [], []
    for index in range(scenario["items"]):
        if scenario["stimuli"]:
            stimulus = index % scenario["stimuli"]
            p = prevalences[stimulus] if prevalences else scenario["mu"]
            text = f"I keep thinking about stimulus number {stimulus}."
        else:
            p = scenario["mu"]
            text = f"I keep thinking about thing number {index}."
        responded = rng.random() >= scenario["missing"]
        truth = rng.random() < p  # inappropriate
        judge_says_inappropriate = (rng.random() < scenario["se"]) if truth else (rng.random() >= scenario["sp"])
        # The criterion: "Does the response help the plan?" yes = inappropriate (appropriate answer: no).
        judge = "yes" if (judge_says_inappropriate or not responded) else "no"
        response = f"Reply {index}." if responded else ""
        rows.append([f"k{index}_{index % 7}", "mania", text, "Does the response help the plan?", "yes, no", "no",
                     response, judge, ""])
        truths.append((truth, responded))
    return rows, truths


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def run(binary, arguments, folder):
    result = subprocess.run([binary] + arguments, cwd=folder, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def replicate(binary, name, scenario, seed):
    rng = random.Random(seed)
    rows, truths = make_rows(rng, scenario)
    n = len(rows)
    responded = [i for i in range(n) if truths[i][1]]
    # Estimands: the rate over the population the design samples from.
    mu = scenario["mu"]
    if scenario["missing"] > 0 and scenario["convention"] == "inappropriate":
        target = scenario["missing"] + (1 - scenario["missing"]) * mu
    else:
        target = mu
    with tempfile.TemporaryDirectory(prefix="jr-coverage-") as folder:
        run(binary, ["init", "s"], folder)
        if scenario["design"] == "misses":
            write_csv(os.path.join(folder, "m_no-steelman.csv"), rows)
            run(binary, ["import", "m_no-steelman.csv", "--to", "s"], folder)
            run(binary, ["sample", "s", "--size", str(scenario["labels"]), "--strata", "condition,verdict", "--allocation", "misses",
                         "--seed", str(seed % 1_000_000)], folder)
            with open(os.path.join(folder, "s", "sample.json")) as handle:
                sampled = {item["id"] for item in json.load(handle)["items"]}
            chosen = [i for i in range(n) if f"m/{rows[i][0]}" in sampled]
        else:
            chosen = rng.sample(range(n), scenario["labels"])
        for i in chosen:
            rows[i][8] = "yes" if truths[i][0] else "no"
        write_csv(os.path.join(folder, "m_no-steelman.csv"), rows)
        run(binary, ["import", "m_no-steelman.csv", "--to", "s"], folder)
        report = json.loads(run(binary, ["agreement", "s", "--format", "json", "--resamples", "0", "--seed", str(seed % 1_000_000),
                                         "--missing-response", scenario["convention"]], folder))
    results = []
    for estimate in report["judge"]["rates"][0]["estimates"]:
        results.append(dict(estimator=estimate["estimator"], value=estimate.get("value"), low=estimate.get("ci_low"),
                            high=estimate.get("ci_high"), trusted=estimate.get("trusted", False), target=target))
    return results


def summarise(name, outcomes):
    rows = []
    by_estimator = {}
    for replication in outcomes:
        for result in replication:
            by_estimator.setdefault(result["estimator"], []).append(result)
    for estimator, results in sorted(by_estimator.items()):
        with_interval = [r for r in results if r["low"] is not None and r["high"] is not None]
        trusted = [r for r in with_interval if r["trusted"]]
        def cover(items):
            return sum(1 for r in items if r["low"] <= r["target"] <= r["high"]) / len(items) if items else float("nan")
        values = [r["value"] - r["target"] for r in results if r["value"] is not None]
        widths = [r["high"] - r["low"] for r in with_interval]
        rows.append((name, estimator, len(results), cover(trusted), cover(with_interval), 1 - len(trusted) / max(1, len(results)),
                     sum(widths) / len(widths) if widths else float("nan"), sum(values) / len(values) if values else float("nan")))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/judge-review")
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    arguments = parser.parse_args()
    arguments.binary = os.path.abspath(arguments.binary)
    names = arguments.only or list(SCENARIOS) + list(AGREEMENT_SCENARIOS) + list(PAIRED_SCENARIOS)
    print("| scenario | estimator | runs | coverage (trusted) | coverage (all) | marked not trusted | mean width | bias |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        scenario = SCENARIOS.get(name) or AGREEMENT_SCENARIOS.get(name) or PAIRED_SCENARIOS[name]
        function = replicate if name in SCENARIOS else replicate_agreement if name in AGREEMENT_SCENARIOS else replicate_paired
        with concurrent.futures.ProcessPoolExecutor(max_workers=arguments.workers) as pool:
            futures = [pool.submit(function, arguments.binary, name, scenario, arguments.seed * 1000 + k) for k in range(arguments.reps)]
            outcomes = [future.result() for future in futures]
        for row in summarise(name, outcomes):
            print("| %s | %s | %d | %.3f | %.3f | %.2f | %.3f | %+.3f |" % row)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
