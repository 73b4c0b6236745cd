//! Bounded-memory summaries of a stream of points, so a chart of any number of records
//! is drawn from a few thousand: M4 buckets for lines (the first, last, lowest and
//! highest point of each x bucket: a line drawn through them covers the same pixels as
//! one through every point, when a bucket is at most a pixel column wide), fine-grained
//! counts for histograms and heatmaps, and a uniform sample for scatter plots.
//!
//! The buckets' width is not known before the data is: it starts small and doubles
//! (merging neighbours) whenever there would be more than the limit, so memory stays
//! bounded whatever the range of x turns out to be.

use std::collections::BTreeMap;

/// The four extreme points of one x bucket.
#[derive(Clone, Copy, Debug)]
struct M4 {
    first: (f64, f64),
    last: (f64, f64),
    low: (f64, f64),
    high: (f64, f64),
}

impl M4 {
    fn new(p: (f64, f64)) -> M4 {
        M4 {
            first: p,
            last: p,
            low: p,
            high: p,
        }
    }

    fn add(&mut self, p: (f64, f64)) {
        if p.0 < self.first.0 {
            self.first = p;
        }
        if p.0 >= self.last.0 {
            self.last = p;
        }
        if p.1 < self.low.1 {
            self.low = p;
        }
        if p.1 > self.high.1 {
            self.high = p;
        }
    }

    fn merge(&mut self, o: &M4) {
        for p in [o.first, o.low, o.high, o.last] {
            self.add(p);
        }
    }
}

/// Buckets keyed by `floor((x - origin) / width)`, their width doubling to stay under
/// `limit` buckets.
struct Grid<T> {
    limit: usize,
    origin: Option<f64>,
    width: f64,
    buckets: BTreeMap<i64, T>,
}

impl<T> Grid<T> {
    fn new(limit: usize) -> Grid<T> {
        Grid {
            limit: limit.max(2),
            origin: None,
            width: 0.0,
            buckets: BTreeMap::new(),
        }
    }

    /// The bucket of `x`, once the grid is wide enough for it.
    fn key(&mut self, x: f64, merge: impl Fn(&mut T, T)) -> i64 {
        let origin = *self.origin.get_or_insert(x);
        if self.width == 0.0 {
            // A first guess from the first distinct value: the gap to it.
            if x == origin {
                return 0;
            }
            self.width = (x - origin).abs() / 16.0;
        }
        let mut k = ((x - origin) / self.width).floor() as i64;
        while !self.buckets.contains_key(&k) && self.buckets.len() >= self.limit {
            self.coarsen(&merge);
            k = ((x - origin) / self.width).floor() as i64;
        }
        k
    }

    /// Doubles the width: neighbouring buckets merge.
    fn coarsen(&mut self, merge: &impl Fn(&mut T, T)) {
        self.width *= 2.0;
        let old = std::mem::take(&mut self.buckets);
        for (k, v) in old {
            match self.buckets.entry(k.div_euclid(2)) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                std::collections::btree_map::Entry::Occupied(mut e) => merge(e.get_mut(), v),
            }
        }
    }

    /// The x range bucket `k` covers.
    fn span(&self, k: i64) -> (f64, f64) {
        let o = self.origin.unwrap_or(0.0);
        if self.width == 0.0 {
            return (o, o);
        }
        (o + k as f64 * self.width, o + (k + 1) as f64 * self.width)
    }
}

/// A line's points, summarized by M4 buckets.
pub struct Line {
    grid: Grid<M4>,
    pub read: u64,
}

impl Line {
    /// `columns`: how many x buckets to keep (a few per pixel column of the chart).
    pub fn new(columns: usize) -> Line {
        Line {
            grid: Grid::new(columns),
            read: 0,
        }
    }

    pub fn add(&mut self, x: f64, y: f64) {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        self.read += 1;
        let k = self.grid.key(x, |a: &mut M4, b| a.merge(&b));
        self.grid
            .buckets
            .entry(k)
            .and_modify(|m| m.add((x, y)))
            .or_insert_with(|| M4::new((x, y)));
    }

    /// The points to draw, in x order.
    pub fn points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.grid.buckets.len() * 4);
        for m in self.grid.buckets.values() {
            let mut four = [m.first, m.low, m.high, m.last];
            four.sort_by(|a, b| a.0.total_cmp(&b.0));
            for p in four {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
        }
        out
    }
}

/// Counts of values in fine buckets, re-binned into the chart's bins at the end.
pub struct Counts {
    grid: Grid<u64>,
    min: f64,
    max: f64,
    pub read: u64,
}

impl Counts {
    pub fn new(fine: usize) -> Counts {
        Counts {
            grid: Grid::new(fine),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            read: 0,
        }
    }

    pub fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.read += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        let k = self.grid.key(v, |a: &mut u64, b| *a += b);
        *self.grid.buckets.entry(k).or_insert(0) += 1;
    }

    /// `bins` equal-width bins from the smallest to the largest value: (start, end,
    /// count). A fine bucket's count goes to the bin holding its middle.
    pub fn bins(&self, bins: usize) -> Vec<(f64, f64, u64)> {
        if self.read == 0 {
            return Vec::new();
        }
        let (lo, hi) = if self.max > self.min {
            (self.min, self.max)
        } else {
            (self.min - 0.5, self.max + 0.5)
        };
        let w = (hi - lo) / bins as f64;
        let mut out: Vec<(f64, f64, u64)> = (0..bins)
            .map(|i| (lo + i as f64 * w, lo + (i + 1) as f64 * w, 0))
            .collect();
        for (&k, &n) in &self.grid.buckets {
            let (a, b) = self.grid.span(k);
            let mid = ((a + b) / 2.0).clamp(lo, hi);
            let i = (((mid - lo) / w) as usize).min(bins - 1);
            out[i].2 += n;
        }
        out
    }
}

/// Counts of (x, y) pairs on a 2-D grid whose cells widen in both directions.
pub struct Cells {
    x: Counts,
    y: Counts,
    /// Points kept exactly until there are too many, then counted per fine cell.
    points: Vec<(f64, f64)>,
    limit: usize,
    pub read: u64,
}

impl Cells {
    pub fn new(limit: usize) -> Cells {
        Cells {
            x: Counts::new(4096),
            y: Counts::new(4096),
            points: Vec::new(),
            limit,
            read: 0,
        }
    }

    /// Adds a point. Beyond `limit` points a uniform sample of `limit` is kept (the
    /// ranges and totals stay exact), which is what a heatmap's cells are counted from.
    pub fn add(&mut self, x: f64, y: f64, sample: &mut Sampler) {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        self.read += 1;
        self.x.add(x);
        self.y.add(y);
        sample.offer(&mut self.points, self.limit, self.read, (x, y));
    }

    /// `bins` x `bins` cells over the exact ranges: (x0, x1, y0, y1, count), counts
    /// scaled from the sample to the points read.
    pub fn grid(&self, bins: usize) -> Vec<(f64, f64, f64, f64, f64)> {
        if self.points.is_empty() {
            return Vec::new();
        }
        let span = |c: &Counts| {
            if c.max > c.min {
                (c.min, c.max)
            } else {
                (c.min - 0.5, c.max + 0.5)
            }
        };
        let ((x0, x1), (y0, y1)) = (span(&self.x), span(&self.y));
        let (wx, wy) = ((x1 - x0) / bins as f64, (y1 - y0) / bins as f64);
        let mut counts = vec![0u64; bins * bins];
        for &(x, y) in &self.points {
            let i = (((x - x0) / wx) as usize).min(bins - 1);
            let j = (((y - y0) / wy) as usize).min(bins - 1);
            counts[j * bins + i] += 1;
        }
        let scale = self.read as f64 / self.points.len() as f64;
        let mut out = Vec::new();
        for j in 0..bins {
            for i in 0..bins {
                let n = counts[j * bins + i];
                if n > 0 {
                    out.push((
                        x0 + i as f64 * wx,
                        x0 + (i + 1) as f64 * wx,
                        y0 + j as f64 * wy,
                        y0 + (j + 1) as f64 * wy,
                        n as f64 * scale,
                    ));
                }
            }
        }
        out
    }
}

/// Reservoir sampling (Vitter's algorithm R) with a fixed-seed generator, so the same
/// input draws the same chart.
pub struct Sampler {
    state: u64,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler {
            state: 0x9e37_79b9_7f4a_7c15,
        }
    }
}

impl Sampler {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Offers the `seen`-th item (from 1) to a reservoir of `limit`.
    pub fn offer<T>(&mut self, kept: &mut Vec<T>, limit: usize, seen: u64, item: T) {
        if kept.len() < limit {
            kept.push(item);
        } else {
            let j = self.next() % seen;
            if (j as usize) < limit {
                kept[j as usize] = item;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m4_keeps_every_extreme_in_bounded_memory() {
        let mut l = Line::new(100);
        for i in 0..1_000_000u64 {
            let x = i as f64;
            // A spike at 500,000 must survive.
            let y = if i == 500_000 { 1e6 } else { (x / 1e4).sin() };
            l.add(x, y);
        }
        let p = l.points();
        assert!(p.len() <= 400, "{}", p.len());
        assert!(p.contains(&(500_000.0, 1e6)));
        assert_eq!((p[0].0, p[p.len() - 1].0), (0.0, 999_999.0));
        assert!(p.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(l.read, 1_000_000);
    }

    #[test]
    fn histogram_bins_cover_every_value() {
        let mut c = Counts::new(512);
        for i in 0..100_000u64 {
            c.add((i % 1000) as f64);
        }
        let bins = c.bins(10);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins.iter().map(|b| b.2).sum::<u64>(), 100_000);
        // Uniform: every bin near a tenth.
        assert!(
            bins.iter().all(|b| (9_000..11_000).contains(&b.2)),
            "{bins:?}"
        );
        assert_eq!((bins[0].0, bins[9].1), (0.0, 999.0));
    }

    #[test]
    fn reservoir_is_bounded_and_counts_everything() {
        let mut cells = Cells::new(1000);
        let mut s = Sampler::default();
        for i in 0..50_000u64 {
            cells.add((i % 100) as f64, (i / 500) as f64, &mut s);
        }
        assert_eq!(cells.points.len(), 1000);
        let total: f64 = cells.grid(10).iter().map(|c| c.4).sum();
        assert!((total - 50_000.0).abs() < 1e-6);
    }
}
