//! Scenario errors: every problem found in a scenario, each with its file, line and field.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Everything wrong with a scenario, found in one pass where feasible.
///
/// `Display` prints one [`Problem`] per line, in the order the files were read and then by
/// line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The problems, at least one.
    pub problems: Vec<Problem>,
}

/// One problem in a scenario file.
///
/// Displayed as `{file}:{line}: {field}: {message}`; a missing line or field is left out
/// with its separator (`{file}: {message}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The file at fault, as given or as joined from the file that names it.
    pub file: PathBuf,
    /// Line in that file, 1-based (TOML and CSV), if one is known.
    pub line: Option<usize>,
    /// The field at fault: a TOML path such as `units[U20].mttf_h` or
    /// `regions[RTS].demand.peak_mw`, or a CSV column name.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Problem {
    /// A problem with a file as a whole (no line, no field).
    pub fn file(file: &Path, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_path_buf(),
            line: None,
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl From<Problem> for ScenarioError {
    fn from(p: Problem) -> ScenarioError {
        ScenarioError { problems: vec![p] }
    }
}

/// Most characters of a value read from a file that a message shows: a message names the
/// field and shows a short excerpt, never a whole line or file.
pub(crate) const EXCERPT_CHARS: usize = 40;

/// The first [`EXCERPT_CHARS`] characters of `s`, escaped as in a Rust string literal
/// (`\n`, `\"`, `\u{feff}`), and whether `s` was cut.
fn escaped_start(s: &str) -> (String, bool) {
    let mut chars = s.chars();
    let text = chars
        .by_ref()
        .take(EXCERPT_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    (text, chars.next().is_some())
}

/// A value read from a file as a message shows it: quoted, escaped and cut
/// (`"n/a"`, `"abcd..."...`); see [`EXCERPT_CHARS`].
pub(crate) fn excerpt(s: &str) -> String {
    let (text, cut) = escaped_start(s);
    format!("\"{text}\"{}", if cut { "..." } else { "" })
}

/// A name read from a file (a CSV column) or a number's text as a message shows it:
/// escaped and cut like [`excerpt`], not quoted.
pub(crate) fn short(s: &str) -> String {
    let (text, cut) = escaped_start(s);
    if cut {
        text + "..."
    } else {
        text
    }
}

/// Most problems (and most warnings) kept for one scenario; a file of 400,000 empty tables
/// gave two million lines of errors. The rest are counted in one last problem.
const MAX_PROBLEMS: usize = 200;

/// Collects problems while a scenario is read.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    /// Problems not kept, beyond [`MAX_PROBLEMS`].
    more: usize,
    /// Warnings: input that is accepted but probably not what was meant (a date range
    /// clipped to the study window).
    warnings: Vec<Problem>,
}

impl Problems {
    /// Record a problem.
    pub(crate) fn push(
        &mut self,
        file: &Path,
        line: Option<usize>,
        field: Option<&str>,
        msg: String,
    ) {
        if self.list.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.list.push(Problem {
            file: file.to_path_buf(),
            line,
            field: field.map(str::to_string),
            message: msg,
        });
    }

    /// Record a warning (the scenario still loads).
    pub(crate) fn warn(
        &mut self,
        file: &Path,
        line: Option<usize>,
        field: Option<&str>,
        msg: String,
    ) {
        if self.warnings.len() >= MAX_PROBLEMS {
            return;
        }
        self.warnings.push(Problem {
            file: file.to_path_buf(),
            line,
            field: field.map(str::to_string),
            message: msg,
        });
    }

    /// The warnings, ordered like problems in [`Problems::into_error`].
    pub(crate) fn take_warnings(&mut self, files: &[PathBuf]) -> Vec<Problem> {
        let mut list = std::mem::take(&mut self.warnings);
        sort(&mut list, files);
        list
    }

    /// True if no problem was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The error, with problems ordered by file (in `files` order, unknown files last,
    /// stable) and then by line.
    pub(crate) fn into_error(self, files: &[PathBuf]) -> ScenarioError {
        let mut list = self.list;
        sort(&mut list, files);
        if self.more > 0 {
            let file = files.first().unwrap_or(&list[0].file);
            list.push(Problem::file(
                file,
                format!("{} more problems not shown", self.more),
            ));
        }
        ScenarioError { problems: list }
    }
}

/// Order problems by file (in `files` order, unknown files last, stable), then by line, and
/// drop repeats (a CSV that several regions read is checked once for each).
fn sort(list: &mut Vec<Problem>, files: &[PathBuf]) {
    let mut seen = HashSet::with_capacity(list.len());
    list.retain(|p| seen.insert(p.clone()));
    list.sort_by_key(|p| {
        let f = files
            .iter()
            .position(|f| *f == p.file)
            .unwrap_or(usize::MAX);
        (f, p.line.unwrap_or(0))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_escaped_and_cut() {
        assert_eq!(excerpt("n/a"), "\"n/a\"");
        assert_eq!(excerpt("a\"b\n"), "\"a\\\"b\\n\"");
        let long = "x".repeat(41);
        assert_eq!(excerpt(&long), format!("\"{}\"...", &long[..40]));
        assert_eq!(excerpt(&long[..40]), format!("\"{}\"", &long[..40]));
        assert_eq!(short(&long), format!("{}...", &long[..40]));
        assert_eq!(short("load_mw"), "load_mw");
        assert_eq!(short("\u{7}"), "\\u{7}");
    }

    #[test]
    fn problems_beyond_the_limit_are_counted() {
        let mut p = Problems::default();
        for line in 0..MAX_PROBLEMS + 5 {
            p.push(Path::new("a.toml"), Some(line), None, "bad".into());
        }
        let e = p.into_error(&[PathBuf::from("a.toml")]);
        assert_eq!(e.problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            e.problems[MAX_PROBLEMS].to_string(),
            "a.toml: 5 more problems not shown"
        );
    }

    #[test]
    fn display_leaves_out_missing_parts() {
        let mut p = Problem {
            file: PathBuf::from("a/b.toml"),
            line: Some(9),
            field: Some("units[U12].mtr_h".into()),
            message: "unknown key".into(),
        };
        assert_eq!(p.to_string(), "a/b.toml:9: units[U12].mtr_h: unknown key");
        p.line = None;
        assert_eq!(p.to_string(), "a/b.toml: units[U12].mtr_h: unknown key");
        p.field = None;
        assert_eq!(p.to_string(), "a/b.toml: unknown key");
        p.line = Some(3);
        assert_eq!(p.to_string(), "a/b.toml:3: unknown key");
    }
}
