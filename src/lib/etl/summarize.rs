//! `etl summarize`: one record per column of a record stream (type, counts, distinct
//! values, range, mean and spread, quantiles, the most frequent values and a small
//! histogram), in one pass and bounded memory whatever the input's size.
//!
//! What is exact and what is estimated, and how the output says so:
//! - rows, nulls, min, max, mean and stddev are exact (integer sums in 128 bits, float
//!   sums compensated);
//! - distinct is exact up to `--exact-distinct` values and then a k-minimum-values
//!   sketch over the same 64-bit hashes (relative standard error about 1/sqrt(k)):
//!   `distinct_exact` says which;
//! - quantiles come from a t-digest (DataFusion's, the one behind its
//!   `approx_percentile_cont`), and so does the histogram;
//! - the most frequent values are exact counts while a column has at most
//!   `--exact-distinct` values, then Misra-Gries counters whose counts are lower bounds:
//!   `top_exact` says which.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, ListBuilder, RecordBatch, StringArray,
    StringBuilder, UInt64Array,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, TimeUnit};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use clap::Args;
use datafusion_functions_aggregate_common::tdigest::TDigest;

use crate::cli::{progress, InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::writer::open_sink;

/// Centroids the t-digest keeps (DataFusion's default for approx_percentile_cont is
/// 100); more centroids, smaller rank error in the middle of the distribution.
const DIGEST_SIZE: usize = 400;
const QUANTILES: [(&str, f64); 5] = [
    ("p1", 0.01),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p99", 0.99),
];
/// Misra-Gries counters kept once a column has more distinct values than the exact map.
const HEAVY_COUNTERS: usize = 1024;
const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const HISTOGRAM_BINS: usize = 16;

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// How many of the most frequent values to list per column
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
    /// Distinct values counted exactly per column; above this, distinct is a sketch's
    /// estimate and the top values' counts are lower bounds (both said in the output)
    #[arg(long, value_name = "N", default_value_t = 65_536,
          value_parser = clap::value_parser!(u64).range(16..=1 << 24))]
    pub exact_distinct: u64,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The distinct values of a column: every hash while there are at most `k`, then the
/// `k` smallest (a k-minimum-values sketch), from which the count is estimated. Hashes
/// below the current k-th smallest are gathered unsorted and cut back to the `k`
/// smallest when `2k` have piled up, which costs O(1) per value amortized.
struct Distinct {
    k: usize,
    hashes: Vec<u64>,
    /// The k-th smallest hash once more than k were seen: larger ones cannot count.
    below: u64,
    /// More than `k` distinct hashes were seen.
    full: bool,
}

impl Distinct {
    fn new(k: usize) -> Distinct {
        Distinct {
            k,
            hashes: Vec::new(),
            below: u64::MAX,
            full: false,
        }
    }

    fn add(&mut self, h: u64) {
        if h < self.below || !self.full {
            self.hashes.push(h);
            if self.hashes.len() >= 2 * self.k {
                self.compact();
            }
        }
    }

    fn compact(&mut self) {
        self.hashes.sort_unstable();
        self.hashes.dedup();
        if self.hashes.len() > self.k {
            self.hashes.truncate(self.k);
            self.full = true;
            self.below = self.hashes[self.k - 1];
        }
    }

    /// (count, exact), after a last `compact`.
    fn estimate(&self) -> (u64, bool) {
        if !self.full {
            return (self.hashes.len() as u64, true);
        }
        let kth = self.below as f64 / u64::MAX as f64;
        (((self.k - 1) as f64 / kth).round() as u64, false)
    }
}

/// A value kept by `Frequent`, shown only when the output is built.
#[derive(Clone, Debug)]
enum Value {
    Int(i64),
    Float(f64),
    Text(Box<str>),
}

/// A map keyed by values' 64-bit hashes, which need no hashing again.
type ByHash<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Prehashed>>;

#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Value counts: exact while the map holds every distinct value, then Misra-Gries.
struct Frequent {
    limit: usize,
    exact: bool,
    counts: ByHash<(u64, Value)>,
}

impl Frequent {
    fn new(limit: usize) -> Frequent {
        Frequent {
            limit,
            exact: true,
            counts: ByHash::default(),
        }
    }

    fn add(&mut self, h: u64, value: impl FnOnce() -> Value) {
        if let Some(c) = self.counts.get_mut(&h) {
            c.0 += 1;
            return;
        }
        if self.exact && self.counts.len() >= self.limit {
            // Keep the heaviest as the counters' start.
            let mut all: Vec<(u64, (u64, Value))> = self.counts.drain().collect();
            all.sort_by_key(|e| std::cmp::Reverse(e.1 .0));
            all.truncate(HEAVY_COUNTERS);
            self.counts.extend(all);
            self.exact = false;
        }
        if self.exact || self.counts.len() < HEAVY_COUNTERS {
            self.counts.insert(h, (1, value()));
            return;
        }
        // Misra-Gries: a new value with every counter in use takes one from each.
        self.counts.retain(|_, c| {
            c.0 -= 1;
            c.0 > 0
        });
    }

    /// The `n` most frequent values as "value (count)", ties in the values' order.
    fn top(&self, n: usize, show: impl Fn(&Value) -> String) -> Vec<String> {
        let mut all: Vec<(u64, String)> =
            self.counts.values().map(|(c, v)| (*c, show(v))).collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.iter()
            .take(n)
            .map(|(c, v)| format!("{v} ({c})"))
            .collect()
    }
}

/// Numbers (and times, as nanoseconds): exact range and moments, and a digest.
#[derive(Default)]
struct Numeric {
    /// Integer values: exact sum and range.
    int_sum: i128,
    int_n: u64,
    int_min: Option<i64>,
    int_max: Option<i64>,
    /// Float values: compensated (Neumaier) sum, range.
    float_sum: f64,
    float_comp: f64,
    float_n: u64,
    float_min: Option<f64>,
    float_max: Option<f64>,
    /// Welford's mean and sum of squared deviations over all values, for stddev.
    mean: f64,
    m2: f64,
    digest: Option<TDigest>,
}

impl Numeric {
    fn n(&self) -> u64 {
        self.int_n + self.float_n
    }

    fn add_moments(&mut self, values: &[f64]) {
        // Chan et al.: combine this batch's mean and M2 with the running ones.
        if values.is_empty() {
            return;
        }
        let nb = values.len() as f64;
        let mb = values.iter().sum::<f64>() / nb;
        let m2b: f64 = values.iter().map(|v| (v - mb) * (v - mb)).sum();
        let na = (self.n() - values.len() as u64) as f64;
        let delta = mb - self.mean;
        let n = na + nb;
        self.mean += delta * nb / n;
        self.m2 += m2b + delta * delta * na * nb / n;
        let digest = self
            .digest
            .take()
            .unwrap_or_else(|| TDigest::new(DIGEST_SIZE));
        self.digest = Some(digest.merge_unsorted_f64(values.to_vec()));
    }

    fn add_ints(&mut self, values: impl Iterator<Item = i64>) -> Vec<f64> {
        let mut f = Vec::new();
        for v in values {
            self.int_sum += i128::from(v);
            self.int_min = Some(self.int_min.map_or(v, |m| m.min(v)));
            self.int_max = Some(self.int_max.map_or(v, |m| m.max(v)));
            f.push(v as f64);
        }
        self.int_n += f.len() as u64;
        f
    }

    fn add_floats(&mut self, values: impl Iterator<Item = f64>) -> Vec<f64> {
        let mut f = Vec::new();
        for v in values.filter(|v| !v.is_nan()) {
            let t = self.float_sum + v;
            self.float_comp += if self.float_sum.abs() >= v.abs() {
                (self.float_sum - t) + v
            } else {
                (v - t) + self.float_sum
            };
            self.float_sum = t;
            self.float_min = Some(self.float_min.map_or(v, |m| m.min(v)));
            self.float_max = Some(self.float_max.map_or(v, |m| m.max(v)));
            f.push(v);
        }
        self.float_n += f.len() as u64;
        f
    }

    fn exact_mean(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| (self.int_sum as f64 + self.float_sum + self.float_comp) / n as f64)
    }

    fn stddev(&self) -> Option<f64> {
        (self.n() > 1).then(|| (self.m2 / (self.n() - 1) as f64).sqrt())
    }

    /// The smallest and largest value, in the column's own terms.
    fn range(&self) -> Option<Range> {
        let lo = [self.int_min.map(|v| v as f64), self.float_min]
            .into_iter()
            .flatten()
            .reduce(f64::min)?;
        let hi = [self.int_max.map(|v| v as f64), self.float_max]
            .into_iter()
            .flatten()
            .reduce(f64::max)?;
        let ints = match (self.float_n, self.int_min, self.int_max) {
            (0, Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        Some((lo, hi, ints))
    }

    /// Equal-width bins from the smallest to the largest value, filled from the digest's
    /// centroids, as a line of block characters.
    fn histogram(&self) -> Option<String> {
        let d = self.digest.as_ref()?;
        let (lo, hi, _) = self.range()?;
        if hi <= lo {
            return Some(SPARK[SPARK.len() - 1].to_string());
        }
        let mut bins = [0f64; HISTOGRAM_BINS];
        for c in d.centroids() {
            let i = (((c.mean() - lo) / (hi - lo)) * HISTOGRAM_BINS as f64) as usize;
            bins[i.min(HISTOGRAM_BINS - 1)] += c.weight();
        }
        let top = bins.iter().cloned().fold(0.0, f64::max);
        Some(
            bins.iter()
                .map(|&b| {
                    if b == 0.0 {
                        ' '
                    } else {
                        SPARK[((b / top) * (SPARK.len() - 1) as f64).round() as usize]
                    }
                })
                .collect(),
        )
    }
}

/// Smallest and largest value as floats, and exactly when every value was an integer.
type Range = (f64, f64, Option<(i64, i64)>);

/// How a column's values are shown as min/max/quantiles.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    /// Nanoseconds since the epoch, shown as RFC 3339 UTC.
    Time,
    Text,
    Other,
}

fn kind_of(t: &DataType) -> Kind {
    match t {
        t if t.is_numeric() => Kind::Number,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => Kind::Time,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
        _ => Kind::Other,
    }
}

struct Column {
    name: String,
    data_type: DataType,
    rows: u64,
    nulls: u64,
    distinct: Distinct,
    frequent: Frequent,
    numeric: Numeric,
    text_min: Option<String>,
    text_max: Option<String>,
    /// Values not hashed (nested types): distinct and top are not given.
    unhashed: bool,
}

/// Hashes that are the same in every run (the output must not change between runs).
fn hasher() -> impl Hasher {
    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
        .build_hasher()
}

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = hasher();
    h.write(b);
    h.finish()
}

fn hash_u64(v: u64) -> u64 {
    let mut h = hasher();
    h.write_u64(v);
    h.finish()
}

impl Column {
    fn new(name: &str, data_type: &DataType, exact: usize) -> Column {
        Column {
            name: name.to_string(),
            data_type: data_type.clone(),
            rows: 0,
            nulls: 0,
            distinct: Distinct::new(exact),
            frequent: Frequent::new(exact),
            numeric: Numeric::default(),
            text_min: None,
            text_max: None,
            unhashed: false,
        }
    }

    fn add(&mut self, array: &ArrayRef) -> Result<()> {
        self.data_type = array.data_type().clone();
        self.rows += array.len() as u64;
        self.nulls += array.logical_null_count() as u64;
        let opts = FormatOptions::default().with_display_error(true);
        let shown = ArrayFormatter::try_new(array.as_ref(), &opts)
            .map_err(|e| Error::arrow(format!("showing column {}", self.name), e))?;
        match kind_of(array.data_type()) {
            Kind::Number | Kind::Time => self.add_numeric(array)?,
            Kind::Text => {
                let s = cast(array, &DataType::Utf8)
                    .map_err(|e| Error::arrow(format!("reading column {}", self.name), e))?;
                for v in s.as_string::<i32>().iter().flatten() {
                    let h = hash_bytes(v.as_bytes());
                    self.distinct.add(h);
                    self.frequent.add(h, || Value::Text(v.into()));
                    if self.text_min.as_deref().is_none_or(|m| v < m) {
                        self.text_min = Some(v.to_string());
                    }
                    if self.text_max.as_deref().is_none_or(|m| v > m) {
                        self.text_max = Some(v.to_string());
                    }
                }
            }
            Kind::Other => match array.data_type() {
                DataType::Boolean => {
                    for v in array.as_boolean().iter().flatten() {
                        let h = hash_u64(u64::from(v));
                        self.distinct.add(h);
                        self.frequent.add(h, || Value::Text(v.to_string().into()));
                    }
                }
                DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
                    let b = cast(array, &DataType::Binary)
                        .map_err(|e| Error::arrow(format!("reading column {}", self.name), e))?;
                    for (i, v) in b.as_binary::<i32>().iter().enumerate() {
                        if let Some(v) = v {
                            let h = hash_bytes(v);
                            self.distinct.add(h);
                            self.frequent
                                .add(h, || Value::Text(shown.value(i).to_string().into()));
                        }
                    }
                }
                _ => self.unhashed = true,
            },
        }
        Ok(())
    }

    fn add_numeric(&mut self, array: &ArrayRef) -> Result<()> {
        let err = |e| Error::arrow(format!("reading column {}", self.name), e);
        let t = array.data_type();
        let as_int = match t {
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => Some(
                cast(array, &DataType::Timestamp(TimeUnit::Nanosecond, None))
                    .and_then(|a| cast(&a, &DataType::Int64))
                    .map_err(err)?,
            ),
            t if t.is_integer() && *t != DataType::UInt64 => {
                Some(cast(array, &DataType::Int64).map_err(err)?)
            }
            _ => None,
        };
        let values = if let Some(ints) = as_int {
            let ints = ints.as_primitive::<Int64Type>();
            for v in ints.iter().flatten() {
                let h = hash_u64(v as u64);
                self.distinct.add(h);
                self.frequent.add(h, || Value::Int(v));
            }
            self.numeric.add_ints(ints.iter().flatten())
        } else {
            let floats = cast(array, &DataType::Float64).map_err(err)?;
            let floats = floats.as_primitive::<Float64Type>();
            for v in floats.iter().flatten() {
                {
                    // One hash for 0.0 and -0.0, one for every NaN.
                    let bits = if v == 0.0 {
                        0
                    } else if v.is_nan() {
                        f64::NAN.to_bits()
                    } else {
                        v.to_bits()
                    };
                    let h = hash_u64(bits);
                    self.distinct.add(h);
                    self.frequent.add(h, || Value::Float(v));
                }
            }
            self.numeric.add_floats(floats.iter().flatten())
        };
        self.numeric.add_moments(&values);
        Ok(())
    }

    fn kind(&self) -> Kind {
        kind_of(&self.data_type)
    }

    /// A number or a time, as the output shows it: a column of integers (and times, in
    /// whole nanoseconds) gives an estimate such as a quantile rounded to one.
    fn show(&self, v: f64) -> String {
        match self.kind() {
            Kind::Time => show_ns(v.round() as i64),
            _ if self.numeric.float_n == 0 => format_number(v.round()),
            _ => format_number(v),
        }
    }

    fn min_max(&self) -> (Option<String>, Option<String>) {
        let exact = |v: i64| match self.kind() {
            Kind::Time => show_ns(v),
            _ => v.to_string(),
        };
        match self.kind() {
            Kind::Text => (self.text_min.clone(), self.text_max.clone()),
            Kind::Number | Kind::Time => match self.numeric.range() {
                Some((_, _, Some((a, b)))) => (Some(exact(a)), Some(exact(b))),
                Some((a, b, _)) => (Some(self.show(a)), Some(self.show(b))),
                None => (None, None),
            },
            Kind::Other => (None, None),
        }
    }
}

fn show_ns(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A float as its shortest exact text; integral values without ".0".
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub fn summarize(args: &SummarizeArgs) -> Result<Outcome> {
    let mut reader = args.input.open_reader()?;
    let (counter, total) = reader.progress();
    let bar = progress::bytes(total);
    let exact = args.exact_distinct as usize;
    let mut columns: Vec<Column> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows = 0u64;
    while let Some(batch) = reader.next_batch()? {
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            let i = *index.entry(field.name().clone()).or_insert_with(|| {
                columns.push(Column::new(field.name(), field.data_type(), exact));
                // A column first seen now was null in every record before.
                columns.last_mut().expect("pushed").rows = rows;
                columns.last_mut().expect("pushed").nulls = rows;
                columns.len() - 1
            });
            columns[i].add(array)?;
        }
        rows += batch.num_rows() as u64;
        // Columns a batch lacks (a later file without them) are nulls there.
        for c in columns.iter_mut().filter(|c| c.rows < rows) {
            c.nulls += rows - c.rows;
            c.rows = rows;
        }
        progress::sync(&bar, &counter);
    }
    bar.finish_and_clear();
    for c in &mut columns {
        c.distinct.compact();
    }
    let batch = records(&columns, args.top)?;
    let mut sink = open_sink(&args.output.sink_options(), &batch.schema())?;
    sink.write(&batch)?;
    sink.finish()?;
    Ok(Outcome::Complete)
}

/// An output column: `f` of every summarized column.
fn column_of<T, A>(columns: &[Column], f: &dyn Fn(&Column) -> Option<T>) -> ArrayRef
where
    A: From<Vec<Option<T>>> + Array + 'static,
{
    Arc::new(A::from(columns.iter().map(f).collect::<Vec<Option<T>>>()))
}

/// One record per column.
fn records(columns: &[Column], top: usize) -> Result<RecordBatch> {
    let text = |f: &dyn Fn(&Column) -> Option<String>| column_of::<_, StringArray>(columns, f);
    let float = |f: &dyn Fn(&Column) -> Option<f64>| column_of::<_, Float64Array>(columns, f);
    let count = |f: &dyn Fn(&Column) -> Option<u64>| column_of::<_, UInt64Array>(columns, f);
    let flag = |f: &dyn Fn(&Column) -> Option<bool>| column_of::<_, BooleanArray>(columns, f);
    let numeric = |c: &Column| matches!(c.kind(), Kind::Number | Kind::Time);
    let hashed = |c: &Column| !c.unhashed;
    let mut fields = vec![
        ("column", DataType::Utf8, text(&|c| Some(c.name.clone()))),
        (
            "type",
            DataType::Utf8,
            text(&|c| Some(crate::record::schema::type_to_string(&c.data_type))),
        ),
        ("rows", DataType::UInt64, count(&|c| Some(c.rows))),
        (
            "count",
            DataType::UInt64,
            count(&|c| Some(c.rows - c.nulls)),
        ),
        ("nulls", DataType::UInt64, count(&|c| Some(c.nulls))),
        (
            "distinct",
            DataType::UInt64,
            count(&|c| hashed(c).then(|| c.distinct.estimate().0)),
        ),
        (
            "distinct_exact",
            DataType::Boolean,
            flag(&|c| hashed(c).then(|| c.distinct.estimate().1)),
        ),
        ("min", DataType::Utf8, text(&|c| c.min_max().0)),
        ("max", DataType::Utf8, text(&|c| c.min_max().1)),
        (
            "mean",
            DataType::Float64,
            float(&|c| {
                (c.kind() == Kind::Number)
                    .then(|| c.numeric.exact_mean())
                    .flatten()
            }),
        ),
        (
            "stddev",
            DataType::Float64,
            float(&|c| {
                (c.kind() == Kind::Number)
                    .then(|| c.numeric.stddev())
                    .flatten()
            }),
        ),
    ];
    for (name, q) in QUANTILES {
        fields.push((
            name,
            DataType::Utf8,
            text(&|c| {
                let d = c.numeric.digest.as_ref().filter(|_| numeric(c))?;
                Some(c.show(d.estimate_quantile(q)))
            }),
        ));
    }
    let mut tops = ListBuilder::new(StringBuilder::new());
    for c in columns {
        if hashed(c) {
            let show = |v: &Value| match v {
                Value::Int(i) if c.kind() == Kind::Time => show_ns(*i),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => format!("{f}"),
                Value::Text(t) => t.to_string(),
            };
            for v in c.frequent.top(top, show) {
                tops.values().append_value(v);
            }
            tops.append(true);
        } else {
            tops.append(false);
        }
    }
    fields.push((
        "top",
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        Arc::new(tops.finish()),
    ));
    fields.push((
        "top_exact",
        DataType::Boolean,
        flag(&|c| hashed(c).then_some(c.frequent.exact)),
    ));
    fields.push((
        "histogram",
        DataType::Utf8,
        text(&|c| numeric(c).then(|| c.numeric.histogram()).flatten()),
    ));
    let schema = Arc::new(Schema::new(
        fields
            .iter()
            .map(|(n, t, _)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    ));
    RecordBatch::try_new(schema, fields.into_iter().map(|f| f.2).collect())
        .map_err(|e| Error::arrow("building the summary records", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_is_exact_then_estimated() {
        let mut d = Distinct::new(1024);
        for i in 0..1000u64 {
            d.add(hash_u64(i));
            d.add(hash_u64(i));
        }
        d.compact();
        assert_eq!(d.estimate(), (1000, true));
        for i in 0..100_000u64 {
            d.add(hash_u64(i));
        }
        d.compact();
        let (n, exact) = d.estimate();
        assert!(!exact);
        // 1/sqrt(1024) ~ 3% standard error: within 4 of them.
        assert!((88_000..112_000).contains(&n), "{n}");
    }

    #[test]
    fn frequent_values_exact_then_lower_bounds() {
        let mut f = Frequent::new(2000);
        for i in 0..10_000i64 {
            let v = if i % 3 == 0 { 7 } else { i };
            f.add(hash_u64(v as u64), || Value::Int(v));
        }
        assert!(!f.exact);
        let top = f.top(1, |v| format!("{v:?}"));
        // 3,334 sevens; Misra-Gries undercounts by at most n / counters.
        let n: u64 = top[0]
            .trim_start_matches("Int(7) (")
            .trim_end_matches(')')
            .parse()
            .unwrap();
        assert!(
            top[0].starts_with("Int(7) (") && n <= 3334 && n > 3334 - 10,
            "{top:?}"
        );
    }

    #[test]
    fn moments_and_range_are_exact() {
        let mut n = Numeric::default();
        let a = n.add_ints([i64::MAX, i64::MAX, -3].into_iter());
        n.add_moments(&a);
        assert_eq!(n.int_sum, 2 * i128::from(i64::MAX) - 3);
        assert_eq!(n.range().unwrap().2, Some((-3, i64::MAX)));
        let mut f = Numeric::default();
        let v: Vec<f64> = (0..1000).map(|i| 0.1 * i as f64).collect();
        let b = f.add_floats(v[..500].iter().copied());
        f.add_moments(&b);
        let b = f.add_floats(v[500..].iter().copied());
        f.add_moments(&b);
        assert!((f.exact_mean().unwrap() - 49.95).abs() < 1e-12);
        // Sample stddev of 0, 0.1, ..., 99.9.
        let mean = 49.95;
        let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 999.0).sqrt();
        assert!((f.stddev().unwrap() - sd).abs() < 1e-9);
    }
}
