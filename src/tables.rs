//! Row files a run streams out (`--events`, `--per-sample`): Parquet (`.parquet`, snappy
//! pages, for pandas and polars) or CSV (`.csv`), chosen by the file's extension.
//!
//! A [`TableFile`] is opened before the run (a bad path or extension is bad input, found
//! before any work), takes each block's rows in block order as the runner shows them, and
//! is renamed over its path only by [`TableFile::finish`]: until then it is a temporary
//! file `.NAME.tmp-PID` beside it, removed if the run fails, so nothing half-written is
//! ever left under the asked name. Parquet rows are buffered in row groups of exactly
//! [`ROW_GROUP_ROWS`] rows (a buffer allocated whole at the start), so memory is flat in the
//! number of samples; the bytes depend only on the
//! rows, so the file is the same for any thread count.

use crate::cli::args::RowArgs;
use anyhow::{anyhow, Context};
use gridrisk_montecarlo::table::{Table, Values};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Rows per Parquet row group: the buffer (about 2 MB for the widest catalogue) is
/// allocated whole when the file is opened and never grows, so a run's memory does not
/// grow with its rows.
pub const ROW_GROUP_ROWS: usize = 4_096;

/// Bytes the CSV writer gathers before a write (a few hundred rows of a catalogue).
const CSV_BUFFER_BYTES: usize = 1 << 16;

enum Sink {
    Csv(BufWriter<File>),
    Parquet {
        // Boxed: the writer is large, and there is one per file.
        writer: Box<SerializedFileWriter<File>>,
        pending: Table,
    },
}

/// A row file being written.
pub struct TableFile {
    path: PathBuf,
    tmp: PathBuf,
    sink: Option<Sink>,
    /// The first write error, reported by [`TableFile::finish`].
    error: Option<anyhow::Error>,
}

impl TableFile {
    /// Open `path` for rows of `schema`'s columns (an empty table), as its extension says;
    /// `option` names the option in errors, which are bad input.
    pub fn create(path: &Path, option: &str, schema: &Table) -> anyhow::Result<TableFile> {
        let fail = |why: String| crate::bad(anyhow!("{option} {}: {why}", path.display()));
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let parquet = match ext.to_ascii_lowercase().as_str() {
            "parquet" => true,
            "csv" => false,
            _ => {
                return Err(fail(format!(
                    "unknown extension '{ext}': expected .parquet or .csv"
                )))
            }
        };
        crate::output::check_file(path)?;
        let name = path.file_name().expect("checked: a file name");
        let dir = crate::output::parent(path);
        crate::output::clean_stale_temporaries(dir, Some(name));
        let tmp = crate::output::temporary(dir, name);
        let file = File::create(&tmp).map_err(|e| fail(format!("cannot be written: {e}")))?;
        let mut out = TableFile {
            path: path.to_path_buf(),
            tmp,
            sink: None,
            error: None,
        };
        out.sink = Some(if parquet {
            let writer =
                SerializedFileWriter::new(file, parquet_schema(schema)?, properties(schema))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            Sink::Parquet {
                writer: Box::new(writer),
                pending: schema.empty_with_capacity(ROW_GROUP_ROWS),
            }
        } else {
            let mut w = BufWriter::with_capacity(CSV_BUFFER_BYTES, file);
            (|| {
                for (k, name) in schema.names.iter().enumerate() {
                    if k > 0 {
                        w.write_all(b",")?;
                    }
                    write_csv_field(&mut w, name)?;
                }
                w.write_all(b"\n")
            })()
            .with_context(|| format!("cannot write {}", path.display()))?;
            Sink::Csv(w)
        });
        Ok(out)
    }

    /// Append `rows` (a write error is kept for [`TableFile::finish`]).
    pub fn append(&mut self, rows: &Table) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.try_append(rows) {
            self.error = Some(e.context(format!("cannot write {}", self.path.display())));
        }
    }

    fn try_append(&mut self, rows: &Table) -> anyhow::Result<()> {
        match self.sink.as_mut().expect("open until finished") {
            Sink::Csv(w) => write_csv(w, rows)?,
            Sink::Parquet { writer, pending } => {
                // Row groups of exactly ROW_GROUP_ROWS rows (the last one fewer): the buffer,
                // allocated whole when the file is opened, never grows.
                let mut next = 0;
                while next < rows.rows() {
                    let take = (ROW_GROUP_ROWS - pending.rows()).min(rows.rows() - next);
                    pending.extend_rows(rows, next..next + take);
                    next += take;
                    if pending.rows() == ROW_GROUP_ROWS {
                        write_row_group(writer, pending)?;
                        pending.clear();
                    }
                }
            }
        }
        Ok(())
    }

    /// Complete the file and rename it over its path; the first write error if any.
    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let done = match self.sink.take().expect("open until finished") {
            Sink::Csv(w) => w
                .into_inner()
                .map_err(|e| anyhow!(e.into_error()))
                .and_then(|f| Ok(f.sync_all()?)),
            Sink::Parquet {
                mut writer,
                pending,
            } => (|| {
                if pending.rows() > 0 {
                    write_row_group(&mut writer, &pending)?;
                }
                Ok((*writer).into_inner()?.sync_all()?)
            })(),
        };
        done.and_then(|()| Ok(std::fs::rename(&self.tmp, &self.path)?))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

impl Drop for TableFile {
    fn drop(&mut self) {
        // Not finished or not renamed (an error, or the run failed): nothing is left behind.
        if self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A [`TableFile`] shared by the runner's merging thread (blocks arrive in order).
pub struct SharedTable(Mutex<TableFile>);

impl SharedTable {
    /// Share `file`.
    pub fn new(file: TableFile) -> SharedTable {
        SharedTable(Mutex::new(file))
    }

    /// Append a block's rows.
    pub fn append(&self, rows: &Table) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .append(rows);
    }

    /// Complete the file.
    pub fn finish(self) -> anyhow::Result<()> {
        self.0
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .finish()
    }
}

/// Snappy pages; dictionaries for the text columns only (names and dates repeat, numbers
/// seldom do, and interning them costs more than it saves); no statistics (readers of a
/// catalogue read it whole, and they cost more than the pages).
fn properties(table: &Table) -> Arc<WriterProperties> {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_dictionary_enabled(false)
        .set_created_by(format!("gridrisk {}", env!("CARGO_PKG_VERSION")));
    for (name, values) in table.names.iter().zip(&table.columns) {
        if let Values::Text(_) = values {
            builder = builder.set_column_dictionary_enabled(ColumnPath::from(name.as_str()), true);
        }
    }
    Arc::new(builder.build())
}

/// The Parquet schema of `table`'s columns: required INT64, DOUBLE and UTF-8 strings.
fn parquet_schema(table: &Table) -> anyhow::Result<Arc<Type>> {
    let mut fields = Vec::with_capacity(table.names.len());
    for (name, values) in table.names.iter().zip(&table.columns) {
        let field = match values {
            Values::Int(_) => Type::primitive_type_builder(name, Physical::INT64),
            Values::Float(_) => Type::primitive_type_builder(name, Physical::DOUBLE),
            Values::Text(_) => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                .with_logical_type(Some(LogicalType::String)),
        };
        fields.push(Arc::new(
            field.with_repetition(Repetition::REQUIRED).build()?,
        ));
    }
    Ok(Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    ))
}

fn write_row_group(writer: &mut SerializedFileWriter<File>, rows: &Table) -> anyhow::Result<()> {
    let mut group = writer.next_row_group()?;
    for values in &rows.columns {
        let mut column = group.next_column()?.expect("one writer per column");
        match values {
            Values::Int(v) => {
                column.typed::<Int64Type>().write_batch(v, None, None)?;
            }
            Values::Float(v) => {
                column.typed::<DoubleType>().write_batch(v, None, None)?;
            }
            Values::Text(v) => {
                // Rows share a few texts (names, dates): each is copied once per row group
                // (and a run of one text is looked up once).
                let mut copies = std::collections::HashMap::new();
                let mut last: Option<(&Arc<str>, ByteArray)> = None;
                let mut bytes = Vec::with_capacity(v.len());
                for s in v {
                    let copy = match &last {
                        Some((prev, copy)) if Arc::ptr_eq(prev, s) => copy.clone(),
                        _ => (copies.entry(Arc::as_ptr(s) as *const u8))
                            .or_insert_with(|| ByteArray::from(&**s))
                            .clone(),
                    };
                    last = Some((s, copy.clone()));
                    bytes.push(copy);
                }
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&bytes, None, None)?;
            }
        }
        column.close()?;
    }
    group.close()?;
    Ok(())
}

/// Write a CSV field, quoted if it holds a comma, a quote or a line break.
fn write_csv_field(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        w.write_all(b"\"")?;
        for (i, part) in s.split('"').enumerate() {
            if i > 0 {
                w.write_all(b"\"\"")?;
            }
            w.write_all(part.as_bytes())?;
        }
        w.write_all(b"\"")
    } else {
        w.write_all(s.as_bytes())
    }
}

/// The rows straight into the buffered writer, numbers formatted on the stack (a catalogue
/// has tens of fields per row and rows in every sample: `fmt` and a `String` per field cost
/// as much as the catalogue itself).
fn write_csv(w: &mut impl Write, rows: &Table) -> std::io::Result<()> {
    let (mut int, mut real) = (itoa::Buffer::new(), zmij::Buffer::new());
    for i in 0..rows.rows() {
        for (k, values) in rows.columns.iter().enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            match values {
                Values::Int(v) => w.write_all(int.format(v[i]).as_bytes())?,
                // NaN (no such value in the hour) as an empty field.
                Values::Float(v) if v[i].is_nan() => {}
                // The shortest text that reads back as the same number, as in the JSON
                // (`1.0`, `2.5e-7`).
                Values::Float(v) => w.write_all(real.format(v[i]).as_bytes())?,
                Values::Text(v) => write_csv_field(w, &v[i])?,
            }
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// The row files of a run or comparison (`--events`, `--per-sample`), open while it runs.
pub struct RowFiles {
    events: Option<SharedTable>,
    per_sample: Option<SharedTable>,
}

impl RowFiles {
    /// Open the files `rows` asks for, with the schemas of the (empty) tables that fill
    /// them; bad paths are bad input, found before any work.
    pub fn create(
        rows: &RowArgs,
        events: Option<&Table>,
        per_sample: Option<&Table>,
    ) -> anyhow::Result<RowFiles> {
        let open = |path: &Option<PathBuf>, option, schema: Option<&Table>| {
            (path.as_deref().zip(schema))
                .map(|(path, schema)| TableFile::create(path, option, schema).map(SharedTable::new))
                .transpose()
        };
        Ok(RowFiles {
            events: open(&rows.events, "--events", events)?,
            per_sample: open(&rows.per_sample, "--per-sample", per_sample)?,
        })
    }

    /// Append a block's event rows (blocks come in block order).
    pub fn append_events(&self, rows: Option<&Table>) {
        if let (Some(file), Some(rows)) = (&self.events, rows) {
            file.append(rows);
        }
    }

    /// Append a block's per-sample rows.
    pub fn append_samples(&self, rows: Option<&Table>) {
        if let (Some(file), Some(rows)) = (&self.per_sample, rows) {
            file.append(rows);
        }
    }

    /// Complete the files.
    pub fn finish(self) -> anyhow::Result<()> {
        for file in [self.events, self.per_sample].into_iter().flatten() {
            file.finish()?;
        }
        Ok(())
    }
}
