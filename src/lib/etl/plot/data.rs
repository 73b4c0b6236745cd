//! From records to what a chart draws: the columns picked (from the flags or the
//! schema), every value read once into bounded summaries, and the counts the chart
//! reports (points read and drawn, nulls, values left out).

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, Schema, TimeUnit};

use super::buckets::{Cells, Counts, Line, Sampler};
use super::{Kind, PlotArgs};
use crate::error::{Error, Result};

/// Most series a chart draws (from several --y or --by values); more are counted.
const MAX_SERIES: usize = 12;
/// Most bars; more categories are counted, not drawn.
const MAX_BARS: usize = 500;
/// Points a scatter plot (and a heatmap) keeps, a uniform sample beyond that.
const SAMPLE: usize = 50_000;

#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    Number,
    /// Seconds since the epoch (UTC).
    Time,
    /// The record's number, from 0.
    Index,
    /// Bars: x is the category's position.
    Category(Vec<String>),
}

pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

pub struct Chart {
    pub kind: Kind,
    pub title: String,
    pub x_name: String,
    pub y_name: String,
    pub x_axis: XAxis,
    /// line, area, scatter, bar (x = category position): one per series.
    pub series: Vec<Series>,
    /// hist: (start, end, count).
    pub bins: Vec<(f64, f64, u64)>,
    /// heatmap: (x0, x1, y0, y1, count).
    pub cells: Vec<(f64, f64, f64, f64, f64)>,
    pub read: u64,
    pub drawn: u64,
    pub nulls: u64,
    /// Values that could not be drawn: <= 0 on a log axis, bars or series past the
    /// limits.
    pub skipped: u64,
    pub log_x: bool,
    pub log_y: bool,
}

/// A scatter series: a uniform sample of its points, and how many there were.
#[derive(Default)]
struct Sample {
    points: Vec<(f64, f64)>,
    seen: u64,
}

/// What each series collects while records stream past.
enum Collect {
    Lines(Vec<(String, Line)>),
    Points(Vec<(String, Sample)>),
    Bars(Vec<(String, HashMap<String, f64>)>, Vec<String>),
    Hist(Counts),
    Heat(Cells),
}

/// The columns a chart reads, from the flags and the first batch's schema.
struct Plan {
    kind: Kind,
    x: Option<String>,
    x_axis: XAxis,
    ys: Vec<String>,
    by: Option<String>,
}

fn is_time(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64
    )
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// The x column a chart of these records uses: --x, else the first time column.
pub fn x_column(args: &PlotArgs, schema: &Schema) -> Result<Option<String>> {
    Ok(plan(args, schema)?.x)
}

/// Column `x` of a batch as numbers (times in seconds since the epoch).
pub fn times(b: &RecordBatch, x: &str) -> Result<Vec<Option<f64>>> {
    match b.column_by_name(x) {
        Some(a) => numbers(a, x),
        None => Ok(vec![None; b.num_rows()]),
    }
}

fn plan(args: &PlotArgs, schema: &Schema) -> Result<Plan> {
    let field = |name: &str, what: &str| {
        schema.field_with_name(name).map_err(|_| {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            Error::Usage(format!(
                "{what} {name}: no such column; the records have {}",
                names.join(", ")
            ))
        })
    };
    let x = match &args.x {
        Some(x) => Some(field(x, "--x")?.clone()),
        None => schema
            .fields()
            .iter()
            .find(|f| is_time(f.data_type()))
            .map(|f| f.as_ref().clone()),
    };
    let kind = args.kind.unwrap_or(match &x {
        Some(f) if is_text(f.data_type()) => Kind::Bar,
        _ => Kind::Line,
    });
    if let Some(by) = &args.by {
        field(by, "--by")?;
    }
    let mut ys = Vec::new();
    for y in &args.y {
        let f = field(y, "--y")?;
        if !(f.data_type().is_numeric() || is_time(f.data_type())) {
            return Err(Error::Usage(format!(
                "--y {y}: a {} column; y values are numbers or times",
                crate::record::schema::type_to_string(f.data_type())
            )));
        }
        ys.push(y.clone());
    }
    let x_name = x.as_ref().map(|f| f.name().clone());
    if ys.is_empty() {
        ys = schema
            .fields()
            .iter()
            .filter(|f| f.data_type().is_numeric())
            .filter(|f| Some(f.name()) != x_name.as_ref() && Some(f.name()) != args.by.as_ref())
            .take(8)
            .map(|f| f.name().clone())
            .collect();
    }
    // hist draws one column: --y, else --x, else the first numeric one.
    if kind == Kind::Hist {
        let v = args
            .y
            .first()
            .or(args.x.as_ref())
            .or(ys.first())
            .cloned()
            .ok_or_else(|| Error::Usage("hist: the records have no numeric column".into()))?;
        if args.y.len() > 1 {
            return Err(Error::Usage("hist draws one column: give one --y".into()));
        }
        return Ok(Plan {
            kind,
            x: None,
            x_axis: XAxis::Number,
            ys: vec![v],
            by: None,
        });
    }
    if ys.is_empty() {
        return Err(Error::Usage(
            "no numeric column to draw: name one with --y".into(),
        ));
    }
    if args.by.is_some() && ys.len() > 1 {
        return Err(Error::Usage(
            "--by draws one series per value of a single --y".into(),
        ));
    }
    let x_axis = match &x {
        None => XAxis::Index,
        Some(f) if is_time(f.data_type()) => XAxis::Time,
        Some(f) if is_text(f.data_type()) => XAxis::Category(Vec::new()),
        Some(f) if f.data_type().is_numeric() => XAxis::Number,
        Some(f) => {
            return Err(Error::Usage(format!(
                "--x {}: a {} column cannot be an axis",
                f.name(),
                crate::record::schema::type_to_string(f.data_type())
            )))
        }
    };
    if kind == Kind::Heatmap && (ys.len() != 1 || !matches!(x_axis, XAxis::Number | XAxis::Time)) {
        return Err(Error::Usage(
            "heatmap: give a numeric or time --x and one --y".into(),
        ));
    }
    // Bars of a numeric x have its values as categories (as text).
    if kind == Kind::Bar && x.is_none() {
        return Err(Error::Usage(
            "bar: give the category column with --x".into(),
        ));
    }
    Ok(Plan {
        kind,
        x: x_name,
        x_axis,
        ys,
        by: args.by.clone(),
    })
}

/// A numeric or time column as f64 (times in seconds since the epoch).
fn numbers(a: &ArrayRef, name: &str) -> Result<Vec<Option<f64>>> {
    let err = |e| Error::arrow(format!("reading column {name}"), e);
    if is_time(a.data_type()) {
        let ns = cast(a, &DataType::Timestamp(TimeUnit::Nanosecond, None))
            .and_then(|t| cast(&t, &DataType::Int64))
            .map_err(err)?;
        return Ok(ns
            .as_primitive::<Int64Type>()
            .iter()
            .map(|v| v.map(|n| n as f64 / 1e9))
            .collect());
    }
    let f = cast(a, &DataType::Float64).map_err(err)?;
    Ok(f.as_primitive::<Float64Type>().iter().collect())
}

fn texts(a: &ArrayRef, name: &str) -> Result<Vec<Option<String>>> {
    let s =
        cast(a, &DataType::Utf8).map_err(|e| Error::arrow(format!("reading column {name}"), e))?;
    Ok(s.as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

struct Reader<'a> {
    args: &'a PlotArgs,
    plan: Plan,
    collect: Collect,
    columns: usize,
    sampler: Sampler,
    index: u64,
    nulls: u64,
    skipped: u64,
}

impl Reader<'_> {
    /// The slot of series `name`, made on first sight (up to MAX_SERIES).
    fn slot<T>(list: &mut Vec<(String, T)>, name: &str, new: impl FnOnce() -> T) -> Option<usize> {
        if let Some(i) = list.iter().position(|s| s.0 == name) {
            return Some(i);
        }
        if list.len() >= MAX_SERIES {
            return None;
        }
        list.push((name.to_string(), new()));
        Some(list.len() - 1)
    }

    fn log(&mut self, v: f64, on: bool) -> Option<f64> {
        if !on {
            return Some(v);
        }
        if v > 0.0 {
            Some(v.log10())
        } else {
            self.skipped += 1;
            None
        }
    }

    fn batch(&mut self, b: &RecordBatch) -> Result<()> {
        let rows = b.num_rows();
        let col = |name: &str| {
            b.column_by_name(name).cloned().ok_or_else(|| {
                Error::Usage(format!(
                    "column {name} is missing from a later batch of records"
                ))
            })
        };
        let by = match &self.plan.by {
            Some(n) => Some(texts(&col(n)?, n)?),
            None => None,
        };
        let (xs, cats) = match (&self.plan.x, &self.plan.x_axis) {
            (Some(n), XAxis::Category(_)) => (None, Some(texts(&col(n)?, n)?)),
            (Some(n), _) if self.plan.kind == Kind::Bar => (None, Some(texts(&col(n)?, n)?)),
            (Some(n), _) => (Some(numbers(&col(n)?, n)?), None),
            (None, _) => (None, None),
        };
        let ys: Vec<(String, Vec<Option<f64>>)> = self
            .plan
            .ys
            .clone()
            .into_iter()
            .map(|n| {
                let v = numbers(&col(&n)?, &n)?;
                Ok((n, v))
            })
            .collect::<Result<_>>()?;
        let (log_x, log_y) = (self.args.log_x, self.args.log_y);
        for r in 0..rows {
            let index = self.index as f64;
            self.index += 1;
            let x = match (&xs, &cats) {
                (Some(v), _) => match v[r] {
                    Some(x) => self.log(x, log_x),
                    None => {
                        self.nulls += 1;
                        continue;
                    }
                },
                (None, Some(_)) => Some(0.0),
                (None, None) => Some(index),
            };
            let Some(x) = x else { continue };
            for (name, values) in &ys {
                let Some(y) = values[r] else {
                    self.nulls += 1;
                    continue;
                };
                let series = match &by {
                    Some(g) => g[r].clone().unwrap_or_else(|| "null".into()),
                    None => name.clone(),
                };
                match &mut self.collect {
                    Collect::Hist(c) => match (log_x, y > 0.0) {
                        (false, _) => c.add(y),
                        (true, true) => c.add(y.log10()),
                        (true, false) => self.skipped += 1,
                    },
                    Collect::Heat(cells) => {
                        let Some(y) = (if log_y {
                            (y > 0.0).then(|| y.log10())
                        } else {
                            Some(y)
                        }) else {
                            self.skipped += 1;
                            continue;
                        };
                        cells.add(x, y, &mut self.sampler);
                    }
                    _ => {
                        let Some(y) = self.log(y, log_y) else {
                            continue;
                        };
                        self.add(&series, x, y, cats.as_ref().and_then(|c| c[r].as_deref()));
                    }
                }
            }
        }
        Ok(())
    }

    fn add(&mut self, series: &str, x: f64, y: f64, category: Option<&str>) {
        let columns = self.columns;
        match &mut self.collect {
            Collect::Lines(list) => match Self::slot(list, series, || Line::new(columns)) {
                Some(i) => list[i].1.add(x, y),
                None => self.skipped += 1,
            },
            Collect::Points(list) => match Self::slot(list, series, Sample::default) {
                Some(i) => {
                    let s = &mut list[i].1;
                    s.seen += 1;
                    self.sampler.offer(&mut s.points, SAMPLE, s.seen, (x, y));
                }
                None => self.skipped += 1,
            },
            Collect::Bars(list, order) => {
                let Some(cat) = category else {
                    self.nulls += 1;
                    return;
                };
                if !order.iter().any(|c| c == cat) {
                    if order.len() >= MAX_BARS {
                        self.skipped += 1;
                        return;
                    }
                    order.push(cat.to_string());
                }
                match Self::slot(list, series, HashMap::new) {
                    Some(i) => *list[i].1.entry(cat.to_string()).or_insert(0.0) += y,
                    None => self.skipped += 1,
                }
            }
            Collect::Hist(_) | Collect::Heat(_) => {}
        }
    }
}

/// Reads every record of the input into a chart. `columns`: the x resolution lines are
/// summarized to (a few points per pixel column).
pub fn read(args: &PlotArgs, columns: usize) -> Result<Chart> {
    let mut input = args.input.open_reader()?;
    let mut c = Collector::new(args, columns);
    while let Some(batch) = input.next_batch()? {
        c.feed(&batch)?;
    }
    c.finish()
}

/// Batches in, a chart out: the plan is made from the first batch's schema.
pub struct Collector<'a> {
    args: &'a PlotArgs,
    columns: usize,
    reader: Option<Reader<'a>>,
}

impl<'a> Collector<'a> {
    pub fn new(args: &'a PlotArgs, columns: usize) -> Collector<'a> {
        Collector {
            args,
            columns,
            reader: None,
        }
    }

    pub fn feed(&mut self, batch: &RecordBatch) -> Result<()> {
        let (args, columns) = (self.args, self.columns);
        let reader = &mut self.reader;
        if reader.is_none() {
            let plan = plan(args, &batch.schema())?;
            let collect = match plan.kind {
                Kind::Line | Kind::Area => Collect::Lines(Vec::new()),
                Kind::Scatter => Collect::Points(Vec::new()),
                Kind::Bar => Collect::Bars(Vec::new(), Vec::new()),
                Kind::Hist => Collect::Hist(Counts::new(8192)),
                Kind::Heatmap => Collect::Heat(Cells::new(SAMPLE * 4)),
            };
            *reader = Some(Reader {
                args,
                plan,
                collect,
                columns,
                sampler: Sampler::default(),
                index: 0,
                nulls: 0,
                skipped: 0,
            });
        }
        reader.as_mut().expect("made above").batch(batch)
    }

    pub fn finish(self) -> Result<Chart> {
        let args = self.args;
        let Some(r) = self.reader else {
            return Err(Error::Usage("no records to plot".into()));
        };
        let mut chart = Chart {
            kind: r.plan.kind,
            title: args.title.clone().unwrap_or_default(),
            x_name: r.plan.x.clone().unwrap_or_else(|| "record".into()),
            y_name: r.plan.ys.join(", "),
            x_axis: r.plan.x_axis.clone(),
            series: Vec::new(),
            bins: Vec::new(),
            cells: Vec::new(),
            read: 0,
            drawn: 0,
            nulls: r.nulls,
            skipped: r.skipped,
            log_x: args.log_x,
            log_y: args.log_y,
        };
        if let Some(by) = &r.plan.by {
            chart.y_name = format!("{} by {by}", chart.y_name);
        }
        match r.collect {
            Collect::Lines(list) => {
                for (name, line) in list {
                    chart.read += line.read;
                    let points = line.points();
                    chart.drawn += points.len() as u64;
                    chart.series.push(Series { name, points });
                }
            }
            Collect::Points(list) => {
                for (name, s) in list {
                    chart.read += s.seen;
                    chart.drawn += s.points.len() as u64;
                    chart.series.push(Series {
                        name,
                        points: s.points,
                    });
                }
            }
            Collect::Bars(list, order) => {
                for (name, sums) in list {
                    let points: Vec<(f64, f64)> = order
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| sums.get(c).map(|v| (i as f64, *v)))
                        .collect();
                    chart.read += points.len() as u64;
                    chart.drawn += points.len() as u64;
                    chart.series.push(Series { name, points });
                }
                chart.x_axis = XAxis::Category(order);
            }
            Collect::Hist(c) => {
                chart.read = c.read;
                chart.bins = c.bins(args.bins as usize);
                chart.drawn = chart.bins.len() as u64;
                chart.x_name = r.plan.ys[0].clone();
                chart.y_name = "count".into();
            }
            Collect::Heat(cells) => {
                chart.read = cells.read;
                chart.cells = cells.grid(args.bins as usize);
                chart.drawn = chart.cells.len() as u64;
            }
        }
        Ok(chart)
    }
}

impl Chart {
    /// The note under the chart: what was drawn of what was read.
    pub fn note(&self) -> String {
        let what = match self.kind {
            Kind::Hist => format!("{} values in {} bins", self.read, self.bins.len()),
            Kind::Heatmap => format!("{} points in {} cells", self.read, self.cells.len()),
            Kind::Bar => format!("{} bars", self.drawn),
            _ if self.drawn < self.read => {
                format!("{} of {} points drawn", self.drawn, self.read)
            }
            _ => format!("{} points", self.read),
        };
        let mut parts = vec![what];
        if self.nulls > 0 {
            parts.push(format!("{} nulls", self.nulls));
        }
        if self.skipped > 0 {
            parts.push(format!("{} left out", self.skipped));
        }
        parts.join(", ")
    }

    /// The y range over every series (with 5% room), and the x range.
    pub fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let pts = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        let mut extend = |x: f64, y: f64| {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        };
        match self.kind {
            Kind::Hist => {
                for b in &self.bins {
                    extend(b.0, 0.0);
                    extend(b.1, b.2 as f64);
                }
            }
            Kind::Heatmap => {
                for c in &self.cells {
                    extend(c.0, c.2);
                    extend(c.1, c.3);
                }
            }
            Kind::Bar | Kind::Area => {
                for &(x, y) in pts {
                    extend(x, y);
                    extend(x, 0.0);
                }
                if self.kind == Kind::Bar {
                    x0 -= 0.5;
                    x1 += 0.5;
                }
            }
            _ => {
                for &(x, y) in pts {
                    extend(x, y);
                }
            }
        }
        if !x0.is_finite() {
            return ((0.0, 1.0), (0.0, 1.0));
        }
        let pad = |a: f64, b: f64| {
            if b > a {
                let m = (b - a) * 0.05;
                (a - m, b + m)
            } else {
                (a - 0.5, b + 0.5)
            }
        };
        let (y0, y1) = pad(y0, y1);
        let (x0, x1) = if matches!(self.kind, Kind::Bar | Kind::Hist | Kind::Heatmap) {
            (x0, x1)
        } else {
            pad(x0, x1)
        };
        ((x0, x1), (y0, y1))
    }

    /// An x tick's text: times by their span, categories by name, log axes as powers.
    pub fn x_label(&self, v: f64) -> String {
        let span = {
            let ((a, b), _) = self.ranges();
            b - a
        };
        match &self.x_axis {
            XAxis::Time => {
                let t = chrono::DateTime::from_timestamp(
                    (v.floor()) as i64,
                    ((v.fract()) * 1e9) as u32,
                )
                .unwrap_or_default();
                let f = if span > 2.0 * 86400.0 {
                    "%Y-%m-%d"
                } else if span > 3600.0 {
                    "%H:%M"
                } else if span > 10.0 {
                    "%H:%M:%S"
                } else {
                    "%H:%M:%S%.3f"
                };
                t.format(f).to_string()
            }
            XAxis::Category(names) => {
                let i = v.round();
                if (v - i).abs() < 0.01 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            _ => number_label(v, self.log_x),
        }
    }

    pub fn y_label(&self, v: f64) -> String {
        number_label(v, self.log_y && self.kind != Kind::Hist)
    }
}

/// A tick value, short: 1.5k, 2M, 0.001; on a log axis the value itself (10^v).
pub fn number_label(v: f64, log: bool) -> String {
    let v = if log { 10f64.powf(v) } else { v };
    let a = v.abs();
    let s = if a >= 1e9 {
        format!("{:.3}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.3}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.3}k", v / 1e3)
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.3}")
    } else if a >= 0.001 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    };
    if s.contains('.') && !s.contains('e') {
        let (num, unit) = s.split_at(s.trim_end_matches(['k', 'M', 'G']).len());
        format!("{}{unit}", num.trim_end_matches('0').trim_end_matches('.'))
    } else {
        s
    }
}
