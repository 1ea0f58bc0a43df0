#!/usr/bin/env python3
"""Summarises a paper grid for REPRODUCTION.md: per connectome and task (and
per task and learning rate), the
paired comparisons of `biornn report --csv` (one per condition: task
parameter x optimizer x learning rate x activation) counted by the sign of
Cliff's delta of the minimum validation loss and of the speed epoch, with a
two-sided sign test, the mean delta with a 95% bootstrap interval over
conditions (seeded), and the conditions significant after Holm; then the
initial spectral radius of W_hh per connectome and strategy, and how many
runs learnt.

    biornn report --csv report.csv RESULTS
    python3 rnn/sweep/reproduction_summary.py report.csv RESULTS

Cliff's delta > 0: the control's values are larger, i.e. the bio network
reached a lower loss or learnt in fewer epochs.
"""
import sys
from math import comb

import numpy as np
import pandas as pd


def sign_p(k, n):
    """Two-sided sign test: k of n conditions in one direction."""
    if n == 0:
        return float("nan")
    tail = sum(comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def boot_ci(values, rng, reps=10000):
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    means = rng.choice(v, size=(reps, len(v)), replace=True).mean(axis=1)
    return v.mean(), np.percentile(means, 2.5), np.percentile(means, 97.5)


def main(csv, results):
    r = pd.read_csv(csv)
    for keys in (["connectome", "task"], ["task", "lr"]):
        if all(k in r for k in keys):
            table(r, keys)
            print()
    if "lr" in r and r["lr"].nunique() > 1:
        top = r["lr"].max()  # the rate at which runs learn (the paper's 1e-4)
        print(f"at lr {top:g} only:")
        table(r[r["lr"] == top], ["connectome", "task"])
        print()
    runs = pd.read_parquet(results + "/runs")
    rad = runs.groupby(["connectome", "strategy"])["spectral_radius_init"].median().unstack()
    print("median initial spectral radius of W_hh:")
    print(rad.to_string(float_format=lambda x: f"{x:.3f}"))
    print()
    print(f"runs: {len(runs)}, status {runs['status'].value_counts().to_dict()}, learnt {int(runs['learnt'].sum())}")
    if "wall_seconds" in runs:
        print(f"training wall time summed over runs: {runs['wall_seconds'].sum() / 3600:.2f} h")


def table(r, keys):
    """One Markdown row per group of the comparisons."""
    rng = np.random.default_rng(20210122)
    cmp_ = r[r["vs"].notna()]
    rows = []
    for key, g in cmp_.groupby(keys, sort=False):
        con, task = key
        d, s = g["loss_delta"], g["speed_delta"].dropna()
        m, lo, hi = boot_ci(d, rng)
        sm, slo, shi = boot_ci(s, rng)
        bl, cl = int((d > 0).sum()), int((d < 0).sum())
        bf, cf = int((s > 0).sum()), int((s < 0).sum())
        sel = r["vs"].isna()
        for k, v in zip(keys, key):
            sel &= r[k] == v
        base = r[sel]
        rows.append({
            keys[0]: con, keys[1]: task, "conditions": len(g),
            "loss: bio lower/ctrl lower": f"{bl}/{cl}", "loss sign p": sign_p(bl, bl + cl),
            "loss mean delta [95% CI]": f"{m:+.2f} [{lo:+.2f}, {hi:+.2f}]",
            "loss Holm sig.": int((g["p_adjusted"] < 0.05).sum()),
            "speed: bio faster/ctrl faster": f"{bf}/{cf}", "speed sign p": sign_p(bf, bf + cf),
            "speed mean delta [95% CI]": f"{sm:+.2f} [{slo:+.2f}, {shi:+.2f}]" if len(s) else "-",
            "speed Holm sig.": int((g["speed_p_adjusted"] < 0.05).sum()),
            "not learnt bio/ctrl": f"{int(base['n_not_learnt'].sum())}/{int(g['n_not_learnt'].sum())}",
        })
    out = pd.DataFrame(rows)
    cols = list(out.columns)  # a Markdown table, without the tabulate package
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for _, row in out.iterrows():
        print("| " + " | ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
