//! Scheduled flows on import sources in the hourly inputs (the model's rules are in
//! [`gridrisk_core::model::ImportSource`] and the core's network module docs,
//! "Scheduled flows").
//!
//! A schedule is deterministic, the same in every sample, so it is built once per worker:
//! a positive schedule is supply at the source's link regions, a negative one interruptible
//! demand of the class "exports" there, split between the links in proportion to their
//! caps ([`gridrisk_core::model::ImportSource::split_w`]). [`crate::inputs`] adds both to
//! its hourly arrays, so the block peaks and minimums of block skipping see them, and the
//! network takes the scheduled import off the source's available cap
//! ([`crate::network::HourDemand::scheduled_w`]).
//!
//! A region's curtailed exports (its curtailed interruptible demand less the registered
//! mining part) are split between the scheduled exports and `[[exchanges]]`' exports drawn
//! on it in proportion to their demand in the hour, rounded down to whole watts; the
//! rounding is given to no source (it stays with the exchanges), so a source's curtailment
//! is never over-stated.

use gridrisk_core::SystemModel;

/// The schedules of a model's import sources, per region and hour.
pub struct Schedules {
    hours: usize,
    /// Scheduled import supply, `r * hours + h`, watts.
    pub supply_w: Vec<i64>,
    /// Scheduled export demand (class "exports"), `r * hours + h`, watts.
    pub export_w: Vec<i64>,
    /// Scheduled import of each source (the positive part), `s * hours + h`, watts.
    pub import_w: Vec<i64>,
    /// Per link part of an export: its source and region.
    export_links: Vec<(usize, usize)>,
    /// The export of each entry of `export_links`, `k * hours + h`, watts (>= 0).
    export_parts_w: Vec<i64>,
}

impl Schedules {
    /// The schedules of `model`, or `None` if no source has one.
    pub fn of(model: &SystemModel) -> Option<Schedules> {
        let sources = &model.network().imports;
        if sources.iter().all(|s| s.schedule_w.is_empty()) {
            return None;
        }
        let (regions, hours) = (model.regions().len(), model.hours());
        let mut out = Schedules {
            hours,
            supply_w: vec![0; regions * hours],
            export_w: vec![0; regions * hours],
            import_w: vec![0; sources.len() * hours],
            export_links: Vec::new(),
            export_parts_w: Vec::new(),
        };
        let mut parts = Vec::new();
        for (s, source) in sources.iter().enumerate() {
            if source.schedule_w.is_empty() {
                continue;
            }
            parts.resize(source.links.len(), 0);
            let first_export = out.export_links.len();
            if source.schedule_w.iter().any(|&w| w < 0) {
                out.export_links
                    .extend(source.links.iter().map(|k| (s, k.region)));
                out.export_parts_w.resize(out.export_links.len() * hours, 0);
            }
            for (h, &w) in source.schedule_w.iter().enumerate() {
                out.import_w[s * hours + h] = w.max(0);
                source.split_w(w, &mut parts);
                for (k, (link, &part)) in source.links.iter().zip(&parts).enumerate() {
                    let at = link.region * hours + h;
                    if part >= 0 {
                        out.supply_w[at] += part;
                    } else {
                        out.export_w[at] -= part;
                        out.export_parts_w[(first_export + k) * hours + h] = -part;
                    }
                }
            }
        }
        Some(out)
    }

    /// The curtailed scheduled export of each source in hour `h`, into `out` (watts):
    /// `curtailed_w` and `mining_curtailed_w` are the hour's curtailment per region (all
    /// interruptible demand, and its registered mining part), `interruptible_w` and
    /// `mining_w` the hourly interruptible demand and its mining part, `r * hours + h`.
    pub fn curtailed_exports(
        &self,
        h: usize,
        interruptible_w: &[i64],
        mining_w: &[i64],
        curtailed_w: &[i64],
        mining_curtailed_w: &[i64],
        out: &mut [i64],
    ) {
        out.fill(0);
        for (k, &(s, r)) in self.export_links.iter().enumerate() {
            let part = self.export_parts_w[k * self.hours + h];
            let curtailed = curtailed_w[r] - mining_curtailed_w[r];
            if part == 0 || curtailed <= 0 {
                continue;
            }
            let at = r * self.hours + h;
            let class = (interruptible_w[at] - mining_w[at]).max(1);
            out[s] += (i128::from(curtailed) * i128::from(part) / i128::from(class)) as i64;
        }
    }
}

#[cfg(test)]
mod tests {
    use gridrisk_core::model::{ImportLink, ImportSource};

    fn source(caps: &[i64]) -> ImportSource {
        ImportSource {
            name: "RU".into(),
            cap_w: 1_000,
            outage: None,
            fallback_cap_w: 0,
            cold: None,
            links: caps
                .iter()
                .enumerate()
                .map(|(k, &cap_w)| ImportLink {
                    name: format!("L{k}"),
                    region: k,
                    cap_w,
                    outage: None,
                })
                .collect(),
            schedule_w: Vec::new(),
        }
    }

    #[test]
    fn a_schedule_is_split_by_link_caps_largest_remainder_first_link_on_ties() {
        let mut parts = [0; 3];
        // 10 x (1/4, 1/4, 2/4) = 2.5, 2.5, 5: one watt left, the tie goes to the first link.
        source(&[100, 100, 200]).split_w(10, &mut parts);
        assert_eq!(parts, [3, 2, 5]);
        // 7 x (3/6, 2/6, 1/6) = 3.5, 2.33, 1.17: the largest remainder takes the watt.
        source(&[300, 200, 100]).split_w(7, &mut parts);
        assert_eq!(parts, [4, 2, 1]);
        // Exports keep their sign and their magnitudes split the same way.
        source(&[100, 100, 200]).split_w(-10, &mut parts);
        assert_eq!(parts, [-3, -2, -5]);
        // A link with no cap takes nothing; all caps zero: nothing anywhere.
        source(&[0, 50, 50]).split_w(3, &mut parts);
        assert_eq!(parts, [0, 2, 1]);
        source(&[0, 0, 0]).split_w(3, &mut parts);
        assert_eq!(parts, [0, 0, 0]);
    }

    #[test]
    fn the_split_sums_to_the_schedule() {
        let s = source(&[7, 11, 13]);
        let mut parts = [0; 3];
        for w in -100..=100 {
            s.split_w(w, &mut parts);
            assert_eq!(parts.iter().sum::<i64>(), w);
            assert!(parts.iter().all(|&x| x == 0 || x.signum() == w.signum()));
        }
    }
}
