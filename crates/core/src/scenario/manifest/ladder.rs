//! `[[ladder]]`: the ranks of last resorts, cheapest first, each a `name` and its steps
//! (`imports` tiers, `interruptible` classes, `voltage_reduction`, `appeals`); and the
//! checks that tie it to the rest of the scenario (every import source and interruptible
//! class on it, each source's tiers ending with the rest of its cap).

use super::{element_label, table_array, Fields};
use crate::model::{Conditions, InterruptibleClass, LadderRank, LadderStep};
use crate::scenario::error::Problems;
use crate::scenario::keys;
use crate::scenario::tree::Value;
use std::path::Path;
use std::rc::Rc;

/// The class names of `interruptible = [...]`.
const CLASSES: [(&str, InterruptibleClass); 2] = [
    ("mining", InterruptibleClass::Mining),
    ("exports", InterruptibleClass::Exports),
];

/// Read `[[ladder]]` from the root table `f`; `regions` and `sources` are the region and
/// import source names in order. Only valid ranks are kept (any problem is recorded).
pub(super) fn ladder(
    f: &Fields<'_>,
    regions: &[String],
    sources: &[String],
    p: &mut Problems,
) -> Vec<LadderRank> {
    let mut out = Vec::new();
    let mut seen: Vec<(String, Rc<Path>, usize)> = Vec::new();
    // Per source: whether a tier without `mw` (the rest of its cap) has been seen.
    let mut rest_seen = vec![false; sources.len()];
    if matches!(f.get("ladder").map(|n| &n.value), Some(Value::Array(a)) if a.is_empty()) {
        f.bad(
            "ladder",
            "names no rank: add `[[ladder]]` tables, or remove `ladder` for the default order"
                .into(),
            p,
        );
    }
    for (i, n) in table_array(f, "ladder", p).into_iter().enumerate() {
        let label = element_label("ladder", i, n);
        let Some(rf) = Fields::new(n, &label, keys::LADDER, p) else {
            continue;
        };
        let name = rf.unique_name("ladder rank", &mut seen, p);
        let mut steps = Vec::new();
        let mut ok = true;
        for (j, t) in table_array(&rf, "imports", p).into_iter().enumerate() {
            let tl = format!("{}[{j}]", rf.field("imports"));
            let Some(tf) = Fields::new(t, &tl, keys::LADDER_IMPORT, p) else {
                ok = false;
                continue;
            };
            let source = tf.lookup("source", "import source", sources, p);
            let cap_w = if tf.has("mw") {
                tf.power_w("mw", true, p).map(Some)
            } else {
                Some(None)
            };
            match (source, cap_w) {
                (Some(s), Some(cap_w)) => {
                    if rest_seen[s] {
                        tf.problem(
                            Some("source"),
                            format!(
                                "an earlier tier of `{}` has no `mw` and takes the rest of its \
                                 cap, so nothing is left for this one: give that tier an `mw`, \
                                 or remove this one",
                                sources[s]
                            ),
                            p,
                        );
                        ok = false;
                    }
                    rest_seen[s] |= cap_w.is_none();
                    steps.push(LadderStep::Import { source: s, cap_w });
                }
                _ => ok = false,
            }
        }
        ok &= interruptible(&rf, &mut steps, p);
        for (j, t) in table_array(&rf, "voltage_reduction", p)
            .into_iter()
            .enumerate()
        {
            let tl = format!("{}[{j}]", rf.field("voltage_reduction"));
            let Some(tf) = Fields::new(t, &tl, keys::LADDER_VOLTAGE, p) else {
                ok = false;
                continue;
            };
            let region = tf.region("region", regions, p);
            let pct = tf.number_in(
                "pct",
                "% of the region's demand",
                true,
                |x| x > 0.0 && x < 100.0,
                "a percentage of the region's demand, > 0 and < 100",
                p,
            );
            match (region, pct) {
                (Some(region), Some(pct)) => steps.push(LadderStep::VoltageReduction {
                    region,
                    fraction: pct / 100.0,
                }),
                _ => ok = false,
            }
        }
        for (j, t) in table_array(&rf, "appeals", p).into_iter().enumerate() {
            let tl = format!("{}[{j}]", rf.field("appeals"));
            let Some(tf) = Fields::new(t, &tl, keys::LADDER_APPEAL, p) else {
                ok = false;
                continue;
            };
            let region = tf.region("region", regions, p);
            let cap_w = tf.power_w("mw", true, p);
            let hours = tf.integer("hours_per_day", true, p).and_then(|h| {
                let fits = (1..=24).contains(&h);
                if !fits {
                    tf.bad(
                        "hours_per_day",
                        format!("must be a whole number of hours from 1 to 24, got {h}"),
                        p,
                    );
                }
                fits.then_some(h as u32)
            });
            match (region, cap_w, hours) {
                (Some(region), Some(cap_w), Some(hours_per_day)) => {
                    steps.push(LadderStep::Appeal {
                        region,
                        cap_w,
                        hours_per_day,
                    })
                }
                _ => ok = false,
            }
        }
        if ok && steps.is_empty() {
            rf.problem(
                None,
                "a rank with no step: give it `imports`, `interruptible`, \
                 `voltage_reduction` or `appeals`"
                    .into(),
                p,
            );
            ok = false;
        }
        if let (Some(name), true) = (name, ok) {
            out.push(LadderRank { name, steps });
        }
    }
    out
}

/// `interruptible = ["mining", "exports"]` of rank `f` into `steps`; false on a problem.
fn interruptible(f: &Fields<'_>, steps: &mut Vec<LadderStep>, p: &mut Problems) -> bool {
    let Some(n) = f.get("interruptible") else {
        return true;
    };
    let expect = "an array of interruptible classes, such as [\"mining\", \"exports\"]";
    let Value::Array(a) = &n.value else {
        f.bad(
            "interruptible",
            format!("expected {expect}, got {}", n.value.describe()),
            p,
        );
        return false;
    };
    let mut ok = true;
    for (i, e) in a.iter().enumerate() {
        let at = format!("{}[{i}]", f.field("interruptible"));
        let class = match &e.value {
            Value::Str(s) => CLASSES.iter().find(|(c, _)| c == s).map(|&(_, c)| c),
            _ => None,
        };
        match class {
            Some(c) if !steps.contains(&LadderStep::Interruptible(c)) => {
                steps.push(LadderStep::Interruptible(c))
            }
            _ => {
                p.push(
                    &e.file,
                    Some(e.line),
                    Some(&at),
                    format!(
                        "expected \"mining\" (registered mining a policy makes interruptible) \
                         or \"exports\" (scheduled exports), each once, got {}",
                        e.value.describe()
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// The checks of a ladder against the whole scenario: every import source has tiers, the
/// last of them without `mw`; every interruptible class the scenario has is on a rank;
/// each class on one rank only. Reported at the root's `ladder` field.
pub(super) fn check(
    f: &Fields<'_>,
    ladder: &[LadderRank],
    sources: &[String],
    conditions: &Conditions,
    p: &mut Problems,
) {
    if ladder.is_empty() {
        return;
    }
    let steps = || ladder.iter().flat_map(|r| &r.steps);
    for (s, name) in sources.iter().enumerate() {
        let last = steps()
            .filter_map(|st| match st {
                LadderStep::Import { source, cap_w } if *source == s => Some(*cap_w),
                _ => None,
            })
            .next_back();
        let msg = match last {
            None => format!(
                "import source `{name}` is on no rank: add a tier such as \
                 `imports = [{{ source = \"{name}\" }}]` (without `mw`: the rest of its cap)"
            ),
            Some(Some(_)) => format!(
                "the last tier of import source `{name}` has an `mw`: its last tier takes the \
                 rest of its cap, so leave out its `mw`"
            ),
            Some(None) => continue,
        };
        f.bad("ladder", msg, p);
    }
    for (class, what, present) in [
        (
            "mining",
            "registered mining",
            !conditions.mining.registered.is_empty(),
        ),
        (
            "exports",
            "scheduled exports",
            !conditions.exchanges.is_empty(),
        ),
    ] {
        let c = CLASSES.iter().find(|(n, _)| *n == class).unwrap().1;
        let ranks = ladder
            .iter()
            .filter(|r| r.steps.contains(&LadderStep::Interruptible(c)))
            .count();
        if present && ranks == 0 {
            f.bad(
                "ladder",
                format!(
                    "the scenario has {what}, but no rank curtails it: add \
                     `interruptible = [\"{class}\"]` to a rank"
                ),
                p,
            );
        } else if ranks > 1 {
            f.bad(
                "ladder",
                format!("interruptible class \"{class}\" is on {ranks} ranks; name it on one"),
                p,
            );
        }
    }
}
