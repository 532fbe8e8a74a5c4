//! Shard files (`"schema": "gridrisk.shard/7"`) and their merge: what a shard of a run
//! writes, and everything `merge` checks before it adds shards up.
//!
//! A shard file holds the run's identity (scenario, seed, samples, block size, K and N), its
//! blocks and samples, the raw accumulator state (exact integer sums), the state of its
//! first block alone, and a digest over all of these. `merge` trusts none of it:
//!
//! * the header: every field of the expected JSON type (the seed a string of a `u64`), the
//!   same run in every file, each K of N exactly once, N at most [`MAX_SHARDS`], and the
//!   block range and sample count re-derived from (samples, block size, K, N);
//! * the state's shape against the scenario: the empty accumulators of the model
//!   (`Indices::new`) are the template, so the state must have the same keys and every array
//!   the same length (the histograms aside: the EUE histograms' bins and the event tails'
//!   values, whose number varies), every sum must be
//!   an integer, and every value that the template fixes (non-zero in empty accumulators:
//!   calendar weeks, hours per cell and per day, histogram bins, sentinels) must be equal;
//! * the sample count of every accumulator equals the shard's, the sums are ones that some
//!   samples can have ([`PairSums::check`], [`EueDistribution::check`], [`Tails::check`]);
//! * the digest (FNV-1a 64 over the canonical text of the header fields and the states);
//! * a spot check: the first block is simulated again from the seed and must equal the
//!   shard's `first_block`, and the whole state must hold at least what the first block does
//!   (sample counts, counts, sums of squares);
//! * the merge itself is checked: a sum that would overflow is refused;
//! * with `--events`, the shard also holds the event summary of its state and of its first
//!   block (`events`, part of the digest): every shard must have one or none, and each is
//!   checked against its state's event counts ([`EventSummary::check`]) and by the spot
//!   check, so the merged summary is the unsharded run's.
//!
//! The digest is not cryptographic: it catches edited, copied, relabelled and mixed shards,
//! not a deliberate forgery that recomputes it and the spot-checked block.
//!
//! [`PairSums::check`]: crate::estimators::PairSums::check
//! [`EueDistribution::check`]: crate::accumulators::EueDistribution::check
//! [`Tails::check`]: crate::accumulators::Tails::check
//! [`EventSummary::check`]: crate::accumulators::EventSummary::check
//! [`MAX_SHARDS`]: crate::spec::MAX_SHARDS

use crate::accumulators::{EventCatalogue, EventSummary, Indices};
use crate::estimators::PairSums;
use crate::result::{RunInfo, ScenarioId};
use crate::runner::RunOutput;
use crate::sampler::Sampler;
use crate::spec::{SimulationSpec, StopRule};
use gridrisk_core::hash::{fnv1a, FNV_OFFSET};
use gridrisk_core::SystemModel;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Schema tag of one shard of a run.
pub const SHARD_SCHEMA: &str = "gridrisk.shard/7";

/// FNV-1a 64 over the shard's identity and canonical states, as 16 hex digits.
fn digest(scenario: &ScenarioId, spec: &SimulationSpec, state: &str, first: &str) -> String {
    let shard = spec.shard().expect("a sharded spec");
    let (blocks, samples) = (spec.block_range(), spec.sample_range());
    let mut h = fnv1a(FNV_OFFSET, SHARD_SCHEMA.as_bytes());
    for text in [
        env!("CARGO_PKG_VERSION"),
        &scenario.name,
        &scenario.content_hash,
    ] {
        h = fnv1a(fnv1a(h, b"\0"), text.as_bytes());
    }
    for n in [
        spec.seed(),
        spec.max_samples(),
        spec.block_size(),
        shard.k,
        shard.n,
        blocks.start,
        blocks.end,
        samples.end - samples.start,
    ] {
        h = fnv1a(h, &n.to_le_bytes());
    }
    for text in [state, first] {
        h = fnv1a(fnv1a(h, b"\0"), text.as_bytes());
    }
    format!("{h:016x}")
}

/// Canonical text of a state (`null` for none), and of its event summary if it has one.
fn canonical(state: Option<&Indices>) -> String {
    let mut text = serde_json::to_string(&state).expect("accumulators serialise");
    if let Some(events) = state.and_then(|s| s.events.as_ref()) {
        text.push('\0');
        text.push_str(&serde_json::to_string(&events.summary).expect("a summary serialises"));
    }
    text
}

/// The shard document of a sharded run: `out` is its merged state, `first` the state of its
/// first block alone (`None` for a shard without blocks).
pub fn shard_json(
    source: &str,
    scenario: &ScenarioId,
    spec: &SimulationSpec,
    out: &RunOutput<Indices>,
    first: Option<&Indices>,
    run: &RunInfo,
) -> Value {
    let shard = spec.shard().expect("a sharded spec");
    let blocks = spec.block_range();
    let digest = digest(
        scenario,
        spec,
        &canonical(Some(&out.acc)),
        &canonical(first),
    );
    let mut doc = json!({
        "schema": SHARD_SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": {"name": scenario.name, "content_hash": scenario.content_hash, "source": source},
        "seed": spec.seed().to_string(),
        "samples": spec.max_samples(),
        "block_size": spec.block_size(),
        "shard": {"k": shard.k, "n": shard.n, "blocks": [blocks.start, blocks.end], "samples": out.samples},
        "state": out.acc,
        "first_block": first,
        "digest": digest,
        "run": {"threads": run.threads, "wall_s": run.wall_s},
    });
    if let Some(events) = &out.acc.events {
        let first = first.and_then(|f| f.events.as_ref()).map(|e| &e.summary);
        doc["events"] = json!({"state": events.summary, "first_block": first});
    }
    doc
}

/// The `"run"` key of a merged result: what the shards took, not the merge. Per shard (in
/// shard order) its file, threads and wall time as its file records them; in all, the
/// threads of every shard, the sum of their wall times (`wall_s`, the run's time had the
/// shards run one after another), the longest, the thread-seconds (threads times wall time,
/// summed) and the merge's own wall time. The `"run"` key is not part of a shard's digest:
/// a shard without it, or whose threads are not a count >= 1 or whose wall time is not a
/// finite time >= 0, has that value left out (and counts as nothing in the sums).
pub fn merged_run_json(shards: &[(String, Value)], samples: u64, merge_wall_s: f64) -> Value {
    let mut per: Vec<(u64, Value)> = shards
        .iter()
        .map(|(file, doc)| {
            let run = &doc["run"];
            let k = doc["shard"]["k"].as_u64().unwrap_or(0);
            let mut entry = json!({"k": k, "file": file});
            if let Some(t) = run["threads"].as_u64().filter(|&t| t >= 1) {
                entry["threads"] = t.into();
            }
            if let Some(w) = run["wall_s"]
                .as_f64()
                .filter(|w| w.is_finite() && *w >= 0.0)
            {
                entry["wall_s"] = w.into();
            }
            (k, entry)
        })
        .collect();
    per.sort_by_key(|(k, _)| *k);
    let threads: u64 = per.iter().filter_map(|(_, s)| s["threads"].as_u64()).sum();
    let wall = |s: &Value| s["wall_s"].as_f64().filter(|w| w.is_finite() && *w >= 0.0);
    let wall_s: f64 = per.iter().filter_map(|(_, s)| wall(s)).sum();
    let longest = per.iter().filter_map(|(_, s)| wall(s)).fold(0.0, f64::max);
    let thread_s: f64 = per
        .iter()
        .filter_map(|(_, s)| Some(wall(s)? * s["threads"].as_u64()? as f64))
        .sum();
    json!({
        "threads": threads,
        "wall_s": wall_s,
        "samples_per_s": samples as f64 / wall_s.max(1e-9),
        "shard_wall_s_max": longest,
        "thread_s": thread_s,
        "merge_wall_s": merge_wall_s,
        "shards": per.into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
    })
}

/// Why shard files cannot be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// A file is not a shard file of this version.
    #[error("{file}: not a gridrisk shard file of this version (expected \"schema\": \"{SHARD_SCHEMA}\", version {})", env!("CARGO_PKG_VERSION"))]
    NotAShard {
        /// File name.
        file: String,
    },
    /// Two files disagree on what run they belong to.
    #[error("{file}: {field} is {got}, but {first} has {expected}: the shards are not from the same run")]
    Mismatch {
        /// File name.
        file: String,
        /// The JSON path of the field that differs.
        field: &'static str,
        /// Its value there.
        got: String,
        /// The first file.
        first: String,
        /// Its value in the first file.
        expected: String,
    },
    /// A shard is missing or given twice.
    #[error("shards: expected each of 1..={n} exactly once: {problem}")]
    Incomplete {
        /// Number of shards.
        n: u64,
        /// Which shard is missing or repeated.
        problem: String,
    },
    /// A field of a shard is wrong: `problem` starts with its JSON path.
    #[error("{file}: {problem}")]
    Invalid {
        /// File name.
        file: String,
        /// The JSON path and what is wrong there.
        problem: String,
    },
}

/// The run a set of shards belongs to, read from their headers.
#[derive(Clone, Debug)]
pub struct ShardedRun {
    /// Scenario identity.
    pub scenario: ScenarioId,
    /// The scenario argument the shards were run with (a file or an embedded name).
    pub source: String,
    /// The whole run's spec (unsharded).
    pub spec: SimulationSpec,
}

fn invalid(file: &str, problem: String) -> MergeError {
    MergeError::Invalid {
        file: file.to_string(),
        problem,
    }
}

/// A shard's header fields, typed.
struct Header<'a> {
    name: &'a str,
    content_hash: &'a str,
    source: &'a str,
    seed: u64,
    samples: u64,
    block_size: u64,
    k: u64,
    n: u64,
}

impl<'a> Header<'a> {
    fn read(file: &str, doc: &'a Value) -> Result<Header<'a>, MergeError> {
        if doc["schema"] != SHARD_SCHEMA || doc["version"] != env!("CARGO_PKG_VERSION") {
            return Err(MergeError::NotAShard {
                file: file.to_string(),
            });
        }
        let at = |path: &str| path.split('.').fold(doc, |v, key| &v[key]);
        let text = |path: &str| {
            at(path).as_str().ok_or_else(|| {
                invalid(file, format!("{path}: expected a string, got {}", at(path)))
            })
        };
        let count = |path: &str| {
            at(path).as_u64().ok_or_else(|| {
                invalid(
                    file,
                    format!("{path}: expected a whole number >= 0, got {}", at(path)),
                )
            })
        };
        let seed = match &doc["seed"] {
            Value::String(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        }
        .ok_or_else(|| {
            invalid(
                file,
                format!(
                    "seed: expected the seed as a string of decimal digits (a u64, e.g. \"5\"), got {}",
                    doc["seed"]
                ),
            )
        })?;
        Ok(Header {
            name: text("scenario.name")?,
            content_hash: text("scenario.content_hash")?,
            source: text("scenario.source")?,
            seed,
            samples: count("samples")?,
            block_size: count("block_size")?,
            k: count("shard.k")?,
            n: count("shard.n")?,
        })
    }

    /// The fields that must agree between the shards of one run, by JSON path.
    fn identity(&self) -> [(&'static str, String); 6] {
        [
            ("scenario.name", format!("{:?}", self.name)),
            ("scenario.content_hash", format!("{:?}", self.content_hash)),
            ("seed", self.seed.to_string()),
            ("samples", self.samples.to_string()),
            ("block_size", self.block_size.to_string()),
            ("shard.n", self.n.to_string()),
        ]
    }

    /// This shard's spec, checked, with its blocks and samples re-derived and compared.
    fn spec(&self, file: &str, doc: &Value) -> Result<SimulationSpec, MergeError> {
        let spec = SimulationSpec::new(StopRule::Samples(self.samples), self.seed, self.block_size)
            .map_err(|e| invalid(file, format!("samples, block_size: {e}")))?
            .sharded(self.k, self.n)
            .map_err(|e| invalid(file, format!("shard: {e}")))?;
        let blocks = spec.block_range();
        if doc["shard"]["blocks"] != json!([blocks.start, blocks.end]) {
            return Err(invalid(
                file,
                format!(
                    "shard.blocks: expected [{}, {}] for shard {} of {} ({} samples in blocks of {}), got {}",
                    blocks.start, blocks.end, self.k, self.n, self.samples, self.block_size,
                    doc["shard"]["blocks"]
                ),
            ));
        }
        let samples = spec.sample_range();
        let expected = samples.end - samples.start;
        if doc["shard"]["samples"].as_u64() != Some(expected) {
            return Err(invalid(
                file,
                format!(
                    "shard.samples: expected {expected} (blocks {} to {}), got {}",
                    blocks.start, blocks.end, doc["shard"]["samples"]
                ),
            ));
        }
        Ok(spec)
    }
}

/// Check that `shards` (file name, document) are every shard of one run, from their headers
/// alone, and say which run.
pub fn sharded_run(shards: &[(String, Value)]) -> Result<ShardedRun, MergeError> {
    let (first_file, first_doc) = shards.first().ok_or(MergeError::Incomplete {
        n: 0,
        problem: "no shard file given".into(),
    })?;
    let first = Header::read(first_file, first_doc)?;
    let mut ks = Vec::with_capacity(shards.len());
    for (file, doc) in shards {
        let header = Header::read(file, doc)?;
        for ((field, got), (_, expected)) in header.identity().into_iter().zip(first.identity()) {
            if got != expected {
                return Err(MergeError::Mismatch {
                    file: file.clone(),
                    field,
                    got,
                    first: first_file.clone(),
                    expected,
                });
            }
        }
        header.spec(file, doc)?;
        ks.push((header.k, file.as_str()));
    }
    // Without allocating anything of size N: N files, K sorted, K = 1, 2, ..., N.
    let n = first.n;
    ks.sort_unstable();
    // The files given, for a message that cannot name the file at fault.
    let given = || {
        let mut list: Vec<String> = ks
            .iter()
            .take(4)
            .map(|(k, f)| format!("{f} (shard {k})"))
            .collect();
        if ks.len() > 4 {
            list.push(format!("{} more", ks.len() - 4));
        }
        list.join(", ")
    };
    let problem = if let Some(w) = ks.windows(2).find(|w| w[0].0 == w[1].0) {
        Some(format!(
            "shard {} is given twice, in {} and {}",
            w[0].0, w[0].1, w[1].1
        ))
    } else if let Some((i, _)) = (1..).zip(&ks).find(|&(i, &(k, _))| i != k) {
        Some(format!("shard {i} is missing; given: {}", given()))
    } else if (ks.len() as u64) < n {
        Some(format!(
            "shard {} is missing; given: {}",
            ks.len() + 1,
            given()
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(MergeError::Incomplete { n, problem });
    }
    Ok(ShardedRun {
        scenario: ScenarioId {
            name: first.name.to_string(),
            content_hash: first.content_hash.to_string(),
        },
        source: first.source.to_string(),
        spec: SimulationSpec::new(
            StopRule::Samples(first.samples),
            first.seed,
            first.block_size,
        )
        .expect("checked with the header"),
    })
}

/// Check every shard of `run` against `model` (the scenario the shards name, whose content
/// hash the caller has checked) and merge them, in shard order, into the run's state.
pub fn merge_shards(
    shards: &[(String, Value)],
    run: &ShardedRun,
    model: &SystemModel,
) -> Result<Indices, MergeError> {
    let template = serde_json::to_value(Indices::new(model)).expect("accumulators serialise");
    let mut order: Vec<(u64, &(String, Value))> = shards
        .iter()
        .map(|shard| Ok((Header::read(&shard.0, &shard.1)?.k, shard)))
        .collect::<Result<_, MergeError>>()?;
    order.sort_by_key(|s| s.0);
    // A wave of shards at a time is checked in parallel (each re-simulates a block) and
    // merged in shard order, so memory holds one wave of states, not every shard's.
    let mut total: Option<Indices> = None;
    let has_events = |(_, (_, doc)): &(u64, &(String, Value))| !doc["events"].is_null();
    let events = order.first().is_some_and(has_events);
    for wave in order.chunks(rayon::current_num_threads().max(1)) {
        let checked: Vec<Result<Indices, MergeError>> = wave
            .par_iter()
            .map(|(_, (file, doc))| {
                let spec = Header::read(file, doc)?.spec(file, doc)?;
                check_state(file, doc, &run.scenario, &spec, model, &template)
            })
            .collect();
        for (state, shard) in checked.into_iter().zip(wave) {
            let state = state?;
            let file = &shard.1 .0;
            if has_events(shard) != events {
                let (has, first) = if events {
                    ("no", "one")
                } else {
                    ("an", "none")
                };
                return Err(invalid(
                    file,
                    format!("events: {has} event summary, but the first shard has {first}: run every shard with --events or none"),
                ));
            }
            match total.as_mut() {
                None => total = Some(state),
                Some(total) => total
                    .checked_merge(&state)
                    .map_err(|e| invalid(file, format!("state.{e} over the shards before it")))?,
            }
        }
    }
    Ok(total.expect("at least one shard"))
}

/// Check one shard's state and first block, and return its state.
fn check_state(
    file: &str,
    doc: &Value,
    scenario: &ScenarioId,
    spec: &SimulationSpec,
    model: &SystemModel,
    template: &Value,
) -> Result<Indices, MergeError> {
    let samples = spec.sample_range();
    let n = samples.end - samples.start;
    let read = |key: &str| -> Result<Indices, MergeError> {
        check_shape(template, &doc[key], key).map_err(|e| invalid(file, e))?;
        // Read from the document in place (a clone of a large state would double it).
        let state =
            Indices::deserialize(&doc[key]).map_err(|e| invalid(file, format!("{key}: {e}")))?;
        Ok(state)
    };
    // The event summary of a state read from the shard, checked against its event counts.
    let events = !doc["events"].is_null();
    let with_events = |mut state: Indices, key: &str| -> Result<Indices, MergeError> {
        if !events {
            return Ok(state);
        }
        let at = |e: String| invalid(file, format!("events.{key}{e}"));
        let summary =
            EventSummary::deserialize(&doc["events"][key]).map_err(|e| at(format!(": {e}")))?;
        let totals: Vec<i128> = (0..state.lole.areas())
            .map(|a| state.lole.events_total(a))
            .collect();
        (summary.check(totals.len(), model.hours(), &samples, &totals))
            .map_err(|e| at(format!(".{e}")))?;
        state.events = Some(EventCatalogue::new(model, &scenario.name).with_summary(summary));
        Ok(state)
    };
    let state = with_events(read("state")?, "state")?;
    check_counts(&doc["state"], "state", n).map_err(|e| invalid(file, e))?;
    (state.eue_distribution.check(n))
        .map_err(|e| invalid(file, format!("state.eue_distribution.{e}")))?;
    (state.tails.check(n)).map_err(|e| invalid(file, format!("state.tails.{e}")))?;
    let blocks = spec.block_range();
    let first = if blocks.is_empty() {
        if !doc["first_block"].is_null() {
            return Err(invalid(
                file,
                "first_block: expected null for a shard without blocks".into(),
            ));
        }
        None
    } else {
        Some(with_events(read("first_block")?, "first_block")?)
    };
    let expected = digest(
        scenario,
        spec,
        &canonical(Some(&state)),
        &canonical(first.as_ref()),
    );
    if doc["digest"] != expected.as_str() {
        return Err(invalid(
            file,
            format!(
                "digest: {} does not match the shard's contents: the file was edited, or its parts come from different shards",
                doc["digest"]
            ),
        ));
    }
    if let Some(first) = &first {
        let label = events.then_some(scenario.name.as_str());
        let again = simulate_block(model, spec, blocks.start, label)
            .map_err(|e| invalid(file, format!("first_block: cannot be simulated again: {e}")))?;
        if canonical(Some(&again)) != canonical(Some(first)) {
            return Err(invalid(
                file,
                format!(
                    "first_block: differs from block {} simulated again from seed {}: the shard was not produced by this run",
                    blocks.start,
                    spec.seed()
                ),
            ));
        }
        let first = serde_json::to_value(first).expect("accumulators serialise");
        check_contains(&doc["state"], &first, "state").map_err(|e| invalid(file, e))?;
    }
    Ok(state)
}

/// Block `b` of `spec` on its own, as the runner accumulates it (with the event catalogue
/// labelled `events`, if given).
fn simulate_block(
    model: &SystemModel,
    spec: &SimulationSpec,
    b: u64,
    events: Option<&str>,
) -> Result<Indices, crate::inputs::InputError> {
    let mut sampler = Sampler::new(model)?;
    let mut acc = Indices::new(model);
    if let Some(label) = events {
        acc = acc.with_events(model, label);
    }
    for s in spec.block_samples(b) {
        sampler.sample(spec.seed(), s, &mut acc);
    }
    Ok(acc)
}

/// Check `got` at JSON path `path` against the `want` of the scenario's empty accumulators:
/// same keys, same array lengths (except the EUE histogram's bins), integers where
/// integers are, decimal strings where sums are, and equal values where the template's are
/// non-zero (fixed by the model).
fn check_shape(want: &Value, got: &Value, path: &str) -> Result<(), String> {
    let fail = |what: String| Err(format!("{path}: {what}"));
    match want {
        Value::Object(w) => {
            let Some(g) = got.as_object() else {
                return fail(format!("expected an object, got {}", kind(got)));
            };
            if let Some(k) = g.keys().find(|k| !w.contains_key(*k)) {
                return fail(format!("unknown key `{k}`"));
            }
            for (k, wv) in w {
                let Some(gv) = g.get(k) else {
                    return fail(format!("`{k}` is missing"));
                };
                check_shape(wv, gv, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        Value::Array(w) => {
            let Some(g) = got.as_array() else {
                return fail(format!("expected an array, got {}", kind(got)));
            };
            // Histograms hold as many entries as occupied values.
            if path.ends_with(".bins")
                || path.contains(".tails.peak_mw[")
                || path.contains(".tails.longest_h[")
            {
                return Ok(());
            }
            if g.len() != w.len() {
                return fail(format!(
                    "{} entries, but this scenario has {}",
                    g.len(),
                    w.len()
                ));
            }
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                check_shape(wv, gv, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Number(w) => {
            if !(got.is_u64() || got.is_i64()) {
                return fail(format!("expected an integer, got {got}"));
            }
            if w.as_u64() != Some(0) && want != got {
                return fail(format!("expected {want} for this scenario, got {got}"));
            }
            Ok(())
        }
        Value::String(_) => match got.as_str().map(str::parse::<i128>) {
            Some(Ok(_)) => Ok(()),
            _ => fail(format!(
                "expected an exact sum as a string of digits, got {got}"
            )),
        },
        _ => Ok(()),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Check that every sample count (`n`, `samples`) in the state at `path` is the shard's
/// `samples` (none for the illegal-mining path of a model without illegal mining), and that
/// every set of [`PairSums`] is one that samples can have.
fn check_counts(v: &Value, path: &str, samples: u64) -> Result<(), String> {
    match v {
        Value::Object(m) if m.contains_key("sxy") => {
            let sums: PairSums =
                serde_json::from_value(v.clone()).map_err(|e| format!("{path}: {e}"))?;
            sums.check(samples).map_err(|e| format!("{path}.{e}"))
        }
        Value::Object(m) => {
            for (k, x) in m {
                let at = format!("{path}.{k}");
                let samples = if k == "illegal_path" && x["days"] == 0 {
                    0
                } else {
                    samples
                };
                if k == "samples" && x.as_u64() != Some(samples) {
                    return Err(format!("{at}: {x} samples, but the shard has {samples}"));
                }
                check_counts(x, &at, samples)?;
            }
            Ok(())
        }
        Value::Array(a) => (a.iter().enumerate())
            .try_for_each(|(i, x)| check_counts(x, &format!("{path}[{i}]"), samples)),
        _ => Ok(()),
    }
}

/// Check that the whole state `all` at `path` holds at least what its first block `first`
/// does: sample counts, counts and sums of squares never decrease as blocks are added.
fn check_contains<'a>(all: &'a Value, first: &'a Value, path: &str) -> Result<(), String> {
    const GROWING: [&str; 5] = ["n", "samples", "sxx", "syy", "zero"];
    let number = |v: &Value| match v {
        Value::String(s) => s.parse::<i128>().ok(),
        v => v.as_u64().map(i128::from),
    };
    let at_least = |a: &Value, f: &Value, at: &str| match (number(a), number(f)) {
        (Some(a), Some(f)) if a < f => Err(format!(
            "{at}: {a} in the whole shard, less than the {f} of its first block alone"
        )),
        _ => Ok(()),
    };
    match (all, first) {
        (Value::Object(a), Value::Object(f)) => {
            for (k, fv) in f {
                let at = format!("{path}.{k}");
                let av = &a[k];
                if k == "bins" {
                    // [bin, count, "sum", least, largest]: every bin of the first block is in the
                    // whole state with at least its count.
                    let bins = |v: &'a Value| {
                        let triples = v.as_array().into_iter().flatten();
                        triples
                            .map(|t| (t[0].as_u64(), &t[1]))
                            .collect::<BTreeMap<_, _>>()
                    };
                    let whole = bins(av);
                    for (bin, count) in bins(fv) {
                        let at = format!("{at} (bin {})", bin.unwrap_or_default());
                        let all = whole.get(&bin);
                        let all =
                            all.ok_or_else(|| format!("{at}: missing, but in the first block"));
                        at_least(all?, count, &at)?;
                    }
                } else if GROWING.contains(&k.as_str()) {
                    at_least(av, fv, &at)?;
                } else if k == "counts" {
                    for (i, (x, y)) in (av.as_array().into_iter().flatten())
                        .zip(fv.as_array().into_iter().flatten())
                        .enumerate()
                    {
                        at_least(x, y, &format!("{at}[{i}]"))?;
                    }
                } else {
                    check_contains(av, fv, &at)?;
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(f)) => (a.iter().zip(f).enumerate())
            .try_for_each(|(i, (x, y))| check_contains(x, y, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn merged_run_info_leaves_out_what_is_not_a_count_or_a_time() {
        let shard =
            |k: u64, run: Value| (format!("s{k}.json"), json!({"shard": {"k": k}, "run": run}));
        let shards = [
            shard(2, json!({"threads": 2, "wall_s": 1.5})),
            shard(1, json!({"threads": null, "wall_s": -1.0})),
            shard(3, json!({"threads": 0, "wall_s": "2"})),
            (String::from("s4.json"), json!({"shard": {"k": 4}})),
        ];
        let run = merged_run_json(&shards, 100, 0.25);
        assert_eq!(
            run["shards"],
            json!([
                {"k": 1, "file": "s1.json"},
                {"k": 2, "file": "s2.json", "threads": 2, "wall_s": 1.5},
                {"k": 3, "file": "s3.json"},
                {"k": 4, "file": "s4.json"},
            ])
        );
        assert_eq!(
            (run["threads"].as_u64(), run["wall_s"].as_f64()),
            (Some(2), Some(1.5))
        );
        assert_eq!(run["thread_s"].as_f64(), Some(3.0));
    }

    use super::*;
    use crate::accumulators::events::WORST as WORST_EVENTS;
    use gridrisk_core::scenario::{load, Scenario};
    use std::path::Path;
    use std::sync::OnceLock;

    fn rts79() -> Scenario {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        load(&dir.join("../../scenarios/benchmarks/ieee-rts79.toml")).unwrap()
    }

    fn id(sc: &Scenario) -> ScenarioId {
        ScenarioId {
            name: sc.name.clone(),
            content_hash: sc.content_hash.clone(),
        }
    }

    fn spec(seed: u64, k: u64, n: u64) -> SimulationSpec {
        let spec = SimulationSpec::new(StopRule::Samples(60), seed, 20).unwrap();
        spec.sharded(k, n).unwrap()
    }

    /// Shard `k` of `n` of 60 samples in blocks of 20, as `run --shard` writes it.
    fn shard(sc: &Scenario, seed: u64, k: u64, n: u64) -> (String, Value) {
        shard_with(sc, seed, k, n, false)
    }

    fn empty(sc: &Scenario, events: bool) -> Indices {
        let acc = Indices::new(&sc.model);
        if events {
            acc.with_events(&sc.model, &sc.name)
        } else {
            acc
        }
    }

    /// [`shard`], with the event catalogue if `events` (`run --shard K/N --events FILE`).
    fn shard_with(sc: &Scenario, seed: u64, k: u64, n: u64, events: bool) -> (String, Value) {
        let (model, spec) = (&sc.model, spec(seed, k, n));
        let first = OnceLock::new();
        let out = crate::runner::run_observed(
            model,
            &spec,
            1,
            || empty(sc, events),
            &|_| {},
            |_| false,
            &|acc: &Indices| {
                first.get_or_init(|| acc.clone());
            },
        )
        .unwrap();
        let info = RunInfo {
            threads: 1,
            wall_s: 0.0,
        };
        let doc = shard_json("ieee-rts79", &id(sc), &spec, &out, first.get(), &info);
        (format!("shard-{k}.json"), doc)
    }

    /// Recompute the digest after an edit, as a deliberate forger would.
    fn forge(sc: &Scenario, doc: &mut Value, spec: &SimulationSpec) {
        let summary = |key: &str, mut state: Indices| {
            if let Ok(summary) = EventSummary::deserialize(&doc["events"][key]) {
                let events = EventCatalogue::new(&sc.model, &sc.name).with_summary(summary);
                state.events = Some(events);
            }
            state
        };
        let state = summary(
            "state",
            serde_json::from_value(doc["state"].clone()).unwrap(),
        );
        let first: Option<Indices> = serde_json::from_value(doc["first_block"].clone()).unwrap();
        let first = first.map(|f| summary("first_block", f));
        let text = (canonical(Some(&state)), canonical(first.as_ref()));
        doc["digest"] = digest(&id(sc), spec, &text.0, &text.1).into();
    }

    fn merged(sc: &Scenario, shards: &[(String, Value)]) -> Result<Indices, MergeError> {
        merge_shards(shards, &sharded_run(shards)?, &sc.model)
    }

    #[test]
    fn shards_merge_into_the_unsharded_state() {
        let sc = rts79();
        let shards: Vec<_> = (1..=2).map(|k| shard(&sc, 5, k, 2)).collect();
        let whole = crate::runner::run(
            &sc.model,
            &SimulationSpec::new(StopRule::Samples(60), 5, 20).unwrap(),
            1,
            || Indices::new(&sc.model),
            &|_| {},
            |_| false,
        )
        .unwrap();
        let merged = merged(&sc, &shards).unwrap();
        assert_eq!(canonical(Some(&merged)), canonical(Some(&whole.acc)));
    }

    #[test]
    fn event_summaries_merge_into_the_unsharded_one_and_are_checked() {
        let sc = rts79();
        let shards: Vec<_> = (1..=3).map(|k| shard_with(&sc, 5, k, 3, true)).collect();
        let whole = crate::runner::run(
            &sc.model,
            &SimulationSpec::new(StopRule::Samples(60), 5, 20).unwrap(),
            1,
            || empty(&sc, true),
            &|_| {},
            |_| false,
        )
        .unwrap();
        let summary = |acc: &Indices| acc.events.as_ref().unwrap().summary.clone();
        let merged_summary = summary(&merged(&sc, &shards).unwrap());
        assert_eq!(merged_summary, summary(&whole.acc));
        let system = sc.model.regions().len();
        assert!(
            merged_summary.worst[system].len() == WORST_EVENTS,
            "RTS-79 has events"
        );
        // One more event than the state counts, the digest recomputed: the count check.
        let mut forged = shards.clone();
        forged[1].1["events"]["state"]["duration_counts"][0] = json!(10_000);
        forge(&sc, &mut forged[1].1, &spec(5, 2, 3));
        let err = merged(&sc, &forged).unwrap_err().to_string();
        assert!(
            err.starts_with("shard-2.json: events.state.duration_counts: ")
                && err.contains(" events of area 0, but the state counts "),
            "{err}"
        );
        // A worst event of a sample outside the shard.
        let mut edited = shards.clone();
        edited[2].1["events"]["state"]["worst"][system][0]["sample"] = json!(0);
        let err = merged(&sc, &edited).unwrap_err().to_string();
        let want = format!(
            "shard-3.json: events.state.worst[{system}][0]: not an event of samples 40..60"
        );
        assert!(err.starts_with(&want), "{err}");
        // An edit the checks cannot see, without the digest recomputed: the digest.
        let mut edited = shards.clone();
        edited[2].1["events"]["state"]["worst"][system][0]["regions"] = json!("elsewhere");
        let err = merged(&sc, &edited).unwrap_err().to_string();
        assert!(err.starts_with("shard-3.json: digest: "), "{err}");
        // Shards with and without events.
        let mixed = [shards[0].clone(), shard(&sc, 5, 2, 3), shards[2].clone()];
        let err = merged(&sc, &mixed).unwrap_err().to_string();
        assert!(
            err.starts_with("shard-2.json: events: no event summary, but the first shard has one"),
            "{err}"
        );
    }

    #[test]
    fn a_state_with_a_recomputed_digest_fails_the_spot_check() {
        let sc = rts79();
        // Another seed's shard 2 under seed 5's header, digest recomputed: the first block
        // simulated again from seed 5 differs.
        let (name, mut pasted) = shard(&sc, 6, 2, 2);
        pasted["seed"] = "5".into();
        forge(&sc, &mut pasted, &spec(5, 2, 2));
        let err = merged(&sc, &[shard(&sc, 5, 1, 2), (name, pasted)]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "shard-2.json: first_block: differs from block 1 simulated again from seed 5"
            ),
            "{err}"
        );
        // A whole state smaller than its own first block.
        let (name, mut shrunk) = shard(&sc, 5, 2, 2);
        let first = shrunk["first_block"]["lole"]["hours_events"][1]["sxx"].clone();
        assert_ne!(first, "0", "the first block has shortfall hours");
        shrunk["state"]["lole"]["hours_events"][1]["sxx"] = "0".into();
        shrunk["state"]["lole"]["hours_events"][1]["sx"] = "0".into();
        shrunk["state"]["lole"]["hours_events"][1]["sxy"] = "0".into();
        forge(&sc, &mut shrunk, &spec(5, 2, 2));
        let err = merged(&sc, &[shard(&sc, 5, 1, 2), (name, shrunk)]).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "shard-2.json: state.lole.hours_events[1].sxx: 0 in the whole shard, less than the {} of its first block alone",
                first.as_str().unwrap()
            )),
            "{err}"
        );
    }

    #[test]
    fn sums_that_would_overflow_in_the_merge_are_refused() {
        let sc = rts79();
        let half = (i128::MAX / 2 + 1).to_string();
        let shards: Vec<_> = (1..=2)
            .map(|k| {
                let (name, mut doc) = shard(&sc, 5, k, 2);
                doc["state"]["eue"]["sums"][0]["sxx"] = half.as_str().into();
                forge(&sc, &mut doc, &spec(5, k, 2));
                (name, doc)
            })
            .collect();
        let err = merged(&sc, &shards).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shard-2.json: state.eue.sums[0].sxx: the sum overflows over the shards before it"
        );
    }

    #[test]
    fn a_shard_without_blocks_has_no_first_block() {
        let sc = rts79();
        // 3 blocks over 4 shards: shard 1 has none.
        let (name, mut empty) = shard(&sc, 5, 1, 4);
        assert!(empty["first_block"].is_null());
        let rest: Vec<_> = (2..=4).map(|k| shard(&sc, 5, k, 4)).collect();
        let all = |first: Value| {
            let mut all = vec![(name.clone(), first)];
            all.extend(rest.iter().cloned());
            all
        };
        assert_eq!(merged(&sc, &all(empty.clone())).unwrap().samples(), 60);
        empty["first_block"] = rest[0].1["first_block"].clone();
        let err = merged(&sc, &all(empty)).unwrap_err();
        assert!(
            err.to_string().contains("first_block: expected null"),
            "{err}"
        );
    }
}
