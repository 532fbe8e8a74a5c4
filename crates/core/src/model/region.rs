//! A region: a node of the network with its own hourly firm demand.

/// A region and its hourly demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    name: String,
    demand_w: Vec<i64>,
    peak_w: i64,
    block_peak_w: Vec<i64>,
}

/// Hours per block of the per-block demand maxima (see [`Region::block_peak_w`]).
pub const PEAK_BLOCK_H: usize = 32;

impl Region {
    /// A region with firm demand `demand_w[h]` watts in hour `h`.
    pub fn new(name: impl Into<String>, demand_w: Vec<i64>) -> Region {
        let peak_w = demand_w.iter().copied().max().unwrap_or(0);
        let block_peak_w = demand_w
            .chunks(PEAK_BLOCK_H)
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .collect();
        Region {
            name: name.into(),
            demand_w,
            peak_w,
            block_peak_w,
        }
    }

    /// Region name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Firm demand per hour, watts.
    pub fn demand_w(&self) -> &[i64] {
        &self.demand_w
    }

    /// Largest hourly demand, watts.
    pub fn peak_w(&self) -> i64 {
        self.peak_w
    }

    /// Largest demand in each block of [`PEAK_BLOCK_H`] hours: the sampler skips a block
    /// whose lowest possible capacity covers it.
    pub fn block_peak_w(&self) -> &[i64] {
        &self.block_peak_w
    }
}
