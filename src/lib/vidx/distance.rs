//! Distance kernels. Every search and build spends nearly all its time here, so the dot
//! product and squared L2 distance come in AVX-512, AVX2+FMA and portable versions; the
//! best one the CPU supports is picked once, at run time, with
//! `is_x86_feature_detected!` (the binary itself is built for baseline x86-64).
//!
//! Cosine is computed as `1 - dot` on vectors normalised when they are stored, so the
//! three metrics share two kernels.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// How vectors are compared. Smaller distance = closer for every metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// 1 - cosine similarity (vectors are normalised when stored)
    Cosine,
    /// Euclidean distance (ordered on its square internally)
    L2,
    /// Negative inner product
    Ip,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cosine => "cosine",
            Metric::L2 => "l2",
            Metric::Ip => "ip",
        }
    }

    /// The distance reported to users from the internal one (L2 is searched on its square).
    pub fn report(self, internal: f32) -> f32 {
        match self {
            Metric::L2 => internal.max(0.0).sqrt(),
            _ => internal,
        }
    }
}

/// A float distance kernel.
///
/// # Safety
/// Both slices have the same length, and the CPU has the features the kernel was
/// compiled for (`kernels()` only hands out those it detected).
type Kernel = unsafe fn(&[f32], &[f32]) -> f32;

/// Dot product of 8-bit codes with an 8-bit signed query (`quant`'s graph walk).
///
/// # Safety
/// Both slices have the same length, a multiple of [`CODE_ALIGN`], and the CPU has the
/// features the kernel was compiled for (`kernels()` only hands out those it detected).
pub type CodeKernel = unsafe fn(&[u8], &[i8]) -> i32;

/// Code rows are padded with zeros to a multiple of this many bytes, so the integer
/// kernels need no tail loop and every row starts on a cache line.
pub const CODE_ALIGN: usize = 64;

/// The kernels picked for this CPU.
pub struct Kernels {
    dot: Kernel,
    l2sq: Kernel,
    pub codes: CodeKernel,
    pub name: &'static str,
}

/// The kernels for this CPU, detected on first use.
pub fn kernels() -> &'static Kernels {
    static K: OnceLock<Kernels> = OnceLock::new();
    K.get_or_init(detect)
}

fn detect() -> Kernels {
    if std::env::var_os("VIDX_PORTABLE_KERNELS").is_some() {
        return portable_kernels();
    }
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = std::arch::is_x86_feature_detected!("avx2");
        if std::arch::is_x86_feature_detected!("avx512f") {
            let vnni = std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vnni");
            return Kernels {
                dot: x86::dot_avx512,
                l2sq: x86::l2sq_avx512,
                codes: match (vnni, avx2) {
                    (true, _) => x86::codes_vnni,
                    (false, true) => x86::codes_avx2,
                    (false, false) => codes_portable,
                },
                name: if vnni { "avx512+vnni" } else { "avx512" },
            };
        }
        if avx2 && std::arch::is_x86_feature_detected!("fma") {
            return Kernels {
                dot: x86::dot_avx2,
                l2sq: x86::l2sq_avx2,
                codes: x86::codes_avx2,
                name: "avx2+fma",
            };
        }
    }
    portable_kernels()
}

fn portable_kernels() -> Kernels {
    Kernels {
        dot: dot_portable,
        l2sq: l2sq_portable,
        codes: codes_portable,
        name: "portable",
    }
}

/// A metric bound to the CPU's kernels: what the index and the scans call.
#[derive(Clone, Copy)]
pub struct Space {
    pub metric: Metric,
    dot: Kernel,
    l2sq: Kernel,
}

impl Space {
    pub fn new(metric: Metric) -> Space {
        let k = kernels();
        Space {
            metric,
            dot: k.dot,
            l2sq: k.l2sq,
        }
    }

    /// Internal distance between two vectors of the same length.
    #[inline]
    pub fn distance(&self, a: &[f32], b: &[f32]) -> f32 {
        debug_assert_eq!(a.len(), b.len());
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        // SAFETY: the kernel was chosen for features this CPU has (see `detect`); the
        // slices have equal length.
        unsafe {
            match self.metric {
                Metric::L2 => (self.l2sq)(a, b),
                Metric::Cosine => 1.0 - (self.dot)(a, b),
                Metric::Ip => -(self.dot)(a, b),
            }
        }
    }

    /// Prepares a vector for storage or as a query: cosine normalises it. `None` for a
    /// zero vector under cosine, which has no direction.
    ///
    /// Normalising is idempotent, bit for bit: a vector already of unit length (within
    /// the rounding of storing it as f32) is kept as it is. So a stored vector read back
    /// (`vidx scan --vectors`, `get`) and added again is stored identically, and
    /// embeddings a model already normalised are kept exactly as given. The norm is
    /// summed in f64 so that "unit length" can be judged to within f32 rounding.
    pub fn prepare(&self, v: &mut [f32]) -> Option<()> {
        if self.metric == Metric::Cosine {
            let n = v
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                .sqrt();
            if n == 0.0 || !n.is_finite() {
                return None;
            }
            // Each component of a normalised f32 vector is within half an f32 epsilon
            // (relative) of exact, so its norm is too.
            if (n - 1.0).abs() > f64::from(f32::EPSILON) {
                let inv = 1.0 / n;
                v.iter_mut().for_each(|x| *x = (f64::from(*x) * inv) as f32);
            }
        }
        Some(())
    }
}

fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent lanes let the compiler vectorise this with baseline SSE2.
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for ((a, xi), yi) in acc.iter_mut().zip(x).zip(y) {
            *a += xi * yi;
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ta.iter().zip(tb) {
        s += x * y;
    }
    s
}

fn codes_portable(a: &[u8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
}

fn l2sq_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for ((a, xi), yi) in acc.iter_mut().zip(x).zip(y) {
            let d = xi - yi;
            *a += d * d;
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ta.iter().zip(tb) {
        let d = x - y;
        s += d * d;
    }
    s
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// The sum of the eight lanes.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA (callers are kernels that require the same).
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum256(v: __m256) -> f32 {
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps(v, 1);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA; `a` and `b` must have equal length.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm256_setzero_ps();
        let mut acc1 = _mm256_setzero_ps();
        let mut i = 0;
        while i + 16 <= n {
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
            acc1 = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
                acc1,
            );
            i += 16;
        }
        if i + 8 <= n {
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
            i += 8;
        }
        let mut s = hsum256(_mm256_add_ps(acc0, acc1));
        while i < n {
            s += *pa.add(i) * *pb.add(i);
            i += 1;
        }
        s
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA; `a` and `b` must have equal length.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn l2sq_avx2(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm256_setzero_ps();
        let mut acc1 = _mm256_setzero_ps();
        let mut i = 0;
        while i + 16 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            let d1 = _mm256_sub_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
            );
            acc0 = _mm256_fmadd_ps(d0, d0, acc0);
            acc1 = _mm256_fmadd_ps(d1, d1, acc1);
            i += 16;
        }
        if i + 8 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            acc0 = _mm256_fmadd_ps(d0, d0, acc0);
            i += 8;
        }
        let mut s = hsum256(_mm256_add_ps(acc0, acc1));
        while i < n {
            let d = *pa.add(i) - *pb.add(i);
            s += d * d;
            i += 1;
        }
        s
    }

    /// # Safety
    /// The CPU must have AVX-512F; `a` and `b` must have equal length.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn dot_avx512(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm512_setzero_ps();
        let mut acc1 = _mm512_setzero_ps();
        let mut i = 0;
        while i + 32 <= n {
            acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), acc0);
            acc1 = _mm512_fmadd_ps(
                _mm512_loadu_ps(pa.add(i + 16)),
                _mm512_loadu_ps(pb.add(i + 16)),
                acc1,
            );
            i += 32;
        }
        if i + 16 <= n {
            acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), acc0);
            i += 16;
        }
        if i < n {
            // Masked loads read only the remaining lanes.
            let mask: __mmask16 = (1u32 << (n - i)).wrapping_sub(1) as __mmask16;
            acc1 = _mm512_fmadd_ps(
                _mm512_maskz_loadu_ps(mask, pa.add(i)),
                _mm512_maskz_loadu_ps(mask, pb.add(i)),
                acc1,
            );
        }
        _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1))
    }

    /// # Safety
    /// The CPU must have AVX-512F; `a` and `b` must have equal length.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn l2sq_avx512(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm512_setzero_ps();
        let mut acc1 = _mm512_setzero_ps();
        let mut i = 0;
        while i + 32 <= n {
            let d0 = _mm512_sub_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)));
            let d1 = _mm512_sub_ps(
                _mm512_loadu_ps(pa.add(i + 16)),
                _mm512_loadu_ps(pb.add(i + 16)),
            );
            acc0 = _mm512_fmadd_ps(d0, d0, acc0);
            acc1 = _mm512_fmadd_ps(d1, d1, acc1);
            i += 32;
        }
        if i + 16 <= n {
            let d0 = _mm512_sub_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)));
            acc0 = _mm512_fmadd_ps(d0, d0, acc0);
            i += 16;
        }
        if i < n {
            let mask: __mmask16 = (1u32 << (n - i)).wrapping_sub(1) as __mmask16;
            let d = _mm512_sub_ps(
                _mm512_maskz_loadu_ps(mask, pa.add(i)),
                _mm512_maskz_loadu_ps(mask, pb.add(i)),
            );
            acc1 = _mm512_fmadd_ps(d, d, acc1);
        }
        _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1))
    }

    /// # Safety
    /// The CPU must have AVX-512F/BW and VNNI; `a` and `b` must have equal length, a
    /// multiple of 64.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn codes_vnni(a: &[u8], b: &[i8]) -> i32 {
        let n = a.len().min(b.len());
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm512_setzero_si512();
        let mut acc1 = _mm512_setzero_si512();
        let mut i = 0;
        while i + 128 <= n {
            acc0 = _mm512_dpbusd_epi32(
                acc0,
                _mm512_loadu_si512(pa.add(i).cast()),
                _mm512_loadu_si512(pb.add(i).cast()),
            );
            acc1 = _mm512_dpbusd_epi32(
                acc1,
                _mm512_loadu_si512(pa.add(i + 64).cast()),
                _mm512_loadu_si512(pb.add(i + 64).cast()),
            );
            i += 128;
        }
        if i + 64 <= n {
            acc0 = _mm512_dpbusd_epi32(
                acc0,
                _mm512_loadu_si512(pa.add(i).cast()),
                _mm512_loadu_si512(pb.add(i).cast()),
            );
        }
        _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1))
    }

    /// # Safety
    /// The CPU must have AVX2; `a` and `b` must have equal length, a multiple of 16.
    /// Codes and query are widened to 16 bits first: `vpmaddubsw` would saturate
    /// (255 * 127 * 2 does not fit in an i16).
    #[target_feature(enable = "avx2")]
    pub unsafe fn codes_avx2(a: &[u8], b: &[i8]) -> i32 {
        let n = a.len().min(b.len());
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc0 = _mm256_setzero_si256();
        let mut acc1 = _mm256_setzero_si256();
        let mut i = 0;
        while i + 32 <= n {
            let x0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(pa.add(i).cast()));
            let y0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(pb.add(i).cast()));
            let x1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(pa.add(i + 16).cast()));
            let y1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(pb.add(i + 16).cast()));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(x0, y0));
            acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(x1, y1));
            i += 32;
        }
        if i + 16 <= n {
            let x0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(pa.add(i).cast()));
            let y0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(pb.add(i).cast()));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(x0, y0));
        }
        let s = _mm256_add_epi32(acc0, acc1);
        let s = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b01_00_11_10));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b10_11_00_01));
        _mm_cvtsi128_si32(s)
    }
}

/// Hints the CPU to fetch every cache line `data` touches, wherever it starts: a row or
/// a block a search is about to read.
#[inline]
pub fn prefetch_lines<T>(data: &[T]) {
    let start = data.as_ptr().cast::<u8>();
    let skip = start as usize % 64;
    for line in (0..std::mem::size_of_val(data) + skip).step_by(64) {
        // Not dereferenced: a prefetch of any address is harmless.
        prefetch(start.wrapping_sub(skip).wrapping_add(line));
    }
}

/// Prefetches the cache line holding `p` (a hint; no effect off x86-64).
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetch never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vecs(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as u32).wrapping_mul(2654435761) ^ seed) as f32 / u32::MAX as f32 - 0.5)
            .collect()
    }

    #[test]
    fn every_kernel_agrees_with_the_portable_one() {
        for n in [1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, 128, 384, 385] {
            let a = vecs(n, 7);
            let b = vecs(n, 99);
            let d = dot_portable(&a, &b);
            let l = l2sq_portable(&a, &b);
            let k = kernels();
            // SAFETY: detected kernels.
            let (kd, kl) = unsafe { ((k.dot)(&a, &b), (k.l2sq)(&a, &b)) };
            assert!((d - kd).abs() < 1e-3, "dot n={n}: {d} vs {kd}");
            assert!((l - kl).abs() < 1e-3, "l2 n={n}: {l} vs {kl}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: features checked just above.
                let (ad, al) = unsafe { (x86::dot_avx2(&a, &b), x86::l2sq_avx2(&a, &b)) };
                assert!((d - ad).abs() < 1e-3 && (l - al).abs() < 1e-3);
            }
        }
    }

    /// Every kernel this CPU has (the detected ones and each x86 level it supports).
    fn float_kernels() -> Vec<(&'static str, Kernel, Kernel)> {
        let k = kernels();
        let mut all = vec![(k.name, k.dot, k.l2sq)];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            all.push(("avx2", x86::dot_avx2 as Kernel, x86::l2sq_avx2 as Kernel));
        }
        all
    }

    fn code_kernels() -> Vec<(&'static str, CodeKernel)> {
        let mut all = vec![(kernels().name, kernels().codes)];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            all.push(("avx2", x86::codes_avx2 as CodeKernel));
        }
        all
    }

    // Hundreds of generated cases: more than an interpreter gets through in make test.
    #[cfg(not(miri))]
    mod random {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Random lengths (every tail length) and values, with the edges mixed in:
            /// zeros of both signs, subnormals, and magnitudes whose products are huge.
            /// The float kernels sum in another order, so they agree within rounding of
            /// the sum of magnitudes; the code kernels are integer and agree exactly.
            #[test]
            fn simd_kernels_agree_with_the_portable_ones_on_random_and_edge_inputs(
                pairs in proptest::collection::vec(
                    (edge_or_random(), edge_or_random()),
                    0..700,
                ),
                codes in (1usize..8).prop_flat_map(|blocks| {
                    proptest::collection::vec((any::<u8>(), -127i8..=127), blocks * 64)
                }),
            ) {
                let (a, b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
                let scale_dot: f32 = a.iter().zip(&b).map(|(x, y)| (x * y).abs()).sum();
                let scale_l2: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
                let (d, l) = (dot_portable(&a, &b), l2sq_portable(&a, &b));
                for (name, dot, l2sq) in float_kernels() {
                    // SAFETY: each kernel was detected or its features checked above.
                    let (kd, kl) = unsafe { (dot(&a, &b), l2sq(&a, &b)) };
                    prop_assert!((d - kd).abs() <= 5e-5 * scale_dot + 1e-30, "{} dot: {} vs {}", name, d, kd);
                    prop_assert!((l - kl).abs() <= 5e-5 * scale_l2 + 1e-30, "{} l2: {} vs {}", name, l, kl);
                }
                let (ca, cb): (Vec<u8>, Vec<i8>) = codes.into_iter().unzip();
                let want = codes_portable(&ca, &cb);
                for (name, kernel) in code_kernels() {
                    // SAFETY: as above; lengths are equal multiples of 64.
                    prop_assert_eq!(unsafe { kernel(&ca, &cb) }, want, "{}", name);
                }
            }
        }

        fn edge_or_random() -> impl Strategy<Value = f32> {
            prop_oneof![
                8 => -1e3f32..1e3,
                1 => Just(0.0f32),
                1 => Just(-0.0f32),
                1 => Just(f32::MIN_POSITIVE / 4.0),
                1 => Just(1e15f32),
                1 => Just(-1e15f32),
            ]
        }
    }

    #[test]
    fn every_code_kernel_agrees_with_the_portable_one() {
        for n in [64, 128, 384, 448] {
            let a: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            let b: Vec<i8> = (0..n)
                .map(|i| ((i * 53 % 255) as i32 - 127) as i8)
                .collect();
            let want = codes_portable(&a, &b);
            // SAFETY: the detected kernel; lengths are multiples of 64.
            assert_eq!(unsafe { (kernels().codes)(&a, &b) }, want, "n={n}");
            // The extremes: 255 * -127 in every lane must not saturate anywhere.
            let (hi, lo) = (vec![255u8; n], vec![-127i8; n]);
            assert_eq!(
                // SAFETY: as above: the detected kernel, equal lengths, multiples of 64.
                unsafe { (kernels().codes)(&hi, &lo) },
                -255 * 127 * n as i32
            );
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: feature checked just above.
                assert_eq!(unsafe { x86::codes_avx2(&a, &b) }, want);
                assert_eq!(unsafe { x86::codes_avx2(&hi, &lo) }, -255 * 127 * n as i32);
            }
        }
    }

    #[test]
    fn cosine_normalises() {
        let s = Space::new(Metric::Cosine);
        let mut a = vec![3.0, 4.0];
        s.prepare(&mut a).unwrap();
        assert!((a[0] - 0.6).abs() < 1e-6);
        assert!(s.distance(&a, &a).abs() < 1e-6);
        assert!(s.prepare(&mut [0.0, 0.0]).is_none());
    }

    /// A stored (normalised) vector added again is stored bit for bit the same: what
    /// makes `vidx scan --vectors` into `vidx add` an exact copy.
    #[test]
    fn cosine_normalising_twice_changes_no_bit() {
        let s = Space::new(Metric::Cosine);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for dim in [1usize, 2, 3, 7, 16, 100, 384, 1536, 4096] {
            for scale in [1e-3f32, 0.7, 1.0, 3.0, 1e4] {
                let mut v: Vec<f32> = (0..dim)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        ((seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * scale
                    })
                    .collect();
                s.prepare(&mut v).unwrap();
                let once = v.clone();
                s.prepare(&mut v).unwrap();
                assert_eq!(
                    once.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    "dim {dim}, scale {scale}"
                );
                let n: f64 = v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
                assert!((n - 1.0).abs() < 1e-6, "dim {dim}: norm {n}");
            }
        }
    }
}
