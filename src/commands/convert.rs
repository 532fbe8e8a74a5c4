//! `gridrisk convert`: write the scenario a PRAS system file converts to, or the PRAS
//! system file a scenario converts to.

use crate::cli::args::ConvertArgs;
use crate::{bad, embedded};
use anyhow::Context as _;
use std::path::Path;

/// Run the command.
pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let input = Path::new(&args.input);
    if gridrisk_pras::is_pras(input) {
        to_scenario(input, args)
    } else {
        to_pras(args)
    }
}

/// `convert X.pras --out DIR`.
fn to_scenario(input: &Path, args: &ConvertArgs) -> anyhow::Result<()> {
    let (_, files) = gridrisk_pras::convert_file(input, args.pras.omit()).map_err(bad)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the directory", args.out.display()))?;
    for (name, text) in &files.files {
        let path = args.out.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("{}: cannot write the file", path.display()))?;
    }
    crate::output::print(&format!(
        "{}: wrote {} ({} files)\n",
        input.display(),
        args.out.join(files.toml_name()).display(),
        files.files.len()
    ))
}

/// `convert SCENARIO --out X.pras`.
fn to_pras(args: &ConvertArgs) -> anyhow::Result<()> {
    if !gridrisk_pras::is_pras(&args.out) {
        return Err(bad(anyhow::anyhow!(
            "--out {}: a scenario converts to a PRAS system file, whose name ends in .pras",
            args.out.display()
        )));
    }
    if !args.pras.omit.is_empty() {
        return Err(bad(anyhow::anyhow!(
            "--omit applies to reading a .pras file, not to writing one"
        )));
    }
    let scenario = embedded::load(&args.input).map_err(bad)?;
    let source = scenario
        .files
        .first()
        .map_or_else(|| args.input.clone(), |f| f.display().to_string());
    let system = gridrisk_pras::from_model(&scenario.model, &source).map_err(bad)?;
    crate::output::check_file(&args.out)?;
    let bytes = gridrisk_pras::encode(&system, &args.out.display().to_string()).map_err(bad)?;
    crate::output::write_atomic(&args.out, &bytes)?;
    crate::output::print(&format!(
        "{}: wrote {} (PRAS file format {}, {} regions, {} generators, {} storages, {} generator-storages, {} demand responses, {} lines)\n",
        args.input,
        args.out.display(),
        system.version,
        system.regions.names.len(),
        system.generators.names.len(),
        system.storages.names.len(),
        system.generator_storages.storage.names.len(),
        system.demand_responses.names.len(),
        system.lines.names.len()
    ))
}
