//! Weather: daily temperature anomalies per weather zone, and what depends on them.
//!
//! A zone's daily mean temperature is its normal plus an anomaly; anomalies follow an AR(1)
//! process per zone, started from its stationary law, correlated across zones (the
//! correlation of the innovations equals that of the anomalies), so cold snaps persist and
//! hit neighbours together. A day's temperature applies to its 24 hours. One weather draw
//! per sample, shared by every region of a zone. Demand adds `heating_w_per_c x max(0,
//! threshold - T)`; a load-forecast error (normal, once per sample, shared by all regions)
//! scales the demand profile.

/// One weather zone.
#[derive(Clone, Debug, PartialEq)]
pub struct WeatherZone {
    /// Zone name (e.g. `north`).
    pub name: String,
    /// Seasonal normal daily mean temperature, °C.
    pub normal_c: f64,
    /// Standard deviation of the daily anomaly, °C (stationary).
    pub anomaly_sd_c: f64,
    /// Day-to-day persistence of the anomaly (AR(1) coefficient) in [0, 1).
    pub persistence: f64,
}

/// How a region's demand depends on the weather.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionClimate {
    /// Region index.
    pub region: usize,
    /// Weather zone index.
    pub zone: usize,
    /// Extra demand per °C below the threshold, watts per °C.
    pub heating_w_per_c: f64,
    /// Temperature below which heating demand rises, °C.
    pub threshold_c: f64,
}

/// The weather model of a system (empty: no weather, no forecast error).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weather {
    /// Zones.
    pub zones: Vec<WeatherZone>,
    /// Correlation of the anomalies, `zones x zones`, row-major, symmetric positive definite.
    pub correlation: Vec<f64>,
    /// A shift added to every anomaly of every day (a cold winter: -4 °C), °C.
    pub shift_c: f64,
    /// Standard deviation of the load-forecast error, as a fraction (0.02 = 2%).
    pub load_forecast_sd: f64,
    /// A fixed load-forecast error of the winter, as a fraction, added to the random one in
    /// every sample (an uncertain parameter fixes it per outer point; 0: none).
    pub load_forecast_error: f64,
    /// Regions whose demand depends on a zone.
    pub climates: Vec<RegionClimate>,
}

/// A rule that applies on days when a zone's anomaly is below a level.
#[derive(Clone, Debug, PartialEq)]
pub struct ColdRule {
    /// Weather zone index.
    pub zone: usize,
    /// The rule applies on days whose anomaly is strictly below this, °C.
    pub below_anomaly_c: f64,
    /// The factor it applies (a failure-rate multiplier, or an export-cap factor).
    pub factor: f64,
}

impl Weather {
    /// True if there is nothing random about the weather or the forecast.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty() && self.load_forecast_sd == 0.0 && self.load_forecast_error == 0.0
    }
}
