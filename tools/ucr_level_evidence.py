#!/usr/bin/env python3
"""Leave-one-out 1-nearest-neighbour (Euclidean) accuracy on the training cases of UCR sets:
raw, z-normalised one by one, and log10 of each case's std, |mean| and peak standardised across
cases (LevelEvidence in Sources/Strata/Data), with the train -> test accuracy of each beside it.
Cases are resampled to the longest by linear interpolation, missing values read as 0, as `ucr:`
loads them. Usage: tools/ucr_level_evidence.py DATA_DIR NAME... (NAME/NAME_TRAIN.ts in DATA_DIR).
Needs numpy."""
import sys
import numpy as np


def read(path):
    cases, labels, data = [], [], False
    for line in open(path, encoding='utf-8-sig'):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.lower().startswith('@data'):
            data = True
            continue
        if data:
            values, label = line.rsplit(':', 1)
            cases.append(np.array([0.0 if t in ('?', 'NaN') else float(t) for t in values.split(',')]))
            labels.append(label)
    return cases, np.array(labels)


def load(root, name):
    train, train_labels = read(f'{root}/{name}/{name}_TRAIN.ts')
    test, test_labels = read(f'{root}/{name}/{name}_TEST.ts')
    length = max(len(c) for c in train + test)
    def resample(c):
        return np.interp(np.linspace(0, len(c) - 1, length), np.arange(len(c)), c) if len(c) > 1 else np.full(length, c[0])
    return np.stack([resample(c) for c in train]), train_labels, np.stack([resample(c) for c in test]), test_labels


def distances(rows, queries):
    return (queries ** 2).sum(1)[:, None] - 2 * queries @ rows.T + (rows ** 2).sum(1)[None]


def leave_one_out(rows, labels):
    d = distances(rows, rows)
    np.fill_diagonal(d, np.inf)
    return (labels[d.argmin(1)] == labels).mean()


def train_to_test(rows, labels, queries, query_labels):
    return (labels[distances(rows, queries).argmin(1)] == query_labels).mean()


def z(cases):
    return (cases - cases.mean(1, keepdims=True)) / (cases.std(1, keepdims=True) + 1e-8)


def levels(cases):
    return np.log10(np.stack([cases.std(1), np.abs(cases.mean(1)), np.abs(cases).max(1)], 1) + 1e-6)


for name in sys.argv[2:]:
    train, labels, test, test_labels = load(sys.argv[1], name)
    train_levels, test_levels = levels(train), levels(test)
    mean, std = train_levels.mean(0), train_levels.std(0) + 1e-12
    features = {'raw': (train, test), 'z': (z(train), z(test)),
                'level': ((train_levels - mean) / std, (test_levels - mean) / std)}
    loo = ' '.join(f'{k} {leave_one_out(a, labels) * 100:5.1f}' for k, (a, _) in features.items())
    tt = ' '.join(f'{k} {train_to_test(a, labels, b, test_labels) * 100:5.1f}' for k, (a, b) in features.items())
    print(f'{name:24s} leave-one-out: {loo} | train->test: {tt}', flush=True)
