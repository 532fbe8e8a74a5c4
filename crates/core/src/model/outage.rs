//! The outage process of a component that can fail, in one of two time conventions.
//!
//! A component is up or down, and its state in study hour `h` is its state in step `h`:
//!
//! * **Continuous time** ([`OutageModel::Continuous`], the default): up times are
//!   exponential with mean `mttf_h`, down times with mean `mttr_h`, and the state in hour `h`
//!   is the state at the start of the hour (time `h`). Failure rate λ = 1/MTTF, repair rate
//!   μ = 1/MTTR; stationary availability A = MTTF / (MTTF + MTTR) = μ / (λ + μ). Two
//!   transitions inside one hour are never seen.
//! * **Discrete time** ([`OutageModel::Discrete`], PRAS's convention): a component up in
//!   step `t` is down in step `t + 1` with probability `p_fail` (λ), and a component down
//!   in step `t` is up in step `t + 1` with probability `p_repair` (μ). Up and down times
//!   are geometric, P(K = k) = (1 − p)^(k − 1) p for k ≥ 1 steps, of mean 1/p steps; the
//!   stationary availability is A = μ / (λ + μ), and the initial state is drawn from it, as
//!   PRAS does (`PRASCore.jl/src/Simulations/utils.jl`, `initialize_availability!`, lines
//!   8-10: `online = rand(rng) < μ / (λ + μ)`, at commit c793303 of NatLabRockies/PRAS).
//!   With λ + μ = 1 a component's states in successive steps are independent.
//!
//! In both conventions one hour later a component is up with probability
//! A + (1 − A)(1 − e) if it was up, where `e` is [`OutageModel::hour_mixing`]: the
//! correlation of its state one hour apart is 1 − e.

use super::Outage;

/// The outage parameters of one component.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutageModel {
    /// Exponential up and down times (mean hours); the state in an hour is the state at
    /// its start.
    Continuous(Outage),
    /// Per-step transition probabilities (PRAS's convention).
    Discrete {
        /// Probability that a component up in one step is down in the next, in [0, 1).
        p_fail: f64,
        /// Probability that a component down in one step is up in the next, in (0, 1].
        p_repair: f64,
    },
}

impl From<Outage> for OutageModel {
    fn from(o: Outage) -> OutageModel {
        OutageModel::Continuous(o)
    }
}

impl OutageModel {
    /// Stationary availability: MTTF / (MTTF + MTTR), or p_repair / (p_fail + p_repair).
    pub fn availability(&self) -> f64 {
        match *self {
            OutageModel::Continuous(o) => o.mttf_h / (o.mttf_h + o.mttr_h),
            OutageModel::Discrete { p_fail, p_repair } => p_repair / (p_fail + p_repair),
        }
    }

    /// Stationary unavailability (the forced outage rate): MTTR / (MTTF + MTTR), or
    /// p_fail / (p_fail + p_repair).
    pub fn unavailability(&self) -> f64 {
        match *self {
            OutageModel::Continuous(o) => o.mttr_h / (o.mttf_h + o.mttr_h),
            OutageModel::Discrete { p_fail, p_repair } => p_fail / (p_fail + p_repair),
        }
    }

    /// `e` such that P(down one hour later | up) = (1 − A) e and P(up one hour later | down)
    /// = A e: 1 − exp(−(λ + μ)) in continuous time, p_fail + p_repair in discrete time.
    pub fn hour_mixing(&self) -> f64 {
        match *self {
            // By expm1 for accuracy on slow components.
            OutageModel::Continuous(o) => -(-(1.0 / o.mttf_h + 1.0 / o.mttr_h)).exp_m1(),
            OutageModel::Discrete { p_fail, p_repair } => p_fail + p_repair,
        }
    }

    /// Check the domain of the parameters; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            OutageModel::Continuous(o) => {
                if !(o.mttf_h.is_finite() && o.mttf_h > 0.0) {
                    return Err(format!(
                        "mttf_h must be a positive number of hours, got {}",
                        o.mttf_h
                    ));
                }
                if !(o.mttr_h.is_finite() && o.mttr_h > 0.0) {
                    return Err(format!(
                        "mttr_h must be a positive number of hours, got {}",
                        o.mttr_h
                    ));
                }
            }
            OutageModel::Discrete { p_fail, p_repair } => {
                if !(0.0..1.0).contains(&p_fail) {
                    return Err(format!(
                        "failure_probability must be in [0, 1), got {p_fail}"
                    ));
                }
                if !(p_repair > 0.0 && p_repair <= 1.0) {
                    return Err(format!(
                        "repair_probability must be in (0, 1], got {p_repair}"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_conventions_have_their_stationary_availability() {
        let c = OutageModel::from(Outage {
            mttf_h: 900.0,
            mttr_h: 100.0,
        });
        assert_eq!(c.availability(), 0.9);
        assert_eq!(c.unavailability(), 0.1);
        let d = OutageModel::Discrete {
            p_fail: 0.1,
            p_repair: 0.9,
        };
        assert_eq!(d.availability(), 0.9);
        assert_eq!(d.unavailability(), 0.1);
        // λ + μ = 1: independent from step to step.
        assert_eq!(d.hour_mixing(), 1.0);
        assert!((c.hour_mixing() - (1.0 - (-(1.0 / 900.0 + 0.01f64)).exp())).abs() < 1e-15);
        assert!(d.check().is_ok() && c.check().is_ok());
        for (p_fail, p_repair) in [
            (1.0, 0.5),
            (-0.1, 0.5),
            (0.1, 0.0),
            (0.1, 1.5),
            (f64::NAN, 1.0),
        ] {
            assert!(OutageModel::Discrete { p_fail, p_repair }.check().is_err());
        }
    }
}
