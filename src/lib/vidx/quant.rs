//! 8-bit scalar quantization for the graph walk.
//!
//! At 384 dimensions three quarters of an f32 search is spent in the dot product, and a
//! vector is 24 cache lines. Each segment therefore also stores every vector as one
//! byte per dimension (an affine code per dimension, fitted to the segment's own
//! minimum and maximum), 4× smaller. The graph walk measures distances on those codes
//! against a query quantized to signed bytes, an integer dot product that AVX-512 VNNI
//! does 64 dimensions per instruction; the best of the `ef` nodes the walk ends with are
//! then re-ranked (as many as the codes' error bound, below, leaves a chance of being
//! in the top k) with a finer distance: each code's residual is stored too, one more
//! byte per dimension, and code and residual together read a value back within 1/512
//! of a step, a 16-bit code's precision (`Refined`). So the reported distances are
//! within about a millionth of the f32 ones on unit-length embeddings, and the order of
//! the top k is theirs but for near ties. Segment files from before the residuals
//! (version 3 and older) re-rank on the f32 vectors, exactly.
//!
//! With `x_i ≈ lo_i + step_i · c_i` (code `c_i` in 0..=255) the dot product with a query
//! `q` is `Σ q_i lo_i + Σ (q_i step_i) c_i`. The first sum is a per-query constant; the
//! weights `w_i = q_i step_i` are quantized to `α · r_i` with `r_i` in -127..=127, so
//! `q · x ≈ C + α Σ r_i c_i` with an exact integer sum. L2 adds the stored squared norm
//! of `x`: `|q - x|² = |q|² + |x|² - 2 q · x`.

use super::distance::{kernels, prefetch_lines, CodeKernel, Metric, Space, CODE_ALIGN};
use super::hnsw::{Measure, RowFile, Vectors};

/// Bytes per stored code row: the dimension rounded up to [`CODE_ALIGN`].
pub fn stride(dim: usize) -> usize {
    dim.next_multiple_of(CODE_ALIGN)
}

/// A segment's vectors as codes, built when the segment is written.
pub struct Quantized {
    /// Per dimension: the value code 0 stands for, then the value of one code step.
    pub codebook: Vec<f32>,
    pub codes: Vec<u8>,
    /// Every code's residual, rows laid out as `codes` (see [`Refined`]).
    pub fine: Vec<u8>,
    /// Squared norm of every original vector (for L2).
    pub norms: Vec<f32>,
}

impl Quantized {
    /// Fits the per-dimension ranges to `vecs` and encodes every vector.
    pub fn new(vecs: Vectors) -> Quantized {
        let dim = vecs.dim;
        let mut lo = vec![f32::INFINITY; dim];
        let mut hi = vec![f32::NEG_INFINITY; dim];
        for i in 0..vecs.len() as u32 {
            for ((l, h), &x) in lo.iter_mut().zip(hi.iter_mut()).zip(vecs.get(i)) {
                *l = l.min(x);
                *h = h.max(x);
            }
        }
        let step: Vec<f32> = lo.iter().zip(&hi).map(|(l, h)| (h - l) / 255.0).collect();
        let stride = stride(dim);
        let mut codes = vec![0u8; vecs.len() * stride];
        let mut fine = vec![0u8; vecs.len() * stride];
        let mut norms = Vec::with_capacity(vecs.len());
        let rows = codes
            .chunks_exact_mut(stride)
            .zip(fine.chunks_exact_mut(stride));
        for (i, (row, fine_row)) in rows.enumerate() {
            let v = vecs.get(i as u32);
            let dims = row.iter_mut().zip(fine_row.iter_mut()).zip(v);
            for (((c, f), &x), (&l, &s)) in dims.zip(lo.iter().zip(&step)) {
                (*c, *f) = encode(x, l, s);
            }
            norms.push(v.iter().map(|x| x * x).sum());
        }
        let mut codebook = lo;
        codebook.extend_from_slice(&step);
        Quantized {
            codebook,
            codes,
            fine,
            norms,
        }
    }

    pub fn view(&self) -> Codes<'_> {
        Codes::new(&self.codebook, &self.codes, &self.norms).with_fine(FineRows {
            mapped: &self.fine,
            file: None,
        })
    }
}

/// A value's code in `0..=255` on the grid from `lo` in steps of `step`, and its
/// residual's code: what is left, `x - (lo + step * code)` (within half a step), in
/// 256ths of a step, offset by [`MID_FINE`]. A constant dimension (`step` 0) codes as 0
/// (its residual is multiplied by a step of 0).
fn encode(x: f32, lo: f32, step: f32) -> (u8, u8) {
    if step <= 0.0 {
        return (0, 0);
    }
    // The residual from the value in steps, not from `x - (lo + step * code)`: where a
    // dimension's range is narrow next to its values, that sum rounds off most of it.
    let steps = (x - lo) / step;
    let code = steps.round().clamp(0.0, 255.0);
    let fine = ((steps - code) * 256.0 + MID_FINE)
        .round()
        .clamp(0.0, 255.0);
    (code as u8, fine as u8)
}

/// Where the residual codes 0..=255 centre: a residual of -1/2 to 1/2 a step times 256
/// plus this is -0.5 to 255.5, so every residual is within half a residual step
/// (1/512 of a code step) of one it can be coded as, at the ends too.
const MID_FINE: f32 = 127.5;

/// Read access to a segment's codes (owned while building, mapped when stored).
#[derive(Clone, Copy)]
pub struct Codes<'a> {
    lo: &'a [f32],
    step: &'a [f32],
    data: &'a [u8],
    norms: &'a [f32],
    stride: usize,
    kernel: CodeKernel,
    /// The codes' residuals, where the segment has them (files before version 4 do not).
    fine: Option<FineRows<'a>>,
}

/// Where a segment's residual codes are read from: the map, or (on a segment that
/// reads its re-ranked rows from the file, `segment::READ_ROWS_ABOVE`) the file.
#[derive(Clone, Copy)]
pub struct FineRows<'a> {
    /// The rows as mapped: read when `file` is not set, or when a read from it fails
    /// (the same bytes: a failing disk shows there too).
    pub mapped: &'a [u8],
    pub file: Option<RowFile<'a>>,
}

impl<'a> Codes<'a> {
    /// `codebook` holds `lo` then `step` (so its length is twice the dimension); the
    /// caller has checked that `data` and `norms` have one row per vector.
    pub fn new(codebook: &'a [f32], data: &'a [u8], norms: &'a [f32]) -> Codes<'a> {
        let (lo, step) = codebook.split_at(codebook.len() / 2);
        Codes {
            lo,
            step,
            data,
            norms,
            stride: stride(lo.len()),
            kernel: kernels().codes,
            fine: None,
        }
    }

    /// The same codes with their residuals, rows laid out as the codes' (a mapped
    /// slice the caller has checked to be as long as the codes).
    pub fn with_fine(self, fine: FineRows<'a>) -> Codes<'a> {
        Codes {
            fine: Some(fine),
            ..self
        }
    }

    /// Distances from the query `query` was prepared for, on the codes refined by their
    /// residuals, if the segment has them: what a coded walk's candidates are re-ranked
    /// with.
    pub fn refined(&self, metric: Metric, query: &Query) -> Option<Refined<'a>> {
        let fine = self.fine?;
        Some(Refined {
            codes: *self,
            fine,
            metric,
            // Exact: a division by a power of two.
            weights: query.weights.iter().map(|w| w / 256.0).collect(),
            constant: query.lo_dot - MID_FINE / 256.0 * query.weight_sum,
            norm: query.norm,
        })
    }

    #[inline]
    fn row(&self, node: u32) -> &'a [u8] {
        let at = node as usize * self.stride;
        &self.data[at..at + self.stride]
    }

    /// The query in the form the integer kernel takes.
    pub fn query(&self, q: &[f32]) -> Query {
        let mut weights = vec![0f32; self.stride];
        for ((w, &x), &s) in weights.iter_mut().zip(q).zip(self.step) {
            *w = x * s;
        }
        let max = lanes(&weights, &weights, |m, w, _| m.max(w.abs()))
            .into_iter()
            .fold(0f32, f32::max);
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        let codes: Vec<i8> = weights
            .iter()
            .map(|&w| {
                if scale > 0.0 {
                    round_small(w / scale).clamp(-127.0, 127.0) as i8
                } else {
                    0
                }
            })
            .collect();
        // What the coded dot product misses (see `Query::spread`): each weight's rounding
        // residual, and the weights' squares.
        let residuals: Vec<f32> = weights
            .iter()
            .zip(&codes)
            .map(|(&w, &r)| w - scale * f32::from(r))
            .collect();
        let sum = |a: &[f32], b: &[f32], term: fn(f32, f32) -> f32| -> f32 {
            lanes(a, b, |s, x, y| s + term(x, y)).iter().sum()
        };
        let residual = sum(&residuals, &residuals, |d, _| d);
        let residual_sq = sum(&residuals, &residuals, |d, _| d * d);
        let weight_sq = sum(&weights, &weights, |w, _| w * w);
        let lo_dot = sum(q, self.lo, |x, l| x * l);
        Query {
            codes,
            scale,
            // The residuals times a mid-range code, the part of their error common to
            // every row, so the coded dot products centre on the exact ones.
            constant: lo_dot + MID_CODE * residual,
            norm: sum(q, q, |x, _| x * x),
            spread: (weight_sq / 4.0 + MID_CODE * MID_CODE * residual_sq).sqrt(),
            lo_dot,
            weight_sum: sum(&weights, &weights, |w, _| w),
            weights,
        }
    }

    /// Approximate internal distance of `node` to the query, on the metric's scale.
    #[inline]
    pub fn distance(&self, metric: Metric, q: &Query, node: u32) -> f32 {
        // SAFETY: the kernel was chosen for this CPU; rows and query codes are both
        // `stride` long, a multiple of CODE_ALIGN.
        let sum = unsafe { (self.kernel)(self.row(node), &q.codes) };
        self.distance_of_dot(metric, q.constant + q.scale * sum as f32, q.norm, node)
    }

    /// The internal distance of `node` from its dot product with a query whose squared
    /// norm is `q_norm`: L2 adds the stored squared norm (`|q|² + |x|² - 2 q·x`).
    #[inline]
    fn distance_of_dot(&self, metric: Metric, dot: f32, q_norm: f32, node: u32) -> f32 {
        match metric {
            Metric::Cosine => 1.0 - dot,
            Metric::Ip => -dot,
            Metric::L2 => q_norm + self.norms[node as usize] - 2.0 * dot,
        }
    }
}

/// Distances on the codes refined by their residuals, from one query: the re-ranking
/// measure of a segment written since version 4.
///
/// With code `c_i` and residual code `f_i` a value reads back as
/// `lo_i + step_i (c_i + (f_i - 127.5) / 256)`, within 1/512 of a step of what was
/// stored: the precision of a 16-bit code, in a quarter of the f32 vector's bytes. So
/// `q · x ≈ Σ q_i (lo_i - step_i 127.5 / 256) + Σ (q_i step_i / 256) (256 c_i + f_i)`,
/// where
/// `256 c_i + f_i` is exact in an f32. Re-ranking from these rather than the f32
/// vectors reads 1 byte a dimension instead of 4 (the codes are in cache from the
/// walk), and a segment's residuals, a quarter of its vectors' size, are what stays
/// resident, where re-ranking from mapped vectors leaves most of them mapped (the
/// kernel maps the cached pages around each row it faults in). The distances reported
/// differ from the f32 ones by about `|q| step / 1,000` for cosine and inner product,
/// a millionth on unit-length 384-d embeddings.
pub struct Refined<'a> {
    codes: Codes<'a>,
    fine: FineRows<'a>,
    metric: Metric,
    /// `q_i step_i / 256`, zero on the padding.
    weights: Vec<f32>,
    constant: f32,
    norm: f32,
}

impl Refined<'_> {
    /// The distance of `node`, its residual row read into `buf` (`stride` long) when
    /// the residuals are read from the file.
    fn measure(&self, node: u32, buf: &mut [u8]) -> f32 {
        let fine = match self.fine.file {
            Some(file) if file.read(node, buf).is_ok() => &buf[..],
            _ => self.mapped_row(node),
        };
        let dot = self.constant + refined_dot(&self.weights, self.codes.row(node), fine);
        self.codes
            .distance_of_dot(self.metric, dot, self.norm, node)
    }

    /// `node`'s residual row in the map.
    fn mapped_row(&self, node: u32) -> &[u8] {
        let at = node as usize * self.codes.stride;
        &self.fine.mapped[at..at + self.codes.stride]
    }

    /// Hints the CPU to fetch `node`'s residual row, where it is mapped.
    pub fn prefetch(&self, node: u32) {
        if self.fine.file.is_none() {
            prefetch_lines(self.mapped_row(node));
        }
    }

    /// `measure` with its own row buffer, for `hnsw::rerank_until`.
    pub fn measurer(&self) -> impl FnMut(u32) -> f32 + '_ {
        let mut buf = vec![
            0u8;
            if self.fine.file.is_some() {
                self.codes.stride
            } else {
                0
            }
        ];
        move |node| self.measure(node, &mut buf)
    }
}

/// `Σ w_i (256 c_i + f_i)` in sixteen running sums (the compiler keeps them in vector
/// registers; one sum would be a chain of dependent additions). Plain f32 arithmetic,
/// no fused multiply-add, so every CPU gives the same bits. `w`, `c` and `f` are
/// `stride` long, a multiple of 16.
fn refined_dot(w: &[f32], c: &[u8], f: &[u8]) -> f32 {
    let mut sums = [0f32; 16];
    for ((w, c), f) in w
        .chunks_exact(16)
        .zip(c.chunks_exact(16))
        .zip(f.chunks_exact(16))
    {
        for i in 0..16 {
            sums[i] += w[i] * (f32::from(c[i]) * 256.0 + f32::from(f[i]));
        }
    }
    sums.iter().sum()
}

/// Sixteen running results of `step(result, a_i, b_i)` over the shorter of `a` and `b`,
/// each from 0, for the caller to combine: the compiler keeps them in vector registers,
/// where one running result would be a chain of dependent operations (at 384-d, a
/// per-query cost of a few hundred nanoseconds per chain).
fn lanes(a: &[f32], b: &[f32], step: impl Fn(f32, f32, f32) -> f32) -> [f32; 16] {
    let n = a.len().min(b.len());
    let (a, b) = (a[..n].chunks_exact(16), b[..n].chunks_exact(16));
    let (a_rest, b_rest) = (a.remainder(), b.remainder());
    let mut out = [0f32; 16];
    for (a, b) in a.zip(b) {
        for i in 0..16 {
            out[i] = step(out[i], a[i], b[i]);
        }
    }
    for (i, (&a, &b)) in a_rest.iter().zip(b_rest).enumerate() {
        out[i] = step(out[i], a, b);
    }
    out
}

/// `v` rounded to the nearest integer, ties to even, for `|v| <= 2^22`: adding and
/// taking away 1.5 * 2^23 leaves no fraction bits, in two plain f32 operations where
/// `f32::round` is a library call on the baseline x86-64 target (no SSE4.1), 384 of
/// them per query at 384-d.
fn round_small(v: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0;
    (v + SHIFT) - SHIFT
}

/// A query prepared for [`Codes::distance`].
pub struct Query {
    codes: Vec<i8>,
    scale: f32,
    constant: f32,
    norm: f32,
    /// `q_i step_i`, zero on the padding; and (for `Refined`) their sum, and `Σ q_i lo_i`.
    weights: Vec<f32>,
    weight_sum: f32,
    lo_dot: f32,
    /// A bound on the standard deviation of a coded dot product's error. With
    /// `x_i = lo_i + step_i c_i + e_i` (`|e_i| <= step_i / 2`) and the weights
    /// `w_i = scale r_i + d_i`, the exact dot product less the coded one is
    /// `Σ q_i e_i + Σ d_i c_i`. A variable within ±step/2 has a variance of at most
    /// step²/4, so the first sum's is at most `Σ w_i² / 4`; of the second, the part
    /// `MID_CODE Σ d_i` is the same for every row (in `constant`), and the rest,
    /// `Σ d_i (c_i - MID_CODE)`, sums terms of at most `MID_CODE |d_i|` whose signs
    /// the rounding scatters. Both bounds hold whatever the data's distribution; what
    /// they assume is that the errors of different dimensions do not line up. With
    /// independent dimensions, Hoeffding's inequality bounds the chance of an error
    /// beyond 3 of this in one direction by e^-4.5 (1.1%) without assuming a normal
    /// tail; measured errors stay far inside it. Left out: the f32 rounding of the
    /// L2 form `|q|² + |x|² - 2 q·x`, which matters only for vectors far from the
    /// origin compared with their per-dimension range.
    spread: f32,
}

/// The middle of the code range.
const MID_CODE: f32 = 127.5;

/// Distances on codes: what a graph walk over a quantized segment measures with.
pub struct Coded<'a> {
    pub codes: Codes<'a>,
    pub metric: Metric,
    pub query: Query,
}

impl<'a> Coded<'a> {
    pub fn new(codes: Codes<'a>, space: &Space, q: &[f32]) -> Coded<'a> {
        Coded {
            query: codes.query(q),
            codes,
            metric: space.metric,
        }
    }

    /// The same query's distances on the codes refined by their residuals, if the
    /// segment has them (`Codes::refined`).
    pub fn refined(&self) -> Option<Refined<'a>> {
        self.codes.refined(self.metric, &self.query)
    }
}

impl Measure for Coded<'_> {
    const EXACT: bool = false;

    #[inline]
    fn distance(&self, node: u32) -> f32 {
        self.codes.distance(self.metric, &self.query, node)
    }

    /// L2 distances take the dot product twice; cosine and inner product once.
    fn error_sd(&self) -> f32 {
        match self.metric {
            Metric::L2 => 2.0 * self.query.spread,
            Metric::Ip | Metric::Cosine => self.query.spread,
        }
    }

    #[inline]
    fn prefetch(&self, node: u32) {
        // A 384-d row is six cache lines; fetch them all, the walk needs each one.
        prefetch_lines(self.codes.row(node));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vidx::hnsw::next_u64;

    fn random(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = seed;
        (0..n * dim)
            .map(|_| (next_u64(&mut rng) >> 40) as f32 / (1u64 << 24) as f32 - 0.5)
            .collect()
    }

    #[test]
    fn coded_distances_track_the_exact_ones() {
        for metric in [Metric::L2, Metric::Ip, Metric::Cosine] {
            // Under Miri (an interpreter; make test checks this module with it) fewer.
            let (n, dim) = (if cfg!(miri) { 20 } else { 200 }, 100);
            let space = Space::new(metric);
            let mut data = random(n, dim, 3);
            for v in data.chunks_exact_mut(dim) {
                space.prepare(v).unwrap();
            }
            let vecs = Vectors { data: &data, dim };
            let quant = Quantized::new(vecs);
            assert_eq!(quant.codes.len(), n * stride(dim));
            let mut q = random(1, dim, 9);
            space.prepare(&mut q).unwrap();
            let coded = Coded::new(quant.view(), &space, &q);
            let mut worst = 0f32;
            let mut spread = 0f32;
            for i in 0..n as u32 {
                let exact = space.distance(&q, vecs.get(i));
                let error = (coded.distance(i) - exact).abs();
                worst = worst.max(error);
                spread = spread.max(exact.abs());
                // The bound the re-ranking stops by (3 of it) holds.
                assert!(
                    error < 3.0 * coded.error_sd(),
                    "{metric:?}: error {error}, bound {}",
                    coded.error_sd()
                );
            }
            // One code step is 1/255 of a dimension's range; the error is a small
            // fraction of the distances the walk compares.
            assert!(
                worst < 0.02 * spread,
                "{metric:?}: error {worst} of {spread}"
            );
        }
    }

    /// What `Refined` promises: every value reads back from its code and residual
    /// within 1/512 of a step, so a refined dot product is off by at most
    /// `Σ |q_i| step_i / 512`, plus f32 rounding; checked on every metric, on random data
    /// with the edges of each dimension's range in it, and on a dimension whose range is
    /// narrow next to its values.
    #[test]
    fn refined_distances_are_within_a_512th_of_a_step_of_the_exact_ones() {
        for metric in [Metric::L2, Metric::Ip, Metric::Cosine] {
            let (n, dim) = (if cfg!(miri) { 10 } else { 300 }, 70);
            let space = Space::new(metric);
            let mut data = random(n, dim, 5);
            for v in data.chunks_exact_mut(dim) {
                // Dimension 0 near 1 in a range of 1e-4.
                v[0] = 1.0 + v[0] * 1e-4;
                space.prepare(v).unwrap();
            }
            let vecs = Vectors { data: &data, dim };
            let quant = Quantized::new(vecs);
            let (lo, step) = quant.codebook.split_at(dim);
            let stride = stride(dim);
            assert_eq!(quant.fine.len(), quant.codes.len());
            for (i, v) in data.chunks_exact(dim).enumerate() {
                for (d, &x) in v.iter().enumerate() {
                    let (c, f) = (quant.codes[i * stride + d], quant.fine[i * stride + d]);
                    let back = lo[d] + step[d] * (f32::from(c) + (f32::from(f) - MID_FINE) / 256.0);
                    assert!(
                        (back - x).abs() <= step[d] / 512.0 * 1.01 + 2.0 * f32::EPSILON * x.abs(),
                        "row {i} dim {d}: {x} reads back as {back}, step {}",
                        step[d]
                    );
                }
            }
            let mut q = random(1, dim, 13);
            space.prepare(&mut q).unwrap();
            let refined = Coded::new(quant.view(), &space, &q).refined().unwrap();
            let mut measure = refined.measurer();
            let bound: f32 = q.iter().zip(step).map(|(q, s)| q.abs() * s / 512.0).sum();
            let bound = if metric == Metric::L2 {
                2.0 * bound
            } else {
                bound
            };
            for i in 0..n as u32 {
                let exact = space.distance(&q, vecs.get(i));
                let error = (measure(i) - exact).abs();
                assert!(
                    error <= bound + 1e-5 * exact.abs().max(1.0),
                    "{metric:?} row {i}: error {error}, bound {bound}"
                );
            }
            // Codes without residuals (files before version 4) offer no refinement.
            let bare = Codes::new(&quant.codebook, &quant.codes, &quant.norms);
            assert!(Coded::new(bare, &space, &q).refined().is_none());
        }
    }

    /// The query's codes round as `round_ties_even` does, over the whole code range and
    /// on the ties themselves.
    #[test]
    fn small_values_round_to_the_nearest_even_integer() {
        let ties = (-130..=130).map(|i| i as f32 + 0.5);
        let sweep = (-13_000..=13_000).map(|i| i as f32 * 0.01);
        let edges = [0.499_999_97, -0.499_999_97, 0.0, -0.0, 127.0, -127.0];
        for v in ties.chain(sweep).chain(edges) {
            assert_eq!(round_small(v), v.round_ties_even(), "{v}");
        }
    }

    #[test]
    fn a_constant_dimension_encodes_without_dividing_by_zero() {
        let data = vec![1.0, 0.5, 1.0, -0.5];
        let quant = Quantized::new(Vectors {
            data: &data,
            dim: 2,
        });
        let space = Space::new(Metric::Ip);
        let coded = Coded::new(quant.view(), &space, &[2.0, 1.0]);
        assert!((coded.distance(0) - -2.5).abs() < 0.01);
        assert!((coded.distance(1) - -1.5).abs() < 0.01);
        let refined = coded.refined().unwrap();
        let mut measure = refined.measurer();
        assert!((measure(0) - -2.5).abs() < 1e-5 && (measure(1) - -1.5).abs() < 1e-5);
    }
}
