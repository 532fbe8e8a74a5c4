//! The hourly inputs of one sample besides outages: demand (firm and interruptible, with its
//! mining parts), and extra supply (renewables, neighbours' inflows), per region and hour.
//!
//! Without [`gridrisk_core::model::Conditions`] these are the model's fixed demand profiles,
//! built once. With them, each sample draws its weather ([`crate::weather`]), its mining and
//! enforcement history ([`crate::mining`]) and its neighbours' exchanges
//! ([`crate::exchange`]), and fills, for region r and hour h:
//!
//! ```text
//! firm          = profile(h) x (1 + forecast error) + heating(day) + registered (firm)
//!                 + illegal + neighbour draws (firm)
//! interruptible = registered (interruptible) + scheduled exports (exchanges' and import
//!                 sources' schedules) + refusable bad-day draws
//! (an exchange adds nothing in the hours one of its `stops_with` disturbances is in progress)
//! extra supply  = renewables + neighbour inflows + scheduled imports
//! heating       = heating_w_per_c x max(0, threshold - max(normal + anomaly, -273.15 °C))
//! ```
//!
//! Import sources' schedules ([`crate::schedule`]) are deterministic: built once, they are
//! in these arrays in every sample (also in a model without conditions).
//!
//! Per block of [`PEAK_BLOCK_H`] hours it also keeps the largest total demand and the least
//! extra supply, which the sampler uses to skip blocks.

use crate::exchange::{self, RegionHours};
use crate::mining::{MiningDraw, MiningHours, MiningSampler};
use crate::rng::SampleKey;
use crate::schedule::Schedules;
use crate::weather::{WeatherDraw, WeatherSampler};
use gridrisk_core::bounds::ABSOLUTE_ZERO_C;
use gridrisk_core::model::PEAK_BLOCK_H;
use gridrisk_core::SystemModel;

/// An invalid weather or mining model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The weather model is invalid.
    #[error("weather: {0}")]
    Weather(#[from] crate::weather::WeatherError),
    /// The mining model is invalid.
    #[error("mining: {0}")]
    Mining(#[from] crate::mining::MiningError),
}

/// Per-worker sample inputs, reused for every sample.
pub struct Inputs<'m> {
    model: &'m SystemModel,
    stochastic: bool,
    weather: Option<(WeatherSampler, WeatherDraw)>,
    mining: Option<(MiningSampler, MiningDraw)>,
    hours: usize,
    blocks: usize,
    /// Firm demand, `r * hours + h`, watts.
    pub firm_w: Vec<i64>,
    /// Interruptible demand, `r * hours + h`, watts.
    pub interruptible_w: Vec<i64>,
    /// Part of the interruptible demand that is registered mining, `r * hours + h`, watts.
    pub mining_interruptible_w: Vec<i64>,
    /// Part of the firm demand that is illegal mining, `r * hours + h`, watts.
    pub illegal_w: Vec<i64>,
    /// Part of the firm demand that is registered mining, `r * hours + h`, watts.
    pub registered_firm_w: Vec<i64>,
    /// Extra supply, `r * hours + h`, watts.
    pub supply_w: Vec<i64>,
    /// Largest firm + interruptible demand per block, `r * blocks + b`.
    pub block_peak_w: Vec<i64>,
    /// Least extra supply per block, `r * blocks + b`.
    pub block_supply_w: Vec<i64>,
    /// Export-cap factor of each import source per day, `s * days + d` (cold days).
    pub source_factor: Vec<f64>,
    /// Firm demand energy per area (regions, then the system), watt-hours.
    pub demand_wh: Vec<i64>,
    /// Import sources' schedules, if any source has one.
    pub schedules: Option<Schedules>,
    /// The hours an exchange is stopped (one exchange at a time; empty if no exchange has
    /// `stops_with`).
    stopped: Vec<bool>,
}

impl<'m> Inputs<'m> {
    /// Inputs for `model`, checked.
    pub fn new(model: &'m SystemModel) -> Result<Inputs<'m>, InputError> {
        let regions = model.regions().len();
        let hours = model.hours();
        let days = model.calendar().days();
        let blocks = hours.div_ceil(PEAK_BLOCK_H);
        let cond = model.conditions();
        let weather = if cond.weather.zones.is_empty()
            && cond.weather.load_forecast_sd == 0.0
            && cond.weather.load_forecast_error == 0.0
            && cond.vre.is_empty()
        {
            None
        } else {
            let w = &cond.weather;
            Some((
                WeatherSampler::new(w, &cond.vre, days)?,
                WeatherDraw::new(w.zones.len(), cond.vre.len(), days),
            ))
        };
        let mining = if cond.mining.is_empty() {
            None
        } else {
            Some((
                MiningSampler::new(&cond.mining, regions, model.calendar())?,
                MiningDraw::new(regions, hours),
            ))
        };
        let mut inputs = Inputs {
            model,
            stochastic: !cond.is_empty(),
            weather,
            mining,
            hours,
            blocks,
            firm_w: model
                .regions()
                .iter()
                .flat_map(|r| r.demand_w().iter().copied())
                .collect(),
            interruptible_w: vec![0; regions * hours],
            mining_interruptible_w: vec![0; regions * hours],
            illegal_w: vec![0; regions * hours],
            registered_firm_w: vec![0; regions * hours],
            supply_w: vec![0; regions * hours],
            block_peak_w: vec![0; regions * blocks],
            block_supply_w: vec![0; regions * blocks],
            source_factor: vec![1.0; model.network().imports.len() * days],
            demand_wh: vec![0; regions + 1],
            schedules: Schedules::of(model),
            stopped: if cond.exchanges.iter().any(|x| !x.stops_with.is_empty()) {
                vec![false; hours]
            } else {
                Vec::new()
            },
        };
        if let Some(s) = &inputs.schedules {
            inputs.interruptible_w.copy_from_slice(&s.export_w);
            inputs.supply_w.copy_from_slice(&s.supply_w);
        }
        inputs.summarise();
        Ok(inputs)
    }

    /// The weather of the current sample, if the model has weather.
    pub fn weather(&self) -> Option<&WeatherDraw> {
        self.weather.as_ref().map(|(_, d)| d)
    }

    /// The mining of the current sample, if the model has mining.
    pub fn mining(&self) -> Option<&MiningDraw> {
        self.mining.as_ref().map(|(_, d)| d)
    }

    /// Draw the weather of sample `key` (before the outages, which may depend on it).
    pub fn draw_weather(&mut self, key: SampleKey) {
        if let Some((sampler, draw)) = self.weather.as_mut() {
            sampler.sample(key, draw);
        }
    }

    /// Fill the hourly arrays of sample `key` (after [`Inputs::draw_weather`]);
    /// `disturbed[d * hours + h]` says whether disturbance `d` is in progress in hour `h`
    /// (needed only if an exchange has `stops_with`, else it may be empty).
    pub fn fill(&mut self, key: SampleKey, disturbed: &[bool]) {
        if !self.stochastic {
            return;
        }
        let model = self.model;
        let cond = model.conditions();
        let cal = model.calendar();
        let hours = self.hours;
        let forecast = self.weather().map_or(0.0, |w| w.forecast_error());
        if let Some((sampler, draw)) = self.mining.as_mut() {
            sampler.sample(key, draw);
        }
        for (r, region) in model.regions().iter().enumerate() {
            let climate = cond.weather.climates.iter().find(|c| c.region == r);
            let row = r * hours..(r + 1) * hours;
            // Day by day: the temperature anomaly is drawn per day.
            let steps_per_day = 24 * cal.steps_per_hour();
            let firm = self.firm_w[row.clone()].chunks_mut(steps_per_day);
            let profile = region.demand_w().chunks(steps_per_day);
            let scale = 1.0 + forecast;
            for (d, (day_w, profile_w)) in firm.zip(profile).enumerate() {
                let weather = self.weather.as_ref().map(|x| &x.1);
                let anomaly_c = climate.zip(weather).map(|(c, w)| w.anomaly_c(c.zone, d));
                // Heating is the same in every hour of the day: computed once per day.
                let heating_w = match (climate, anomaly_c) {
                    (Some(c), Some(anomaly_c)) => {
                        // Never below absolute zero: this bounds heating demand (see
                        // `gridrisk_core::bounds`) whatever the anomaly's law.
                        let t =
                            (cond.weather.zones[c.zone].normal_c + anomaly_c).max(ABSOLUTE_ZERO_C);
                        (c.heating_w_per_c * (c.threshold_c - t).max(0.0) + 0.5) as i64
                    }
                    _ => 0,
                };
                for (f, &p) in day_w.iter_mut().zip(profile_w) {
                    // Rounded half up by truncation (values are >= 0), without a libm call.
                    *f = ((p as f64 * scale + 0.5) as i64 + heating_w).max(0);
                }
            }
            match &self.schedules {
                Some(s) => {
                    self.interruptible_w[row.clone()].copy_from_slice(&s.export_w[row.clone()]);
                    self.supply_w[row.clone()].copy_from_slice(&s.supply_w[row.clone()]);
                }
                None => {
                    self.supply_w[row.clone()].fill(0);
                    // With mining, its interruptible part is stored below instead.
                    if self.mining.is_none() {
                        self.interruptible_w[row.clone()].fill(0);
                    }
                }
            }
            match self.mining.as_ref() {
                Some((_, m)) => {
                    let parts = MiningHours {
                        registered_firm_w: &mut self.registered_firm_w[row.clone()],
                        illegal_w: &mut self.illegal_w[row.clone()],
                        interruptible_w: &mut self.mining_interruptible_w[row.clone()],
                    };
                    m.region_hours(r, parts);
                    let demand = self.firm_w[row.clone()]
                        .iter_mut()
                        .zip(&mut self.interruptible_w[row.clone()]);
                    let mining = self.registered_firm_w[row.clone()]
                        .iter()
                        .zip(&self.illegal_w[row.clone()])
                        .zip(&self.mining_interruptible_w[row.clone()]);
                    let scheduled = self.schedules.is_some();
                    for ((firm, int), ((&registered, &illegal), &mining_int)) in demand.zip(mining)
                    {
                        *firm += registered + illegal;
                        *int = if scheduled {
                            *int + mining_int
                        } else {
                            mining_int
                        };
                    }
                }
                None => {
                    self.registered_firm_w[row.clone()].fill(0);
                    self.illegal_w[row.clone()].fill(0);
                    self.mining_interruptible_w[row.clone()].fill(0);
                }
            }
        }
        for x in &cond.exchanges {
            let row = x.region * hours..(x.region + 1) * hours;
            let stopped = if x.stops_with.is_empty() {
                &[][..]
            } else {
                self.stopped.fill(false);
                for &d in &x.stops_with {
                    let down = &disturbed[d * hours..(d + 1) * hours];
                    for (s, &o) in self.stopped.iter_mut().zip(down) {
                        *s |= o;
                    }
                }
                &self.stopped[..]
            };
            let to = RegionHours {
                firm_w: &mut self.firm_w[row.clone()],
                export_w: &mut self.interruptible_w[row.clone()],
                supply_w: &mut self.supply_w[row],
            };
            exchange::add_draws(x, key, stopped, to);
        }
        if let Some(weather) = self.weather.as_ref().map(|x| &x.1) {
            let steps_per_day = 24 * cal.steps_per_hour();
            for (p, plant) in cond.vre.iter().enumerate() {
                let row = &mut self.supply_w[plant.region * hours..(plant.region + 1) * hours];
                // Day by day: the weather's multiplier is drawn per day.
                for (d, day_w) in row.chunks_mut(steps_per_day).enumerate() {
                    let factor = weather.vre_factor(p, d);
                    for (i, w) in day_w.iter_mut().enumerate() {
                        // Step `i` of the day is in its hour `i / steps_per_hour`.
                        let h = d * steps_per_day + i;
                        let cf = (plant.profile.factor(h, i / cal.steps_per_hour()) * factor)
                            .clamp(0.0, 1.0);
                        *w += round_non_negative(plant.capacity_w as f64 * cf);
                    }
                }
            }
            let days = cal.days();
            for (s, source) in model.network().imports.iter().enumerate() {
                for d in 0..days {
                    self.source_factor[s * days + d] = match &source.cold {
                        Some(rule) if weather.anomaly_c(rule.zone, d) < rule.below_anomaly_c => {
                            rule.factor
                        }
                        _ => 1.0,
                    };
                }
            }
        }
        self.summarise();
    }

    /// Block peaks, block minimum supply and demand energy from the hourly arrays.
    fn summarise(&mut self) {
        let (hours, blocks) = (self.hours, self.blocks);
        let regions = self.model.regions().len();
        for r in 0..regions {
            let row = r * hours..(r + 1) * hours;
            let (firm, int, supply) = (
                &self.firm_w[row.clone()],
                &self.interruptible_w[row.clone()],
                &self.supply_w[row],
            );
            let peaks = &mut self.block_peak_w[r * blocks..(r + 1) * blocks];
            let least = &mut self.block_supply_w[r * blocks..(r + 1) * blocks];
            for (b, (peak, low)) in peaks.iter_mut().zip(least.iter_mut()).enumerate() {
                // A block has at least one hour (`blocks` rounds the hours up).
                let f = &firm[b * PEAK_BLOCK_H..((b + 1) * PEAK_BLOCK_H).min(hours)];
                let (i, s) = (&int[b * PEAK_BLOCK_H..], &supply[b * PEAK_BLOCK_H..]);
                let (i, s) = (&i[..f.len()], &s[..f.len()]);
                let (mut most, mut least) = (i64::MIN, i64::MAX);
                for ((&f, &i), &s) in f.iter().zip(i).zip(s) {
                    most = most.max(f + i);
                    least = least.min(s);
                }
                (*peak, *low) = (most, least);
            }
            self.demand_wh[r] = firm.iter().sum();
        }
        self.demand_wh[regions] = self.demand_wh[..regions].iter().sum();
    }
}

/// `x.round() as i64` for `x >= 0` (or NaN, which gives 0 either way) below 2^52, without
/// a libm call: the integer part and the exact remainder, rounded half up.
#[inline]
fn round_non_negative(x: f64) -> i64 {
    let whole = x as i64;
    whole + i64::from(x - whole as f64 >= 0.5)
}

#[cfg(test)]
mod tests {
    use super::round_non_negative;

    /// The rounding of VRE output agrees with `f64::round` on the halves, the value just
    /// below one half, the top of the range, plant outputs and random values of every
    /// magnitude below 2^52.
    #[test]
    fn rounding_without_libm_is_round() {
        let mut cases = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            1e9 + 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            f64::NAN,
        ];
        for k in 0..=1000 {
            for capacity_w in [144e6, 150e6, 276e6, 300e6, 492e6] {
                cases.push(capacity_w * (f64::from(k) / 1000.0));
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // A 53-bit mantissa in [0, 1) scaled by 2^0 .. 2^51 (exact).
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            cases.push(unit * (1u64 << (x % 52)) as f64);
        }
        for v in cases {
            assert_eq!(round_non_negative(v), v.round() as i64, "{v:e}");
        }
    }
}
