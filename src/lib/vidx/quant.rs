//! 8-bit scalar quantization for the graph walk.
//!
//! At 384 dimensions three quarters of an f32 search is spent in the dot product, and a
//! vector is 24 cache lines. Each segment therefore also stores every vector as one
//! byte per dimension (an affine code per dimension, fitted to the segment's own
//! minimum and maximum), 4× smaller. The graph walk measures distances on those codes
//! against a query quantized to signed bytes, an integer dot product that AVX-512 VNNI
//! does 64 dimensions per instruction; the best of the `ef` nodes the walk ends with are
//! then re-ranked with the exact f32 distance (as many as the codes' error bound, below,
//! leaves a chance of being in the top k), so the reported distances and the order of
//! the top k are exact. Quantization only decides which nodes the walk visits.
//!
//! With `x_i ≈ lo_i + step_i · c_i` (code `c_i` in 0..=255) the dot product with a query
//! `q` is `Σ q_i lo_i + Σ (q_i step_i) c_i`. The first sum is a per-query constant; the
//! weights `w_i = q_i step_i` are quantized to `α · r_i` with `r_i` in -127..=127, so
//! `q · x ≈ C + α Σ r_i c_i` with an exact integer sum. L2 adds the stored squared norm
//! of `x`: `|q - x|² = |q|² + |x|² - 2 q · x`.

use super::distance::{kernels, prefetch, CodeKernel, Metric, Space, CODE_ALIGN};
use super::hnsw::{Measure, Vectors};

/// Bytes per stored code row: the dimension rounded up to [`CODE_ALIGN`].
pub fn stride(dim: usize) -> usize {
    dim.next_multiple_of(CODE_ALIGN)
}

/// A segment's vectors as codes, built when the segment is written.
pub struct Quantized {
    /// Per dimension: the value code 0 stands for, then the value of one code step.
    pub codebook: Vec<f32>,
    pub codes: Vec<u8>,
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
        let mut norms = Vec::with_capacity(vecs.len());
        for (i, row) in codes.chunks_exact_mut(stride).enumerate() {
            let v = vecs.get(i as u32);
            for (((c, &x), &l), &s) in row.iter_mut().zip(v).zip(&lo).zip(&step) {
                *c = if s > 0.0 {
                    ((x - l) / s).round().clamp(0.0, 255.0) as u8
                } else {
                    0
                };
            }
            norms.push(v.iter().map(|x| x * x).sum());
        }
        let mut codebook = lo;
        codebook.extend_from_slice(&step);
        Quantized {
            codebook,
            codes,
            norms,
        }
    }

    pub fn view(&self) -> Codes<'_> {
        Codes::new(&self.codebook, &self.codes, &self.norms)
    }
}

/// Read access to a segment's codes (owned while building, mapped when stored).
#[derive(Clone, Copy)]
pub struct Codes<'a> {
    lo: &'a [f32],
    step: &'a [f32],
    data: &'a [u8],
    norms: &'a [f32],
    stride: usize,
    kernel: CodeKernel,
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
        }
    }

    #[inline]
    fn row(&self, node: u32) -> &'a [u8] {
        let at = node as usize * self.stride;
        &self.data[at..at + self.stride]
    }

    /// The query in the form the integer kernel takes.
    pub fn query(&self, q: &[f32]) -> Query {
        let mut constant = 0f32;
        let mut weights = vec![0f32; self.stride];
        for (((w, &x), &l), &s) in weights.iter_mut().zip(q).zip(self.lo).zip(self.step) {
            constant += x * l;
            *w = x * s;
        }
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        let codes: Vec<i8> = weights
            .iter()
            .map(|&w| {
                if scale > 0.0 {
                    (w / scale).round().clamp(-127.0, 127.0) as i8
                } else {
                    0
                }
            })
            .collect();
        // What the coded dot product misses (see `Query::spread`): each weight's rounding
        // residual, and the weights' squares.
        let (mut residual, mut residual_sq, mut weight_sq) = (0f32, 0f32, 0f32);
        for (&w, &r) in weights.iter().zip(&codes) {
            let d = w - scale * f32::from(r);
            residual += d;
            residual_sq += d * d;
            weight_sq += w * w;
        }
        Query {
            codes,
            scale,
            // The residuals times a mid-range code, the part of their error common to
            // every row, so the coded dot products centre on the exact ones.
            constant: constant + MID_CODE * residual,
            norm: q.iter().map(|x| x * x).sum(),
            spread: (weight_sq / 4.0 + MID_CODE * MID_CODE * residual_sq).sqrt(),
        }
    }

    /// Approximate internal distance of `node` to the query, on the metric's scale.
    #[inline]
    pub fn distance(&self, metric: Metric, q: &Query, node: u32) -> f32 {
        // SAFETY: the kernel was chosen for this CPU; rows and query codes are both
        // `stride` long, a multiple of CODE_ALIGN.
        let sum = unsafe { (self.kernel)(self.row(node), &q.codes) };
        let dot = q.constant + q.scale * sum as f32;
        match metric {
            Metric::Cosine => 1.0 - dot,
            Metric::Ip => -dot,
            Metric::L2 => q.norm + self.norms[node as usize] - 2.0 * dot,
        }
    }
}

/// A query prepared for [`Codes::distance`].
pub struct Query {
    codes: Vec<i8>,
    scale: f32,
    constant: f32,
    norm: f32,
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
        for line in self.codes.row(node).chunks(64) {
            prefetch(line.as_ptr());
        }
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
    }
}
