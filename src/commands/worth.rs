//! `gridrisk worth BASE VARIANT`: the variant's equivalent firm capacity and ELCC in MW
//! (definitions and the interval in the README and [`gridrisk_montecarlo::worth`]).

use super::{emit, json_text, scenario_id};
use crate::cli::args::{WorthArgs, WorthFormat, WorthMetric};
use crate::{bad, embedded};
use anyhow::anyhow;
use gridrisk_core::SystemModel;
use gridrisk_montecarlo::runner::RunError;
use gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE;
use gridrisk_montecarlo::worth::{
    worth, worths, Measure, Metric, Question, Reuse, Worth, WorthError,
};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use serde_json::json;
use std::time::Instant;

/// Schema tag of a worth document.
pub const SCHEMA: &str = "gridrisk.worth/1";

/// How the interval is formed (in every worth document).
const INTERVAL: &str =
    "delta method: se(x) = se(D) / D', D the paired difference at x, D' the bracket's secant slope";

/// Run the command.
pub fn run(args: &WorthArgs) -> anyhow::Result<()> {
    let base = embedded::load(&args.base).map_err(bad)?;
    let variant = embedded::load(&args.variant).map_err(bad)?;
    super::print_warnings(&base);
    super::print_warnings(&variant);
    let names: Vec<&str> = base.model.regions().iter().map(|r| r.name()).collect();
    let region = match &args.region {
        Some(r) => region_of(&args.base, &base.model, r, "--region")?,
        None if names.len() == 1 => 0,
        None => {
            return Err(bad(anyhow!(
                "--region is required: '{}' has {} regions ({})",
                args.base,
                names.len(),
                names.join(", ")
            )))
        }
    };
    let metric = match args.metric {
        WorthMetric::Eue => Metric::Eue,
        WorthMetric::Lole => Metric::Lole,
    };
    let measures: Vec<Measure> = match (args.efc, args.elcc) {
        (true, _) => vec![Measure::Efc],
        (_, true) => vec![Measure::Elcc],
        _ => vec![Measure::Efc, Measure::Elcc],
    };
    let spec = SimulationSpec::new(
        StopRule::Samples(args.samples),
        args.seed,
        DEFAULT_BLOCK_SIZE,
    )
    .map_err(bad)?;
    let started = Instant::now();
    // Both measures share the evaluation at x = 0 (base against variant).
    let results = worths(
        &base.model,
        &variant.model,
        &measures,
        region,
        metric,
        &spec,
        args.threads,
        &|measure, x_mw| note!("{}: evaluated x = {x_mw} MW", measure.name()),
        Reuse::Everything,
    )
    .map_err(|e| {
        // Every message names both files (and the measure, when it is one's alone).
        let what = match (&e, &measures[..]) {
            (WorthError::Unreachable { measure, .. }, _) => measure.to_string(),
            (_, [one]) => one.name().to_string(),
            _ => measures
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(" and "),
        };
        let what = format!("{what} of '{}' against '{}'", args.variant, args.base);
        match e {
            WorthError::Run(RunError::Pool { .. }) => anyhow!(e).context(what),
            other => bad(anyhow!(other).context(what)),
        }
    })?;
    let doc = json!({
        "schema": SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "base": {"name": scenario_id(&base).name, "content_hash": base.content_hash},
        "variant": {"name": scenario_id(&variant).name, "content_hash": variant.content_hash},
        "horizon_h": base.model.hours(),
        "region": names[region],
        "metric": metric.name(),
        "samples": args.samples,
        "seed": args.seed,
        "interval": INTERVAL,
        "results": results,
        "run": {"threads": super::run::resolved_threads(args.threads), "wall_s": started.elapsed().as_secs_f64()},
    });
    let text = match args.format {
        WorthFormat::Json => json_text(&doc),
        WorthFormat::Table => table(&base.name, &variant.name, names[region], metric, &results),
    };
    emit(&text, None)
}

/// The index of region `name` of `model` (read from `file`), or a bad-input error naming
/// `flag`, the file and its regions.
pub fn region_of(file: &str, model: &SystemModel, name: &str, flag: &str) -> anyhow::Result<usize> {
    let names: Vec<&str> = model.regions().iter().map(|r| r.name()).collect();
    names.iter().position(|n| *n == name).ok_or_else(|| {
        bad(anyhow!(
            "{flag}: '{file}' has no region '{name}' (its regions: {})",
            names.join(", ")
        ))
    })
}

/// A study's worth of `variant` against `base`: the EFC by system EUE in `region`, as the
/// JSON object `worth` writes per result (plus `region` and `metric`), or `{"error": why}`
/// when the variant has none (it changes nothing, or is worse than the base).
pub fn study_worth(
    base: &SystemModel,
    variant: &SystemModel,
    region: usize,
    spec: &SimulationSpec,
    threads: usize,
) -> anyhow::Result<serde_json::Value> {
    let question = Question {
        measure: Measure::Efc,
        region,
        metric: Metric::Eue,
    };
    let head = json!({
        "region": base.regions()[region].name(),
        "metric": Metric::Eue.name(),
        "interval": INTERVAL,
    });
    let found = worth(base, variant, question, spec, threads, &|_| {});
    let mut doc = match found {
        Ok(w) => serde_json::to_value(w)?,
        Err(WorthError::Run(e @ RunError::Pool { .. })) => return Err(e.into()),
        Err(e) => json!({"measure": Measure::Efc.name(), "error": e.to_string()}),
    };
    let obj = doc.as_object_mut().expect("an object");
    obj.remove("evaluations");
    for (k, v) in head.as_object().expect("an object") {
        obj.insert(k.clone(), v.clone());
    }
    Ok(doc)
}

/// The readable table.
fn table(base: &str, variant: &str, region: &str, metric: Metric, results: &[Worth]) -> String {
    let mut s = format!(
        "worth of '{variant}' against '{base}' by system {}, x in region {region}\n\n",
        metric.name()
    );
    s += &format!(
        "{:<6} {:>12} {:>25} {:>6} {:>16} {:>16}\n",
        "", "x_mw", "95% interval", "steps", "base", "variant"
    );
    for w in results {
        let first = &w.evaluations[0];
        let (b, v) = match w.measure {
            "efc" => (first.with_x.mean, first.with_x.mean + first.difference.mean),
            _ => (first.with_x.mean - first.difference.mean, first.with_x.mean),
        };
        s += &format!(
            "{:<6} {:>12.4} {:>25} {:>6} {:>16.6} {:>16.6}\n",
            w.measure.to_uppercase(),
            w.x_mw,
            format!("[{:.4}, {:.4}]", w.ci95_mw[0], w.ci95_mw[1]),
            w.steps,
            b,
            v
        );
    }
    s += "\nEFC: never-failing capacity added to the base that gives the variant's metric; ELCC: \
          constant load the variant carries at the base's metric. Interval: delta method on \
          the paired differences (same samples in every evaluation).\n";
    if results.iter().any(|w| !w.monotone) {
        s += "Energy-limited resources (storage, demand response, ladder): the metric need not be monotone in \
              x; x is the crossing that bisection found.\n";
    }
    s
}
