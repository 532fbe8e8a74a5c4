//! `gridrisk convert`: write the scenario a PRAS system file converts to.

use crate::bad;
use crate::cli::args::ConvertArgs;
use anyhow::Context as _;

/// Run the command.
pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let (_, files) = gridrisk_pras::convert_file(&args.system, args.pras.omit()).map_err(bad)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the directory", args.out.display()))?;
    for (name, text) in &files.files {
        let path = args.out.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("{}: cannot write the file", path.display()))?;
    }
    crate::output::print(&format!(
        "{}: wrote {} ({} files)\n",
        args.system.display(),
        args.out.join(files.toml_name()).display(),
        files.files.len()
    ))
}
