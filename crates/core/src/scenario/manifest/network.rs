//! `sharing`, `[[lines]]` and `[[imports]]` (with their schedules, read here when flat and
//! in `build.rs` from a CSV): the network between regions; and `[[corridors]]`, the sets of
//! lines whose binding hours are reported.

use super::short_number;
use super::{
    discrete_outage, element_label, file_ref, line_set, names_of, outage_convention, rates_ref,
    suggest, table_array, Fields, FileRef, RatesRef,
};
use crate::bounds::MAX_POWER_MW;
use crate::model::{
    Corridor, ImportLink, ImportSource, Line, Network, Outage, OutageModel, Sharing,
};
use crate::power::{mw_to_w, w_to_mw};
use crate::scenario::error::Problems;
use crate::scenario::keys;
use crate::scenario::tree::Value;
use std::path::Path;
use std::rc::Rc;

/// Names seen so far, with where they were defined.
type Seen = Vec<(String, Rc<Path>, usize)>;

const SHARING: [&str; 2] = ["local", "shared"];

/// How an import source's `schedule_mw` is given: one MW for every hour, or a CSV column
/// (read in `build.rs`, each value checked against `range_w`).
#[derive(Debug)]
pub(crate) enum Schedule {
    /// The same signed watts in every hour.
    Flat(i64),
    /// A column of a CSV, one signed MW per study hour.
    Series {
        file: FileRef,
        column: String,
        /// The least and largest schedule the source accepts, watts.
        range_w: (i64, i64),
    },
}

/// The schedule of source `source` (its index among the network's sources).
#[derive(Debug)]
pub(crate) struct SourceSchedule {
    pub(crate) source: usize,
    pub(crate) schedule: Schedule,
    /// Where `schedule_mw` is written.
    pub(crate) at: super::Place,
}

/// A line's `limits_file` and its forward and backward columns (at least one).
pub(crate) type LimitsRef = (FileRef, Option<String>, Option<String>);

/// A line's values per step from CSVs (read in `build.rs`): its limits (`limits_file`,
/// `forward_column`, `backward_column`) and its failure and repair rates (`rates_file`, as a
/// unit block's).
#[derive(Debug)]
pub(crate) struct LineSeries {
    /// Index of the line among the network's lines.
    pub(crate) line: usize,
    /// The limits' file and columns.
    pub(crate) limits: Option<LimitsRef>,
    /// The rates' file and columns.
    pub(crate) rates: Option<RatesRef>,
}

/// Read the network from the root table `f`; `regions` are the region names in order,
/// `zones` the weather zone names. Only valid lines and sources are kept (any problem is
/// recorded). Sources' schedules and lines' series are returned apart (the window's hours
/// are not known yet).
pub(super) fn network(
    f: &Fields<'_>,
    regions: &[String],
    zones: &[String],
    p: &mut Problems,
) -> (Network, Vec<SourceSchedule>, Vec<LineSeries>) {
    let mut net = Network {
        sharing: sharing(f, p).unwrap_or_default(),
        ..Network::default()
    };
    let mut seen = Seen::new();
    let mut line_series = Vec::new();
    for (i, n) in table_array(f, "lines", p).into_iter().enumerate() {
        let label = element_label("lines", i, n);
        let Some(lf) = Fields::new(n, &label, keys::LINE, p) else {
            continue;
        };
        if let Some((l, limits, rates)) = line(&lf, regions, &mut seen, p) {
            if limits.is_some() || rates.is_some() {
                line_series.push(LineSeries {
                    line: net.lines.len(),
                    limits,
                    rates,
                });
            }
            net.lines.push(l);
        }
    }
    let mut seen = Seen::new();
    let mut schedules = Vec::new();
    for (i, n) in table_array(f, "imports", p).into_iter().enumerate() {
        let label = element_label("imports", i, n);
        let Some(sf) = Fields::new(n, &label, keys::IMPORT, p) else {
            continue;
        };
        if let Some(s) = import(&sf, regions, zones, &mut seen, p) {
            if let Some(schedule) = schedule(&sf, &s, p) {
                let n = sf
                    .get("schedule_mw")
                    .expect("a schedule is read from its key");
                schedules.push(SourceSchedule {
                    source: net.imports.len(),
                    schedule,
                    at: super::Place {
                        file: n.file.clone(),
                        line: n.line,
                        field: sf.field("schedule_mw"),
                    },
                });
            }
            net.imports.push(s);
        }
    }
    net.corridors = corridors(f, p);
    (net, schedules, line_series)
}

/// What a schedule must be, for messages: within `range_w` (watts).
pub(crate) fn schedule_range_text(range_w: (i64, i64)) -> String {
    format!(
        "a scheduled exchange from {} MW (an export: the links' `cap_mw` summed) to {} MW \
         (an import: the source's `cap_mw` and its links'); positive imports, negative exports",
        short_number(w_to_mw(range_w.0)),
        short_number(w_to_mw(range_w.1))
    )
}

/// `schedule_mw` of source `s` (read without it): a signed MW, or `{ file, column }` (the
/// column defaults to the source's name). A scheduled import is at most the source's
/// `cap_mw`, and a schedule in either direction at most, in magnitude, the sum of its
/// links' `cap_mw` (what the border can carry).
fn schedule(f: &Fields<'_>, s: &ImportSource, p: &mut Problems) -> Option<Schedule> {
    let n = f.get("schedule_mw")?;
    let links_w: i64 = s.links.iter().map(|k| k.cap_w).sum();
    let range_w = (-links_w, s.cap_w.min(links_w));
    let expect = schedule_range_text(range_w);
    if let Value::Table(_) = &n.value {
        let tf = Fields::new(n, &f.field("schedule_mw"), keys::SCHEDULE, p)?;
        let file = file_ref(&tf, "file", p);
        let column = match tf.get("column") {
            Some(_) => tf.string("column", true, p),
            None => Some(s.name.clone()),
        };
        return Some(Schedule::Series {
            file: file?,
            column: column?,
            range_w,
        });
    }
    let mw = f.number_in(
        "schedule_mw",
        "MW",
        true,
        |x| x.abs() <= MAX_POWER_MW,
        "a power within +-1e8 MW",
        p,
    )?;
    match mw_to_w(mw) {
        Some(w) if (range_w.0..=range_w.1).contains(&w) => Some(Schedule::Flat(w)),
        _ => {
            f.bad(
                "schedule_mw",
                format!("must be {expect}, got {}", short_number(mw)),
                p,
            );
            None
        }
    }
}

/// `[[corridors]]`: each a `name` and the `lines` it groups, by name. Line indices are
/// positions among all `[[lines]]` (as for disturbances), which are the model's when every
/// line is valid (otherwise the scenario is refused anyway).
fn corridors(f: &Fields<'_>, p: &mut Problems) -> Vec<Corridor> {
    let lines = names_of(f, "lines");
    let mut out = Vec::new();
    let mut seen = Seen::new();
    for (i, n) in table_array(f, "corridors", p).into_iter().enumerate() {
        let label = element_label("corridors", i, n);
        let Some(cf) = Fields::new(n, &label, keys::CORRIDOR, p) else {
            continue;
        };
        let name = cf.unique_name("corridor", &mut seen, p);
        if lines.is_empty() {
            cf.problem(
                None,
                "a corridor is a set of lines, but the scenario has no `[[lines]]`: add the \
                 lines between regions first, or remove the corridor"
                    .into(),
                p,
            );
            continue;
        }
        let set = line_set(&cf, &lines, "the lines of the corridor", p);
        if let (Some(name), Some(lines)) = (name, set) {
            out.push(Corridor { name, lines });
        }
    }
    out
}

fn sharing(f: &Fields<'_>, p: &mut Problems) -> Option<Sharing> {
    if !f.has("sharing") {
        return Some(Sharing::Local);
    }
    match f.string("sharing", false, p)?.as_str() {
        "local" => Some(Sharing::Local),
        "shared" => Some(Sharing::Shared),
        s => {
            let hint =
                suggest(s, &SHARING).map_or(String::new(), |x| format!("; did you mean `{x}`?"));
            f.bad(
                "sharing",
                format!("unknown sharing rule {s:?}; expected \"local\" or \"shared\"{hint}"),
                p,
            );
            None
        }
    }
}

/// A line, and its limits' and rates' columns if it has them.
fn line(
    f: &Fields<'_>,
    regions: &[String],
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<(Line, Option<LimitsRef>, Option<RatesRef>)> {
    let name = f.unique_name("line", seen, p);
    let from = f.region("from", regions, p);
    let to = f.region("to", regions, p).filter(|&b| {
        let self_loop = from == Some(b);
        if self_loop {
            f.bad(
                "to",
                format!(
                    "a line connects two different regions, but `from` and `to` are both `{}`",
                    regions[b]
                ),
                p,
            );
        }
        !self_loop
    });
    let forward_w = f.power_w("forward_mw", true, p);
    let backward_w = if f.has("backward_mw") {
        f.power_w("backward_mw", true, p)
    } else {
        forward_w
    };
    // Lines may be in discrete time, as PRAS's are.
    let outage = match outage_convention(f, "line", &["mttf_h", "mttr_h"], p) {
        Some(true) => discrete_outage(f, p).map(Some),
        Some(false) => outage(f, "a line that never fails", p).map(|o| o.map(OutageModel::from)),
        None => None,
    };
    let limits = limits_ref(f, p);
    let rates = rates_ref(f, p);
    if matches!(outage, Some(None)) && f.has("rates_file") {
        f.bad(
            "rates_file",
            "hourly rates replace a line's constant ones: give its outage keys too \
             (`mttf_h` and `mttr_h`, or `outage_model = \"discrete\"` with the probabilities)"
                .into(),
            p,
        );
        return None;
    }
    Some((
        Line {
            name: name?,
            from: from?,
            to: to?,
            forward_w: forward_w?,
            backward_w: backward_w?,
            outage: outage?,
        },
        limits?,
        rates?,
    ))
}

/// A line's limits per step: `limits_file` with `forward_column`, `backward_column` or both
/// (the other direction stays constant). `Some(None)` if none is given, `None` if there is
/// a problem.
fn limits_ref(f: &Fields<'_>, p: &mut Problems) -> Option<Option<LimitsRef>> {
    const COLUMNS: [&str; 2] = ["forward_column", "backward_column"];
    if !f.has("limits_file") {
        if let Some(key) = COLUMNS.iter().find(|k| f.has(k)) {
            f.bad(
                key,
                "only goes with `limits_file` (a CSV with one row per study hour)".into(),
                p,
            );
            return None;
        }
        return Some(None);
    }
    if !COLUMNS.iter().any(|k| f.has(k)) {
        f.bad(
            "limits_file",
            "needs `forward_column`, `backward_column` or both (the columns of limits per \
             step in the file)"
                .into(),
            p,
        );
        return None;
    }
    let file = file_ref(f, "limits_file", p);
    let mut column = |key: &str| match f.has(key) {
        true => f.string(key, true, p).map(Some),
        false => Some(None),
    };
    let (forward, backward) = (column(COLUMNS[0]), column(COLUMNS[1]));
    Some(Some((file?, forward?, backward?)))
}

fn import(
    f: &Fields<'_>,
    regions: &[String],
    zones: &[String],
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<ImportSource> {
    let name = f.unique_name("import", seen, p);
    let cap_w = f.power_w("cap_mw", true, p);
    let outage = outage(f, "a source that is always available", p);
    let fallback_cap_w = if f.has("fallback_cap_mw") {
        f.power_w("fallback_cap_mw", true, p)
    } else {
        Some(0)
    };
    let cold = f.cold_rule(
        "cold",
        zones,
        |x| (0.0..=1.0).contains(&x),
        "an export-cap factor in [0, 1]",
        p,
    );
    let nodes = table_array(f, "links", p);
    let links_given = f
        .get("links")
        .is_some_and(|n| !matches!(&n.value, Value::Array(a) if a.is_empty()));
    if nodes.is_empty() && !links_given {
        f.problem(
            Some("links"),
            "the import source is linked to nothing: add at least one `[[imports.links]]` \
             with `name`, `region` and `cap_mw`"
                .into(),
            p,
        );
        return None;
    }
    let mut links = Vec::new();
    let mut ok = nodes.len() == f.get("links").map_or(0, array_len);
    let mut seen_links = Seen::new();
    for (i, n) in nodes.into_iter().enumerate() {
        let label = element_label(&f.field("links"), i, n);
        match Fields::new(n, &label, keys::LINK, p)
            .and_then(|lf| link(&lf, regions, &mut seen_links, p))
        {
            Some(l) => links.push(l),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(ImportSource {
        name: name?,
        cap_w: cap_w?,
        outage: outage?,
        fallback_cap_w: fallback_cap_w?,
        cold: cold?,
        links,
        schedule_w: Vec::new(),
    })
}

pub(super) fn array_len(n: &super::Node) -> usize {
    match &n.value {
        Value::Array(a) => a.len(),
        _ => usize::MAX,
    }
}

fn link(
    f: &Fields<'_>,
    regions: &[String],
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<ImportLink> {
    let name = f.unique_name("link", seen, p);
    let region = f.region("region", regions, p);
    let cap_w = f.power_w("cap_mw", true, p);
    let outage = outage(f, "a link that never fails", p);
    Some(ImportLink {
        name: name?,
        region: region?,
        cap_w: cap_w?,
        outage: outage?,
    })
}

/// An optional two-state outage process: `mttf_h` and `mttr_h`, both or neither, each a
/// mean duration of at least one time step. `None` if there is a problem; `Some(None)` if
/// neither is given. `never` describes the element without them, for messages.
fn outage(f: &Fields<'_>, never: &str, p: &mut Problems) -> Option<Option<Outage>> {
    match (f.has("mttf_h"), f.has("mttr_h")) {
        (false, false) => Some(None),
        (true, true) => {
            let mttf = f.mean_duration_h("mttf_h", true, p);
            let mttr = f.mean_duration_h("mttr_h", true, p);
            Some(Some(Outage {
                mttf_h: mttf?,
                mttr_h: mttr?,
            }))
        }
        (given, _) => {
            let (have, missing) = if given {
                ("mttf_h", "mttr_h")
            } else {
                ("mttr_h", "mttf_h")
            };
            f.bad(
                have,
                format!(
                    "given without `{missing}`: an outage process needs both `mttf_h` and \
                     `mttr_h` (>= 1 hour each); give neither for {never}"
                ),
                p,
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name = \"x\"\n[study]\nhours = 24\n\
                        [[regions]]\nname = \"North\"\ndemand = { file = \"d.csv\" }\n\
                        [[regions]]\nname = \"South\"\ndemand = { file = \"d.csv\" }\n\
                        [[regions]]\nname = \"HUB\"\nhub = true\n";

    /// `top` goes before the base (one line, or empty), `extra` after it.
    fn extract_text(top: &str, extra: &str) -> (Network, Vec<String>) {
        let (m, msgs) = super::super::extract_text(&format!("{top}{BASE}{extra}"));
        (m.network, msgs)
    }

    #[test]
    fn lines_and_imports_are_read() {
        let (net, msgs) = extract_text(
            "sharing = \"shared\"\n",
            "[[lines]]\nname = \"N-H\"\nfrom = \"North\"\nto = \"HUB\"\nforward_mw = 1000.5\n\
             [[lines]]\nname = \"H-S\"\nfrom = \"HUB\"\nto = \"South\"\nforward_mw = 2100\n\
             backward_mw = 0\nmttf_h = 2000\nmttr_h = 20\n\
             [[imports]]\nname = \"RU\"\ncap_mw = 1200\n\
             [[imports.links]]\nname = \"L1\"\nregion = \"North\"\ncap_mw = 700\n\
             mttf_h = 1500\nmttr_h = 15\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(net.sharing, Sharing::Shared);
        assert_eq!(
            net.lines[0],
            Line {
                name: "N-H".into(),
                from: 0,
                to: 2,
                forward_w: 1_000_500_000,
                backward_w: 1_000_500_000,
                outage: None,
            }
        );
        assert_eq!(net.lines[1].backward_w, 0);
        assert_eq!(
            net.lines[1].outage,
            Some(
                Outage {
                    mttf_h: 2000.0,
                    mttr_h: 20.0
                }
                .into()
            )
        );
        let s = &net.imports[0];
        assert_eq!((s.cap_w, s.outage, s.links.len()), (1_200_000_000, None, 1));
        assert_eq!((s.links[0].region, s.links[0].cap_w), (0, 700_000_000));
    }

    #[test]
    fn network_problems_are_reported_together() {
        let (net, msgs) = extract_text(
            "sharing = \"Local\"\n",
            "[[lines]]\nname = \"A\"\nfrom = \"Nort\"\nto = \"South\"\nforward_mw = -1\n\
             mttf_h = 10\nflow_mw = 3\n\
             [[lines]]\nname = \"A\"\nfrom = \"South\"\nto = \"South\"\nforward_mw = 1\n\
             [[imports]]\nname = \"RU\"\ncap_mw = 1\n\
             [[imports]]\nname = \"KG\"\ncap_mw = 1\n\
             [[imports.links]]\nname = \"L\"\nregion = \"West\"\ncap_mw = 1\nmttr_h = 0\n\
             mttf_h = 1\n\
             [[imports.links]]\nname = \"L\"\nregion = \"North\"\ncap_mw = 1\n",
        );
        assert!(net.is_empty());
        let all = msgs.join("\n");
        for want in [
            "t.toml:1: sharing: unknown sharing rule \"Local\"; expected \"local\" or \"shared\"",
            "did you mean `local`?",
            "t.toml:16: lines[A].from: unknown region `Nort`; did you mean `North`? \
             known regions: `North`, `South`, `HUB`",
            "t.toml:18: lines[A].forward_mw: must be a power >= 0 MW, got -1",
            "t.toml:19: lines[A].mttf_h: given without `mttr_h`",
            "t.toml:20: lines[A].flow_mw: unknown key; expected one of `name`",
            "t.toml:22: lines[A].name: duplicate line name `A` (first defined at t.toml:14)",
            "t.toml:24: lines[A].to: a line connects two different regions, but `from` and \
             `to` are both `South`",
            "t.toml:26: imports[RU].links: the import source is linked to nothing",
            "t.toml:34: imports[KG].links[L].region: unknown region `West`",
            "t.toml:36: imports[KG].links[L].mttr_h: must be a mean duration >= 1 hour (one time \
             step; a shorter mean up or down time is a modelling error), got 0",
            "t.toml:39: imports[KG].links[L].name: duplicate link name `L`",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
    }

    #[test]
    fn schedules_are_read_flat_or_from_a_column_named_after_the_source() {
        let links = "[[imports.links]]\nname = \"L1\"\nregion = \"North\"\ncap_mw = 300\n\
                     [[imports.links]]\nname = \"L2\"\nregion = \"South\"\ncap_mw = 100\n";
        let text = format!(
            "{BASE}[[imports]]\nname = \"RU\"\ncap_mw = 250\nschedule_mw = -399.5\n{links}\
             [[imports]]\nname = \"KG\"\ncap_mw = 250\nschedule_mw = {{ file = \"s.csv\" }}\n\
             {links}"
        );
        let (m, msgs) = super::super::extract_text(&text);
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(m.schedules.len(), 2);
        assert!(matches!(
            m.schedules[0].schedule,
            Schedule::Flat(-399_500_000)
        ));
        assert_eq!(
            (m.schedules[0].at.line, m.schedules[0].at.field.as_str()),
            (16, "imports[RU].schedule_mw")
        );
        match &m.schedules[1].schedule {
            Schedule::Series {
                column, range_w, ..
            } => {
                assert_eq!(column, "KG");
                assert_eq!(*range_w, (-400_000_000, 250_000_000));
            }
            other => panic!("{other:?}"),
        }
    }

    const TWO_LINES: &str = "[[lines]]\nname = \"N-H\"\nfrom = \"North\"\nto = \"HUB\"\n\
                             forward_mw = 1\n\
                             [[lines]]\nname = \"H-S\"\nfrom = \"HUB\"\nto = \"South\"\n\
                             forward_mw = 1\n";

    #[test]
    fn corridors_are_read_as_line_indices() {
        let (net, msgs) = extract_text(
            "",
            &format!(
                "{TWO_LINES}[[corridors]]\nname = \"into South\"\nlines = [\"H-S\", \"N-H\"]\n\
                 [[corridors]]\nname = \"last\"\nlines = [\"H-S\"]\n"
            ),
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            net.corridors,
            vec![
                Corridor {
                    name: "into South".into(),
                    lines: vec![1, 0]
                },
                Corridor {
                    name: "last".into(),
                    lines: vec![1]
                }
            ]
        );
        assert_eq!(net.check(3, 24), Ok(()));
    }

    #[test]
    fn corridor_problems_are_reported_together() {
        let (net, msgs) = extract_text(
            "",
            &format!(
                "{TWO_LINES}[[corridors]]\nname = \"A\"\nlines = [\"H-S\", \"H-s\"]\n\
                 [[corridors]]\nname = \"A\"\nlines = []\n\
                 [[corridors]]\nname = \"C\"\nlines = [\"N-H\", \"N-H\"]\nline = 1\n\
                 [[corridors]]\nname = \"D\"\nlines = \"N-H\"\n\
                 [[corridors]]\nname = \"E\"\n"
            ),
        );
        assert!(net.corridors.is_empty(), "{:?}", net.corridors);
        let all = msgs.join("\n");
        for want in [
            "t.toml:25: corridors[A].lines[1]: unknown line `H-s`; did you mean `H-S`? known \
             lines: `N-H`, `H-S`",
            "t.toml:27: corridors[A].name: duplicate corridor name `A` (first defined at \
             t.toml:23)",
            "t.toml:28: corridors[A].lines: names no line; expected an array of line names",
            "t.toml:31: corridors[C].lines[1]: line `N-H` is listed twice",
            "t.toml:32: corridors[C].line: unknown key",
            "t.toml:35: corridors[D].lines: expected an array of line names, such as \
             [\"NORTH-SOUTH\", \"EAST-SOUTH\"], got a string (\"N-H\")",
            "t.toml:36: corridors[E].lines: missing required field; expected an array of \
             line names, such as [\"NORTH-SOUTH\", \"EAST-SOUTH\"]: the lines of the corridor",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
    }

    #[test]
    fn corridors_need_lines() {
        let (net, msgs) = extract_text("", "[[corridors]]\nname = \"A\"\nlines = [\"N-S\"]\n");
        assert!(net.corridors.is_empty());
        assert_eq!(
            msgs,
            vec![
                "t.toml:13: corridors[A]: a corridor is a set of lines, but the scenario has \
                  no `[[lines]]`: add the lines between regions first, or remove the corridor"
            ]
        );
    }

    #[test]
    fn hubs_have_no_demand_and_no_units() {
        let (_, msgs) = extract_text(
            "",
            "[[regions]]\nname = \"H2\"\nhub = true\ndemand = { file = \"d.csv\" }\n\
             [[regions]]\nname = \"H3\"\nhub = 1\ndemand = { file = \"d.csv\" }\n\
             [[units]]\nname = \"G\"\nregion = \"HUB\"\nmw = 1\nmttf_h = 1\nmttr_h = 1\n",
        );
        let all = msgs.join("\n");
        for want in [
            "t.toml:16: regions[H2].demand: a hub (`hub = true`) has no demand",
            "t.toml:19: regions[H3].hub: expected `true` or `false`, got an integer (1)",
            "t.toml:23: units[G].region: region `HUB` is a hub (`hub = true`), and a hub has \
             no units",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
        assert_eq!(msgs.len(), 3, "{all}");
    }
}
