#!/usr/bin/env python3
"""The scheduled exchange between Kazakhstan's North and Russia, per study hour.

Writes a schedule CSV (`imports.schedule_mw = { file, column }`, docs/scenario-format.md):
one row per study hour of a window on the +06:00 clock, signed MW, positive an import from
Russia into the North, negative an export to Russia. Two columns:

* `RUSSIA-NORTH`: the exchange both ways. Import of 300 MW in the morning (08-11 h) and
  evening (17-21 h) peaks [S] S26, S84 (Kazakhstan asked for 300-400 MW of supply; the low
  end), the peak hours those of the base's hourly shape [A] (facts 7.7); in the other 15 hours
  of the day an export to Russia, the day-time surplus [S] S82 ("surplus in daytime, deficit
  in the morning and evening peaks"), sized so that a calendar month exports what
  Kazakhstan exported to Russia in that month of winter 2021/22 [D] S56 (GWh x 1000 / (days
  x 15 h)): Nov 54.1, Dec 126.6, Jan 103.1, Feb 108.7 GWh. A window outside Nov-Feb 2021/22
  (the December 2022 hold-out) takes the same calendar month of 2021/22: nothing of the
  hold-out's own record is used.
* `import-only`: the same imports, no export (the "before" of issue 13 finding 3).

    python3 scripts/kazakhstan-russia-schedule.py                       # 2021/22 window
    python3 scripts/kazakhstan-russia-schedule.py --start 2022-12-01 --end 2022-12-31 \
        --out scenarios/kazakhstan/russia_schedule_dec2022_mw.csv      # the hold-out
"""
import argparse
import datetime

IMPORT_MW = 300.0  # [S] S26, S84
PEAK_HOURS = set(range(8, 12)) | set(range(17, 22))  # [A] facts 7.7: 08-11 h and 17-21 h
# Exports to Russia, GWh, by calendar month of winter 2021/22 [S] S56 (facts section 3).
EXPORT_GWH = {11: 54.1, 12: 126.6, 1: 103.1, 2: 108.7}
# Days of those months in 2021/22 (the rate is per hour of the month's off-peak hours).
DAYS_2021_22 = {11: 30, 12: 31, 1: 31, 2: 28}


def export_mw(month: int) -> float:
    off_peak_h = DAYS_2021_22[month] * (24 - len(PEAK_HOURS))
    return EXPORT_GWH[month] * 1000.0 / off_peak_h


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", default="2021-11-01")
    ap.add_argument("--end", default="2022-02-28")
    ap.add_argument("--out", default="scenarios/kazakhstan/russia_schedule_mw.csv")
    a = ap.parse_args()
    start = datetime.date.fromisoformat(a.start)
    end = datetime.date.fromisoformat(a.end)
    rows = []
    day = start
    while day <= end:
        for h in range(24):
            if h in PEAK_HOURS:
                both = only = IMPORT_MW
            else:
                both, only = -export_mw(day.month), 0.0
            rows.append((both, only))
        day += datetime.timedelta(days=1)
    with open(a.out, "w") as f:
        f.write("hour,RUSSIA-NORTH,import-only\n")
        for i, (both, only) in enumerate(rows):
            f.write(f"{i + 1},{both:.3f},{only:.3f}\n")


if __name__ == "__main__":
    main()
