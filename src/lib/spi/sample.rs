//! `spictl sample`: an MCP3008/MCP3208 read at a fixed rate into timestamped records.
//!
//! Samples are scheduled on a fixed grid of slots from a monotonic clock, so the rate
//! does not drift; timestamps are wall-clock UTC derived from the same monotonic clock,
//! so they never go backwards. Every record says how late it was (`lag_ns`). When the
//! program falls a whole period behind, the missed slots are not sampled late and passed
//! off as on time: they are reported as an `overrun` record and on stderr, and the exit
//! status is 3. `--count N` counts slots, sampled or missed, so a run covers exactly
//! N/rate seconds from its start whatever the overruns: downstream time windows
//! (`etl agg --window 1s`) then come out whole, never with a stray extra one.
//!
//! Every record has the same fields, so a reader that infers the schema from the first
//! records never has to widen it when an overrun comes along: `missed` is 0 on samples,
//! and an overrun record (which has no channel, raw or value) stands for `missed` slots
//! from `seq` on. Records are written by a separate thread, so slow output does not
//! delay the sampling; a closed pipe stops sampling.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{
    ArrayRef, Float64Array, Int64Array, StringArray, UInt16Array, UInt64Array, UInt8Array,
};
use arrow::datatypes::{DataType, Field, SchemaRef};
use clap::{Args, ValueEnum};

use super::sim::mcp3x08::{decode, frame, Model};
use super::BusArgs;
use crate::cli::signals::{stop_on_signals, stopped};
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, Records};
use crate::record::text::now_ns;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChipArg {
    Mcp3008,
    Mcp3208,
}

impl ChipArg {
    fn model(self) -> Model {
        match self {
            ChipArg::Mcp3008 => Model::Mcp3008,
            ChipArg::Mcp3208 => Model::Mcp3208,
        }
    }
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The ADC on the bus
    #[arg(long, value_enum, default_value_t = ChipArg::Mcp3008)]
    pub chip: ChipArg,
    /// Channels 0-7, comma separated; each is converted at every tick
    #[arg(long, value_name = "N", value_delimiter = ',', default_value = "0",
          value_parser = clap::value_parser!(u8).range(0..=7))]
    pub channel: Vec<u8>,
    /// Differential pairs instead of single-ended inputs (channel = D2..D0 code)
    #[arg(long)]
    pub diff: bool,
    /// Ticks per second
    #[arg(long, value_name = "HZ", value_parser = rate_arg)]
    pub rate: f64,
    /// Stop after N schedule slots, N/rate seconds from the first one: slots missed by
    /// overruns count too (each is reported), so the run covers exactly that time
    /// (default: run until interrupted or the output closes)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Run the sampling thread as SCHED_FIFO at this priority (1-99) with memory locked,
    /// so other work cannot preempt it (needs root or CAP_SYS_NICE)
    #[arg(long, value_name = "PRIO", value_parser = clap::value_parser!(i32).range(1..=99))]
    pub rt_priority: Option<i32>,
    /// Take the first sample on a whole multiple of this interval of UTC time (the
    /// default: on a whole second), so records line up with time windows downstream
    /// (`etl agg --window 1s` gets whole seconds); 0 starts at once
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = crate::cli::args::parse_duration)]
    pub align: Duration,

    /// Reference voltage: value = raw / 2^bits * VREF
    #[arg(long, value_name = "VOLTS", default_value_t = 3.3)]
    pub vref: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn rate_arg(text: &str) -> std::result::Result<f64, String> {
    let r: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a rate in Hz"))?;
    if !(r > 0.0 && r <= 1_000_000.0) {
        return Err(format!(
            "'{text}': the rate must be above 0 and at most 1000000 Hz"
        ));
    }
    Ok(r)
}

struct Row {
    ts: i64,
    kind: &'static str,
    channel: Option<u8>,
    seq: u64,
    raw: Option<u16>,
    value: Option<f64>,
    lag_ns: i64,
    /// Slots this record stands for that were not sampled: 0 for a sample.
    missed: u64,
}

fn sample_schema() -> SchemaRef {
    schema(vec![
        ts_field(),
        Field::new("type", DataType::Utf8, false),
        Field::new("device", DataType::Utf8, false),
        Field::new("chip", DataType::Utf8, false),
        Field::new("channel", DataType::UInt8, true),
        Field::new("seq", DataType::UInt64, false),
        Field::new("raw", DataType::UInt16, true),
        Field::new("value", DataType::Float64, true),
        Field::new("lag_ns", DataType::Int64, false),
        Field::new("missed", DataType::UInt64, false),
    ])
}

fn to_batch(
    s: &SchemaRef,
    device: &str,
    chip: &str,
    rows: &[Row],
) -> Result<arrow::record_batch::RecordBatch> {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        ts_array(rows.iter().map(|r| r.ts).collect()),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.kind))),
        Arc::new(StringArray::from(vec![device; n])),
        Arc::new(StringArray::from(vec![chip; n])),
        Arc::new(UInt8Array::from_iter(rows.iter().map(|r| r.channel))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.seq))),
        Arc::new(UInt16Array::from_iter(rows.iter().map(|r| r.raw))),
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.value))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.lag_ns))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.missed))),
    ];
    batch(s, cols)
}

/// The first tick: now, or the next whole multiple of `align` in UTC; as a monotonic
/// instant and its wall-clock time in ns.
fn aligned_start(align: Duration) -> (Instant, i64) {
    let (now, wall) = (Instant::now(), now_ns());
    let step = align.as_nanos() as i64;
    if step == 0 {
        return (now, wall);
    }
    let wait = (step - wall.rem_euclid(step)) % step;
    (now + Duration::from_nanos(wait as u64), wall + wait)
}

/// Sleeps most of the way, then spins: sleeping alone wakes up 50-100 µs late.
fn wait_until(deadline: Instant) {
    const SPIN: Duration = Duration::from_micros(150);
    loop {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        let left = deadline - now;
        if left > SPIN {
            std::thread::sleep(left - SPIN);
        } else {
            std::hint::spin_loop();
        }
    }
}

/// Makes the calling thread real-time (SCHED_FIFO) and locks memory, so page faults
/// and ordinary processes do not delay samples.
fn go_realtime(priority: i32) -> Result<()> {
    // Zeroed, then the priority: musl's sched_param has more fields than glibc's.
    // SAFETY: sched_param is plain integers, for which all zeroes is valid.
    let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
    param.sched_priority = priority;
    // SAFETY: plain syscalls on the calling thread / process with valid arguments.
    let r = unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    if r != 0 {
        return Err(Error::device(
            "sample --rt-priority",
            format!(
                "cannot switch to SCHED_FIFO: {}",
                std::io::Error::from_raw_os_error(r)
            ),
        )
        .with_hint("run as root or give the binary CAP_SYS_NICE"));
    }
    // SAFETY: as above.
    if unsafe { libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) } != 0 {
        crate::cli::warn(&format!(
            "sample: mlockall failed ({}); page faults may still delay samples",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Timing summary for stderr.
#[derive(Default)]
struct Stats {
    lags: Vec<i64>,
    overruns: u64,
    missed: u64,
}

impl Stats {
    /// `slots` is how far the schedule got: the slots sampled plus those missed.
    fn summary(&mut self, slots: u64, rate: f64, elapsed: Duration) -> String {
        self.lags.sort_unstable();
        let pct = |p: f64| -> f64 {
            if self.lags.is_empty() {
                return 0.0;
            }
            let i = ((self.lags.len() - 1) as f64 * p).round() as usize;
            self.lags[i] as f64 / 1000.0
        };
        format!(
            "sample: {slots} slots at {rate} Hz in {:.3} s: {} sampled, {} missed in {} overruns; lag behind schedule p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            elapsed.as_secs_f64(),
            slots - self.missed,
            self.missed,
            self.overruns,
            pct(0.5),
            pct(0.99),
            pct(1.0),
        )
    }
}

pub fn run(bus_args: &BusArgs, args: &SampleArgs) -> Result<Outcome> {
    if !(args.vref.is_finite() && args.vref > 0.0) {
        return Err(Error::Usage(format!(
            "--vref {}: must be a positive voltage",
            args.vref
        )));
    }
    Records::check(&args.output)?;
    let mut bus = bus_args.open()?;
    let info = bus.info();
    let model = args.chip.model();
    if let Some(chip) = &info.chip {
        if chip.starts_with("MCP") && !chip.starts_with(model.part()) {
            crate::cli::warn(&format!(
                "{}: sampling as an {} but the simulated chip is an {chip}; the frames will not decode",
                info.device,
                model.part()
            ));
        }
    }
    let chip_name = match info.kind {
        "simulation" => format!("{} (simulated)", model.part()),
        _ => model.part().to_string(),
    };
    let full = (1u32 << model.bits()) as f64;
    let frames: Vec<(u8, [u8; 3])> = args
        .channel
        .iter()
        .map(|&ch| (ch, frame(model, ch, args.diff)))
        .collect();

    let (tx, rx) = mpsc::sync_channel::<Vec<Row>>(64);
    let opts = args.output.sink_options();
    let device = info.device.clone();
    let writer = std::thread::spawn(move || -> Result<()> {
        let s = sample_schema();
        let mut out = Records::with_options(opts, s.clone());
        for rows in rx {
            out.write(&to_batch(&s, &device, &chip_name, &rows)?)?;
        }
        out.finish()
    });

    // SIGINT/SIGTERM: stop at the next tick, still writing the last records, the
    // stream's end marker and the timing summary.
    stop_on_signals();
    if let Some(prio) = args.rt_priority {
        go_realtime(prio)?;
    }
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let (t0, wall0) = aligned_start(args.align);
    // Slot k is due k/rate s after t0, computed from k rather than by adding up a
    // rounded period, so the schedule does not drift.
    let due = |slot: u64| t0 + Duration::from_nanos((slot as f64 * 1e9 / args.rate).round() as u64);
    let wall = |t: Instant| wall0 + (t - t0).as_nanos() as i64;
    let mut stats = Stats::default();
    let mut pending: Vec<Row> = Vec::new();
    let mut last_send = Instant::now();
    // The next slot of the schedule; every slot before it was sampled or reported missed.
    let mut slot: u64 = 0;
    let mut result: Result<()> = Ok(());
    'outer: while args.count.is_none_or(|c| slot < c) && !stopped() {
        let deadline = due(slot);
        wait_until(deadline);
        let now = Instant::now();
        let late = now - deadline;
        if late >= period {
            // Slots whose time has passed are reported, not sampled late; `--count`
            // still ends the run at its last slot.
            let passed = (late.as_nanos() / period.as_nanos().max(1)) as u64;
            let missed = args.count.map_or(passed, |c| passed.min(c - slot));
            stats.overruns += 1;
            stats.missed += missed;
            pending.push(Row {
                ts: wall(deadline),
                kind: "overrun",
                channel: None,
                seq: slot,
                raw: None,
                value: None,
                lag_ns: late.as_nanos() as i64,
                missed,
            });
            crate::cli::warn(&format!(
                "sample: overrun at slot {slot}: {:.3} ms late, {missed} slot(s) skipped",
                late.as_secs_f64() * 1e3
            ));
            slot += missed;
            // Take the slot now due from a fresh clock reading, so that even the first
            // conversion's lag stays under one period.
            continue;
        }
        for (i, (ch, f)) in frames.iter().enumerate() {
            let t = if i == 0 { now } else { Instant::now() };
            let rxb = match bus.xfer(f) {
                Ok(r) => r,
                Err(e) => {
                    result = Err(e);
                    break 'outer;
                }
            };
            let raw = decode(model, &[rxb[0], rxb[1], rxb[2]]);
            let lag = (t - deadline).as_nanos() as i64;
            stats.lags.push(lag);
            pending.push(Row {
                ts: wall(t),
                kind: "sample",
                channel: Some(*ch),
                seq: slot,
                raw: Some(raw),
                value: Some(raw as f64 / full * args.vref),
                lag_ns: lag,
                missed: 0,
            });
        }
        slot += 1;
        if pending.len() >= 256 || last_send.elapsed() >= Duration::from_millis(100) {
            if tx.send(std::mem::take(&mut pending)).is_err() {
                break; // the writer stopped: its error says why
            }
            last_send = Instant::now();
        }
    }
    if !pending.is_empty() {
        let _ = tx.send(pending);
    }
    drop(tx);
    let elapsed = t0.elapsed();
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(Error::Internal("the record writer panicked".into())));
    result?;
    written?;
    eprintln!("spictl: {}", stats.summary(slot, args.rate, elapsed));
    Ok(if stats.overruns > 0 {
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(rate_arg("1000").unwrap(), 1000.0);
        assert!(rate_arg("0").is_err());
        assert!(rate_arg("-5").is_err());
        assert!(rate_arg("2e6").is_err());
        assert!(rate_arg("NaN").is_err());
    }

    #[test]
    fn summary_percentiles() {
        let mut s = Stats {
            lags: (1..=100).map(|i| i * 1000).collect(),
            overruns: 2,
            missed: 5,
        };
        let text = s.summary(105, 10.0, Duration::from_secs(10));
        assert!(
            text.contains("p50 51 µs") && text.contains("max 100 µs"),
            "{text}"
        );
        assert!(
            text.contains("105 slots at 10 Hz in 10.000 s: 100 sampled, 5 missed in 2 overruns"),
            "{text}"
        );
    }
}
