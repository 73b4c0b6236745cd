//! The event loop shared by `netprobe tcp` and `netprobe serve`: read events from the
//! probe's ring buffer (or from sock_diag snapshots), write them as records, fold them
//! into metrics, report kernel-side loss, stop on --count, --duration or a signal.

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::signal::unix::{signal, SignalKind};
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

use super::diag::{Diag, Differ};
use super::event::{mono_to_epoch_offset, now_epoch_ns, BatchBuilder, TcpEvent};
use super::filter::Filters;
use super::loader::Probe;
use super::metrics::Metrics;
use super::names::Names;
use super::stats::Totals;
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::record::RecordSink;

/// Rows per batch at most, so a burst still reaches the reader in pieces.
const MAX_BATCH: usize = 4096;
/// How often the kernel's lost-event counter is read.
const LOST_POLL: Duration = Duration::from_millis(200);
/// The probe wakes the reader only once a batch of events is pending (waking per event
/// costs more than the event), so the ring is also drained on this timer: the latency
/// bound for a lone event.
const RING_POLL: Duration = Duration::from_millis(10);

/// Where events come from.
pub enum Backend {
    /// The probe's ring buffer, and the names its numbers are given.
    Ebpf { probe: Box<Probe>, names: Names },
    /// sock_diag snapshots every `interval`, filtered in userspace.
    Diag {
        diag: Diag,
        interval: Duration,
        filters: Filters,
    },
}

/// When to stop, besides SIGINT/SIGTERM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub count: Option<u64>,
    pub duration: Option<Duration>,
}

/// Sends events to the record sink and the metrics, counting toward --count.
pub struct Emitter {
    sink: Option<Box<dyn RecordSink>>,
    metrics: Option<Arc<Metrics>>,
    builder: BatchBuilder,
    left: Option<u64>,
    lost_reported: u64,
}

impl Emitter {
    pub fn new(
        sink: Option<Box<dyn RecordSink>>,
        metrics: Option<Arc<Metrics>>,
        count: Option<u64>,
    ) -> Emitter {
        Emitter {
            sink,
            metrics,
            builder: BatchBuilder::default(),
            left: count,
            lost_reported: 0,
        }
    }

    fn done(&self) -> bool {
        self.left == Some(0)
    }

    fn event(&mut self, e: &TcpEvent) -> Result<()> {
        if self.done() {
            return Ok(());
        }
        if let Some(n) = &mut self.left {
            *n -= 1;
        }
        if let Some(m) = &self.metrics {
            m.observe(e);
        }
        if self.sink.is_some() {
            self.builder.push(e);
            if self.builder.len() >= MAX_BATCH {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// `total` is the kernel's running count; a record reports what is new since the last.
    fn lost(&mut self, total: u64) {
        if total <= self.lost_reported {
            return;
        }
        let delta = total - self.lost_reported;
        self.lost_reported = total;
        if let Some(m) = &self.metrics {
            m.add_lost(delta);
        }
        if self.sink.is_some() {
            self.builder.push_lost(now_epoch_ns(), delta);
        }
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(sink) = &mut self.sink {
            if !self.builder.is_empty() {
                sink.write(&self.builder.finish()?)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Outcome> {
        self.flush()?;
        if let Some(sink) = self.sink.take() {
            sink.finish()?;
        }
        Ok(if self.lost_reported > 0 {
            Outcome::Lossy
        } else {
            Outcome::Complete
        })
    }
}

/// Runs until a limit or a signal, then flushes and returns whether events were lost.
pub async fn run(backend: Backend, limits: Limits, mut out: Emitter) -> Result<Outcome> {
    let sig = |k: SignalKind| signal(k).map_err(|e| Error::io("installing a signal handler", e));
    let mut sigint = sig(SignalKind::interrupt())?;
    let mut sigterm = sig(SignalKind::terminate())?;
    let deadline = limits.duration.map(|d| Instant::now() + d);
    let stop = async move {
        match deadline {
            Some(d) => sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop);
    let metrics = out.metrics.clone();
    if let Some(m) = &metrics {
        m.set_up(true);
    }
    if out.done() {
        return out.finish();
    }
    match backend {
        Backend::Ebpf {
            mut probe,
            mut names,
        } => {
            let offset = mono_to_epoch_offset();
            // SAFETY: the ring buffer's fd is owned by `probe`, which outlives `afd`
            // (declared later, dropped first) and is never closed or replaced meanwhile.
            let afd = unsafe {
                AsyncFd::register_with_interest(probe.ring.as_raw_fd(), Interest::READABLE)
            }
            .map_err(|e| Error::io("polling the netprobe ring buffer", e.into()))?;
            let mut lost_tick = interval(LOST_POLL);
            lost_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            // What the kernel had aggregated at the last look (serve without a stream).
            let mut counted = Totals::default();
            let mut ring_tick = interval(RING_POLL);
            ring_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    g = afd.readable() => {
                        let mut g = g.map_err(|e| Error::io("polling the netprobe ring buffer", e))?;
                        if drain(&mut probe, &mut names, offset, &mut out)? {
                            g.clear_ready();
                        }
                    }
                    _ = ring_tick.tick() => {
                        drain(&mut probe, &mut names, offset, &mut out)?;
                    }
                    _ = lost_tick.tick() => {
                        out.lost(probe.lost_total()?);
                        fold_aggregates(&probe, &mut counted, &mut names, metrics.as_deref());
                    }
                    _ = &mut stop => break,
                    _ = sigint.recv() => break,
                    _ = sigterm.recv() => break,
                }
                out.flush()?;
                if out.done() {
                    break;
                }
            }
            // Events already in the ring happened before we stopped: deliver them.
            drain(&mut probe, &mut names, offset, &mut out)?;
            out.lost(probe.lost_total()?);
            fold_aggregates(&probe, &mut counted, &mut names, metrics.as_deref());
        }
        Backend::Diag {
            mut diag,
            interval: every,
            filters,
        } => {
            let mut differ = Differ::new(diag.snapshot()?, diag.netns);
            let mut tick = interval(every);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        for e in differ.diff(diag.snapshot()?, now_epoch_ns()) {
                            if filters.matches(&e) {
                                out.event(&e)?;
                            }
                        }
                    }
                    _ = &mut stop => break,
                    _ = sigint.recv() => break,
                    _ = sigterm.recv() => break,
                }
                out.flush()?;
                if out.done() {
                    break;
                }
            }
        }
    }
    if let Some(m) = &metrics {
        m.set_up(false);
    }
    out.finish()
}

/// Folds what the kernel aggregated since `counted` into the metrics.
fn fold_aggregates(probe: &Probe, counted: &mut Totals, names: &mut Names, m: Option<&Metrics>) {
    if probe.stats.is_none() {
        return;
    }
    let now = probe.totals();
    if let Some(m) = m {
        m.add_aggregates(&now.since(counted), names);
    }
    *counted = now;
}

/// Reads every queued event; true when the ring is empty (so readiness may be cleared).
fn drain(probe: &mut Probe, names: &mut Names, offset: i64, out: &mut Emitter) -> Result<bool> {
    while !out.done() {
        let Some(item) = probe.ring.next() else {
            return Ok(true);
        };
        let mut e = TcpEvent::decode(&item, offset)?;
        drop(item);
        names.annotate(&mut e);
        out.event(&e)?;
    }
    Ok(false)
}
