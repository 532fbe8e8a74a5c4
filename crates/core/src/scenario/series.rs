//! The CSV layer: hourly demand columns and RTS-style percentage tables, checked cell by
//! cell with file, line and column.

use super::error::{excerpt, short, Problems};
use super::manifest::{short_number, too_much_power, FileRef, Seasons, MAX_HOURS};
use super::source::Reader;
use crate::bounds::MAX_POWER_MW;
use crate::calendar::{parse_weekday, Calendar, WEEKDAYS};
use crate::power::{mw_to_w, W_PER_MW};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Most bad cells reported per column (and most bad header names per file); the rest are
/// counted in one summary problem.
const MAX_CELL_PROBLEMS: usize = 10;

/// The index column a demand CSV may have beside its MW column: checked, otherwise unused.
const HOUR_COLUMN: &str = "hour";

/// Most data rows of a CSV: one per hour of the longest study.
const MAX_ROWS: usize = MAX_HOURS as usize;

/// Most columns of a CSV.
const MAX_COLUMNS: usize = 10_000;

/// A CSV file read into strings: a header row and data rows with their line numbers.
///
/// The data fields are held in one string (with a 4-byte end offset each), not as a
/// `String` each, so that memory stays a small multiple of the file's size.
pub(crate) struct Csv {
    pub(crate) path: PathBuf,
    pub(crate) header: Vec<String>,
    /// The data rows' fields, trimmed, one after another.
    text: String,
    /// Where each field ends in `text`, row after row.
    ends: Vec<u32>,
    /// Each data row's line and the index in `ends` of its first field.
    rows: Vec<(usize, usize)>,
}

/// The fields of one data row.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    text: &'a str,
    /// Where the row starts in `text`.
    start: usize,
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// Field `col`, if the row has it.
    pub(crate) fn get(&self, col: usize) -> Option<&'a str> {
        let end = *self.ends.get(col)? as usize;
        let start = match col {
            0 => self.start,
            _ => self.ends[col - 1] as usize,
        };
        Some(&self.text[start..end])
    }

    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Parsed CSV files by path, so that a file that many blocks name (a PRAS system's
/// conversion names one capacity file from each of RTS-GMLC's 80 blocks with hourly
/// capacity) is parsed once; a file that failed is reported once.
#[derive(Default)]
pub(crate) struct Parsed(HashMap<PathBuf, Option<Rc<Csv>>>);

impl Parsed {
    /// [`read`], once per path.
    pub(crate) fn read(
        &mut self,
        reader: &mut Reader<'_>,
        f: &FileRef,
        p: &mut Problems,
    ) -> Option<Rc<Csv>> {
        self.0
            .entry(f.path.clone())
            .or_insert_with(|| read(reader, f, p).map(Rc::new))
            .clone()
    }
}

/// Read the CSV named by `f`. A missing file is reported at the TOML key naming it.
pub(crate) fn read(reader: &mut Reader<'_>, f: &FileRef, p: &mut Problems) -> Option<Csv> {
    let bytes = match reader.read(&f.path, &crate::files::CSV) {
        Ok(b) => b,
        Err(e) => {
            p.push(
                &f.toml,
                Some(f.line),
                Some(&f.field),
                format!("cannot read `{}`: {e}", f.path.display()),
            );
            return None;
        }
    };
    parse(&bytes, &f.path, p)
}

/// Parse CSV bytes (a UTF-8 byte order mark is skipped; fields are trimmed). Column names
/// must be unique, at most [`MAX_COLUMNS`]; a row may not have more fields than the header;
/// at most [`MAX_ROWS`] data rows.
pub(crate) fn parse(bytes: &[u8], path: &Path, p: &mut Problems) -> Option<Csv> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if u32::try_from(bytes.len()).is_err() {
        p.push(path, None, None, "larger than 4 GiB".into());
        return None;
    }
    let mut records = Records::new(bytes);
    let (line, header) = match records.next(MAX_COLUMNS) {
        Record::End => {
            p.push(
                path,
                None,
                None,
                "the file is empty; expected a header row".into(),
            );
            return None;
        }
        Record::TooLong { line, fields } => {
            p.push(
                path,
                Some(line),
                None,
                format!("the header has {fields} columns, more than the {MAX_COLUMNS} allowed"),
            );
            return None;
        }
        Record::Fields { line, text, ends } => (line, split(text, ends)),
    };
    let header: Option<Vec<String>> = header.map(|h| h.map(str::to_string).collect());
    let mut bad = usize::from(header.is_none());
    if header.is_none() {
        p.push(path, Some(line), None, "the line is not valid UTF-8".into());
    }
    let columns = header.as_ref().map_or(MAX_COLUMNS, Vec::len);
    let mut text = String::new();
    let mut ends: Vec<u32> = Vec::new();
    let mut rows = Vec::new();
    loop {
        let (line, msg) = match records.next(columns) {
            Record::End => break,
            Record::TooLong { line, fields } => (
                line,
                format!("the row has {fields} fields, the header has {columns}"),
            ),
            Record::Fields { line, .. } if rows.len() == MAX_ROWS => {
                p.push(
                    path,
                    Some(line),
                    None,
                    format!(
                        "more than {MAX_ROWS} data rows; no table needs more (a study is at \
                         most {MAX_ROWS} hours)"
                    ),
                );
                return None;
            }
            Record::Fields {
                line,
                text: t,
                ends: e,
            } => match split(t, e) {
                Some(fields) => {
                    rows.push((line, ends.len()));
                    for f in fields {
                        text.push_str(f);
                        // Fits: `text` is no longer than the file.
                        ends.push(text.len() as u32);
                    }
                    continue;
                }
                None => (line, "the line is not valid UTF-8".into()),
            },
        };
        if bad < MAX_CELL_PROBLEMS {
            p.push(path, Some(line), None, msg);
        }
        bad += 1;
    }
    if bad > MAX_CELL_PROBLEMS {
        p.push(
            path,
            None,
            None,
            format!("{} more bad rows not shown", bad - MAX_CELL_PROBLEMS),
        );
    }
    let header = header?;
    let ok = unique_names(&header, path, p) && bad == 0;
    ok.then_some(Csv {
        path: path.to_path_buf(),
        header,
        text,
        ends,
        rows,
    })
}

/// The fields of a record (`ends`: where each ends in `text`), trimmed; `None` if not UTF-8.
fn split<'a>(text: &'a [u8], ends: &'a [usize]) -> Option<impl Iterator<Item = &'a str>> {
    let text = std::str::from_utf8(text).ok()?;
    let starts = std::iter::once(0).chain(ends.iter().copied());
    Some(
        starts
            .zip(ends)
            .map(|(a, &b)| text[a..b].trim_matches(|c: char| c.is_ascii_whitespace())),
    )
}

/// One record read by [`Records`].
enum Record<'a> {
    /// No more records.
    End,
    /// A record of more fields than allowed (the fields are not kept).
    TooLong { line: usize, fields: usize },
    /// A record's fields, one after another in `text`, each ending at its `ends` entry.
    Fields {
        line: usize,
        text: &'a [u8],
        ends: &'a [usize],
    },
}

/// Reads CSV records one by one into reused buffers, keeping none with more fields than
/// asked: a line of millions of fields costs no more memory than its bytes.
struct Records<'a> {
    input: &'a [u8],
    core: csv_core::Reader,
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl<'a> Records<'a> {
    fn new(input: &'a [u8]) -> Records<'a> {
        Records {
            input,
            core: csv_core::Reader::new(),
            text: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The next record, if it has at most `max_fields` fields.
    fn next(&mut self, max_fields: usize) -> Record<'_> {
        use csv_core::ReadRecordResult as R;
        // The line the record starts at: the reader skips blank lines before it.
        let blank = self
            .input
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .filter(|&&b| b == b'\n')
            .count();
        let line = self.core.line() as usize + blank;
        let (mut text_len, mut ends_len, mut skipped) = (0, 0, 0);
        loop {
            let (res, n_in, n_text, n_ends) = self.core.read_record(
                self.input,
                &mut self.text[text_len..],
                &mut self.ends[ends_len..],
            );
            self.input = &self.input[n_in..];
            text_len += n_text;
            ends_len += n_ends;
            match res {
                R::InputEmpty => {}
                R::OutputFull if skipped > 0 => text_len = 0,
                R::OutputFull => {
                    let n = self.text.len() * 2;
                    self.text.resize(n, 0);
                }
                R::OutputEndsFull if skipped > 0 || self.ends.len() > max_fields => {
                    // Too many fields: count and drop the rest.
                    skipped += ends_len;
                    (text_len, ends_len) = (0, 0);
                }
                R::OutputEndsFull => {
                    let n = (self.ends.len() * 2).min(max_fields + 1);
                    self.ends.resize(n, 0);
                }
                R::Record if skipped > 0 || ends_len > max_fields => {
                    return Record::TooLong {
                        line,
                        fields: skipped + ends_len,
                    };
                }
                R::Record => {
                    return Record::Fields {
                        line,
                        text: &self.text[..text_len],
                        ends: &self.ends[..ends_len],
                    };
                }
                R::End => return Record::End,
            }
        }
    }
}

/// Check that no column name is repeated (a repeated name would be ambiguous: only the
/// first column of that name would be read).
fn unique_names(header: &[String], path: &Path, p: &mut Problems) -> bool {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    let mut repeats = 0;
    for (i, name) in header.iter().enumerate() {
        let Some(&j) = first.get(name.as_str()) else {
            first.insert(name, i);
            continue;
        };
        if repeats < MAX_CELL_PROBLEMS {
            p.push(
                path,
                Some(1),
                Some(&short(name)),
                format!(
                    "duplicate column name: columns {} and {} are both named {}; \
                     each column needs its own name",
                    j + 1,
                    i + 1,
                    excerpt(name)
                ),
            );
        }
        repeats += 1;
    }
    if repeats > MAX_CELL_PROBLEMS {
        p.push(
            path,
            Some(1),
            None,
            format!(
                "{} more duplicate column names not shown",
                repeats - MAX_CELL_PROBLEMS
            ),
        );
    }
    repeats == 0
}

/// The header's names for a message: `` `a`, `b` ``, at most [`MAX_CELL_PROBLEMS`] of them,
/// each cut to an excerpt.
fn header_names(header: &[String]) -> String {
    let mut names: Vec<String> = header
        .iter()
        .take(MAX_CELL_PROBLEMS)
        .map(|h| format!("`{}`", short(h)))
        .collect();
    if header.len() > MAX_CELL_PROBLEMS {
        names.push(format!("and {} more", header.len() - MAX_CELL_PROBLEMS));
    }
    names.join(", ")
}

impl Csv {
    /// The data rows with their line numbers.
    pub(crate) fn rows(&self) -> impl ExactSizeIterator<Item = (usize, Row<'_>)> {
        self.rows.iter().enumerate().map(|(i, &(line, first))| {
            let last = self.rows.get(i + 1).map_or(self.ends.len(), |r| r.1);
            let start = match first {
                0 => 0,
                _ => self.ends[first - 1] as usize,
            };
            let row = Row {
                text: &self.text,
                start,
                ends: &self.ends[first..last],
            };
            (line, row)
        })
    }

    /// Index of the column named `name`, or a problem.
    pub(crate) fn column(&self, name: &str, p: &mut Problems) -> Option<usize> {
        let i = self.header.iter().position(|h| h == name);
        if i.is_none() {
            p.push(
                &self.path,
                Some(1),
                Some(name),
                format!(
                    "missing column `{name}`; the header has {}",
                    header_names(&self.header)
                ),
            );
        }
        i
    }

    /// Check the header is exactly `names` (in any order).
    fn exact_columns(&self, names: &[String], p: &mut Problems) -> Option<Vec<usize>> {
        let cols: Vec<Option<usize>> = names.iter().map(|n| self.column(n, p)).collect();
        let ok = cols.iter().all(Option::is_some);
        let unexpected: Vec<&String> = self.header.iter().filter(|h| !names.contains(h)).collect();
        let expected: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        for h in unexpected.iter().take(MAX_CELL_PROBLEMS) {
            p.push(
                &self.path,
                Some(1),
                Some(&short(h)),
                format!(
                    "unexpected column; expected exactly {}",
                    expected.join(", ")
                ),
            );
        }
        if unexpected.len() > MAX_CELL_PROBLEMS {
            p.push(
                &self.path,
                Some(1),
                None,
                format!(
                    "{} more unexpected columns not shown",
                    unexpected.len() - MAX_CELL_PROBLEMS
                ),
            );
        }
        (ok && unexpected.is_empty()).then(|| cols.into_iter().flatten().collect())
    }

    /// Check the number of data rows; a problem names the first extra row's line, if any.
    fn row_count(
        &self,
        expected: usize,
        what: &str,
        field: Option<&str>,
        p: &mut Problems,
    ) -> bool {
        if self.rows.len() == expected {
            return true;
        }
        let line = self.rows.get(expected).map(|r| r.0);
        p.push(
            &self.path,
            line,
            field,
            format!(
                "has {} data rows, expected {expected} ({what})",
                self.rows.len()
            ),
        );
        false
    }

    /// The numbers in column `col`, each checked by `ok` (`expect` describes the range).
    /// `None` if any cell is bad; bad cells are reported (up to a limit).
    fn numbers(
        &self,
        col: usize,
        what: &str,
        ok: impl Fn(f64) -> bool,
        expect: &str,
        p: &mut Problems,
    ) -> Option<Vec<f64>> {
        let name = &self.header[col];
        let mut out = Vec::with_capacity(self.rows.len());
        let mut bad = 0;
        for (line, fields) in self.rows() {
            let cell = fields.get(col).unwrap_or("");
            let msg = match cell.parse::<f64>() {
                _ if fields.len() <= col => Some(format!(
                    "the row has {} fields, the header has {}",
                    fields.len(),
                    self.header.len()
                )),
                Ok(x) if x.is_finite() && ok(x) => {
                    out.push(x);
                    None
                }
                Ok(x) if x.is_finite() => Some(format!("must be {expect}, got {}", short(cell))),
                _ => Some(format!("expected a number ({what}), got {}", excerpt(cell))),
            };
            if let Some(msg) = msg {
                if bad < MAX_CELL_PROBLEMS {
                    p.push(&self.path, Some(line), Some(name), msg);
                }
                bad += 1;
            }
        }
        if bad > MAX_CELL_PROBLEMS {
            p.push(
                &self.path,
                None,
                Some(name),
                format!("{} more bad values not shown", bad - MAX_CELL_PROBLEMS),
            );
        }
        (bad == 0).then_some(out)
    }

    /// Check that column `col` numbers the rows in order, 1, 2, ... (a week or hour
    /// index), or also 0, 1, ... if `from_zero`; the first bad row is reported.
    fn index_column(&self, col: usize, from_zero: bool, p: &mut Problems) -> bool {
        let name = &self.header[col];
        let mut first = None;
        for (i, (line, fields)) in self.rows().enumerate() {
            let cell = fields.get(col).unwrap_or("");
            let n = cell.parse::<usize>().ok();
            let first = *first.get_or_insert(match n {
                Some(0) if from_zero => 0,
                _ => 1,
            });
            if n != Some(first + i) {
                let expected = if i == 0 && from_zero {
                    "0 or 1 (rows numbered 0, 1, 2, ... or 1, 2, 3, ... in order)".to_string()
                } else {
                    format!(
                        "{} (rows numbered {first}, {}, {}, ... in order)",
                        first + i,
                        first + 1,
                        first + 2
                    )
                };
                p.push(
                    &self.path,
                    Some(line),
                    Some(name),
                    format!("expected {expected}, got {}", excerpt(cell)),
                );
                return false;
            }
        }
        true
    }
}

/// Hourly demand in watts from column `column` (MW) of `csv`, times `scale` and, if given,
/// the hour's calendar factor (month x day); one row per study hour when `hours` is known. A column
/// `hour`, if the CSV has one (and it is not `column`), must number the rows 1, 2, ... or
/// 0, 1, ... in order.
pub(crate) fn demand_column(
    csv: &Csv,
    column: &str,
    scale: f64,
    month: Option<&[f64]>,
    hours: Option<usize>,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let col = csv.column(column, p)?;
    let hour_ok = match csv.header.iter().position(|h| h == HOUR_COLUMN) {
        Some(i) if i != col => csv.index_column(i, true, p),
        _ => true,
    };
    let count_ok = hours.is_none_or(|h| csv.row_count(h, "one per study hour", Some(column), p));
    let mw = csv.numbers(col, "MW", |x| x >= 0.0, "a demand >= 0 MW", p)?;
    let mut out = Vec::with_capacity(mw.len());
    for (h, (x, (line, _))) in mw.iter().zip(&csv.rows).enumerate() {
        let f = month.and_then(|m| m.get(h)).copied().unwrap_or(1.0);
        let mw = x * scale * f;
        match mw_to_w(mw).filter(|_| mw <= MAX_POWER_MW) {
            Some(w) => out.push(w),
            None if scale == 1.0 && f == 1.0 => {
                p.push(&csv.path, Some(*line), Some(column), too_much_power(*x));
                return None;
            }
            None => {
                p.push(
                    &csv.path,
                    Some(*line),
                    Some(column),
                    format!(
                        "{x} MW x scale {} x calendar factor {f} = {} MW is more than the \
                         largest power accepted, {MAX_POWER_MW:e} MW",
                        short_number(scale),
                        short_number(mw)
                    ),
                );
                return None;
            }
        }
    }
    (count_ok && hour_ok).then_some(out)
}

/// A renewable plant's capacity factors, one per study hour, from column `column` of `csv`:
/// each in [0, 1], exactly `hours` rows.
pub(crate) fn factor_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    p: &mut Problems,
) -> Option<Vec<f64>> {
    let col = csv.column(column, p)?;
    let count_ok = csv.row_count(hours, "one per study hour", Some(column), p);
    let factors = csv.numbers(
        col,
        "a capacity factor",
        |x| (0.0..=1.0).contains(&x),
        "a capacity factor in [0, 1]",
        p,
    )?;
    count_ok.then_some(factors)
}

/// A renewable plant's MW per study hour from column `column` of `csv` (exactly `hours`
/// rows, each from 0 to the plant's `installed_mw`), as capacity factors of `installed_mw`
/// (each value / `installed_mw`, correctly rounded: MW of a factor series times a whole `mw`
/// give that series' factors exactly; a plant of 0 MW has factors 0).
pub(crate) fn mw_factor_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    installed_mw: f64,
    p: &mut Problems,
) -> Option<Vec<f64>> {
    let col = csv.column(column, p)?;
    let count_ok = csv.row_count(hours, "one per study hour", Some(column), p);
    let expect = format!("a power from 0 to the plant's `mw` ({installed_mw} MW)");
    let mw = csv.numbers(col, "MW", |x| (0.0..=installed_mw).contains(&x), &expect, p)?;
    let factors = mw
        .into_iter()
        .map(|x| {
            if installed_mw > 0.0 {
                x / installed_mw
            } else {
                0.0
            }
        })
        .collect();
    count_ok.then_some(factors)
}

/// A unit block's failure or repair rate per study hour from column `column` of `csv`,
/// exactly `hours` rows: in continuous time a rate per hour (1/h), in discrete time
/// (`discrete`) a per-step probability; either way in [0, 1] (a continuous rate above 1/h
/// would be a mean time below one step, [`crate::bounds::MIN_MEAN_DURATION_H`]).
pub(crate) fn rate_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    discrete: bool,
    p: &mut Problems,
) -> Option<Vec<f64>> {
    let col = csv.column(column, p)?;
    let count_ok = csv.row_count(hours, "one per study hour", Some(column), p);
    let (what, expect) = if discrete {
        ("a probability per step", "a probability in [0, 1]")
    } else {
        (
            "a rate per hour",
            "a rate in [0, 1] per hour (a mean time of at least 1 h)",
        )
    };
    let rates = csv.numbers(col, what, |x| (0.0..=1.0).contains(&x), expect, p)?;
    count_ok.then_some(rates)
}

/// A unit block's capacity per study hour, MW, from column `column` of `csv`: each from 0 to
/// the nameplate `mw` (`installed_w` watts), exactly `hours` rows; turned into the capacity
/// when up by `when_up_w` (derate and cap), watts.
pub(crate) fn capacity_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    installed_w: i64,
    when_up_w: impl Fn(f64) -> Option<i64>,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let bound = "the block's nameplate `mw`";
    bounded_column(csv, column, hours, (installed_w, bound), when_up_w, p)
}

/// A power per study step, MW, from column `column` of `csv`: each from 0 to `max_w` watts
/// (`bound` names it in messages), exactly `hours` rows; turned into watts by `when_up_w`.
pub(crate) fn bounded_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    (installed_w, bound): (i64, &str),
    when_up_w: impl Fn(f64) -> Option<i64>,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let col = csv.column(column, p)?;
    let count_ok = csv.row_count(hours, "one per study hour", Some(column), p);
    let mw = csv.numbers(col, "MW", |x| x >= 0.0, "a capacity >= 0 MW", p)?;
    let mut out = Vec::with_capacity(mw.len());
    for (x, (line, _)) in mw.iter().zip(&csv.rows) {
        match mw_to_w(*x).filter(|&w| w <= installed_w) {
            Some(_) => out.push(when_up_w(*x)?),
            None => {
                p.push(
                    &csv.path,
                    Some(*line),
                    Some(column),
                    format!(
                        "{} MW is more than {bound}, {} MW",
                        short_number(*x),
                        short_number(installed_w as f64 / W_PER_MW as f64)
                    ),
                );
                return None;
            }
        }
    }
    count_ok.then_some(out)
}

/// An import source's schedule, one signed MW per study hour, from column `column` of
/// `csv`: exactly `hours` rows, each within `range_w` (watts; `expect` describes it).
pub(crate) fn schedule_column(
    csv: &Csv,
    column: &str,
    hours: usize,
    range_w: (i64, i64),
    expect: &str,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let col = csv.column(column, p)?;
    let count_ok = csv.row_count(hours, "one per study hour", Some(column), p);
    let in_range = |x: f64| mw_to_w(x).is_some_and(|w| (range_w.0..=range_w.1).contains(&w));
    let mw = csv.numbers(col, "MW", in_range, expect, p)?;
    let w = mw.into_iter().filter_map(mw_to_w).collect();
    count_ok.then_some(w)
}

/// The RTS-79 weekly table: columns `week,pct`, weeks numbered 1..N.
pub(crate) fn weekly_table(csv: &Csv, hours: Option<usize>, p: &mut Problems) -> Option<Vec<f64>> {
    let cols = csv.exact_columns(&["week".into(), "pct".into()], p)?;
    if csv.rows.is_empty() {
        p.push(
            &csv.path,
            None,
            None,
            "has no data rows; expected one per week".into(),
        );
        return None;
    }
    let idx_ok = csv.index_column(cols[0], false, p);
    let pct = csv.numbers(cols[1], "percent", |x| x >= 0.0, "a percentage >= 0", p)?;
    if let Some(h) = hours {
        if pct.len() * 168 < h {
            p.push(
                &csv.path,
                None,
                Some("week"),
                format!(
                    "has {} weeks ({} hours), too few for the study's {h} hours; need {} weeks",
                    pct.len(),
                    pct.len() * 168,
                    h.div_ceil(168)
                ),
            );
            return None;
        }
    }
    idx_ok.then_some(pct)
}

/// The RTS-79 daily table: columns `day,pct`, 7 rows Monday to Sunday.
pub(crate) fn daily_table(csv: &Csv, p: &mut Problems) -> Option<[f64; 7]> {
    let cols = csv.exact_columns(&["day".into(), "pct".into()], p)?;
    if !csv.row_count(7, "Monday to Sunday", None, p) {
        return None;
    }
    let mut ok = true;
    for (i, (line, fields)) in csv.rows().enumerate() {
        let day = fields.get(cols[0]).unwrap_or("");
        if parse_weekday(day) != Some(i) {
            let mut want = WEEKDAYS[i].to_string();
            want[..1].make_ascii_uppercase();
            p.push(
                &csv.path,
                Some(line),
                Some("day"),
                format!(
                    "expected {want} or an abbreviation such as {} (rows run Monday to \
                     Sunday), got {}",
                    &want[..3],
                    excerpt(day)
                ),
            );
            ok = false;
        }
    }
    let pct = csv.numbers(cols[1], "percent", |x| x >= 0.0, "a percentage >= 0", p)?;
    ok.then(|| pct.try_into().ok())?
}

/// The RTS-79 hourly table: column `hour` (1..24) and `<season>_weekday`,
/// `<season>_weekend` for each season; result `[season][hour][weekend]`.
pub(crate) fn hourly_table(
    csv: &Csv,
    seasons: &[String],
    p: &mut Problems,
) -> Option<Vec<Vec<[f64; 2]>>> {
    let mut names = vec!["hour".to_string()];
    for s in seasons {
        names.push(format!("{s}_weekday"));
        names.push(format!("{s}_weekend"));
    }
    let cols = csv.exact_columns(&names, p)?;
    if !csv.row_count(24, "hours 1 to 24", None, p) {
        return None;
    }
    let idx_ok = csv.index_column(cols[0], false, p);
    let mut out = vec![vec![[0.0; 2]; 24]; seasons.len()];
    let mut ok = idx_ok;
    for (s, season) in out.iter_mut().enumerate() {
        for kind in 0..2 {
            let col = cols[1 + 2 * s + kind];
            match csv.numbers(col, "percent", |x| x >= 0.0, "a percentage >= 0", p) {
                Some(v) => v
                    .iter()
                    .zip(season.iter_mut())
                    .for_each(|(x, h)| h[kind] = *x),
                None => ok = false,
            }
        }
    }
    ok.then_some(out)
}

/// The season (index) of each of the first `weeks` study weeks; every week must be in
/// exactly one season (overlaps are errors even beyond `weeks`).
pub(crate) fn season_of_week(s: &Seasons, weeks: usize, p: &mut Problems) -> Option<Vec<usize>> {
    let last = s
        .ranges
        .iter()
        .map(|r| r.2)
        .max()
        .unwrap_or(0)
        .max(weeks as i64);
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); last as usize];
    for &(season, a, b) in &s.ranges {
        for w in a..=b {
            if !of[(w - 1) as usize].contains(&season) {
                of[(w - 1) as usize].push(season);
            }
        }
    }
    let mut ok = true;
    let mut none: Vec<usize> = Vec::new();
    for (w, list) in of.iter().enumerate() {
        if list.len() > 1 {
            let names: Vec<String> = list.iter().map(|&i| format!("`{}`", s.names[i])).collect();
            p.push(
                &s.file,
                Some(s.line),
                Some(&s.field),
                format!(
                    "week {} is in more than one season: {}",
                    w + 1,
                    names.join(" and ")
                ),
            );
            ok = false;
        } else if list.is_empty() && w < weeks {
            none.push(w + 1);
        }
    }
    if !none.is_empty() {
        p.push(
            &s.file,
            Some(s.line),
            Some(&s.field),
            format!(
                "{} in no season (every study week needs one)",
                if none.len() == 1 {
                    format!("week {} is", none[0])
                } else {
                    format!("weeks {} are", ranges(&none))
                }
            ),
        );
        ok = false;
    }
    ok.then(|| of[..weeks].iter().map(|l| l[0]).collect())
}

/// Hourly demand from a shape by hour of day, watts:
/// `peak_mw x shape[hour of day] x calendar factor x scale`, rounded to the nearest watt.
/// `Err((h, mw))` if hour `h`'s demand `mw` is above [`MAX_POWER_MW`].
pub(crate) fn shape_demand(
    cal: &Calendar,
    peak_mw: f64,
    shape: &[f64; 24],
    month: Option<&[f64]>,
    scale: f64,
) -> Result<Vec<i64>, (usize, f64)> {
    (0..cal.hours())
        .map(|h| {
            let f = month.map_or(1.0, |m| m[h]);
            bounded_w(peak_mw * shape[cal.hour_of_day(h)] * f * scale).map_err(|mw| (h, mw))
        })
        .collect()
}

/// Watts of `mw` if it is at most [`MAX_POWER_MW`], else `(_, mw)` for the message.
fn bounded_w(mw: f64) -> Result<i64, f64> {
    mw_to_w(mw).filter(|_| mw <= MAX_POWER_MW).ok_or(mw)
}

/// `1-3, 7` from `[1, 2, 3, 7]` (sorted).
fn ranges(xs: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let mut j = i;
        while j + 1 < xs.len() && xs[j + 1] == xs[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            xs[i].to_string()
        } else {
            format!("{}-{}", xs[i], xs[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Hourly demand from RTS-style tables, watts:
/// `peak_mw * weekly/100 * daily/100 * hourly/100 * scale * calendar factor`, evaluated left
/// to right, rounded to the nearest watt. `hourly` is `[season][hour of day][weekend]`;
/// `month` the calendar factor (month x day) of each hour, if any. `Err((h, mw))` if hour `h`'s demand `mw`
/// is above [`MAX_POWER_MW`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn rts_demand(
    cal: &Calendar,
    peak_mw: f64,
    weekly: &[f64],
    daily: &[f64; 7],
    hourly: &[Vec<[f64; 2]>],
    season_of_week: &[usize],
    scale: f64,
    month: Option<&[f64]>,
) -> Result<Vec<i64>, (usize, f64)> {
    (0..cal.hours())
        .map(|h| {
            let week = cal.study_week(h);
            let day = cal.weekday(h);
            let weekend = usize::from(day >= 5);
            let hr = hourly[season_of_week[week]][cal.hour_of_day(h)][weekend];
            let mw = peak_mw * weekly[week] / 100.0 * daily[day] / 100.0 * hr / 100.0 * scale;
            let mw = match month {
                Some(m) => mw * m[h],
                None => mw,
            };
            bounded_w(mw).map_err(|mw| (h, mw))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn csv(text: &str) -> (Option<Csv>, Problems) {
        let mut p = Problems::default();
        (parse(text.as_bytes(), Path::new("t.csv"), &mut p), p)
    }

    /// Many blocks naming one file get one parse of it (and one report of a problem).
    #[test]
    fn a_file_named_twice_is_parsed_once() {
        let files = crate::scenario::Embedded::new(&[("cap.csv", b"a,b\n1,2\n".as_slice())]);
        let mut reader = Reader::new(&files);
        let f = |path: &str| FileRef {
            path: path.into(),
            toml: Rc::from(Path::new("x.toml")),
            line: 1,
            field: "units[U].capacity_file".into(),
        };
        let mut parsed = Parsed::default();
        let mut p = Problems::default();
        let first = parsed.read(&mut reader, &f("cap.csv"), &mut p).unwrap();
        let second = parsed.read(&mut reader, &f("cap.csv"), &mut p).unwrap();
        assert!(Rc::ptr_eq(&first, &second));
        assert!(parsed
            .read(&mut reader, &f("missing.csv"), &mut p)
            .is_none());
        assert!(parsed
            .read(&mut reader, &f("missing.csv"), &mut p)
            .is_none());
        assert_eq!(messages(p).matches("cannot read `missing.csv`").count(), 1);
    }

    fn messages(p: Problems) -> String {
        let e = p.into_error(&[]);
        e.to_string()
    }

    #[test]
    fn demand_column_reports_line_and_column() {
        let (c, mut p) = csv("hour,load_mw\n1,10\n2,abc\n3,-1\n4,nan\n");
        assert!(demand_column(&c.unwrap(), "load_mw", 1.0, None, Some(4), &mut p).is_none());
        let m = messages(p);
        assert!(
            m.contains("t.csv:3: load_mw: expected a number (MW), got \"abc\""),
            "{m}"
        );
        assert!(
            m.contains("t.csv:4: load_mw: must be a demand >= 0 MW, got -1"),
            "{m}"
        );
        assert!(
            m.contains("t.csv:5: load_mw: expected a number (MW), got \"nan\""),
            "{m}"
        );
    }

    #[test]
    fn demand_column_checks_row_count_and_scales() {
        let (c, mut p) = csv("\u{feff}load_mw\n1.5\n2\n");
        let c = c.unwrap();
        assert_eq!(
            demand_column(&c, "load_mw", 2.0, None, Some(2), &mut p),
            Some(vec![3_000_000, 4_000_000])
        );
        assert!(demand_column(&c, "load_mw", 1.0, None, Some(3), &mut p).is_none());
        assert!(demand_column(&c, "mw", 1.0, None, Some(2), &mut p).is_none());
        let m = messages(p);
        assert!(
            m.contains("t.csv: load_mw: has 2 data rows, expected 3 (one per study hour)"),
            "{m}"
        );
        assert!(
            m.contains("t.csv:1: mw: missing column `mw`; the header has `load_mw`"),
            "{m}"
        );
    }

    #[test]
    fn a_repeated_column_name_is_refused() {
        let (c, p) = csv("hour,load_mw,x,load_mw,x\n1,2,3,4,5\n");
        assert!(c.is_none());
        let m = messages(p);
        assert_eq!(
            m,
            "t.csv:1: load_mw: duplicate column name: columns 2 and 4 are both named \
             \"load_mw\"; each column needs its own name\n\
             t.csv:1: x: duplicate column name: columns 3 and 5 are both named \"x\"; each \
             column needs its own name"
        );
    }

    #[test]
    fn the_hour_column_of_a_demand_csv_counts_from_zero_or_one() {
        for text in [
            "hour,load_mw\n0,1\n1,2\n2,3\n",
            "load_mw,hour\n1,1\n2,2\n3,3\n",
        ] {
            let (c, mut p) = csv(text);
            let d = demand_column(&c.unwrap(), "load_mw", 1.0, None, Some(3), &mut p);
            assert_eq!(d, Some(vec![1_000_000, 2_000_000, 3_000_000]), "{text}");
        }
        // The hour column may be the demand column itself (then it is not an index).
        let (c, mut p) = csv("hour\n5\n");
        assert!(demand_column(&c.unwrap(), "hour", 1.0, None, Some(1), &mut p).is_some());
        for (text, expect) in [
            (
                "hour,load_mw\n3,1\n2,2\n1,3\n",
                "t.csv:2: hour: expected 0 or 1 (rows numbered 0, 1, 2, ... or 1, 2, 3, ... \
                 in order), got \"3\"",
            ),
            (
                "hour,load_mw\n1,1\n2,2\n2,3\n",
                "t.csv:4: hour: expected 3 (rows numbered 1, 2, 3, ... in order), got \"2\"",
            ),
            (
                "hour,load_mw\n0,1\n1,2\n2.0,3\n",
                "t.csv:4: hour: expected 2 (rows numbered 0, 1, 2, ... in order), got \"2.0\"",
            ),
        ] {
            let (c, mut p) = csv(text);
            assert!(demand_column(&c.unwrap(), "load_mw", 1.0, None, Some(3), &mut p).is_none());
            assert_eq!(messages(p), expect);
        }
    }

    #[test]
    fn messages_show_only_an_excerpt_of_what_the_file_holds() {
        let long = "y".repeat(5000);
        let header: Vec<String> = (0..30).map(|i| format!("{long}{i}")).collect();
        let (c, mut p) = csv(&format!("{}\n", header.join(",")));
        assert!(demand_column(&c.unwrap(), "load_mw", 1.0, None, None, &mut p).is_none());
        let m = messages(p);
        assert!(m.len() < 800, "{m}");
        assert!(
            m.ends_with(&format!("`{}...`, and 20 more", &long[..40])),
            "{m}"
        );
        let (c, mut p) = csv(&format!("load_mw\n{long}\n-{}\n", "1".repeat(100)));
        assert!(demand_column(&c.unwrap(), "load_mw", 1.0, None, Some(2), &mut p).is_none());
        let m = messages(p);
        assert!(m.contains(&format!("got \"{}\"...\n", &long[..40])), "{m}");
        assert!(m.ends_with(&format!("got -{}...", "1".repeat(39))), "{m}");
        let (c, mut p) = csv(&format!("week,pct,{}\n1,2,3\n", header.join(",")));
        assert!(weekly_table(&c.unwrap(), None, &mut p).is_none());
        let m = messages(p);
        assert!(m.len() < 3000, "{m}");
        assert!(
            m.ends_with("t.csv:1: 20 more unexpected columns not shown"),
            "{m}"
        );
    }

    #[test]
    fn rows_are_read_compactly_with_their_lines() {
        let (c, _) = csv("\r\na, b ,c\n1,\"x\ny\",3\n\n\r\n 4 ,5\n,,\n");
        let c = c.unwrap();
        assert_eq!(c.header, ["a", "b", "c"]);
        let rows: Vec<(usize, Vec<&str>)> = c
            .rows()
            .map(|(line, r)| (line, (0..r.len()).filter_map(|i| r.get(i)).collect()))
            .collect();
        assert_eq!(
            rows,
            [
                (3, vec!["1", "x\ny", "3"]),
                (7, vec!["4", "5"]),
                (8, vec!["", "", ""])
            ]
        );
    }

    /// A line of millions of fields took gigabytes: a row may not have more fields than
    /// the header, the header at most 10,000, and a file at most 1,000,000 data rows.
    #[test]
    fn rows_and_columns_are_bounded() {
        let many = vec!["1"; 3_000_000].join(",");
        let (c, p) = csv(&format!("a,b\n1,2\n{many}\n1,2,3\n"));
        assert!(c.is_none());
        assert_eq!(
            messages(p),
            "t.csv:3: the row has 3000000 fields, the header has 2\n\
             t.csv:4: the row has 3 fields, the header has 2"
        );
        let (c, p) = csv(&format!("{}\n", vec!["x"; 10_001].join(",")));
        assert!(c.is_none());
        assert_eq!(
            messages(p),
            "t.csv:1: the header has 10001 columns, more than the 10000 allowed"
        );
        let rows = "1\n".repeat(MAX_ROWS);
        let (c, _) = csv(&format!("a\n{rows}"));
        assert_eq!(c.unwrap().rows().len(), MAX_ROWS);
        let (c, p) = csv(&format!("a\n{rows}1\n"));
        assert!(c.is_none());
        assert!(messages(p).starts_with("t.csv:1000002: more than 1000000 data rows"));
        let mut bad = b"a\n".to_vec();
        for _ in 0..50 {
            bad.extend_from_slice(b"\xff\n");
        }
        let mut p = Problems::default();
        assert!(parse(&bad, Path::new("t.csv"), &mut p).is_none());
        let m = messages(p);
        assert_eq!(m.lines().count(), 11, "{m}");
        assert!(m.ends_with("t.csv:11: the line is not valid UTF-8"), "{m}");
        assert!(m.starts_with("t.csv: 40 more bad rows not shown\n"), "{m}");
    }

    #[test]
    fn empty_and_non_utf8_csv_are_problems() {
        let (c, p) = csv("");
        assert!(c.is_none());
        assert!(messages(p).contains("the file is empty"));
        let mut p = Problems::default();
        assert!(parse(b"a\n\xff\n", Path::new("t.csv"), &mut p).is_none());
        assert!(messages(p).contains("t.csv:2: the line is not valid UTF-8"));
    }

    fn seasons(ranges: Vec<(usize, i64, i64)>) -> Seasons {
        Seasons {
            names: vec!["winter".into(), "summer".into()],
            ranges,
            file: Rc::from(Path::new("s.toml")),
            line: 7,
            field: "regions[R].demand.seasons".into(),
        }
    }

    #[test]
    fn every_week_in_exactly_one_season() {
        let mut p = Problems::default();
        let s = seasons(vec![(0, 1, 2), (1, 3, 4)]);
        assert_eq!(season_of_week(&s, 4, &mut p), Some(vec![0, 0, 1, 1]));
        let s = seasons(vec![(0, 1, 2), (1, 2, 3)]);
        assert!(season_of_week(&s, 6, &mut p).is_none());
        let m = messages(p);
        assert!(m.contains("s.toml:7: regions[R].demand.seasons: week 2 is in more than one season: `winter` and `summer`"), "{m}");
        assert!(m.contains("weeks 4-6 are in no season"), "{m}");
    }

    #[test]
    fn rts_table_builder_follows_the_calendar() {
        // Two weeks starting on a Saturday; season 1 in week 2.
        let cal = Calendar::from_hours(336, 5, 0);
        let weekly = [100.0, 50.0];
        let daily = [100.0, 90.0, 90.0, 90.0, 90.0, 80.0, 70.0];
        let mut hourly = vec![vec![[100.0, 60.0]; 24]; 2];
        hourly[1][3] = [40.0, 20.0];
        let d = rts_demand(&cal, 1000.0, &weekly, &daily, &hourly, &[0, 1], 1.0, None).unwrap();
        assert_eq!(d[0], 480_000_000); // Saturday, weekend, 1000 * 0.8 * 0.6
        assert_eq!(d[24], 420_000_000); // Sunday
        assert_eq!(d[48], 1_000_000_000); // Monday, weekday
        assert_eq!(d[168 + 3], 1000 * 500_000 * 80 / 100 * 20 / 100); // week 2 Saturday 03h
        assert_eq!(d[168 + 48 + 3], 1000 * 500_000 * 40 / 100); // week 2 Monday 03h
                                                                // Hour 0 (Saturday) is 1e300 x 0.8 x 0.6; at the bound exactly, Monday's peak hour
                                                                // is accepted and its 1 W more is not.
        assert_eq!(
            rts_demand(&cal, 1e300, &weekly, &daily, &hourly, &[0, 1], 1.0, None),
            Err((0, 1e300 * 100.0 / 100.0 * 80.0 / 100.0 * 60.0 / 100.0))
        );
        let at_bound = rts_demand(&cal, 1e8, &weekly, &daily, &hourly, &[0, 1], 1.0, None);
        assert_eq!(at_bound.unwrap()[48], crate::bounds::MAX_POWER_W);
        let above = rts_demand(
            &cal,
            1e8 + 1e-6,
            &weekly,
            &daily,
            &hourly,
            &[0, 1],
            1.0,
            None,
        );
        assert_eq!(above.map_err(|(h, _)| h), Err(48));
    }
}
