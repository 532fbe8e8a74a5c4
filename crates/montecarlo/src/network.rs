//! The network in one hour: from the levels of outage quantities to a dispatch.
//!
//! Builds the transport problem of [`gridrisk_core::dispatch`] from the model once (nodes:
//! regions, then one external node per import source; arcs: each line in both directions,
//! then each import link), and per hour fills in supplies and arc limits from the current
//! levels of the outage quantities ([`crate::outage::Quantities`]). Imports are used only
//! after domestic generation, so an hour whose *domestic* problem (import sources at zero)
//! has no shortfall needs no import and has no shortfall: only other hours are dispatched.

use crate::outage::Quantities;
use gridrisk_core::dispatch::{Arc, Dispatch, Dispatcher, HourState, SharingRule, Topology};
use gridrisk_core::model::Sharing;
use gridrisk_core::SystemModel;

/// Per-worker network state, reused every hour.
pub struct NetworkHour {
    dispatcher: Dispatcher,
    q: Quantities,
    /// Per arc: the quantity that says whether it is in service, and its limit when it is.
    arc_source: Vec<(usize, i64)>,
    /// Per line: its two arcs.
    lines: usize,
    supply_w: Vec<i64>,
    domestic_w: Vec<i64>,
    firm_w: Vec<i64>,
    interruptible_w: Vec<i64>,
    arc_limit_w: Vec<i64>,
    out: Dispatch,
    /// Per line: would one more MW lower the least firm shortfall in this hour.
    pub line_binding: Vec<bool>,
}

impl NetworkHour {
    /// The network of `model`, or `None` if its regions are isolated.
    pub fn of(model: &SystemModel) -> Option<NetworkHour> {
        let net = model.network();
        if net.is_empty() {
            return None;
        }
        let q = Quantities::of(model);
        let mut arcs = Vec::new();
        let mut arc_source = Vec::new();
        for (l, line) in net.lines.iter().enumerate() {
            arcs.push(Arc {
                from: line.from,
                to: line.to,
            });
            arc_source.push((q.line(l), line.forward_w));
            arcs.push(Arc {
                from: line.to,
                to: line.from,
            });
            arc_source.push((q.line(l), line.backward_w));
        }
        let mut k = 0;
        for (s, source) in net.imports.iter().enumerate() {
            for link in &source.links {
                arcs.push(Arc {
                    from: q.regions + s,
                    to: link.region,
                });
                arc_source.push((q.link(k), link.cap_w));
                k += 1;
            }
        }
        let topology = Topology::new(q.regions, q.sources, arcs)
            .expect("a validated network gives a valid topology");
        let rule = match net.sharing {
            Sharing::Local => SharingRule::Local,
            Sharing::Shared => SharingRule::Shared,
        };
        let out = Dispatch::new(&topology);
        let dispatcher = Dispatcher::new(topology, rule);
        let nodes = q.regions + q.sources;
        Some(NetworkHour {
            out,
            dispatcher,
            q,
            lines: q.lines,
            supply_w: vec![0; nodes],
            domestic_w: vec![0; nodes],
            firm_w: vec![0; q.regions],
            interruptible_w: vec![0; q.regions],
            arc_limit_w: vec![0; arc_source.len()],
            arc_source,
            line_binding: vec![false; q.lines],
        })
    }

    fn load(&mut self, level: &[i64], firm_w: impl Fn(usize) -> i64) {
        let (r, s) = (self.q.regions, self.q.sources);
        self.supply_w[..r].copy_from_slice(&level[..r]);
        self.domestic_w[..r].copy_from_slice(&level[..r]);
        self.supply_w[r..].copy_from_slice(&level[r..r + s]);
        for (i, f) in self.firm_w.iter_mut().enumerate() {
            *f = firm_w(i);
        }
        for (limit, &(q, w)) in self.arc_limit_w.iter_mut().zip(&self.arc_source) {
            *limit = level[q] * w;
        }
    }

    /// Whether the domestic problem (no imports) with quantity levels `level` and firm
    /// demand `firm_w(r)` has a shortfall: if not, no import is used and no region is short.
    pub fn domestic_deficit(&mut self, level: &[i64], firm_w: impl Fn(usize) -> i64) -> bool {
        self.load(level, firm_w);
        let state = HourState {
            supply_w: &self.domestic_w,
            firm_w: &self.firm_w,
            interruptible_w: &self.interruptible_w,
            arc_limit_w: &self.arc_limit_w,
        };
        self.dispatcher.total_firm_shortfall_w(&state) > 0
    }

    /// Dispatch the hour loaded by the last [`NetworkHour::domestic_deficit`]: firm
    /// shortfall per region into `short_w[..regions]`, import per source into `import_w`,
    /// and [`NetworkHour::line_binding`].
    pub fn dispatch(&mut self, short_w: &mut [i64], import_w: &mut [i64]) {
        let state = HourState {
            supply_w: &self.supply_w,
            firm_w: &self.firm_w,
            interruptible_w: &self.interruptible_w,
            arc_limit_w: &self.arc_limit_w,
        };
        self.dispatcher.dispatch(&state, &mut self.out);
        short_w[..self.q.regions].copy_from_slice(&self.out.firm_short_w);
        import_w.copy_from_slice(&self.out.import_w);
        for l in 0..self.lines {
            self.line_binding[l] = self.out.binding[2 * l] || self.out.binding[2 * l + 1];
        }
    }
}
