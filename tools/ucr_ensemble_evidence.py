#!/usr/bin/env python3
"""The default's ensembles on a UCR set, from its members' test probabilities.

The default classifies with three ResNets of seeds S, S+1, S+2 and answers with their mean
probabilities; member K is exactly the single `--model resnet1d` run of seed S+K. On a set
where one ResNet takes hours (PLAID: about two hours on one core), the seven single runs
behind five ensembles (S = 0…4) span several sessions and machines, so each run's test
probabilities are kept as a small CSV and the ensembles are formed from those files.

  tools/ucr_ensemble_evidence.py capture RUN OUT.csv   # RUN: a finished run folder
  tools/ucr_ensemble_evidence.py combine DIR           # DIR: seed0.csv, seed1.csv, …

capture writes one row per test sample: its label's index, then every class's probability
(`strata predict --checkpoint last`), and checks that the CSV's argmax accuracy equals
`strata evaluate`'s. combine prints each single run's accuracy, each ensemble whose three
members are present, and the ensembles' mean ± sample standard deviation, in percent.
STRATA names the strata binary (default .build/release/strata).
"""
import csv
import json
import os
import statistics
import subprocess
import sys

STRATA = os.environ.get("STRATA", ".build/release/strata")
MEMBERS = 3


def strata_json(*arguments):
    output = subprocess.run([STRATA, *arguments, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def capture(run, out):
    evaluation = strata_json("evaluate", "--run", run, "--checkpoint", "last")
    classes, count = evaluation["classes"], evaluation["samples"]
    indices = ",".join(str(i) for i in range(count))
    predictions = strata_json("predict", "--run", run, "--checkpoint", "last",
                              "--samples", indices, "--top", str(len(classes)))["predictions"]
    rows = []
    for entry in sorted(predictions, key=lambda e: e["sample"]):
        probabilities = [0.0] * len(classes)
        for ranked in entry["top"]:
            probabilities[ranked["index"]] = ranked["probability"]
        rows.append([classes.index(entry["label"])] + probabilities)
    correct = sum(row[0] == argmax(row[1:]) for row in rows)
    if correct != round(evaluation["test_accuracy"] * count):
        sys.exit(f"{run}: the probabilities give {correct}/{count} correct, evaluate "
                 f"{evaluation['test_accuracy']:.4f}; they are not of the same weights")
    temporary = out + ".partial"
    with open(temporary, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["label"] + [f"p{c}" for c in classes])
        for row in rows:
            writer.writerow([row[0]] + [f"{p:.7g}" for p in row[1:]])
    os.replace(temporary, out)
    print(f"{out}: {count} samples, accuracy {100 * correct / count:.2f}%")


def argmax(values):
    return max(range(len(values)), key=lambda i: values[i])


def read(path):
    with open(path, newline="") as file:
        reader = csv.reader(file)
        next(reader)
        rows = [[float(v) for v in row] for row in reader]
    return [int(row[0]) for row in rows], [row[1:] for row in rows]


def accuracy(labels, probabilities):
    return 100 * sum(label == argmax(p) for label, p in zip(labels, probabilities)) / len(labels)


def combine(folder):
    seeds = {}
    for name in os.listdir(folder):
        if name.startswith("seed") and name.endswith(".csv"):
            seeds[int(name[4:-4])] = read(os.path.join(folder, name))
    for seed in sorted(seeds):
        print(f"single ResNet, seed {seed}: {accuracy(*seeds[seed]):.2f}")
    ensembles = []
    for start in sorted(seeds):
        members = [seeds.get(start + k) for k in range(MEMBERS)]
        if any(m is None for m in members):
            continue
        labels = members[0][0]
        if any(m[0] != labels for m in members):
            sys.exit(f"seeds {start}…{start + MEMBERS - 1} disagree on the test labels")
        mean = [[sum(m[1][i][c] for m in members) / MEMBERS for c in range(len(members[0][1][i]))]
                for i in range(len(labels))]
        ensembles.append(accuracy(labels, mean))
        print(f"ensemble of seeds {start}–{start + MEMBERS - 1}: {ensembles[-1]:.2f}")
    if len(ensembles) >= 2:
        print(f"ensembles: {statistics.mean(ensembles):.1f} ± {statistics.stdev(ensembles):.1f} "
              f"({len(ensembles)} ensembles)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "combine":
        combine(sys.argv[2])
    else:
        sys.exit(__doc__)
