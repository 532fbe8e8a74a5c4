//! Stopping rules on what is asked: a target on any additive index of any area of a run, or
//! on a paired difference of a comparison, decided after every block by an anytime-valid
//! confidence sequence.
//!
//! ## Targets
//!
//! A target is written `[diff:]INDEX[@AREA]:RULE` ([`Target`]): `INDEX` one of the additive
//! per-sample totals ([`SAMPLE_TOTALS`]: `lole_h`, `lole_d`, `lolf`, `eue_mwh`, the EUE
//! parts, `p_shortfall`, `mining_curtailed_mwh`), `AREA` a region with demand or units, or
//! `system` (the default), and `RULE` one of
//!
//! * `rel=X`: the interval's half-width is at most `X` times the absolute mean, `0 < X < 1`;
//! * `width=W`: the interval's full width `hi - lo` is at most `W` (index units), `W > 0`;
//! * `excludes-zero`: the interval lies wholly above or below 0 (paired targets only).
//!
//! `diff:` targets the paired difference variant - base of every variant of a comparison
//! (`compare` takes only such targets, `run` none). A run stops after the first block at
//! which every target (of every variant) is met, or at the sample cap. The decision is
//! taken on the merged ordered prefix of blocks ([`crate::runner`]), so the sample count and
//! the result are the same for any thread count, and equal to a fixed-count run (or its
//! merged shards) of that many samples.
//!
//! ## The confidence sequence
//!
//! Looking after every block and stopping when a fixed-n 95% interval meets the target would
//! make the interval's error rate far above 5%: the more looks, the more chances that the
//! interval wanders past a boundary by chance: a zero-effect variant "excludes zero" in 388
//! of 1,000 seeded runs of up to 100 looks, against 18 of 1,000 with the sequence below
//! (`tests/stopping.rs`, docs/stopping.md). Every target is
//! therefore judged on the two-sided *asymptotic confidence sequence* of Waudby-Smith,
//! Arbour, Sinha, Kennedy and Ramdas ("Time-uniform central limit theory and asymptotic
//! confidence sequences", Annals of Statistics 2024, eq. (2.6)), the sample-variance form of
//! Robbins' normal-mixture boundary (Robbins 1970; Howard, Ramdas, McAuliffe and Sekhon,
//! Annals of Statistics 2021, eq. (14)):
//!
//! ```text
//! mean_n -/+ sd_n sqrt( 2 (n rho^2 + 1) / (n^2 rho^2) * ln( sqrt(n rho^2 + 1) / alpha ) )
//!   = mean_n -/+ se_n * c(n),   c(n) = sqrt( 2 (x + 1) / x * ln( sqrt(x + 1) / alpha ) ),  x = n rho^2
//! ```
//!
//! with `alpha` = 0.05 ([`ALPHA`]), `sd_n` the sample standard deviation of the per-sample
//! values (per-sample differences for a paired target), `se_n = sd_n / sqrt(n)`, and
//! `rho^2 = (-2 ln alpha + ln(1 - 2 ln alpha)) / n*`, which makes the sequence narrowest at
//! `n* =` [`TUNED_AT_SAMPLES`]. There `c = 3.04` (the fixed-n interval has 1.96); at
//! `n*/10` 3.9 and at `10 n*` 3.2, so a target costs about 2.4 to 4 times the samples the
//! (invalid) fixed-n rule would take.
//!
//! Assumptions: the samples are independent and identically distributed (each sample draws
//! its own streams, [`crate::rng`]) with finite variance (every per-sample total is bounded,
//! [`gridrisk_core::bounds`]). The guarantee, `P(the mean is outside the interval at any
//! look) <= alpha`, is asymptotic: it holds as the first look grows. For skewed, mostly-zero
//! totals a target is therefore only judged once the interval rests on at least
//! [`FEW_SAMPLES`] samples with a non-zero value (a run: samples with a shortfall in the
//! area; a comparison: samples whose paired difference is not zero); before that it is
//! not met. A variant that changes no sample (every paired difference exactly 0) thus never
//! meets a target and runs to the cap. Each target's interval is valid on its own; no
//! correction is made for several targets or variants.

use crate::accumulators::{Indices, SAMPLE_TOTALS};
use crate::compare::Comparison;
use crate::estimators::{Estimate, FEW_SAMPLES};
use crate::result::indexed_regions;
use gridrisk_core::SystemModel;
use serde_json::{json, Value};

/// Error level of every confidence sequence: each is a 95% sequence.
pub const ALPHA: f64 = 0.05;

/// The sample count at which a confidence sequence is narrowest (`n*`).
pub const TUNED_AT_SAMPLES: u64 = 10_000;

/// What a target asks of its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Half-width at most this share of the absolute mean, in (0, 1).
    Rel(f64),
    /// Full width at most this, in the index's unit, > 0.
    Width(f64),
    /// The interval excludes 0 (paired targets only).
    ExcludesZero,
}

/// A target as written, not yet checked against a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// A paired difference (`diff:`) rather than a run's own index.
    pub paired: bool,
    /// Position of the index in [`SAMPLE_TOTALS`].
    pub index: usize,
    /// Region name; `None` for the system.
    pub area: Option<String>,
    /// What the interval must satisfy.
    pub rule: Rule,
}

/// A target that cannot be parsed or does not fit the scenario or command.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum TargetError {
    /// A target on a scenario with steps shorter than an hour.
    #[error("target '{target}': scenario '{scenario}' steps {step_min} min ([study] step_min); targets are judged on hourly totals and are not supported with shorter steps: give --samples")]
    SubHourly {
        /// The target as given.
        target: String,
        /// The scenario's name.
        scenario: String,
        /// Its step, minutes.
        step_min: u32,
    },
    /// Not of the form `[diff:]INDEX[@AREA]:RULE`.
    #[error("target '{0}': expected [diff:]INDEX[@AREA]:RULE, e.g. eue_mwh@SOUTH:rel=0.05 or diff:lole_h:excludes-zero")]
    Syntax(String),
    /// An index that is not an additive per-sample total.
    #[error("target '{target}': unknown index '{index}': expected one of {known} (lold_h and neue_ppm are ratios of means and cannot be targeted)")]
    UnknownIndex {
        /// The target.
        target: String,
        /// The index written.
        index: String,
        /// The indices allowed.
        known: String,
    },
    /// A rule that is not `rel=X`, `width=W` or `excludes-zero`, or a bad value.
    #[error("target '{target}': {message}")]
    BadRule {
        /// The target.
        target: String,
        /// What is wrong.
        message: String,
    },
    /// A region the scenario does not have (or a hub, without indices).
    #[error("target '{target}': scenario '{scenario}' has no region '{area}' with demand or units: expected system or one of {regions}")]
    UnknownArea {
        /// The target.
        target: String,
        /// The area written.
        area: String,
        /// The scenario (the base of a comparison).
        scenario: String,
        /// Its indexed regions.
        regions: String,
    },
    /// A mining index of scenarios without mining.
    #[error("target '{target}': {index} is 0 in every sample: no scenario here has mining")]
    NoMining {
        /// The target.
        target: String,
        /// The index.
        index: String,
    },
    /// A paired target on a single run.
    #[error("target '{0}': a paired difference (diff:) needs `gridrisk compare`; a run targets its own indices (e.g. eue_mwh@SOUTH:rel=0.05)")]
    PairedOnRun(String),
    /// A plain target on a comparison.
    #[error("target '{0}': a comparison stops on paired differences: write diff:{0}")]
    PlainOnCompare(String),
}

impl std::str::FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Target, TargetError> {
        let syntax = || TargetError::Syntax(text.to_string());
        let (paired, rest) = match text.strip_prefix("diff:") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (what, rule) = rest.rsplit_once(':').ok_or_else(syntax)?;
        let (index, area) = match what.split_once('@') {
            Some((index, area)) => (index, Some(area)),
            None => (what, None),
        };
        let index = SAMPLE_TOTALS
            .iter()
            .position(|(key, _)| *key == index)
            .ok_or_else(|| TargetError::UnknownIndex {
                target: text.into(),
                index: index.into(),
                known: SAMPLE_TOTALS.map(|(key, _)| key).join(", "),
            })?;
        let area = match area {
            Some("") => return Err(syntax()),
            Some("system") | None => None,
            Some(area) => Some(area.to_string()),
        };
        let bad = |message: String| TargetError::BadRule {
            target: text.into(),
            message,
        };
        let number = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
        let rule = match rule.split_once('=') {
            None if rule == "excludes-zero" => Rule::ExcludesZero,
            Some(("rel", v)) => match number(v) {
                Some(x) if x > 0.0 && x < 1.0 => Rule::Rel(x),
                _ => return Err(bad(format!("rel: expected a number in (0, 1), got '{v}'"))),
            },
            Some(("width", v)) => match number(v) {
                Some(w) if w > 0.0 => Rule::Width(w),
                _ => {
                    return Err(bad(format!(
                        "width: expected a positive number (the interval's full width, in the index's unit), got '{v}'"
                    )))
                }
            },
            _ => {
                return Err(bad(format!(
                    "unknown rule '{rule}': expected rel=X, width=W or excludes-zero"
                )))
            }
        };
        if rule == Rule::ExcludesZero && !paired {
            return Err(bad(
                "excludes-zero is a rule for a paired difference: write diff:".to_string() + rest,
            ));
        }
        Ok(Target {
            paired,
            index,
            area,
            rule,
        })
    }
}

impl std::fmt::Display for Target {
    /// The canonical text: `[diff:]INDEX@AREA:RULE`, the area always written.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let diff = if self.paired { "diff:" } else { "" };
        let area = self.area.as_deref().unwrap_or("system");
        let index = SAMPLE_TOTALS[self.index].0;
        write!(f, "{diff}{index}@{area}:")?;
        match self.rule {
            Rule::Rel(x) => write!(f, "rel={x}"),
            Rule::Width(w) => write!(f, "width={w}"),
            Rule::ExcludesZero => f.write_str("excludes-zero"),
        }
    }
}

/// Whether total `index` of [`SAMPLE_TOTALS`] exists only where there is mining (the EUE
/// parts and `mining_curtailed_mwh`).
fn is_mining(index: usize) -> bool {
    matches!(
        SAMPLE_TOTALS[index].0,
        "eue_household_mwh" | "eue_illegal_mwh" | "eue_registered_mwh" | "mining_curtailed_mwh"
    )
}

/// A target checked against the scenario(s): its area as an area index of the base.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The target.
    pub target: Target,
    /// Area index of the base (`regions` for the system).
    pub area: usize,
}

/// Check `targets` against `models` (one for a run; the base first for a comparison, which
/// takes only paired targets) and find their areas in the base.
pub fn resolve(targets: &[Target], models: &[&SystemModel]) -> Result<Vec<Resolved>, TargetError> {
    let base = models[0];
    let comparison = models.len() > 1;
    targets
        .iter()
        .map(|t| {
            let text = t.to_string();
            match (t.paired, comparison) {
                (true, false) => return Err(TargetError::PairedOnRun(text)),
                (false, true) => return Err(TargetError::PlainOnCompare(text)),
                _ => {}
            }
            if let Some(m) = models.iter().find(|m| m.calendar().step_min() != 60) {
                return Err(TargetError::SubHourly {
                    target: text,
                    scenario: m.name().into(),
                    step_min: m.calendar().step_min(),
                });
            }
            if is_mining(t.index) && models.iter().all(|m| m.conditions().mining.is_empty()) {
                return Err(TargetError::NoMining {
                    index: SAMPLE_TOTALS[t.index].0.into(),
                    target: text,
                });
            }
            let area = match &t.area {
                None => base.regions().len(),
                Some(name) => indexed_regions(base)
                    .find(|(_, r)| r == name)
                    .map(|(r, _)| r)
                    .ok_or_else(|| TargetError::UnknownArea {
                        target: text.clone(),
                        area: name.clone(),
                        scenario: base.name().into(),
                        regions: indexed_regions(base)
                            .map(|(_, r)| r)
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?,
            };
            Ok(Resolved {
                target: t.clone(),
                area,
            })
        })
        .collect()
}

/// `c(n)`: the confidence sequence's half-width in standard errors after `n` samples (see
/// the module doc); infinite before two samples.
pub fn cs_factor(n: u64) -> f64 {
    if n < 2 {
        return f64::INFINITY;
    }
    let l = -2.0 * ALPHA.ln();
    let rho2 = (l + (1.0 + l).ln()) / TUNED_AT_SAMPLES as f64;
    let x = n as f64 * rho2;
    (2.0 * (x + 1.0) / x * ((x + 1.0).sqrt() / ALPHA).ln()).sqrt()
}

/// A target's state at a look: its anytime-valid interval and whether it is met.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// The target (canonical text).
    pub target: String,
    /// For a paired target, the variant (1-based scenario position).
    pub variant: Option<usize>,
    /// Mean (of the index, or of the paired difference).
    pub mean: f64,
    /// Half-width of the confidence sequence.
    pub half_width: f64,
    /// Samples with a non-zero value the interval rests on.
    pub nonzero_samples: u64,
    /// Whether the target is met.
    pub met: bool,
}

impl Judged {
    fn new(r: &Resolved, variant: Option<usize>, e: Estimate, n: u64, nonzero: u64) -> Judged {
        let half_width = e.se * cs_factor(n);
        let (lo, hi) = (e.mean - half_width, e.mean + half_width);
        let met = nonzero >= FEW_SAMPLES
            && half_width.is_finite()
            && match r.target.rule {
                Rule::Rel(x) => e.mean != 0.0 && half_width <= x * e.mean.abs(),
                Rule::Width(w) => 2.0 * half_width <= w,
                Rule::ExcludesZero => lo > 0.0 || hi < 0.0,
            };
        Judged {
            target: r.target.to_string(),
            variant,
            mean: e.mean,
            half_width,
            nonzero_samples: nonzero,
            met,
        }
    }

    /// The interval `[lo, hi]`; a run's own index is never negative, so its lower end is
    /// at least 0.
    pub fn interval(&self) -> [f64; 2] {
        let lo = self.mean - self.half_width;
        let lo = if self.variant.is_none() {
            lo.max(0.0)
        } else {
            lo
        };
        [lo, self.mean + self.half_width]
    }
}

/// Every target of a run, judged on its merged accumulators.
pub fn judge_run(targets: &[Resolved], acc: &Indices) -> Vec<Judged> {
    targets
        .iter()
        .map(|r| {
            let e = acc.total(r.area, r.target.index);
            let nonzero = acc.lole.shortfall_samples(r.area);
            Judged::new(r, None, e, acc.samples(), nonzero)
        })
        .collect()
}

/// Every target of a comparison, for every variant, judged on its merged accumulators.
pub fn judge_comparison(targets: &[Resolved], acc: &Comparison) -> Vec<Judged> {
    (1..acc.indices.len())
        .flat_map(|k| {
            targets.iter().map(move |r| {
                let (e, nonzero) = acc.paired(k, r.area, r.target.index);
                Judged::new(r, Some(k), e, acc.indices[0].samples(), nonzero)
            })
        })
        .collect()
}

/// Whether a run may stop: some targets, every one met.
pub fn all_met(judged: &[Judged]) -> bool {
    !judged.is_empty() && judged.iter().all(|j| j.met)
}

/// The `"stop"` section of a run or comparison with targets: the rule, the cap, whether
/// every target was met and why the run stopped, the interval used, and each target's
/// achieved interval (with its variant's label in a comparison, `labels[k]`).
pub fn stop_json(max_samples: u64, samples: u64, judged: &[Judged], labels: &[String]) -> Value {
    let met = all_met(judged);
    let reason = if met {
        format!("every target met after {samples} samples")
    } else {
        format!("sample cap reached ({samples} samples) before every target was met")
    };
    let targets: Vec<Value> = judged
        .iter()
        .map(|j| {
            let mut t = json!({"target": j.target});
            if let Some(k) = j.variant {
                t["variant"] = labels.get(k).cloned().unwrap_or_default().into();
            }
            t["met"] = j.met.into();
            t["mean"] = finite(j.mean);
            t["half_width"] = finite(j.half_width);
            t["interval"] = json!(j.interval().map(finite));
            t["nonzero_samples"] = j.nonzero_samples.into();
            t
        })
        .collect();
    json!({
        "rule": "targets",
        "max_samples": max_samples,
        "met": met,
        "reason": reason,
        "interval": format!(
            "anytime-valid 95% confidence sequence (normal mixture, asymptotic; narrowest at {TUNED_AT_SAMPLES} samples; judged from {FEW_SAMPLES} non-zero samples)"
        ),
        "targets": targets,
    })
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        x.into()
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::Z95;

    #[test]
    fn targets_parse_and_print_canonically() {
        for (text, canonical) in [
            ("lole_h:rel=0.05", "lole_h@system:rel=0.05"),
            ("eue_mwh@SOUTH:width=100", "eue_mwh@SOUTH:width=100"),
            (
                "diff:eue_mwh@system:excludes-zero",
                "diff:eue_mwh@system:excludes-zero",
            ),
            (
                "diff:p_shortfall:rel=0.5",
                "diff:p_shortfall@system:rel=0.5",
            ),
        ] {
            let t: Target = text.parse().unwrap();
            assert_eq!(t.to_string(), canonical);
            assert_eq!(canonical.parse::<Target>().unwrap(), t);
        }
        let t: Target = "diff:lolf@A:width=2.5".parse().unwrap();
        assert_eq!(
            t,
            Target {
                paired: true,
                index: 2,
                area: Some("A".into()),
                rule: Rule::Width(2.5)
            }
        );
    }

    #[test]
    fn bad_targets_name_what_is_wrong() {
        for (text, expect) in [
            ("lole_h", "expected [diff:]INDEX[@AREA]:RULE"),
            ("lole_h@:rel=0.1", "expected [diff:]INDEX[@AREA]:RULE"),
            ("lold_h:rel=0.1", "unknown index 'lold_h'"),
            ("foo@SOUTH:width=1", "expected one of lole_h, lole_d"),
            ("eue_mwh:width=0", "width: expected a positive number"),
            ("eue_mwh:width=-5", "got '-5'"),
            ("eue_mwh:width=inf", "got 'inf'"),
            ("eue_mwh:rel=1", "rel: expected a number in (0, 1)"),
            ("eue_mwh:rel=nan", "rel: expected a number in (0, 1)"),
            ("eue_mwh:wide=3", "unknown rule 'wide=3'"),
            ("eue_mwh:excludes-zero", "write diff:eue_mwh:excludes-zero"),
        ] {
            let e = text.parse::<Target>().unwrap_err().to_string();
            assert!(e.contains(expect), "{text}: {e}");
        }
    }

    #[test]
    fn the_sequence_is_wider_than_the_fixed_interval_and_narrowest_near_its_tuning() {
        // At n* the factor is 3.04 (module doc); never below the fixed-n 1.96.
        assert!((cs_factor(TUNED_AT_SAMPLES) - 3.035).abs() < 0.001);
        for n in [2, 10, 100, 1_000, 100_000, 10_000_000] {
            assert!(cs_factor(n) > Z95, "{n}");
        }
        // The half-width in standard deviations, c(n) / sqrt(n), shrinks with n.
        let sd_units = |n: u64| cs_factor(n) / (n as f64).sqrt();
        assert!(sd_units(1_000) > sd_units(2_000) && sd_units(2_000) > sd_units(4_000));
        // Textbook value from the boundary sqrt((V + rho) ln((V + rho) / (rho alpha^2)))
        // of Howard et al. with V = n sd^2, rho = sd^2 / rho^2, sd = 1, divided by n.
        let n = 500.0;
        let l = -2.0 * ALPHA.ln();
        let r2 = (l + (1.0 + l).ln()) / TUNED_AT_SAMPLES as f64;
        let (v, rho) = (n, 1.0 / r2);
        let half = ((v + rho) * ((v + rho) / (rho * ALPHA * ALPHA)).ln()).sqrt() / n;
        assert!((cs_factor(500) / n.sqrt() - half).abs() < 1e-12);
        assert_eq!(cs_factor(1), f64::INFINITY);
    }

    #[test]
    fn rules_need_enough_non_zero_samples() {
        let r = |rule| Resolved {
            target: Target {
                paired: true,
                index: 0,
                area: None,
                rule,
            },
            area: 1,
        };
        let e = Estimate::new(2.0, 0.1);
        let half = 0.1 * cs_factor(1000);
        for (rule, met) in [
            (Rule::ExcludesZero, true),
            (Rule::Width(2.0 * half + 1e-9), true),
            (Rule::Width(2.0 * half - 1e-9), false),
            (Rule::Rel(half / 2.0 + 1e-9), true),
            (Rule::Rel(half / 2.0 - 1e-9), false),
        ] {
            assert_eq!(
                Judged::new(&r(rule), Some(1), e, 1000, 30).met,
                met,
                "{rule:?}"
            );
            assert!(!Judged::new(&r(rule), Some(1), e, 1000, 29).met, "{rule:?}");
        }
        // An interval reaching 0 does not exclude it; a negative one does.
        let near = Estimate::new(0.5 * half, 0.1);
        assert!(!Judged::new(&r(Rule::ExcludesZero), Some(1), near, 1000, 99).met);
        let below = Estimate::new(-1.5 * half, 0.1);
        assert!(Judged::new(&r(Rule::ExcludesZero), Some(1), below, 1000, 99).met);
    }
}
