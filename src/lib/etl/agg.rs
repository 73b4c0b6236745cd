//! `etl agg`: group-by aggregation over record batches, to the end of the input or over
//! event-time windows (tumbling or hopping) that are emitted as soon as the watermark
//! (largest time seen minus `--lateness`) passes their end, so it runs on endless streams.
//!
//! Keys are hashed in arrow's row format (one byte string per row for any key types, and
//! it sorts like the keys, so each window's groups come out in key order). Late records
//! and records without a time are counted, reported on stderr and end with exit status 3.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, TimestampNanosecondArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, Rows, SortField};

use crate::cli::args::parse_duration;
use crate::cli::{InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::schema::{timestamp_type, type_to_string};
use crate::record::union::widen;
use crate::record::LazySink;

#[derive(Debug, clap::Args)]
pub struct AggArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub spec: AggSpec,
}

/// What to aggregate and over which windows: `etl agg` and `etl run --window`.
#[derive(Debug, Clone, clap::Args)]
pub struct AggSpec {
    /// Aggregates, comma-separated, each optionally `AS name`: count(*), count(x), sum(x),
    /// avg(x), min(x), max(x), count_distinct(x), p50(x), p95(x), p99(x). All are exact:
    /// count_distinct and the percentiles keep each group's values in memory; percentiles
    /// interpolate linearly between ranks (as DuckDB's quantile_cont) [default: count(*)]
    #[arg(long, value_name = "LIST")]
    pub agg: Option<String>,
    /// Group by these fields (comma-separated)
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub by: Vec<String>,
    /// Aggregate over event-time windows of this length (e.g. 1s, 100ms, 5m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub window: Option<Duration>,
    /// Start a window every DURATION (hopping windows); default: the window length (tumbling)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "window")]
    pub slide: Option<Duration>,
    /// The event-time field (a timestamp, an RFC 3339 string, or integer nanoseconds)
    #[arg(long, value_name = "FIELD", default_value = "ts")]
    pub time: String,
    /// How late a record may arrive: a window closes when the largest time seen passes
    /// its end by this much. Later records are counted as late, not aggregated
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s")]
    pub lateness: Duration,
}

#[derive(Debug, Clone, PartialEq)]
enum Func {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    CountDistinct,
    Quantile(f64),
}

#[derive(Debug, Clone, PartialEq)]
struct Spec {
    func: Func,
    column: Option<String>,
    name: String,
}

fn parse_specs(text: &str) -> std::result::Result<Vec<Spec>, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|part| {
            let part = part.trim();
            let (call, alias) = match part.to_ascii_lowercase().find(" as ") {
                Some(i) => (part[..i].trim(), Some(part[i + 4..].trim().to_string())),
                None => (part, None),
            };
            let open = call.find('(').ok_or_else(|| format!("'{part}' is not func(field)"))?;
            let arg = call[open + 1..]
                .strip_suffix(')')
                .ok_or_else(|| format!("'{part}' is missing ')'"))?
                .trim();
            let func = match call[..open].trim().to_ascii_lowercase().as_str() {
                "count" if arg == "*" => Func::CountStar,
                "count" => Func::Count,
                "sum" => Func::Sum,
                "avg" | "mean" => Func::Avg,
                "min" => Func::Min,
                "max" => Func::Max,
                "count_distinct" => Func::CountDistinct,
                p if p.starts_with('p') && p[1..].parse::<u8>().is_ok_and(|n| n <= 100) => {
                    Func::Quantile(p[1..].parse::<f64>().unwrap_or(50.0) / 100.0)
                }
                f => return Err(format!("unknown aggregate '{f}' (count, sum, avg, min, max, count_distinct, p50, p95, p99)")),
            };
            if arg.is_empty() || (arg == "*" && func != Func::CountStar) {
                return Err(format!("'{part}' needs a field"));
            }
            let column = (func != Func::CountStar).then(|| arg.to_string());
            let name = alias.unwrap_or_else(|| call.split_whitespace().collect::<String>());
            Ok(Spec { func, column, name })
        })
        .collect()
}

/// One aggregate's running state for one group.
#[derive(Debug, Clone)]
enum Acc {
    Count(i64),
    SumInt(i128, bool),
    SumFloat(f64, bool),
    Avg(f64, i64),
    MinMaxInt(Option<i64>),
    MinMaxFloat(Option<f64>),
    Distinct(HashSet<Box<[u8]>>),
    Values(Vec<f64>),
}

impl Acc {
    /// The float form of an integer accumulator: its column widened from integer to
    /// float mid-stream (NDJSON inference widens as later records need), so what was
    /// summed so far carries on as a float instead of being dropped.
    fn make_float(&mut self) {
        match *self {
            Acc::SumInt(s, any) => *self = Acc::SumFloat(s as f64, any),
            Acc::MinMaxInt(m) => *self = Acc::MinMaxFloat(m.map(|v| v as f64)),
            _ => {}
        }
    }
}

/// What a spec reads from each batch.
enum Input {
    None,
    Int(Int64Array),
    Float(Float64Array),
    Rows(Rows),
}

struct Plan {
    spec: Spec,
    /// An integer column was seen (sum, min and max stay exact integers)...
    integer: bool,
    /// ...until a float one is: from then on they are floats, for every group.
    floated: bool,
}

impl Plan {
    /// Sum, min and max give integers while every value seen was one.
    fn exact(&self) -> bool {
        self.integer && !self.floated
    }

    /// Sum, min and max start as integers and become floats when the column does.
    fn new_acc(&self) -> Acc {
        let mut acc = match self.spec.func {
            Func::CountStar | Func::Count => Acc::Count(0),
            Func::Sum => Acc::SumInt(0, false),
            Func::Avg => Acc::Avg(0.0, 0),
            Func::Min | Func::Max => Acc::MinMaxInt(None),
            Func::CountDistinct => Acc::Distinct(HashSet::new()),
            Func::Quantile(_) => Acc::Values(Vec::new()),
        };
        if self.floated {
            acc.make_float();
        }
        acc
    }

    fn output_type(&self) -> DataType {
        match (&self.spec.func, self.exact()) {
            (Func::CountStar | Func::Count | Func::CountDistinct, _) => DataType::Int64,
            (Func::Sum | Func::Min | Func::Max, true) => DataType::Int64,
            _ => DataType::Float64,
        }
    }

    fn update(&self, acc: &mut Acc, input: &Input, row: usize) {
        let is_max = self.spec.func == Func::Max;
        if self.floated {
            acc.make_float();
        }
        match (acc, input) {
            (Acc::Count(n), Input::None) => *n += 1,
            (Acc::Count(n), Input::Int(a)) if a.is_valid(row) => *n += 1,
            (Acc::Count(n), Input::Float(a)) if a.is_valid(row) => *n += 1,
            (Acc::SumInt(s, any), Input::Int(a)) if a.is_valid(row) => {
                *s += a.value(row) as i128;
                *any = true;
            }
            (Acc::SumFloat(s, any), Input::Float(a)) if a.is_valid(row) => {
                *s += a.value(row);
                *any = true;
            }
            (Acc::Avg(s, n), Input::Float(a)) if a.is_valid(row) => {
                *s += a.value(row);
                *n += 1;
            }
            (Acc::MinMaxInt(m), Input::Int(a)) if a.is_valid(row) => {
                *m = extreme(is_max, *m, Some(a.value(row)));
            }
            (Acc::MinMaxFloat(m), Input::Float(a)) if a.is_valid(row) && !a.value(row).is_nan() => {
                *m = extreme(is_max, *m, Some(a.value(row)));
            }
            (Acc::Distinct(set), Input::Rows(rows)) => {
                let r = rows.row(row);
                // Nulls are not counted (SQL COUNT(DISTINCT x)).
                if !set.contains(r.as_ref()) {
                    set.insert(r.as_ref().into());
                }
            }
            (Acc::Values(v), Input::Float(a)) if a.is_valid(row) => v.push(a.value(row)),
            _ => {}
        }
    }
}

impl Plan {
    /// Folds `other` into `acc`: two groups whose keys became equal when a key column
    /// widened (two integers beyond 2^53 that are one float) are one group.
    fn merge(&self, acc: &mut Acc, other: Acc) {
        let is_max = self.spec.func == Func::Max;
        let mut other = other;
        if matches!(acc, Acc::SumFloat(..) | Acc::MinMaxFloat(_))
            || matches!(other, Acc::SumFloat(..) | Acc::MinMaxFloat(_))
        {
            acc.make_float();
            other.make_float();
        }
        match (acc, other) {
            (Acc::Count(a), Acc::Count(b)) => *a += b,
            (Acc::SumInt(a, x), Acc::SumInt(b, y)) => (*a, *x) = (*a + b, *x || y),
            (Acc::SumFloat(a, x), Acc::SumFloat(b, y)) => (*a, *x) = (*a + b, *x || y),
            (Acc::Avg(s, n), Acc::Avg(t, m)) => (*s, *n) = (*s + t, *n + m),
            (Acc::MinMaxInt(a), Acc::MinMaxInt(b)) => *a = extreme(is_max, *a, b),
            (Acc::MinMaxFloat(a), Acc::MinMaxFloat(b)) => *a = extreme(is_max, *a, b),
            (Acc::Distinct(a), Acc::Distinct(b)) => a.extend(b),
            (Acc::Values(a), Acc::Values(b)) => a.extend(b),
            (acc, other) => unreachable!("one aggregate's accumulators differ: {acc:?} {other:?}"),
        }
    }
}

/// The larger (`max`) or smaller of two running extremes, either possibly unset. NaN
/// never reaches here (`update` leaves it out), so `>`/`<` order floats fully.
fn extreme<T: PartialOrd>(max: bool, a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) if (max && y > x) || (!max && y < x) => Some(y),
        (Some(x), _) => Some(x),
        (None, y) => y,
    }
}

fn finish_column(plan: &Plan, accs: Vec<&mut Acc>, null_row: &[u8]) -> Result<ArrayRef> {
    let q = match plan.spec.func {
        Func::Quantile(q) => q,
        _ => 0.0,
    };
    Ok(match plan.output_type() {
        DataType::Int64 => {
            let values = accs
                .into_iter()
                .map(|a| match a {
                    Acc::Count(n) => Ok(Some(*n)),
                    Acc::Distinct(set) => Ok(Some(
                        set.iter().filter(|k| k.as_ref() != null_row).count() as i64,
                    )),
                    Acc::SumInt(s, any) => match (any, i64::try_from(*s)) {
                        (false, _) => Ok(None),
                        (true, Ok(v)) => Ok(Some(v)),
                        (true, Err(_)) => Err(Error::data(
                            Location::of("the input"),
                            format!("{} overflows int64", plan.spec.name),
                        )),
                    },
                    Acc::MinMaxInt(m) => Ok(*m),
                    _ => Ok(None),
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(Int64Array::from(values))
        }
        _ => Arc::new(Float64Array::from(
            accs.into_iter()
                .map(|a| {
                    // Groups not touched since their column widened still hold integers.
                    a.make_float();
                    match a {
                        Acc::SumFloat(s, true) => Some(*s),
                        Acc::Avg(s, n) if *n > 0 => Some(*s / *n as f64),
                        Acc::MinMaxFloat(m) => *m,
                        Acc::Values(v) if !v.is_empty() => Some(quantile(v, q)),
                        _ => None,
                    }
                })
                .collect::<Vec<_>>(),
        )),
    })
}

/// Linear interpolation between closest ranks (DuckDB quantile_cont, numpy's default).
fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let pos = q * (values.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

/// Values in arrow's row format (one byte string per row, comparable as bytes) whose
/// column types may widen mid-stream: NDJSON inference widens null to a type and
/// integers to floats as later records need. Rows encoded before a widening are encoded
/// again in the wider types, so equal values stay equal (1 and 1.0 are one group).
struct RowCodec {
    conv: RowConverter,
    types: Vec<DataType>,
}

impl RowCodec {
    fn new(types: Vec<DataType>) -> Result<RowCodec> {
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        let conv = RowConverter::new(fields).map_err(|e| Error::arrow("grouping", e))?;
        Ok(RowCodec { conv, types })
    }

    /// The codec for `cols`: made from their types on the first batch (`current` is
    /// None); when a column widened, a wider one, after `recode` has moved what the old
    /// one encoded so far into it. `names` name the columns in the error when no type
    /// holds both.
    fn fitted(
        current: Option<RowCodec>,
        cols: &[ArrayRef],
        names: &[&str],
        recode: impl FnOnce(&RowCodec, &RowCodec) -> Result<()>,
    ) -> Result<RowCodec> {
        let Some(codec) = current else {
            return RowCodec::new(cols.iter().map(|c| c.data_type().clone()).collect());
        };
        match codec.widened_for(cols, names)? {
            Some(wider) => {
                recode(&codec, &wider)?;
                Ok(wider)
            }
            None => Ok(codec),
        }
    }

    /// A wider codec when a column of `cols` widened, else None.
    fn widened_for(&self, cols: &[ArrayRef], names: &[&str]) -> Result<Option<RowCodec>> {
        let mut types = self.types.clone();
        for ((t, col), name) in types.iter_mut().zip(cols).zip(names) {
            *t = widen(t, col.data_type()).ok_or_else(|| {
                Error::data(
                    Location {
                        field: Some(name.to_string()),
                        ..Location::of("the input")
                    },
                    format!(
                        "changed type mid-stream from {} to {}, and no type holds both",
                        type_to_string(t),
                        type_to_string(col.data_type())
                    ),
                )
                .with_hint("give the input a --schema")
            })?;
        }
        Ok(if types == self.types {
            None
        } else {
            Some(RowCodec::new(types)?)
        })
    }

    /// `cols` (cast to this codec's types where narrower) as rows.
    fn encode(&self, cols: &[ArrayRef]) -> Result<Rows> {
        let cols = cols
            .iter()
            .zip(&self.types)
            .map(|(c, t)| cast(c, t))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::arrow("grouping", e))?;
        self.conv
            .convert_columns(&cols)
            .map_err(|e| Error::arrow("grouping", e))
    }

    /// Rows this codec encoded, encoded again by `wider`.
    fn recode<'a>(
        &self,
        wider: &RowCodec,
        rows: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<Box<[u8]>>> {
        let parser = self.conv.parser();
        let cols = self
            .conv
            .convert_rows(rows.into_iter().map(|r| parser.parse(r)))
            .map_err(|e| Error::arrow("widening the groups", e))?;
        let rows = wider.encode(&cols)?;
        Ok(rows.iter().map(|r| r.as_ref().into()).collect())
    }

    /// The row of a null value (count_distinct does not count it).
    fn null_row(&self) -> Result<Vec<u8>> {
        let nulls: Vec<ArrayRef> = self
            .types
            .iter()
            .map(|t| arrow::array::new_null_array(t, 1))
            .collect();
        Ok(self.encode(&nulls)?.row(0).as_ref().to_vec())
    }
}

struct Group {
    accs: Vec<Acc>,
}

/// Every group's key encoded again by `wider`; groups whose keys became equal merge.
fn rekey(
    windows: &mut BTreeMap<i64, HashMap<Box<[u8]>, Group>>,
    plans: &[Plan],
    old: &RowCodec,
    wider: &RowCodec,
) -> Result<()> {
    for groups in windows.values_mut() {
        let entries: Vec<(Box<[u8]>, Group)> = groups.drain().collect();
        let keys = old.recode(wider, entries.iter().map(|(k, _)| &k[..]))?;
        for (key, (_, group)) in keys.into_iter().zip(entries) {
            match groups.entry(key) {
                Entry::Vacant(v) => {
                    v.insert(group);
                }
                Entry::Occupied(mut o) => {
                    let accs = &mut o.get_mut().accs;
                    for ((plan, acc), other) in plans.iter().zip(accs).zip(group.accs) {
                        plan.merge(acc, other);
                    }
                }
            }
        }
    }
    Ok(())
}

struct Windowing {
    size: i64,
    slide: i64,
    lateness: i64,
}

/// The aggregation engine, fed batch by batch.
pub struct Aggregator {
    plans: Vec<Plan>,
    by: Vec<String>,
    keys: Option<RowCodec>,
    windowing: Option<Windowing>,
    time: String,
    /// Window start → key bytes → group. Without windows: one window at i64::MIN.
    windows: BTreeMap<i64, HashMap<Box<[u8]>, Group>>,
    max_time: Option<i64>,
    late: u64,
    untimed: u64,
    /// Per aggregate: count_distinct's row codec and the row of a null value, built on
    /// the first batch and widened with the column.
    distinct: Vec<Option<(RowCodec, Vec<u8>)>>,
}

impl Aggregator {
    fn key_rows(&mut self, batch: &RecordBatch) -> Result<Option<Rows>> {
        if self.by.is_empty() {
            return Ok(None);
        }
        let cols = self
            .by
            .iter()
            .map(|k| column(batch, k))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let Aggregator {
            keys,
            by,
            windows,
            plans,
            ..
        } = self;
        let names: Vec<&str> = by.iter().map(String::as_str).collect();
        let codec = RowCodec::fitted(keys.take(), &cols, &names, |old, wider| {
            rekey(windows, plans, old, wider)
        })?;
        let rows = codec.encode(&cols)?;
        *keys = Some(codec);
        Ok(Some(rows))
    }

    /// count_distinct's rows for aggregate `i`, widening the values kept so far when
    /// the column widened.
    fn distinct_rows(&mut self, i: usize, col: &ArrayRef) -> Result<Rows> {
        if self.distinct.len() <= i {
            self.distinct.resize_with(i + 1, || None);
        }
        let Aggregator {
            distinct,
            plans,
            windows,
            ..
        } = self;
        let name = plans[i].spec.column.as_deref().unwrap_or_default();
        let col = std::slice::from_ref(col);
        let (current, null) = match distinct[i].take() {
            Some((codec, null)) => (Some(codec), Some(null)),
            None => (None, None),
        };
        let mut widened = false;
        let codec = RowCodec::fitted(current, col, &[name], |old, wider| {
            widened = true;
            for group in windows.values_mut().flat_map(|g| g.values_mut()) {
                if let Acc::Distinct(set) = &mut group.accs[i] {
                    *set = old
                        .recode(wider, set.iter().map(|v| &v[..]))?
                        .into_iter()
                        .collect();
                }
            }
            Ok(())
        })?;
        let rows = codec.encode(col)?;
        // The null row changes only with the codec.
        let null = match null {
            Some(null) if !widened => null,
            _ => codec.null_row()?,
        };
        distinct[i] = Some((codec, null));
        Ok(rows)
    }

    fn inputs(&mut self, batch: &RecordBatch) -> Result<Vec<Input>> {
        let mut inputs = Vec::with_capacity(self.plans.len());
        for i in 0..self.plans.len() {
            let Some(name) = self.plans[i].spec.column.clone() else {
                inputs.push(Input::None);
                continue;
            };
            let col = column(batch, &name)?;
            if self.plans[i].spec.func == Func::CountDistinct {
                inputs.push(Input::Rows(self.distinct_rows(i, &col)?));
                continue;
            }
            let plan = &mut self.plans[i];
            let numeric = |dt: &DataType| {
                // Not arrow's default (safe) cast: that turns a u64 past i64::MAX into a
                // null, which would leave it out of the sum without a word.
                let opts = arrow::compute::CastOptions {
                    safe: false,
                    ..Default::default()
                };
                arrow::compute::cast_with_options(&col, dt, &opts).map_err(|e| {
                    Error::data(
                        Location {
                            field: Some(name.to_string()),
                            ..Location::of("the input")
                        },
                        format!(
                            "{}: a {} value does not fit {dt}: {e}",
                            plan.spec.name,
                            type_to_string(col.data_type())
                        ),
                    )
                })
            };
            if !(col.data_type().is_numeric()
                || matches!(col.data_type(), DataType::Null | DataType::Boolean))
            {
                return Err(Error::Usage(format!(
                    "{}: field '{name}' is {}, not a number",
                    plan.spec.name,
                    type_to_string(col.data_type())
                )));
            }
            let exact_kind = matches!(plan.spec.func, Func::Sum | Func::Min | Func::Max);
            match col.data_type() {
                // All nulls so far: says nothing about the column's type.
                DataType::Null => {}
                t if t.is_integer() => plan.integer |= exact_kind,
                _ => plan.floated = true,
            }
            inputs.push(if plan.exact() {
                Input::Int(
                    numeric(&DataType::Int64)?
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .expect("cast")
                        .clone(),
                )
            } else {
                Input::Float(
                    numeric(&DataType::Float64)?
                        .as_any()
                        .downcast_ref::<Float64Array>()
                        .expect("cast")
                        .clone(),
                )
            });
        }
        Ok(inputs)
    }

    fn times(&self, batch: &RecordBatch) -> Result<TimestampNanosecondArray> {
        let col = column(batch, &self.time)?;
        let ts = match col.data_type() {
            DataType::Int64 | DataType::UInt64 | DataType::Int32 => cast(&col, &DataType::Int64)
                .and_then(|c| cast(&c, &DataType::Timestamp(TimeUnit::Nanosecond, None))),
            _ => cast(&col, &DataType::Timestamp(TimeUnit::Nanosecond, None)),
        }
        .map_err(|e| Error::Usage(format!("--time {}: not a timestamp: {e}", self.time)))?;
        Ok(ts
            .as_any()
            .downcast_ref::<TimestampNanosecondArray>()
            .expect("cast")
            .clone())
    }

    pub fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        let keys = self.key_rows(batch)?;
        let inputs = self.inputs(batch)?;
        let times = match self.windowing {
            Some(_) => Some(self.times(batch)?),
            None => None,
        };
        for row in 0..batch.num_rows() {
            let key: &[u8] = keys.as_ref().map_or(&[], |k| k.row(row).data());
            let starts = match (&self.windowing, &times) {
                (Some(w), Some(t)) => {
                    if t.is_null(row) {
                        self.untimed += 1;
                        continue;
                    }
                    let t = t.value(row);
                    let max = self.max_time.map_or(t, |m| m.max(t));
                    self.max_time = Some(max);
                    let watermark = max.saturating_sub(w.lateness);
                    let last = t.div_euclid(w.slide);
                    let first = (t - w.size).div_euclid(w.slide) + 1;
                    let open: Vec<i64> = (first..=last)
                        .map(|k| k * w.slide)
                        .filter(|s| s + w.size > watermark)
                        .collect();
                    if open.len() as i64 != last - first + 1 {
                        self.late += 1;
                    }
                    open
                }
                _ => vec![i64::MIN],
            };
            for start in starts {
                let groups = self.windows.entry(start).or_default();
                if !groups.contains_key(key) {
                    let accs = self.plans.iter().map(Plan::new_acc).collect();
                    groups.insert(key.into(), Group { accs });
                }
                let group = groups.get_mut(key).expect("inserted above");
                for ((plan, acc), input) in
                    self.plans.iter().zip(group.accs.iter_mut()).zip(&inputs)
                {
                    plan.update(acc, input, row);
                }
            }
        }
        Ok(())
    }

    /// Removes and returns the windows whose end the watermark has passed (all at the end).
    pub fn closed(&mut self, at_end: bool) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::new();
        while let Some((&start, _)) = self.windows.first_key_value() {
            let closes = match (&self.windowing, self.max_time) {
                (Some(w), Some(max)) => start + w.size <= max.saturating_sub(w.lateness),
                _ => false,
            };
            if !(closes || at_end) {
                break;
            }
            let groups = self.windows.pop_first().expect("peeked").1;
            out.push(self.emit(start, groups)?);
        }
        Ok(out)
    }

    fn emit(&mut self, start: i64, groups: HashMap<Box<[u8]>, Group>) -> Result<RecordBatch> {
        let mut groups: Vec<(Box<[u8]>, Group)> = groups.into_iter().collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        let n = groups.len();
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        if let Some(w) = &self.windowing {
            fields.push(Field::new("window_start", timestamp_type(), false));
            fields.push(Field::new("window_end", timestamp_type(), false));
            columns.push(Arc::new(
                TimestampNanosecondArray::from(vec![start; n]).with_timezone("UTC"),
            ));
            columns.push(Arc::new(
                TimestampNanosecondArray::from(vec![start + w.size; n]).with_timezone("UTC"),
            ));
        }
        if let Some(codec) = &self.keys {
            let parser = codec.conv.parser();
            let rows = groups.iter().map(|(k, _)| parser.parse(k));
            let keys = codec
                .conv
                .convert_rows(rows)
                .map_err(|e| Error::arrow("building the keys", e))?;
            fields.extend(
                self.by
                    .iter()
                    .zip(&codec.types)
                    .map(|(n, t)| Field::new(n, t.clone(), true)),
            );
            columns.extend(keys);
        }
        for (i, plan) in self.plans.iter().enumerate() {
            let accs: Vec<&mut Acc> = groups.iter_mut().map(|(_, g)| &mut g.accs[i]).collect();
            let null_row = self
                .distinct
                .get(i)
                .and_then(Option::as_ref)
                .map_or(&[][..], |(_, null)| null.as_slice());
            columns.push(finish_column(plan, accs, null_row)?);
            fields.push(Field::new(&plan.spec.name, plan.output_type(), true));
        }
        // Built per window, not once: a column that widened since the last window gives
        // this one a wider type (NDJSON output carries on; a fixed-schema format says so).
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .map_err(|e| Error::arrow("building the aggregate", e))
    }
}

fn column(batch: &RecordBatch, name: &str) -> Result<ArrayRef> {
    batch.column_by_name(name).cloned().ok_or_else(|| {
        let have: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        Error::Usage(format!(
            "no field '{name}' in the input (fields: {})",
            have.join(", ")
        ))
    })
}

impl Aggregator {
    /// Checks the aggregate list and window lengths and sets up an empty engine.
    pub fn new(spec: &AggSpec) -> Result<Aggregator> {
        let specs = parse_specs(spec.agg.as_deref().unwrap_or("count(*)"))
            .map_err(|e| Error::Usage(format!("--agg: {e}")))?;
        if specs.is_empty() {
            return Err(Error::Usage("--agg: no aggregates given".into()));
        }
        let windowing = match spec.window {
            Some(w) => {
                let size = w.as_nanos() as i64;
                let slide = spec.slide.map_or(size, |s| s.as_nanos() as i64);
                if size <= 0 || slide <= 0 || slide > size {
                    return Err(Error::Usage(
                        "--window and --slide must be positive, with --slide <= --window".into(),
                    ));
                }
                Some(Windowing {
                    size,
                    slide,
                    lateness: spec.lateness.as_nanos() as i64,
                })
            }
            None => None,
        };
        Ok(Aggregator {
            plans: specs
                .into_iter()
                .map(|spec| Plan {
                    spec,
                    integer: false,
                    floated: false,
                })
                .collect(),
            by: spec
                .by
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            keys: None,
            windowing,
            time: spec.time.clone(),
            windows: BTreeMap::new(),
            max_time: None,
            late: 0,
            untimed: 0,
            distinct: Vec::new(),
        })
    }

    /// Windows close when this event time passes their end (None before any record).
    pub fn watermark(&self) -> Option<i64> {
        let w = self.windowing.as_ref()?;
        Some(self.max_time?.saturating_sub(w.lateness))
    }

    /// The end of the last window any timed record of `batch` falls into: once the
    /// watermark reaches it, everything the batch contributed has been emitted.
    pub fn last_window_end(&self, batch: &RecordBatch) -> Result<Option<i64>> {
        let Some(w) = &self.windowing else {
            return Ok(None);
        };
        let times = self.times(batch)?;
        Ok(times
            .iter()
            .flatten()
            .max()
            .map(|t| t.div_euclid(w.slide) * w.slide + w.size))
    }

    /// Reports late and untimed records on stderr; Lossy when there were any.
    pub fn report_losses(&self) -> Outcome {
        let mut outcome = Outcome::Complete;
        if self.late > 0 {
            crate::cli::warn(&format!(
                "{} late records arrived after their window closed and were left out (raise --lateness to keep them)",
                self.late
            ));
            outcome = Outcome::Lossy;
        }
        if self.untimed > 0 {
            crate::cli::warn(&format!(
                "{} records had no '{}' and were left out",
                self.untimed, self.time
            ));
            outcome = Outcome::Lossy;
        }
        outcome
    }
}

pub fn agg(args: &AggArgs) -> Result<Outcome> {
    let mut engine = Aggregator::new(&args.spec)?;
    let mut reader = args.input.open_reader()?;
    let mut sink = LazySink::new(args.output.sink_options());
    while let Some(batch) = reader.next_batch()? {
        engine.add(&batch)?;
        for closed in engine.closed(false)? {
            sink.write(&closed)?;
        }
    }
    // SQL semantics: an ungrouped aggregate over no input is one row (count 0).
    if engine.windowing.is_none() && engine.by.is_empty() && engine.windows.is_empty() {
        let accs = engine.plans.iter().map(Plan::new_acc).collect();
        engine
            .windows
            .entry(i64::MIN)
            .or_default()
            .insert(Box::from(&[][..]), Group { accs });
    }
    for rest in engine.closed(true)? {
        sink.write(&rest)?;
    }
    sink.finish(None)?;
    Ok(engine.report_losses())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aggregate_lists() {
        let s =
            parse_specs("count(*), avg(value) AS mean, p95(lat), count_distinct(host)").unwrap();
        assert_eq!(s[0].func, Func::CountStar);
        assert_eq!((s[1].func.clone(), s[1].name.as_str()), (Func::Avg, "mean"));
        assert_eq!(s[2].func, Func::Quantile(0.95));
        assert_eq!(s[3].column.as_deref(), Some("host"));
        assert!(parse_specs("median(x)").is_err());
        assert!(parse_specs("sum(*)").is_err());
        assert!(parse_specs("sum x").is_err());
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
        assert_eq!(quantile(&mut [1.0, 2.0, 3.0, 4.0, 5.0], 0.95), 4.8);
        assert_eq!(quantile(&mut [7.0], 0.99), 7.0);
    }
    fn spec(agg: &str, by: &[&str], window: Option<Duration>) -> AggSpec {
        AggSpec {
            agg: Some(agg.into()),
            by: by.iter().map(|s| s.to_string()).collect(),
            window,
            slide: None,
            time: "ts".into(),
            lateness: Duration::ZERO,
        }
    }

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(cols).unwrap()
    }

    fn run(engine: &mut Aggregator, batches: &[RecordBatch]) -> Vec<RecordBatch> {
        let mut out = Vec::new();
        for b in batches {
            engine.add(b).unwrap();
            out.extend(engine.closed(false).unwrap());
        }
        out.extend(engine.closed(true).unwrap());
        out
    }

    fn f64s(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
        let c = cast(b.column_by_name(name).unwrap(), &DataType::Float64).unwrap();
        let c = c.as_any().downcast_ref::<Float64Array>().unwrap();
        c.iter().collect()
    }

    fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    fn floats(v: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    #[test]
    fn integer_state_carries_on_when_the_column_widens_to_float() {
        let mut engine = Aggregator::new(&spec(
            "sum(x), min(x), max(x), avg(x), p50(x)",
            &["k"],
            None,
        ))
        .unwrap();
        let k = || -> ArrayRef { Arc::new(arrow::array::StringArray::from(vec!["a"])) };
        let out = run(
            &mut engine,
            &[
                batch(vec![("k", k()), ("x", ints(&[Some(1)]))]),
                batch(vec![("k", k()), ("x", floats(&[Some(2.5)]))]),
                batch(vec![("k", k()), ("x", ints(&[Some(-4)]))]),
            ],
        );
        assert_eq!(out.len(), 1);
        let b = &out[0];
        assert_eq!(
            b.schema().field_with_name("sum(x)").unwrap().data_type(),
            &DataType::Float64
        );
        assert_eq!(f64s(b, "sum(x)"), [Some(-0.5)]);
        assert_eq!(f64s(b, "min(x)"), [Some(-4.0)]);
        assert_eq!(f64s(b, "max(x)"), [Some(2.5)]);
        assert_eq!(f64s(b, "p50(x)"), [Some(1.0)]);
    }

    #[test]
    fn a_column_of_nulls_first_does_not_decide_the_type() {
        let mut engine = Aggregator::new(&spec("sum(x), max(x)", &[], None)).unwrap();
        let nulls: ArrayRef = Arc::new(arrow::array::NullArray::new(2));
        let out = run(
            &mut engine,
            &[
                batch(vec![("x", nulls)]),
                batch(vec![("x", ints(&[Some(7), Some(5)]))]),
            ],
        );
        let b = &out[0];
        assert_eq!(
            b.schema().field_with_name("sum(x)").unwrap().data_type(),
            &DataType::Int64
        );
        assert_eq!(f64s(b, "sum(x)"), [Some(12.0)]);
        assert_eq!(f64s(b, "max(x)"), [Some(7.0)]);
    }

    #[test]
    fn groups_keep_their_state_when_the_key_widens() {
        // The key is all nulls in the first batch (NullArray), strings later; an integer
        // key becomes a float one: 1 and 1.0 are one group.
        let mut engine = Aggregator::new(&spec("count(*), sum(x)", &["k", "n"], None)).unwrap();
        let out = run(
            &mut engine,
            &[
                batch(vec![
                    ("k", Arc::new(arrow::array::NullArray::new(2)) as ArrayRef),
                    ("n", ints(&[Some(1), Some(2)])),
                    ("x", ints(&[Some(10), Some(20)])),
                ]),
                batch(vec![
                    (
                        "k",
                        Arc::new(arrow::array::StringArray::from(vec![None, Some("a")])),
                    ),
                    ("n", floats(&[Some(1.0), Some(1.5)])),
                    ("x", ints(&[Some(1), Some(2)])),
                ]),
            ],
        );
        let b = &out[0];
        assert_eq!(
            b.schema().field_with_name("k").unwrap().data_type(),
            &DataType::Utf8
        );
        assert_eq!(
            b.schema().field_with_name("n").unwrap().data_type(),
            &DataType::Float64
        );
        // Sorted by key: nulls first; (null, 1.0) holds a record of each batch.
        assert_eq!(f64s(b, "n"), [Some(1.0), Some(2.0), Some(1.5)]);
        assert_eq!(f64s(b, "count(*)"), [Some(2.0), Some(1.0), Some(1.0)]);
        assert_eq!(f64s(b, "sum(x)"), [Some(11.0), Some(20.0), Some(2.0)]);
    }

    #[test]
    fn groups_whose_widened_keys_collide_merge() {
        // 2^53 and 2^53 + 1 are two integers but one float.
        let big = 1i64 << 53;
        let mut engine = Aggregator::new(&spec(
            "count(*), sum(x), min(x), max(x), avg(x), count_distinct(x), p50(x)",
            &["n"],
            None,
        ))
        .unwrap();
        let out = run(
            &mut engine,
            &[
                batch(vec![
                    ("n", ints(&[Some(big), Some(big + 1)])),
                    ("x", ints(&[Some(3), Some(5)])),
                ]),
                batch(vec![("n", floats(&[Some(0.5)])), ("x", ints(&[Some(1)]))]),
            ],
        );
        let b = &out[0];
        assert_eq!(f64s(b, "count(*)"), [Some(1.0), Some(2.0)]);
        assert_eq!(f64s(b, "sum(x)"), [Some(1.0), Some(8.0)]);
        assert_eq!(f64s(b, "min(x)"), [Some(1.0), Some(3.0)]);
        assert_eq!(f64s(b, "max(x)"), [Some(1.0), Some(5.0)]);
        assert_eq!(f64s(b, "avg(x)"), [Some(1.0), Some(4.0)]);
        assert_eq!(f64s(b, "count_distinct(x)"), [Some(1.0), Some(2.0)]);
        assert_eq!(f64s(b, "p50(x)"), [Some(1.0), Some(4.0)]);
    }

    #[test]
    fn distinct_values_widen_with_their_column() {
        let mut engine = Aggregator::new(&spec("count_distinct(x)", &[], None)).unwrap();
        let out = run(
            &mut engine,
            &[
                batch(vec![(
                    "x",
                    Arc::new(arrow::array::NullArray::new(1)) as ArrayRef,
                )]),
                batch(vec![("x", ints(&[Some(1), Some(2), None]))]),
                batch(vec![("x", floats(&[Some(1.0), Some(3.5), None]))]),
            ],
        );
        assert_eq!(f64s(&out[0], "count_distinct(x)"), [Some(3.0)]);
    }

    #[test]
    fn a_window_emitted_before_the_widening_keeps_its_type_and_the_next_is_float() {
        let ts = |v: i64| -> ArrayRef {
            Arc::new(TimestampNanosecondArray::from(vec![v]).with_timezone("UTC"))
        };
        let s = 1_000_000_000;
        let mut engine =
            Aggregator::new(&spec("sum(x)", &[], Some(Duration::from_secs(1)))).unwrap();
        let out = run(
            &mut engine,
            &[
                batch(vec![("ts", ts(0)), ("x", ints(&[Some(2)]))]),
                batch(vec![("ts", ts(s + 1)), ("x", ints(&[Some(3)]))]),
                batch(vec![("ts", ts(s + 2)), ("x", floats(&[Some(0.5)]))]),
            ],
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].schema().field(2).data_type(), &DataType::Int64);
        assert_eq!(f64s(&out[0], "sum(x)"), [Some(2.0)]);
        assert_eq!(out[1].schema().field(2).data_type(), &DataType::Float64);
        assert_eq!(f64s(&out[1], "sum(x)"), [Some(3.5)]);
    }

    #[test]
    fn an_unsigned_value_past_i64_is_an_error_not_a_null() {
        let mut engine = Aggregator::new(&spec("sum(x)", &[], None)).unwrap();
        let big: ArrayRef = Arc::new(arrow::array::UInt64Array::from(vec![u64::MAX]));
        let err = engine.add(&batch(vec![("x", big)])).unwrap_err();
        assert!(err.to_string().contains("does not fit"), "{err}");
    }

    #[test]
    fn a_key_that_changes_to_an_unrelated_type_is_named() {
        let mut engine = Aggregator::new(&spec("count(*)", &["k"], None)).unwrap();
        engine.add(&batch(vec![("k", ints(&[Some(1)]))])).unwrap();
        let s: ArrayRef = Arc::new(arrow::array::StringArray::from(vec!["a"]));
        let err = engine.add(&batch(vec![("k", s)])).unwrap_err();
        let err = err.to_string();
        assert!(
            err.contains("field 'k'") && err.contains("changed type"),
            "{err}"
        );
    }
}
