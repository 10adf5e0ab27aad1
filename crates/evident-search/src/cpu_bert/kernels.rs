//! Numeric kernels of the CPU encoder: a bounds-checked wrapper over `gemm`, and exp, GELU,
//! softmax and layer normalisation over `f32` slices, written so that the compiler vectorises
//! them (no libm calls in the loops), with AVX2+FMA versions chosen at run time.

/// Where a matrix lies in a slice: element `(i, j)` is at `offset + i * rs + j * cs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl Layout {
    /// A row-major `rows × cols` block starting at row `first` of a matrix `stride` wide,
    /// at column `col`.
    pub fn rows(first: usize, rows: usize, col: usize, cols: usize, stride: usize) -> Self {
        Self {
            offset: first * stride + col,
            rows,
            cols,
            rs: stride,
            cs: 1,
        }
    }

    /// The transpose of this layout (same elements).
    pub fn t(self) -> Self {
        Self {
            offset: self.offset,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// One past the last element this layout touches.
    fn end(&self) -> usize {
        if self.rows == 0 || self.cols == 0 {
            return self.offset;
        }
        self.offset + (self.rows - 1) * self.rs + (self.cols - 1) * self.cs + 1
    }
}

/// `dst = lhs × rhs`, or `dst += lhs × rhs` when `accumulate`, on `threads` threads of the
/// current rayon pool (1: this thread). Panics (a programming error, never input-dependent)
/// when the shapes disagree or a layout leaves its slice.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    threads: usize,
    dst: &mut [f32],
    d: Layout,
    lhs: &[f32],
    l: Layout,
    rhs: &[f32],
    r: Layout,
    accumulate: bool,
) {
    assert!(l.cols == r.rows && d.rows == l.rows && d.cols == r.cols);
    assert!(d.end() <= dst.len() && l.end() <= lhs.len() && r.end() <= rhs.len());
    if d.rows == 0 || d.cols == 0 {
        return;
    }
    if l.cols == 0 {
        if !accumulate {
            for i in 0..d.rows {
                for j in 0..d.cols {
                    dst[d.offset + i * d.rs + j * d.cs] = 0.0;
                }
            }
        }
        return;
    }
    // SAFETY: the three layouts were checked to lie inside their slices, `dst` is borrowed
    // mutably and so aliases neither input, and strides are non-negative and fit in isize
    // because they index allocated slices.
    unsafe {
        gemm::gemm(
            d.rows,
            d.cols,
            l.cols,
            dst.as_mut_ptr().add(d.offset),
            d.cs as isize,
            d.rs as isize,
            accumulate,
            lhs.as_ptr().add(l.offset),
            l.cs as isize,
            l.rs as isize,
            rhs.as_ptr().add(r.offset),
            r.cs as isize,
            r.rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            if threads > 1 {
                gemm::Parallelism::Rayon(threads)
            } else {
                gemm::Parallelism::None
            },
        )
    }
}

/// Runs `$body` (a function over slices) through an AVX2+FMA copy where the CPU has them.
macro_rules! dispatch {
    ($name:ident, $fast:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        pub fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                return unsafe { $fast($($arg),*) };
            }
            $body($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $fast($($arg: $ty),*) {
            $body($($arg),*)
        }
    };
}

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5 × 2^23: adding and subtracting it rounds an f32 to the nearest integer.
const ROUND: f32 = 12_582_912.0;

/// e^x to about one ulp for x in [-87, 88] (Cephes' range reduction and polynomial);
/// clamped outside, so e^x for x < -87 is about 1.6e-38 instead of smaller.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) << 23) as u32);
    e * scale
}

/// erf(x) with absolute error below 1.5e-7 (Abramowitz and Stegun 7.1.26).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = ((((1.061_405_4 * t - 1.453_152_1) * t + 1.421_413_8) * t - 0.284_496_74) * t
        + 0.254_829_6)
        * t;
    let y = 1.0 - poly * exp(-a * a);
    y.copysign(x)
}

#[inline(always)]
fn gelu_body(xs: &mut [f32]) {
    for x in xs {
        *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}
dispatch!(gelu, gelu_avx2, gelu_body, (xs: &mut [f32]));

/// Sum with eight independent lanes, so that the loop vectorises.
#[inline(always)]
fn sum8(xs: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = xs.chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + rest
}

#[inline(always)]
fn softmax_body(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for x in row.iter_mut() {
        *x = exp(*x - max);
    }
    let inv = 1.0 / sum8(row);
    for x in row.iter_mut() {
        *x *= inv;
    }
}
dispatch!(softmax, softmax_avx2, softmax_body, (row: &mut [f32]));

#[inline(always)]
fn layer_norm_body(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = sum8(row) / n;
    let mut acc = [0f32; 8];
    let chunks = row.chunks_exact(8);
    let mut rest = 0f32;
    for x in chunks.remainder() {
        rest += (x - mean) * (x - mean);
    }
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += (x - mean) * (x - mean);
        }
    }
    let var = (acc.iter().sum::<f32>() + rest) / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = (*x - mean) * inv * g + b;
    }
}
dispatch!(layer_norm, layer_norm_avx2, layer_norm_body, (row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std_to_a_few_ulps() {
        let mut x = -80.0f32;
        while x < 80.0 {
            let (got, want) = (exp(x), x.exp());
            assert!(
                ((got - want) / want).abs() < 4e-7,
                "exp({x}) = {got}, want {want}"
            );
            x += 0.0137;
        }
        assert!(exp(-200.0) < 1e-37);
    }

    #[test]
    fn erf_is_within_its_bound() {
        // Reference values of erf.
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.1, 0.112_462_92),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-1.0, -0.842_700_8),
            (2.0, 0.995_322_3),
            (-3.0, -0.999_977_9),
            (6.0, 1.0),
        ] {
            assert!((erf(x) - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut row = vec![1.0, 3.0, -2.0, 0.5, 3.0, -100.0, 7.0, 2.0, 0.0];
        softmax(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[6] > row[1] && row[1] == row[4] && row[1] > row[0] && row[5] < 1e-30);
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut row: Vec<f32> = (0..19).map(|i| i as f32 * 0.7 - 3.0).collect();
        let gamma = vec![2.0; 19];
        let beta = vec![1.0; 19];
        layer_norm(&mut row, &gamma, &beta, 1e-12);
        let mean = row.iter().sum::<f32>() / 19.0;
        let var = row.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / 19.0;
        assert!((mean - 1.0).abs() < 1e-5 && (var - 4.0).abs() < 1e-4);
    }

    #[test]
    fn matmul_agrees_with_the_naive_product_for_strided_views() {
        // lhs: rows 1..4 of a 5×6 matrix, columns 2..5; rhs: transpose of a 4×3 block.
        let a: Vec<f32> = (0..30).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..12).map(|i| (i as f32 * 0.91).cos()).collect();
        let l = Layout::rows(1, 3, 2, 3, 6);
        let r = Layout::rows(0, 4, 0, 3, 3).t(); // 3×4
        let mut d = vec![1.0f32; 12];
        matmul(1, &mut d, Layout::rows(0, 3, 0, 4, 4), &a, l, &b, r, true);
        for i in 0..3 {
            for j in 0..4 {
                let want: f32 = 1.0
                    + (0..3)
                        .map(|k| a[(1 + i) * 6 + 2 + k] * b[j * 3 + k])
                        .sum::<f32>();
                assert!((d[i * 4 + j] - want).abs() < 1e-5);
            }
        }
    }
}
