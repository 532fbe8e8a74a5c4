#!/usr/bin/env python3
"""The Kazakhstan reservoir hydro as a daily peak-shaving capacity profile.

Writes scenarios/kazakhstan/hydro_profile_mw.csv: per study hour (1 Nov 2021 - 28 Feb 2022,
2,880 h, +06:00) the capacity of ONE unit of each reservoir plant, MW, in four columns per
plant: `<plant>` the peak-shaving schedule of its winter inflow
(sensitivity/hydro-profile.toml), `<plant>-flat` the same energy flat (the flat-profile
control, sensitivity/hydro-flat.toml), `<plant>-shaped60` the base's derate energy (60% of
nameplate) shaped the same way (sensitivity/hydro-shaped60.toml); and one column `off` of
zeros (hydro-storage.toml turns the units off and runs the plants as generator-storages). Each plant's day is
water-filled as `dispatch = "peak_shaving"` does (README, "Generator-storage"): the day's
energy E = 24 h x the plant's mean winter inflow, the targets s_t = clip(L_t - theta, P_min,
P_max) with sum s_t = E, P_min = a third of the inflow, P_max = the plant's turbine MW, L_t
the region's net demand shape of that day (peak x month factor x day factor x hourly shape,
less solar), read from winter-2021-22.toml. Mean winter inflows: hydro-storage.toml (sources). Constant terms of a day (heating, mining, wind,
the forecast error's shift) move theta, not the fill, so the schedule is the one the
generator-storage plans in every sample (hydro-storage.toml runs the generator-storage itself;
docs/kazakhstan.md section 6 compares the two).

    python3 scripts/kazakhstan-hydro-profile.py   # from the project root
"""
import datetime
import tomllib

SCEN = "scenarios/kazakhstan/"
OUT = SCEN + "hydro_profile_mw.csv"
# Plants (as winter-2021-22.toml's [[units]] and hydro-storage.toml): name, region,
# units, nameplate MW per unit, turbine MW per unit in winter (P_max), mean winter inflow MW of
# the plant (sources in hydro-storage.toml).
PLANTS = [
    ("Bukhtarma-HPP", "EAST", 9, 75.0, 75.0, 316.2),
    ("Ust-Kamenogorsk-HPP", "EAST", 4, 82.75, 78.75, 180.4),
    ("Shulba-HPP", "EAST", 6, 117.0, 117.0, 189.5),
    ("Kapchagay-HPP", "SOUTH", 4, 91.0, 91.0, 111.0),
    ("Moinak-HPP", "SOUTH", 2, 150.0, 150.0, 93.8),
    ("Shardara-HPP", "SOUTH", 4, 31.5, 31.5, 49.5),
]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def water_fill(load, energy, p_min, p_max):
    """clip(L - theta, p_min, p_max) summing to energy (bisection on theta, to 1e-9 MW)."""
    n = len(load)
    energy = min(max(energy, n * p_min), n * p_max)
    lo, hi = min(load) - p_max - 1.0, max(load) - p_min + 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(min(max(x - mid, p_min), p_max) for x in load) > energy:
            lo = mid
        else:
            hi = mid
    return [min(max(x - hi, p_min), p_max) for x in load]


def main():
    with open(SCEN + "winter-2021-22.toml", "rb") as f:
        s = tomllib.load(f)
    start = s["study"]["start"]
    end = s["study"]["end"]
    holidays = set(s["study"]["holidays"])
    regions = {r["name"]: r for r in s["regions"] if "demand" in r}
    solar = {}
    for v in s["renewables"]:
        if "profile" in v:
            solar[v["region"]] = [v["mw"] * p for p in v["profile"]]
    kinds = ["", "-flat", "-shaped60"]
    cols = {name + k: [] for name, *_ in PLANTS for k in kinds}
    day = start
    while day <= end:
        for name, region, count, unit_mw, p_max, inflow in PLANTS:
            d = regions[region]["demand"]
            df = d["day_factor"]
            f = df["holiday"] if day in holidays else df.get(DAYS[day.weekday()], 1.0)
            f *= d["month_factor"][str(day.month)]
            sun = solar.get(region, [0.0] * 24)
            load = [d["peak_mw"] * f * d["hourly_shape"][h] - sun[h] for h in range(24)]
            plan = water_fill(load, 24 * inflow, inflow / 3, count * p_max)
            cols[name] += [x / count for x in plan]
            cols[name + "-flat"] += [inflow / count] * 24
            e60 = 0.6 * count * unit_mw
            plan = water_fill(load, 24 * e60, e60 / 3, count * unit_mw)
            cols[name + "-shaped60"] += [x / count for x in plan]
        day += datetime.timedelta(days=1)
    cols["off"] = [0.0] * len(cols[PLANTS[0][0]])
    names = list(cols)
    with open(OUT, "w") as f:
        f.write("hour," + ",".join(names) + "\n")
        for h in range(len(cols[names[0]])):
            f.write(f"{h + 1}," + ",".join(f"{cols[n][h]:.3f}" for n in names) + "\n")


if __name__ == "__main__":
    main()
