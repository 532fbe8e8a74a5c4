//! The README's pandas snippet, run as a user would: the `# $ gridrisk ...` commands in its
//! comments (with fewer samples), then the snippet itself with `python3`, if Python with
//! pandas is there; otherwise the snippet is skipped with a message (the commands still run,
//! and their CSV files are checked to load as the snippet expects).

use crate::util::gridrisk;
use std::path::Path;

/// Samples per scenario instead of the README's: enough for every index to exist.
const SAMPLES: &str = "6";

/// The first ```python block of README.md that imports pandas.
fn snippet() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    readme
        .split("```python\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .find(|block| block.contains("import pandas"))
        .expect("README.md has a pandas snippet")
        .to_string()
}

/// The commands of the snippet's `# $ gridrisk ...` comments, as arguments after
/// `gridrisk`, with `--samples` set to [`SAMPLES`].
fn commands(snippet: &str) -> Vec<Vec<String>> {
    snippet
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# $ gridrisk "))
        .map(|command| {
            // A note in parentheses after two spaces is not part of the command.
            let command = command.split("  (").next().unwrap();
            let mut args: Vec<String> = command.split_whitespace().map(String::from).collect();
            if let Some(i) = args.iter().position(|a| a == "--samples") {
                args[i + 1] = SAMPLES.into();
            }
            args
        })
        .collect()
}

fn has_pandas() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_readme_pandas_snippet_runs() {
    let snippet = snippet();
    let commands = commands(&snippet);
    assert_eq!(
        commands.iter().map(|c| c[0].as_str()).collect::<Vec<_>>(),
        ["run", "compare", "study"],
        "{snippet}"
    );
    let dir = tempfile::tempdir().unwrap();
    for args in &commands {
        let out = gridrisk()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gridrisk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Every CSV the snippet reads exists, with the columns it names.
    for (file, columns) in [
        ("run.csv", "scenario,area,index,mean,se,ci95_lo,ci95_hi,unit"),
        ("cmp.csv", "scenario,label,area,index,mean,se,ci95_lo,ci95_hi,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,unit"),
        ("gridrisk-out/study.csv", "scenario,label,area,index,mean,se,ci95_lo,ci95_hi,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,unit"),
    ] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(text.lines().next(), Some(columns), "{file}");
        assert!(snippet.contains(&format!("\"{file}\"")), "{file}");
    }
    if !has_pandas() {
        eprintln!(
            "SKIPPED: the README pandas snippet was not run: python3 with pandas is not \
             installed (`pip install pandas` to run it); its commands ran and their CSV \
             files were checked"
        );
        return;
    }
    let out = std::process::Command::new("python3")
        .current_dir(dir.path())
        .args(["-c", &snippet])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README snippet failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It prints the South's LOLE change of each of the study's 15 variants.
    assert_eq!(stdout.lines().count(), 16, "{stdout}");
    assert!(stdout.contains("h/window"), "{stdout}");
}

/// No merge left a conflict in the documents, scenarios or sources: a line that starts with
/// `<<<<<<< `, `>>>>>>> ` or is exactly `=======` (seven `=`, as git writes it).
#[test]
fn no_merge_conflict_markers_are_left() {
    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    visit(&path, found);
                }
            } else if ["md", "rs", "toml", "csv", "json", "py", "sh"]
                .iter()
                .any(|ext| name.ends_with(&format!(".{ext}")))
            {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (i, line) in text.lines().enumerate() {
                    if line.starts_with("<<<<<<< ")
                        || line.starts_with(">>>>>>> ")
                        || line == "======="
                    {
                        found.push(format!("{}:{}", path.display(), i + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(Path::new(env!("CARGO_MANIFEST_DIR")), &mut found);
    assert!(found.is_empty(), "conflict markers at {found:?}");
}
