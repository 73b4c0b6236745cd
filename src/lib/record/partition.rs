//! Hive-style partitioned Parquet: `--partition-by date,host` writes
//! `DIR/date=2026-12-01/host=a/part-0.parquet`, the layout DuckDB
//! (`hive_partitioning`), Polars, pyarrow datasets and Spark read as one table; and the
//! reading side's rule for taking `key=value` directory names back as columns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::writer::{
    open_destination, writing, ParquetOptions, ParquetSink, RecordSink, SinkOptions,
};
use crate::error::{Error, Location, Result};

/// What hive writes for a null partition value.
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// Writes each batch's rows to the file of their partition.
pub struct PartitionedSink {
    dir: PathBuf,
    /// Indices of the partition columns in the input schema.
    keys: Vec<usize>,
    /// `name=` for each of them, escaped.
    key_prefixes: Vec<String>,
    /// The columns that go into the files.
    kept: Vec<usize>,
    file_schema: SchemaRef,
    schema: SchemaRef,
    parquet: ParquetOptions,
    open: HashMap<String, Box<dyn RecordSink>>,
    /// Partition directories in the order they were first seen.
    order: Vec<String>,
}

impl PartitionedSink {
    pub fn new(opts: &SinkOptions, schema: &SchemaRef) -> Result<Self> {
        let Some(dir) = opts.path.clone() else {
            return Err(Error::Usage(
                "--partition-by writes a directory: give it with --out DIR".into(),
            ));
        };
        if opts.compression().is_some() {
            return Err(Error::Usage(
                "--partition-by writes Parquet files, compressed inside: use --compression, not --compress".into(),
            ));
        }
        let mut keys = Vec::new();
        for name in &opts.parquet.partition_by {
            let i = schema.index_of(name).map_err(|_| {
                Error::Usage(format!(
                    "--partition-by {name}: the input has no such column (it has {})",
                    schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if schema.field(i).data_type().is_nested() {
                return Err(Error::Usage(format!(
                    "--partition-by {name}: a nested column cannot name a directory"
                )));
            }
            keys.push(i);
        }
        let kept: Vec<usize> = (0..schema.fields().len())
            .filter(|i| !keys.contains(i))
            .collect();
        if kept.is_empty() {
            return Err(Error::Usage(
                "--partition-by names every column: the files would have none left".into(),
            ));
        }
        let file_schema = Arc::new(
            schema
                .project(&kept)
                .map_err(|e| Error::arrow("partitioning", e))?,
        );
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let key_prefixes = keys
            .iter()
            .map(|&i| format!("{}=", escape(schema.field(i).name())))
            .collect();
        Ok(PartitionedSink {
            dir,
            keys,
            key_prefixes,
            kept,
            file_schema,
            schema: schema.clone(),
            parquet: opts.parquet.clone(),
            open: HashMap::new(),
            order: Vec::new(),
        })
    }

    fn sink_for(&mut self, rel: &str) -> Result<&mut Box<dyn RecordSink>> {
        if !self.open.contains_key(rel) {
            let dir = self.dir.join(rel);
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            let path = dir.join("part-0.parquet");
            let out = open_destination(Some(&path))?;
            let sink =
                ParquetSink::new(out, &self.file_schema, &self.parquet, writing(Some(&path)))?;
            self.open.insert(rel.to_string(), Box::new(sink));
            self.order.push(rel.to_string());
        }
        Ok(self.open.get_mut(rel).expect("inserted above"))
    }
}

impl RecordSink for PartitionedSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.schema().fields() != self.schema.fields() {
            return Err(Error::data(
                Location::of("the input"),
                "its schema widened after the first Parquet partition was opened",
            )
            .with_hint("give --schema, or a larger --infer-rows"));
        }
        let opts = FormatOptions::default().with_null(NULL_PARTITION);
        let formatters = self
            .keys
            .iter()
            .map(|&i| ArrayFormatter::try_new(batch.column(i).as_ref(), &opts))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::arrow("formatting partition values", e))?;
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for row in 0..batch.num_rows() {
            let mut rel = String::new();
            for (k, f) in formatters.iter().enumerate() {
                if k > 0 {
                    rel.push('/');
                }
                // A null prints as NULL_PARTITION, which escaping leaves as it is.
                rel.push_str(&self.key_prefixes[k]);
                rel.push_str(&escape(&f.value(row).to_string()));
            }
            let g = *index.entry(rel.clone()).or_insert_with(|| {
                groups.push((rel, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(row as u32);
        }
        let files = batch
            .project(&self.kept)
            .map_err(|e| Error::arrow("partitioning", e))?;
        for (rel, rows) in groups {
            let part = if rows.len() == batch.num_rows() {
                files.clone()
            } else {
                arrow::compute::take_record_batch(&files, &UInt32Array::from(rows))
                    .map_err(|e| Error::arrow("partitioning", e))?
            };
            self.sink_for(&rel)?.write(&part)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        for rel in std::mem::take(&mut self.order) {
            if let Some(sink) = self.open.remove(&rel) {
                sink.finish()?;
            }
        }
        Ok(())
    }
}

/// Escapes what cannot stand in a directory name, as hive does (`%2F` for `/`).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control()
            || matches!(
                c,
                '/' | '\\' | '=' | '%' | ':' | '#' | '?' | '*' | '"' | '\'' | '[' | ']' | '^' | '{'
            )
        {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Undoes `escape`.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `key=value` directories between `root` and `file`, unescaped, outermost first.
pub fn partition_values(root: &Path, file: &Path) -> Vec<(String, Option<String>)> {
    let Ok(rel) = file.strip_prefix(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<_> = rel.components().collect();
    dirs.pop(); // the file itself
    dirs.iter()
        .filter_map(|c| {
            let s = c.as_os_str().to_str()?;
            let (k, v) = s.split_once('=')?;
            let v = (v != NULL_PARTITION).then(|| unescape(v));
            Some((unescape(k), v))
        })
        .collect()
}

/// The partition columns of a set of files: a column is Int64 when every value of it is
/// an integer, otherwise Utf8 (as DuckDB and Polars infer them).
pub fn partition_fields(values: &[Vec<(String, Option<String>)>]) -> Vec<Field> {
    let mut names: Vec<String> = Vec::new();
    for v in values {
        for (k, _) in v {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let ints = values.iter().all(|v| {
                v.iter()
                    .filter(|(k, _)| *k == name)
                    .all(|(_, val)| val.as_deref().is_none_or(|s| s.parse::<i64>().is_ok()))
            });
            Field::new(
                name,
                if ints {
                    DataType::Int64
                } else {
                    DataType::Utf8
                },
                true,
            )
        })
        .collect()
}

/// A constant column for `rows` rows holding one file's value of a partition field.
pub fn partition_column(field: &Field, value: Option<&str>, rows: usize) -> ArrayRef {
    match field.data_type() {
        DataType::Int64 => Arc::new(Int64Array::from(vec![
            value.and_then(|s| s
                .parse::<i64>()
                .ok());
            rows
        ])),
        _ => Arc::new(StringArray::from(vec![value; rows])),
    }
}

/// The schema of a file's batches with the partition fields appended.
pub fn with_partitions(schema: &Schema, fields: &[Field]) -> SchemaRef {
    let mut all: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for f in fields {
        if schema.index_of(f.name()).is_err() {
            all.push(f.clone());
        }
    }
    Arc::new(Schema::new_with_metadata(all, schema.metadata().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        for s in ["a/b", "x=y", "100%", "2026-12-01T00:00:00Z", "plain", "é"] {
            assert_eq!(unescape(&escape(s)), s);
        }
        assert_eq!(escape("a/b"), "a%2Fb");
    }

    #[test]
    fn values_and_types_from_paths() {
        let root = Path::new("/d");
        let a = partition_values(root, Path::new("/d/year=2026/host=a%2Fb/part-0.parquet"));
        assert_eq!(
            a,
            vec![
                ("year".into(), Some("2026".into())),
                ("host".into(), Some("a/b".into()))
            ]
        );
        let b = partition_values(
            root,
            Path::new(&format!("/d/year={NULL_PARTITION}/host=c/x.parquet")),
        );
        let fields = partition_fields(&[a, b]);
        assert_eq!(fields[0].data_type(), &DataType::Int64);
        assert_eq!(fields[1].data_type(), &DataType::Utf8);
    }
}
