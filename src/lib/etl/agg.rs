//! `etl agg`: group-by aggregation over record batches, to the end of the input or over
//! event-time windows (tumbling or hopping) that are emitted as soon as the watermark
//! (largest time seen minus `--lateness`) passes their end, so it runs on endless streams.
//!
//! Keys are hashed in arrow's row format (one byte string per row for any key types, and
//! it sorts like the keys, so each window's groups come out in key order). Late records
//! and records without a time are counted, reported on stderr and end with exit status 3.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, TimestampNanosecondArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, Rows, SortField};

use crate::cli::args::parse_duration;
use crate::cli::{InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;
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

/// What a spec reads from each batch.
enum Input {
    None,
    Int(Int64Array),
    Float(Float64Array),
    Rows(Rows),
}

struct Plan {
    spec: Spec,
    integer: bool,
}

impl Plan {
    fn new_acc(&self) -> Acc {
        match (&self.spec.func, self.integer) {
            (Func::CountStar | Func::Count, _) => Acc::Count(0),
            (Func::Sum, true) => Acc::SumInt(0, false),
            (Func::Sum, false) => Acc::SumFloat(0.0, false),
            (Func::Avg, _) => Acc::Avg(0.0, 0),
            (Func::Min | Func::Max, true) => Acc::MinMaxInt(None),
            (Func::Min | Func::Max, false) => Acc::MinMaxFloat(None),
            (Func::CountDistinct, _) => Acc::Distinct(HashSet::new()),
            (Func::Quantile(_), _) => Acc::Values(Vec::new()),
        }
    }

    fn output_type(&self) -> DataType {
        match (&self.spec.func, self.integer) {
            (Func::CountStar | Func::Count | Func::CountDistinct, _) => DataType::Int64,
            (Func::Sum | Func::Min | Func::Max, true) => DataType::Int64,
            _ => DataType::Float64,
        }
    }

    fn update(&self, acc: &mut Acc, input: &Input, row: usize) {
        let is_max = self.spec.func == Func::Max;
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
                let v = a.value(row);
                *m = Some(m.map_or(v, |c| if is_max { c.max(v) } else { c.min(v) }));
            }
            (Acc::MinMaxFloat(m), Input::Float(a)) if a.is_valid(row) && !a.value(row).is_nan() => {
                let v = a.value(row);
                *m = Some(m.map_or(v, |c| if is_max { c.max(v) } else { c.min(v) }));
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
                        (true, Err(_)) => {
                            Err(Error::Usage(format!("{} overflows int64", plan.spec.name)))
                        }
                    },
                    Acc::MinMaxInt(m) => Ok(*m),
                    _ => Ok(None),
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(Int64Array::from(values))
        }
        _ => Arc::new(Float64Array::from(
            accs.into_iter()
                .map(|a| match a {
                    Acc::SumFloat(s, true) => Some(*s),
                    Acc::Avg(s, n) if *n > 0 => Some(*s / *n as f64),
                    Acc::MinMaxFloat(m) => *m,
                    Acc::Values(v) if !v.is_empty() => Some(quantile(v, q)),
                    _ => None,
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

struct Group {
    accs: Vec<Acc>,
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
    keys: Option<RowConverter>,
    key_fields: Vec<Field>,
    windowing: Option<Windowing>,
    time: String,
    /// Window start → key bytes → group. Without windows: one window at i64::MIN.
    windows: BTreeMap<i64, HashMap<Box<[u8]>, Group>>,
    max_time: Option<i64>,
    late: u64,
    untimed: u64,
    out_schema: Option<SchemaRef>,
    /// Per aggregate: count_distinct's row converter and the bytes of a null value,
    /// built on the first batch.
    distinct: Vec<Option<(RowConverter, Vec<u8>)>>,
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
        if self.keys.is_none() {
            let fields: Vec<SortField> = cols
                .iter()
                .map(|c| SortField::new(c.data_type().clone()))
                .collect();
            self.keys = Some(RowConverter::new(fields).map_err(|e| Error::arrow("grouping", e))?);
            self.key_fields = self
                .by
                .iter()
                .zip(&cols)
                .map(|(n, c)| Field::new(n, c.data_type().clone(), true))
                .collect();
        }
        let conv = self.keys.as_ref().expect("set above");
        conv.convert_columns(&cols).map(Some).map_err(|e| {
            Error::Usage(format!(
                "--by: the key columns changed type mid-stream: {e}"
            ))
        })
    }

    fn inputs(&mut self, batch: &RecordBatch) -> Result<Vec<Input>> {
        let mut inputs = Vec::with_capacity(self.plans.len());
        for (i, plan) in self.plans.iter_mut().enumerate() {
            let Some(name) = &plan.spec.column else {
                inputs.push(Input::None);
                continue;
            };
            let col = column(batch, name)?;
            if plan.spec.func == Func::CountDistinct {
                if self.distinct.len() <= i {
                    self.distinct.resize_with(i + 1, || None);
                }
                if self.distinct[i].is_none() {
                    let conv = RowConverter::new(vec![SortField::new(col.data_type().clone())])
                        .map_err(|e| Error::arrow("count_distinct", e))?;
                    let null = arrow::array::new_null_array(col.data_type(), 1);
                    let null_row = conv
                        .convert_columns(&[null])
                        .map_err(|e| Error::arrow("count_distinct", e))?
                        .row(0)
                        .as_ref()
                        .to_vec();
                    self.distinct[i] = Some((conv, null_row));
                }
                let (conv, _) = self.distinct[i].as_ref().expect("set above");
                let rows = conv
                    .convert_columns(&[col])
                    .map_err(|e| Error::arrow("count_distinct", e))?;
                inputs.push(Input::Rows(rows));
                continue;
            }
            let integer = col.data_type().is_integer();
            plan.integer = integer && matches!(plan.spec.func, Func::Sum | Func::Min | Func::Max);
            let numeric = |dt: &DataType| {
                cast(&col, dt).map_err(|e| {
                    Error::Usage(format!(
                        "{}: field '{name}' ({}) is not numeric: {e}",
                        plan.spec.name,
                        col.data_type()
                    ))
                })
            };
            if !(col.data_type().is_numeric()
                || matches!(col.data_type(), DataType::Null | DataType::Boolean))
            {
                return Err(Error::Usage(format!(
                    "{}: field '{name}' is {}, not a number",
                    plan.spec.name,
                    crate::record::schema::type_to_string(col.data_type())
                )));
            }
            inputs.push(if plan.integer {
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
        if let Some(conv) = &self.keys {
            let parser = conv.parser();
            let rows = groups.iter().map(|(k, _)| parser.parse(k));
            let keys = conv
                .convert_rows(rows)
                .map_err(|e| Error::arrow("building the keys", e))?;
            fields.extend(self.key_fields.iter().cloned());
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
        let schema = self
            .out_schema
            .get_or_insert_with(|| Arc::new(Schema::new(fields)))
            .clone();
        RecordBatch::try_new(schema, columns).map_err(|e| Error::arrow("building the aggregate", e))
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
                })
                .collect(),
            by: spec
                .by
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            keys: None,
            key_fields: Vec::new(),
            windowing,
            time: spec.time.clone(),
            windows: BTreeMap::new(),
            max_time: None,
            late: 0,
            untimed: 0,
            out_schema: None,
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
}
