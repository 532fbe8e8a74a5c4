//! Sampling of the weather of one sample: daily temperature anomalies per weather zone, the
//! load-forecast error, and the day-to-day multipliers of the variable renewable plants.
//!
//! This module owns the random side of [`gridrisk_core::model::Weather`] and of the daily
//! variability of [`gridrisk_core::model::Vre`]; what the anomalies do to demand, to failure
//! rates and to export caps is applied elsewhere.
//!
//! # Model
//!
//! Zone `z` has a stationary anomaly sd `s_z` and a persistence `phi_z`; `C` is the
//! correlation matrix of the scenario, `L` its lower Cholesky factor. Anomalies, in °C:
//!
//! ```text
//! a[z][0] = s_z * x_z,                                  x ~ N(0, S0)   (stationary start)
//! a[z][d] = phi_z * a[z][d-1] + s_z * sqrt(1 - phi_z^2) * e_z[d],   e[d] ~ N(0, C)
//! anomaly_c(z, d) = a[z][d] + shift_c
//! ```
//!
//! Each zone's anomaly has mean `shift_c`, sd `s_z` on every day and lag-1 autocorrelation
//! `phi_z`. `C` is the correlation of the *innovations*; the correlation of two zones'
//! same-day anomalies is
//!
//! ```text
//! S0[i][j] = C[i][j] * sqrt((1 - phi_i^2) (1 - phi_j^2)) / (1 - phi_i phi_j)
//! ```
//!
//! on every day (the law of the pair is stationary). When all persistences are equal the
//! factor is exactly 1 and `S0 = C` (then the Cholesky factor of `S0` *is* `L`); otherwise
//! it is below 1 (0.98 for persistences 0.8 and 0.6), so unequal persistences weaken the
//! same-day correlation slightly. `S0` is positive definite whenever `C` is (Schur product
//! theorem), and is factored once, at construction.
//!
//! The load-forecast error is `load_forecast_error + load_forecast_sd * z`: a fixed part and
//! one standard normal `z` per sample.
//!
//! A VRE plant with daily sd `v` and persistence `rho` has the multiplier
//! `m[d] = max(0, 1 + v * y[d])`, with `y` a standard AR(1) series:
//! `y[0] = z_0`, `y[d] = rho * y[d-1] + sqrt(1 - rho^2) * z_d`. The caller multiplies the
//! hourly profile by `m[d]` and clips the product to at most 1.
//!
//! # Random streams and normals
//!
//! * the weather of all zones: one stream `(component_id("weather"), Purpose::Weather)`,
//!   drawn day by day and, within a day, zone by zone in index order (day 0 draws the
//!   stationary start);
//! * the forecast error: `(component_id("forecast"), Purpose::Forecast)`, one draw;
//! * VRE plant `p`: `(component_id("vre:" + name), Purpose::Renewable)`, day by day.
//!
//! So editing one plant leaves every other draw unchanged (common random numbers). A stream
//! whose draws cannot matter (no zones, a zero forecast sd, a zero daily sd) is not used.
//!
//! Every standard normal is one uniform `u = k 2^-53` ([`Stream::uniform`]) mapped to the
//! midpoint `p = (k + 1/2) 2^-53` of its cell and inverted with [`normal_quantile`]: for
//! `u < 1/2` as `Q(p)`, otherwise as `-Q(1 - p)`, where `p` and `1 - p` are both exact in
//! `f64`. The draws are therefore a monotone function of `u`, never infinite (at most
//! 8.29 in magnitude), and exactly symmetric. All arithmetic is plain `f64` in a fixed
//! order (no fused multiply-add, `libm` logarithm), so every machine gets the same bits.

use gridrisk_core::model::{component_id, Vre, Weather};
use nalgebra::DMatrix;
use thiserror::Error;

use crate::rng::{Purpose, SampleKey, Stream};

/// Why a weather model cannot be sampled.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum WeatherError {
    /// The correlation matrix does not have `zones x zones` entries.
    #[error(
        "weather correlation matrix has {got} entries, expected {zones} x {zones} = {expected}"
    )]
    CorrelationSize {
        /// Number of zones.
        zones: usize,
        /// `zones * zones`.
        expected: usize,
        /// Number of entries given.
        got: usize,
    },
    /// A correlation is not a finite number in [-1, 1].
    #[error(
        "weather correlation between zones `{a}` and `{b}` is {value}, not a number in [-1, 1]"
    )]
    CorrelationRange {
        /// Row zone.
        a: String,
        /// Column zone.
        b: String,
        /// The entry.
        value: f64,
    },
    /// A diagonal entry of the correlation matrix is not 1.
    #[error("weather correlation of zone `{zone}` with itself is {value}, must be 1")]
    CorrelationDiagonal {
        /// Zone.
        zone: String,
        /// The diagonal entry.
        value: f64,
    },
    /// The correlation matrix is not symmetric.
    #[error(
        "weather correlation matrix is not symmetric: `{a}`-`{b}` is {ab} but `{b}`-`{a}` is {ba}"
    )]
    CorrelationAsymmetric {
        /// Row zone.
        a: String,
        /// Column zone.
        b: String,
        /// Entry (a, b).
        ab: f64,
        /// Entry (b, a).
        ba: f64,
    },
    /// The correlation matrix is not positive definite (its Cholesky factorisation failed).
    #[error(
        "weather correlation matrix is not positive definite (Cholesky factorisation failed); \
         check that the pairwise correlations are consistent with each other"
    )]
    NotPositiveDefinite,
    /// A zone's anomaly sd is negative or not finite.
    #[error("anomaly sd of weather zone `{zone}` is {value} °C, must be finite and >= 0")]
    ZoneSd {
        /// Zone.
        zone: String,
        /// The sd.
        value: f64,
    },
    /// A zone's persistence is outside [0, 1).
    #[error("persistence of weather zone `{zone}` is {value}, must be in [0, 1)")]
    ZonePersistence {
        /// Zone.
        zone: String,
        /// The persistence.
        value: f64,
    },
    /// The weather shift is not finite.
    #[error("weather shift is {0} °C, must be finite")]
    Shift(f64),
    /// The load-forecast sd is negative or not finite.
    #[error("load-forecast sd is {0}, must be finite and >= 0")]
    ForecastSd(f64),
    /// The fixed load-forecast error is not finite.
    #[error("load-forecast error is {0}, must be finite")]
    ForecastError(f64),
    /// A regional climate refers to a zone that does not exist.
    #[error("region {region} refers to weather zone {zone}, but there are only {zones} zones")]
    ClimateZone {
        /// Region index.
        region: usize,
        /// Zone index given.
        zone: usize,
        /// Number of zones.
        zones: usize,
    },
    /// A VRE plant's daily sd is negative or not finite.
    #[error("daily sd of renewable plant `{plant}` is {value}, must be finite and >= 0")]
    VreSd {
        /// Plant.
        plant: String,
        /// The sd.
        value: f64,
    },
    /// A VRE plant's persistence is outside [0, 1).
    #[error("persistence of renewable plant `{plant}` is {value}, must be in [0, 1)")]
    VrePersistence {
        /// Plant.
        plant: String,
        /// The persistence.
        value: f64,
    },
}

/// One daily AR(1) series with a stationary start (a VRE plant's variability).
#[derive(Clone, Debug)]
struct Plant {
    /// Stream id: `component_id("vre:" + name)`.
    stream_id: u64,
    /// Relative daily sd.
    sd: f64,
    /// Persistence.
    phi: f64,
    /// `sqrt(1 - phi^2)`.
    innovation: f64,
}

/// Draws the weather of one sample: anomalies per zone and day, the load-forecast error,
/// and the daily multipliers of the VRE plants (see the [module documentation](self)).
///
/// Built once per worker from the model; validated (correlation symmetric, unit diagonal,
/// positive definite via Cholesky (nalgebra); sd >= 0; persistence in [0,1)).
#[derive(Clone, Debug)]
pub struct WeatherSampler {
    days: usize,
    zones: usize,
    /// Stationary sd of each zone's anomaly, °C.
    sd: Vec<f64>,
    /// Persistence of each zone.
    phi: Vec<f64>,
    /// `sd * sqrt(1 - phi^2)` of each zone.
    innovation_sd: Vec<f64>,
    /// Lower Cholesky factor of the innovations' correlation `C`, row-major `zones x zones`.
    chol: Vec<f64>,
    /// Lower Cholesky factor of the day-0 correlation `S0`, row-major `zones x zones`.
    chol_start: Vec<f64>,
    shift_c: f64,
    forecast_sd: f64,
    /// The fixed part of the forecast error (`load_forecast_error`).
    forecast_fixed: f64,
    plants: Vec<Plant>,
}

/// The weather of one sample, filled by [`WeatherSampler::sample`].
#[derive(Clone, Debug, Default)]
pub struct WeatherDraw {
    zones: usize,
    plants: usize,
    days: usize,
    /// Anomalies including the shift, `zones x days`, zone-major, °C.
    anomaly: Vec<f64>,
    /// VRE multipliers, `plants x days`, plant-major.
    vre: Vec<f64>,
    forecast_error: f64,
    /// Scratch: the day's independent normals.
    normals: Vec<f64>,
    /// Scratch: the anomalies without the shift on the current day.
    state: Vec<f64>,
}

impl WeatherDraw {
    /// An empty draw sized for `zones` weather zones, `plants` VRE plants and `days` days
    /// (all anomalies and the forecast error 0, all multipliers 1).
    pub fn new(zones: usize, plants: usize, days: usize) -> WeatherDraw {
        WeatherDraw {
            zones,
            plants,
            days,
            anomaly: vec![0.0; zones * days],
            vre: vec![1.0; plants * days],
            forecast_error: 0.0,
            normals: vec![0.0; zones],
            state: vec![0.0; zones],
        }
    }

    /// Number of weather zones.
    pub fn zones(&self) -> usize {
        self.zones
    }

    /// Number of VRE plants.
    pub fn plants(&self) -> usize {
        self.plants
    }

    /// Number of days.
    pub fn days(&self) -> usize {
        self.days
    }

    /// Temperature anomaly of `zone` on `day` (study day from the window start), °C,
    /// including the weather shift.
    #[inline]
    pub fn anomaly_c(&self, zone: usize, day: usize) -> f64 {
        assert!(day < self.days, "day {day} out of {}", self.days);
        self.anomaly[zone * self.days + day]
    }

    /// All daily anomalies of `zone`, °C, including the weather shift.
    #[inline]
    pub fn zone_anomalies_c(&self, zone: usize) -> &[f64] {
        &self.anomaly[zone * self.days..(zone + 1) * self.days]
    }

    /// The load-forecast error of the sample, a fraction (demand profile x (1 + error)).
    #[inline]
    pub fn forecast_error(&self) -> f64 {
        self.forecast_error
    }

    /// Multiplier of VRE `plant`'s hourly profile on `day` (>= 0; the caller clips
    /// profile x multiplier to at most 1).
    #[inline]
    pub fn vre_factor(&self, plant: usize, day: usize) -> f64 {
        assert!(day < self.days, "day {day} out of {}", self.days);
        self.vre[plant * self.days + day]
    }

    /// All daily multipliers of VRE `plant`.
    #[inline]
    pub fn vre_factors(&self, plant: usize) -> &[f64] {
        &self.vre[plant * self.days..(plant + 1) * self.days]
    }

    /// Resize for a sampler's dimensions (allocates only if they changed).
    fn fit(&mut self, zones: usize, plants: usize, days: usize) {
        if (self.zones, self.plants, self.days) != (zones, plants, days)
            || self.normals.len() != zones
            || self.state.len() != zones
        {
            *self = WeatherDraw::new(zones, plants, days);
        }
    }
}

/// Checks that `value` is in [0, 1).
fn is_persistence(value: f64) -> bool {
    (0.0..1.0).contains(&value)
}

/// The lower Cholesky factor of the symmetric matrix whose lower triangle is given by
/// `entry(i, j)` (`i >= j`), row-major, or `None` if it is not positive definite.
fn cholesky(n: usize, entry: impl Fn(usize, usize) -> f64) -> Option<Vec<f64>> {
    let m = DMatrix::from_fn(n, n, |i, j| if i >= j { entry(i, j) } else { entry(j, i) });
    let l = m.cholesky()?.unpack();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v = l[(i, j)];
            if !v.is_finite() || (i == j && v <= 0.0) {
                return None;
            }
            out[i * n + j] = v;
        }
    }
    Some(out)
}

impl WeatherSampler {
    /// A sampler of `days` days of `weather` and of the daily variability of the plants
    /// `vre` (multiplier `p` of a [`WeatherDraw`] is `vre[p]`).
    pub fn new(
        weather: &Weather,
        vre: &[Vre],
        days: usize,
    ) -> Result<WeatherSampler, WeatherError> {
        let zones = &weather.zones;
        let n = zones.len();
        let name = |i: usize| zones[i].name.clone();

        for zone in zones {
            if !(zone.anomaly_sd_c.is_finite() && zone.anomaly_sd_c >= 0.0) {
                return Err(WeatherError::ZoneSd {
                    zone: zone.name.clone(),
                    value: zone.anomaly_sd_c,
                });
            }
            if !is_persistence(zone.persistence) {
                return Err(WeatherError::ZonePersistence {
                    zone: zone.name.clone(),
                    value: zone.persistence,
                });
            }
        }
        if !weather.shift_c.is_finite() {
            return Err(WeatherError::Shift(weather.shift_c));
        }
        if !(weather.load_forecast_sd.is_finite() && weather.load_forecast_sd >= 0.0) {
            return Err(WeatherError::ForecastSd(weather.load_forecast_sd));
        }
        if !weather.load_forecast_error.is_finite() {
            return Err(WeatherError::ForecastError(weather.load_forecast_error));
        }
        if let Some(c) = weather.climates.iter().find(|c| c.zone >= n) {
            return Err(WeatherError::ClimateZone {
                region: c.region,
                zone: c.zone,
                zones: n,
            });
        }

        let c = &weather.correlation;
        if c.len() != n * n {
            return Err(WeatherError::CorrelationSize {
                zones: n,
                expected: n * n,
                got: c.len(),
            });
        }
        for i in 0..n {
            for j in 0..n {
                let v = c[i * n + j];
                if !(v.is_finite() && (-1.0..=1.0).contains(&v)) {
                    return Err(WeatherError::CorrelationRange {
                        a: name(i),
                        b: name(j),
                        value: v,
                    });
                }
            }
        }
        for i in 0..n {
            let v = c[i * n + i];
            if (v - 1.0).abs() > 1e-12 {
                return Err(WeatherError::CorrelationDiagonal {
                    zone: name(i),
                    value: v,
                });
            }
            for j in 0..i {
                let (ij, ji) = (c[i * n + j], c[j * n + i]);
                if (ij - ji).abs() > 1e-12 {
                    return Err(WeatherError::CorrelationAsymmetric {
                        a: name(i),
                        b: name(j),
                        ab: ij,
                        ba: ji,
                    });
                }
            }
        }

        let phi: Vec<f64> = zones.iter().map(|z| z.persistence).collect();
        // Unit diagonal exactly; the lower triangle otherwise.
        let corr = |i: usize, j: usize| if i == j { 1.0 } else { c[i * n + j] };
        let chol = cholesky(n, corr).ok_or(WeatherError::NotPositiveDefinite)?;
        let equal_persistence = phi.iter().all(|&p| p == phi[0]);
        let chol_start = if equal_persistence {
            chol.clone()
        } else {
            cholesky(n, |i, j| {
                if i == j || phi[i] == phi[j] {
                    corr(i, j)
                } else {
                    let k = ((1.0 - phi[i] * phi[i]) * (1.0 - phi[j] * phi[j])).sqrt()
                        / (1.0 - phi[i] * phi[j]);
                    corr(i, j) * k
                }
            })
            .ok_or(WeatherError::NotPositiveDefinite)?
        };

        let mut plants = Vec::with_capacity(vre.len());
        for p in vre {
            if !(p.daily_sd.is_finite() && p.daily_sd >= 0.0) {
                return Err(WeatherError::VreSd {
                    plant: p.name.clone(),
                    value: p.daily_sd,
                });
            }
            if !is_persistence(p.persistence) {
                return Err(WeatherError::VrePersistence {
                    plant: p.name.clone(),
                    value: p.persistence,
                });
            }
            plants.push(Plant {
                stream_id: component_id(&format!("vre:{}", p.name)),
                sd: p.daily_sd,
                phi: p.persistence,
                innovation: (1.0 - p.persistence * p.persistence).sqrt(),
            });
        }

        Ok(WeatherSampler {
            days,
            zones: n,
            sd: zones.iter().map(|z| z.anomaly_sd_c).collect(),
            innovation_sd: zones
                .iter()
                .map(|z| z.anomaly_sd_c * (1.0 - z.persistence * z.persistence).sqrt())
                .collect(),
            phi,
            chol,
            chol_start,
            shift_c: weather.shift_c,
            forecast_sd: weather.load_forecast_sd,
            forecast_fixed: weather.load_forecast_error,
            plants,
        })
    }

    /// Number of weather zones.
    pub fn zones(&self) -> usize {
        self.zones
    }

    /// Number of VRE plants.
    pub fn plants(&self) -> usize {
        self.plants.len()
    }

    /// Number of days.
    pub fn days(&self) -> usize {
        self.days
    }

    /// An empty draw of this sampler's size, to pass to [`WeatherSampler::sample`].
    pub fn draw(&self) -> WeatherDraw {
        WeatherDraw::new(self.zones, self.plants.len(), self.days)
    }

    /// Draw one sample's weather into `out` (no allocation after the first call):
    /// `anomalies[zone][day]` in °C (including `weather.shift_c`), the load-forecast error
    /// (a fraction: `load_forecast_error` plus a normal with sd `load_forecast_sd`), and each VRE plant's daily factor
    /// multiplier `m[plant][day] = max(0, 1 + daily_sd * z_d)` where `z` is a standard AR(1)
    /// series with the plant's persistence (stationary start).
    ///
    /// `out` is resized to this sampler if needed; its previous content does not matter.
    pub fn sample(&self, key: SampleKey, out: &mut WeatherDraw) {
        let (n, days) = (self.zones, self.days);
        out.fit(n, self.plants.len(), days);

        if n > 0 && days > 0 {
            let mut s = key.stream(component_id("weather"), Purpose::Weather);
            let WeatherDraw {
                anomaly,
                normals,
                state,
                ..
            } = out;
            for d in 0..days {
                for x in normals.iter_mut() {
                    *x = standard_normal(&mut s);
                }
                let l = if d == 0 { &self.chol_start } else { &self.chol };
                for z in 0..n {
                    let row = &l[z * n..z * n + z + 1];
                    let mut e = 0.0;
                    for (lz, x) in row.iter().zip(normals.iter()) {
                        e += lz * x;
                    }
                    state[z] = if d == 0 {
                        self.sd[z] * e
                    } else {
                        self.phi[z] * state[z] + self.innovation_sd[z] * e
                    };
                    anomaly[z * days + d] = state[z] + self.shift_c;
                }
            }
        }

        // `0.0 + x == x` exactly, so a zero fixed part leaves every draw's bits unchanged.
        out.forecast_error = self.forecast_fixed
            + if self.forecast_sd > 0.0 {
                let mut s = key.stream(component_id("forecast"), Purpose::Forecast);
                self.forecast_sd * standard_normal(&mut s)
            } else {
                0.0
            };

        for (p, plant) in self.plants.iter().enumerate() {
            let m = &mut out.vre[p * days..(p + 1) * days];
            if plant.sd == 0.0 || days == 0 {
                m.fill(1.0);
                continue;
            }
            let mut s = key.stream(plant.stream_id, Purpose::Renewable);
            let mut y = 0.0;
            for (d, m) in m.iter_mut().enumerate() {
                let x = standard_normal(&mut s);
                y = if d == 0 {
                    x
                } else {
                    plant.phi * y + plant.innovation * x
                };
                *m = (1.0 + plant.sd * y).max(0.0);
            }
        }
    }
}

/// 2^-54: half the spacing of the uniforms.
const HALF_CELL: f64 = 1.0 / (1u64 << 54) as f64;

/// A standard normal from one uniform of `s`, by inversion at the midpoint of the uniform's
/// cell (see the module documentation): monotone in the uniform, finite and symmetric.
#[inline]
pub fn standard_normal(s: &mut Stream) -> f64 {
    let u = s.uniform();
    if u < 0.5 {
        // u = k 2^-53 with k < 2^52: u + 2^-54 = (2k + 1) 2^-54 is exact.
        normal_quantile(u + HALF_CELL)
    } else {
        // 1 - u = (2^53 - k) 2^-53 is exact and <= 1/2, so is 1 - u - 2^-54.
        -normal_quantile((1.0 - u) - HALF_CELL)
    }
}

/// Evaluates `c[0] + c[1] r + ... + c[7] r^7` by Horner's rule, highest degree first.
#[inline]
fn poly7(c: &[f64; 8], r: f64) -> f64 {
    ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0]
}

/// AS241 central region (|p - 1/2| <= 0.425), numerator coefficients, in `r = 0.180625 - q^2`.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
/// AS241 central region, denominator coefficients.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
/// AS241 intermediate tail (`r = sqrt(-ln min(p, 1-p)) <= 5`), numerator, in `r - 1.6`.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
/// AS241 intermediate tail, denominator.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
/// AS241 far tail (`r > 5`), numerator, in `r - 5`.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
/// AS241 far tail, denominator.
#[allow(clippy::excessive_precision)] // the published digits of AS241
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Inverse of the standard normal CDF (Wichura's AS241, double precision, pure Rust, fixed operation order so every machine gets the same bits).
///
/// Wichura, M. J. (1988), "Algorithm AS 241: The percentage points of the normal
/// distribution", Applied Statistics 37(3), 477-484: rational approximations of degree 7
/// in three regions, relative accuracy about 1e-16. The logarithm is `libm::log` and the
/// square root is IEEE `sqrt` (correctly rounded), both the same on every machine.
///
/// `p <= 0` gives `-inf`, `p >= 1` gives `+inf`, NaN gives NaN.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly7(&A, r) / poly7(&B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-libm::log(tail)).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        poly7(&C, r) / poly7(&D, r)
    } else {
        let r = r - 5.0;
        poly7(&E, r) / poly7(&F, r)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::WeatherZone;

    fn zone(name: &str, sd: f64, phi: f64) -> WeatherZone {
        WeatherZone {
            name: name.into(),
            normal_c: -10.0,
            anomaly_sd_c: sd,
            persistence: phi,
        }
    }

    #[test]
    fn standard_normal_is_symmetric_and_finite() {
        // The extreme cells.
        let lo = normal_quantile(HALF_CELL);
        let hi = -normal_quantile((1.0 - (1.0 - 1.0 / (1u64 << 53) as f64)) - HALF_CELL);
        assert_eq!(lo, -hi);
        assert!(lo.is_finite() && lo < -8.2 && lo > -8.3, "{lo}");
        // The demand bound of `gridrisk_core::bounds` relies on this.
        assert!(lo.abs() <= gridrisk_core::bounds::MAX_STANDARD_NORMAL);
        // Around the middle: u just below and at 1/2.
        let below = normal_quantile((0.5 - 1.0 / (1u64 << 53) as f64) + HALF_CELL);
        let at = -normal_quantile((1.0 - 0.5) - HALF_CELL);
        assert_eq!(below, -at);
        assert!(below < 0.0 && at > 0.0);
    }

    #[test]
    fn unequal_persistence_start_factor() {
        let w = Weather {
            zones: vec![zone("a", 1.0, 0.8), zone("b", 1.0, 0.6)],
            correlation: vec![1.0, 0.5, 0.5, 1.0],
            ..Weather::default()
        };
        let s = WeatherSampler::new(&w, &[], 3).unwrap();
        let k = (0.36f64 * 0.64).sqrt() / (1.0 - 0.48);
        assert!((s.chol_start[2] - 0.5 * k).abs() < 1e-15);
        assert_eq!(s.chol[2], 0.5);
    }

    #[test]
    fn draw_is_refit_to_the_sampler() {
        let w = Weather {
            zones: vec![zone("a", 2.0, 0.5)],
            correlation: vec![1.0],
            ..Weather::default()
        };
        let s = WeatherSampler::new(&w, &[], 10).unwrap();
        let mut out = WeatherDraw::new(0, 0, 0);
        s.sample(SampleKey::new(1, 2), &mut out);
        assert_eq!((out.zones(), out.plants(), out.days()), (1, 0, 10));
        let mut fresh = s.draw();
        s.sample(SampleKey::new(1, 2), &mut fresh);
        assert_eq!(out.zone_anomalies_c(0), fresh.zone_anomalies_c(0));
    }
}
