#!/usr/bin/env python3
"""Check that an event catalogue loads in pandas, as Parquet and as CSV, and agrees with the
run's indices: per area, the events per sample equal `lolf` and their energy per sample
equals `eue_mwh` (the same samples, so up to float rounding).

    gridrisk run SCENARIO --samples N --format json --events ev.parquet > run.json
    gridrisk run SCENARIO --samples N --format json --events ev.csv > /dev/null
    python3 scripts/catalogue-pandas.py run.json ev.parquet ev.csv

Needs pandas and pyarrow (`pip install pandas pyarrow`; not part of the build or of CI, which
check the same sums in Rust: tests/events.rs). Exits 1 on a mismatch.
"""
import json
import sys

import pandas as pd


def main(run_json: str, parquet: str, csv: str) -> int:
    doc = json.load(open(run_json))
    samples = doc["samples"]
    frame = pd.read_parquet(parquet)
    from_csv = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    bad = []
    if list(frame.columns) != list(from_csv.columns) or len(frame) != len(from_csv):
        bad.append(f"Parquet {frame.shape} and CSV {from_csv.shape} differ")
    else:
        for name in frame.columns:
            a, b = frame[name], from_csv[name]
            same = (a.astype(str) == b.astype(str)) if a.dtype == object else (
                (a == b) | (a.isna() & b.isna()))
            if not same.all():
                bad.append(f"column {name}: Parquet and CSV differ")
    areas = {"system": doc["system"], **doc.get("regions", {})}
    for area, idx in areas.items():
        rows = frame[frame["area"] == area]
        lolf, eue = len(rows) / samples, rows["energy_mwh"].sum() / samples
        want_lolf, want_eue = idx["lolf"]["mean"], idx["eue_mwh"]["mean"]
        if abs(lolf - want_lolf) > 1e-9 * max(1.0, want_lolf):
            bad.append(f"{area}: {lolf} events per sample, lolf {want_lolf}")
        if abs(eue - want_eue) > 1e-9 * max(1.0, want_eue):
            bad.append(f"{area}: {eue} MWh per sample in events, eue_mwh {want_eue}")
    print(f"{len(frame)} events, {len(frame.columns)} columns, {len(areas)} areas, "
          f"{samples} samples: {'OK' if not bad else 'MISMATCH'}")
    for b in bad:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
