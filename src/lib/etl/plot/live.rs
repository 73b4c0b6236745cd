//! `etl plot --live`: the chart redrawn as records arrive, at most every `--every`, over
//! a rolling `--span` of a time axis (else the latest records, up to a bound). Records
//! are read on a thread of their own in batches of one, so a slow live pipe (one
//! aggregate a second) shows each record as it comes. On a terminal each frame replaces
//! the last; SIGINT or SIGTERM end the loop leaving the last frame on screen (exit 0).
//! With `--out` the file is rewritten whole (renamed into place) at each frame.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;

use super::data::{self, Collector};
use super::{draw, term, PlotArgs};
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::record::RecordReader;

/// Records a window keeps at most when it is not bounded by a time span.
const MAX_RECORDS: usize = 200_000;
/// Small batches are joined into chunks of this many rows.
const CHUNK: usize = 4096;

/// The records of the window: joined chunks, the newest batches not yet joined.
struct Window {
    chunks: VecDeque<RecordBatch>,
    fresh: Vec<RecordBatch>,
    rows: usize,
}

impl Window {
    fn push(&mut self, b: RecordBatch) -> Result<()> {
        self.rows += b.num_rows();
        self.fresh.push(b);
        let fresh_rows: usize = self.fresh.iter().map(RecordBatch::num_rows).sum();
        if fresh_rows >= CHUNK {
            self.join()?;
        }
        Ok(())
    }

    fn join(&mut self) -> Result<()> {
        // A widened schema (a later record with a new field or type) starts a chunk.
        let fresh = std::mem::take(&mut self.fresh);
        for run in fresh.chunk_by(|a, b| a.schema() == b.schema()) {
            let joined = concat_batches(&run[0].schema(), run)
                .map_err(|e| Error::arrow("joining live records", e))?;
            self.chunks.push_back(joined);
        }
        Ok(())
    }

    /// Drops what falls out of the window: records older than `span` before the newest
    /// time in `x`, or the oldest beyond MAX_RECORDS.
    fn evict(&mut self, x: Option<&str>, span: Option<Duration>) -> Result<()> {
        self.join()?;
        if let (Some(x), Some(span)) = (x, span) {
            let newest = self
                .chunks
                .iter()
                .filter_map(|c| data::times(c, x).ok())
                .flat_map(|t| t.into_iter().flatten())
                .fold(f64::NEG_INFINITY, f64::max);
            let start = newest - span.as_secs_f64();
            while let Some(c) = self.chunks.front() {
                let t = data::times(c, x)?;
                let keep = t.iter().position(|v| v.is_some_and(|v| v >= start));
                match keep {
                    None => {
                        self.rows -= c.num_rows();
                        self.chunks.pop_front();
                    }
                    Some(0) => break,
                    Some(i) => {
                        let c = self.chunks.pop_front().expect("front");
                        self.rows -= i;
                        self.chunks.push_front(c.slice(i, c.num_rows() - i));
                        break;
                    }
                }
            }
        }
        while self.rows > MAX_RECORDS {
            let c = self.chunks.pop_front().expect("rows counted");
            let over = self.rows - MAX_RECORDS;
            if over >= c.num_rows() {
                self.rows -= c.num_rows();
            } else {
                self.rows -= over;
                self.chunks.push_front(c.slice(over, c.num_rows() - over));
            }
        }
        Ok(())
    }
}

pub fn run(
    args: &PlotArgs,
    file: Option<(draw::Format, &Path)>,
    columns: usize,
    every: Duration,
    span: Option<Duration>,
) -> Result<Outcome> {
    let mut opts = args.input.read_options()?;
    opts.batch_size = 1;
    opts.infer_rows = 1;
    opts.sequential = true;
    let sources = args.input.sources()?;
    let (tx, rx) = sync_channel::<Result<Option<RecordBatch>>>(4096);
    std::thread::spawn(move || {
        let mut reader = match RecordReader::open(sources, opts) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        loop {
            let b = reader.next_batch();
            let end = !matches!(b, Ok(Some(_)));
            if tx.send(b).is_err() || end {
                return;
            }
        }
    });
    crate::cli::signals::stop_on_signals();
    let mut window = Window {
        chunks: VecDeque::new(),
        fresh: Vec::new(),
        rows: 0,
    };
    let mut x: Option<Option<String>> = None;
    let mut last = Instant::now() - every;
    let (mut dirty, mut ended) = (false, false);
    loop {
        if crate::cli::signals::stopped() {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(25)) {
            Ok(Ok(Some(b))) => {
                if x.is_none() {
                    x = Some(data::x_column(args, &b.schema())?);
                }
                window.push(b)?;
                dirty = true;
            }
            Ok(Ok(None)) | Err(RecvTimeoutError::Disconnected) => ended = true,
            Ok(Err(e)) => return Err(e),
            Err(RecvTimeoutError::Timeout) => {}
        }
        if dirty && (ended || last.elapsed() >= every) {
            window.evict(x.clone().flatten().as_deref(), span)?;
            let mut c = Collector::new(args, columns);
            for chunk in &window.chunks {
                c.feed(chunk)?;
            }
            let chart = c.finish()?;
            match file {
                Some((format, path)) => draw::write(&chart, args, format, path)?,
                None => term::show(&format!("\x1b[H\x1b[2J{}", term::render(&chart)?))?,
            }
            last = Instant::now();
            dirty = false;
        }
        if ended {
            break;
        }
    }
    Ok(Outcome::Complete)
}
