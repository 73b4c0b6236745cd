//! In-kernel aggregation for `netprobe serve` without a record stream: the probe counts
//! each event into per-CPU slots (`stats` in ebpf/netprobe.bpf.c) instead of sending it
//! through the ring buffer, and userspace folds the slots' growth into the metrics a few
//! times a second. The events then cost no ring-buffer traffic, no wakeups and no
//! userspace work at all. This module holds the slot layout (the C side's `S_*`) and
//! the histogram type whose buckets can be added to in bulk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;

pub const S_OPENED: usize = 0;
pub const S_CLOSED: usize = 4;
pub const S_DURATION: usize = 36;
pub const S_DURATION_SUM_NS: usize = 50;
pub const S_DURATION_COUNT: usize = 51;
pub const S_RX_BYTES: usize = 52;
pub const S_TX_BYTES: usize = 53;
pub const S_RETRANS_SEGS: usize = 54;
pub const S_RESET_SENT: usize = 70;
pub const S_RESET_SENT_SLOTS: usize = 64;
pub const S_RESET_RECEIVED: usize = 134;
pub const S_DROP: usize = 135;
pub const S_DROP_SLOTS: usize = 256;
pub const S_RTT: usize = 391;
pub const S_RTT_SUM_US: usize = 412;
pub const S_RTT_COUNT: usize = 413;
pub const S_EVENTS: usize = 414;
pub const STATS_SLOTS: usize = 416;

/// Connection duration buckets: 100 us * 4^i seconds, i < 13 (the kernel compares
/// nanoseconds against 100000 << 2i, the same bounds exactly).
pub fn duration_bounds() -> Vec<f64> {
    (0..13).map(|i| 1e-4 * 4f64.powi(i)).collect()
}

/// RTT buckets: 10 us * 2^i seconds, i < 20.
pub fn rtt_bounds() -> Vec<f64> {
    (0..20).map(|i| 1e-5 * 2f64.powi(i)).collect()
}

/// The slots' totals over every CPU at one moment, and what grew since the last.
#[derive(Debug, Clone)]
pub struct Totals(Vec<u64>);

impl Default for Totals {
    fn default() -> Self {
        Totals(vec![0; STATS_SLOTS])
    }
}

impl Totals {
    /// Sums `per_cpu(slot)` over the CPUs for every slot.
    pub fn read(per_cpu: impl Fn(u32) -> Option<Vec<u64>>) -> Totals {
        Totals(
            (0..STATS_SLOTS as u32)
                .map(|slot| per_cpu(slot).map_or(0, |v| v.iter().sum()))
                .collect(),
        )
    }

    /// Growth of each slot since `earlier` (slots only grow).
    pub fn since(&self, earlier: &Totals) -> Totals {
        Totals(
            self.0
                .iter()
                .zip(&earlier.0)
                .map(|(now, then)| now.saturating_sub(*then))
                .collect(),
        )
    }

    pub fn get(&self, slot: usize) -> u64 {
        self.0.get(slot).copied().unwrap_or(0)
    }
}

/// A Prometheus histogram that can be observed one value at a time (events from the
/// ring buffer) or grown a bucket at a time (counts aggregated in the kernel). Clones
/// share their counts, as the registry holds one and the event loop another.
#[derive(Debug, Clone)]
pub struct Buckets(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// Upper bounds, the last one +Inf.
    bounds: Vec<f64>,
    /// Per bucket, not cumulative (the encoder accumulates).
    counts: Vec<AtomicU64>,
    /// f64 bits.
    sum: AtomicU64,
}

impl Buckets {
    pub fn new(mut bounds: Vec<f64>) -> Buckets {
        bounds.push(f64::MAX);
        let counts = bounds.iter().map(|_| AtomicU64::new(0)).collect();
        Buckets(Arc::new(Inner {
            bounds,
            counts,
            sum: AtomicU64::new(0f64.to_bits()),
        }))
    }

    pub fn observe(&self, v: f64) {
        let i = self.0.bounds.partition_point(|b| *b < v);
        self.0.counts[i.min(self.0.counts.len() - 1)].fetch_add(1, Ordering::Relaxed);
        self.add_sum(v);
    }

    /// `counts[i]` more observations in bucket `i` (the last is +Inf), adding up to
    /// `sum`.
    pub fn add(&self, counts: &[u64], sum: f64) {
        for (c, n) in self.0.counts.iter().zip(counts) {
            if *n > 0 {
                c.fetch_add(*n, Ordering::Relaxed);
            }
        }
        self.add_sum(sum);
    }

    fn add_sum(&self, v: f64) {
        let _ = self
            .0
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + v).to_bits())
            });
    }

    pub fn count(&self) -> u64 {
        self.0
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}

impl EncodeMetric for Buckets {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let buckets: Vec<(f64, u64)> = self
            .0
            .bounds
            .iter()
            .zip(&self.0.counts)
            .map(|(b, c)| (*b, c.load(Ordering::Relaxed)))
            .collect();
        let sum = f64::from_bits(self.0.sum.load(Ordering::Relaxed));
        encoder.encode_histogram::<NoLabelSet>(sum, self.count(), &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_matches_the_probe() {
        let c = include_str!("../../../ebpf/netprobe.bpf.c");
        for (name, v) in [
            ("S_OPENED", S_OPENED),
            ("S_CLOSED", S_CLOSED),
            ("S_DURATION", S_DURATION),
            ("S_DURATION_SUM_NS", S_DURATION_SUM_NS),
            ("S_DURATION_COUNT", S_DURATION_COUNT),
            ("S_RX_BYTES", S_RX_BYTES),
            ("S_TX_BYTES", S_TX_BYTES),
            ("S_RETRANS_SEGS", S_RETRANS_SEGS),
            ("S_RESET_SENT", S_RESET_SENT),
            ("S_RESET_SENT_SLOTS", S_RESET_SENT_SLOTS),
            ("S_RESET_RECEIVED", S_RESET_RECEIVED),
            ("S_DROP", S_DROP),
            ("S_DROP_SLOTS", S_DROP_SLOTS),
            ("S_RTT", S_RTT),
            ("S_RTT_SUM_US", S_RTT_SUM_US),
            ("S_RTT_COUNT", S_RTT_COUNT),
            ("S_EVENTS", S_EVENTS),
            ("STATS_SLOTS", STATS_SLOTS),
        ] {
            let line = c
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(name) && l.starts_with("#define"))
                .unwrap_or_else(|| panic!("#define {name} missing from the probe"));
            assert_eq!(
                line.split_whitespace().nth(2),
                Some(v.to_string().as_str()),
                "{line}"
            );
        }
        assert_eq!(duration_bounds().len() + 1, S_DURATION_SUM_NS - S_DURATION);
        assert_eq!(rtt_bounds().len() + 1, S_RTT_SUM_US - S_RTT);
    }

    #[test]
    fn buckets_take_single_observations_and_bulk_counts_alike() {
        let one = Buckets::new(vec![1.0, 2.0]);
        for v in [0.5, 1.0, 1.5, 9.0] {
            one.observe(v);
        }
        let bulk = Buckets::new(vec![1.0, 2.0]);
        bulk.add(&[2, 1, 1], 12.0);
        let enc = |b: &Buckets| {
            let mut r = prometheus_client::registry::Registry::default();
            r.register("h", "h", b.clone());
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &r).unwrap();
            out
        };
        assert_eq!(enc(&one), enc(&bulk));
        assert!(
            enc(&one).contains("h_bucket{le=\"2.0\"} 3"),
            "{}",
            enc(&one)
        );
        assert!(enc(&one).contains("h_sum 12.0"), "{}", enc(&one));
    }
}
