//! Dense vectors: a row-major matrix of unit vectors with exact top-k by inner product.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Scale `v` to unit length (left as is when it is all zeros).
pub fn normalize(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Inner product, written with independent accumulators so that it vectorises.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = a.len() / 8;
    for i in 0..chunks {
        let (x, y) = (&a[i * 8..i * 8 + 8], &b[i * 8..i * 8 + 8]);
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for i in chunks * 8..a.len().min(b.len()) {
        sum += a[i] * b[i];
    }
    sum
}

/// `n` vectors of `dim` floats, row `i` belonging to index row `i`.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    pub dim: usize,
    pub data: Vec<f32>,
}

#[derive(PartialEq)]
struct MinScored(f32, u32);
impl Eq for MinScored {}
impl PartialOrd for MinScored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MinScored {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed so that the heap's top is the smallest score.
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| self.1.cmp(&other.1))
    }
}

impl Matrix {
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Exact top-`k` rows by inner product with `query`, best first (ties by row).
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(u32, f32)> {
        if k == 0 || query.len() != self.dim {
            return Vec::new();
        }
        let mut heap: BinaryHeap<MinScored> = BinaryHeap::with_capacity(k + 1);
        for (i, row) in self.data.chunks_exact(self.dim).enumerate() {
            let s = dot(row, query);
            if heap.len() < k {
                heap.push(MinScored(s, i as u32));
            } else if heap.peek().is_some_and(|m| s > m.0) {
                heap.pop();
                heap.push(MinScored(s, i as u32));
            }
        }
        let mut out: Vec<(u32, f32)> = heap.into_iter().map(|m| (m.1, m.0)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Little-endian bytes of the whole matrix, for the on-disk file.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.data.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    pub fn from_le_bytes(dim: usize, bytes: &[u8]) -> Option<Matrix> {
        if dim == 0 || !bytes.len().is_multiple_of(4 * dim) {
            return None;
        }
        let data = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Some(Matrix { dim, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn top_k_matches_a_full_sort(rows in proptest::collection::vec(proptest::collection::vec(-1f32..1.0, 11), 1..60), k in 1usize..20) {
            let m = Matrix { dim: 11, data: rows.concat() };
            let q: Vec<f32> = (0..11).map(|i| (i as f32).sin()).collect();
            let got = m.top_k(&q, k);
            let mut all: Vec<(u32, f32)> = (0..m.rows()).map(|i| (i as u32, dot(m.row(i), &q))).collect();
            all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            all.truncate(k);
            prop_assert_eq!(got, all);
        }
    }

    #[test]
    fn bytes_round_trip() {
        let m = Matrix {
            dim: 2,
            data: vec![1.0, -2.5, 3.0, 0.0],
        };
        assert_eq!(
            Matrix::from_le_bytes(2, &m.to_le_bytes()).unwrap().data,
            m.data
        );
        assert!(Matrix::from_le_bytes(3, &m.to_le_bytes()).is_none());
    }
}

/// A unit vector as an HNSW point; distance is `1 - cosine`.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitVector(pub Vec<f32>);

impl instant_distance::Point for UnitVector {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(&self.0, &other.0)
    }
}

/// An approximate nearest-neighbour graph (HNSW) over the rows of a matrix.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Ann {
    map: instant_distance::HnswMap<UnitVector, u32>,
}

impl Ann {
    /// Build the graph over the non-zero rows of `m` (zero rows are replaced passages).
    pub fn build(m: &Matrix) -> Ann {
        let mut points = Vec::with_capacity(m.rows());
        let mut rows = Vec::with_capacity(m.rows());
        for i in 0..m.rows() {
            let r = m.row(i);
            if r.iter().any(|x| *x != 0.0) {
                points.push(UnitVector(r.to_vec()));
                rows.push(i as u32);
            }
        }
        let map = instant_distance::Builder::default()
            .ef_construction(100)
            .ef_search(128)
            .seed(7)
            .build(points, rows);
        Ann { map }
    }

    /// Approximately the `k` rows nearest to `query`, best first, as `(row, inner product)`.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(u32, f32)> {
        let mut search = instant_distance::Search::default();
        let q = UnitVector(query.to_vec());
        self.map
            .search(&q, &mut search)
            .take(k)
            .map(|item| (*item.value, 1.0 - item.distance))
            .collect()
    }
}

#[cfg(test)]
mod ann_tests {
    use super::*;

    #[test]
    fn ann_recall_is_high_on_random_unit_vectors() {
        let dim = 32;
        let mut seed = 12345u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 2000) as f32 / 1000.0 - 1.0
        };
        let mut data = Vec::new();
        for _ in 0..2000 {
            let mut v: Vec<f32> = (0..dim).map(|_| next()).collect();
            normalize(&mut v);
            data.extend(v);
        }
        let m = Matrix { dim, data };
        let ann = Ann::build(&m);
        let mut found = 0;
        let mut total = 0;
        for qi in 0..20 {
            let q = m.row(qi * 37).to_vec();
            let exact: Vec<u32> = m.top_k(&q, 10).into_iter().map(|x| x.0).collect();
            let approx: Vec<u32> = ann.top_k(&q, 10).into_iter().map(|x| x.0).collect();
            assert_eq!(approx[0], (qi * 37) as u32, "a stored vector finds itself");
            found += exact.iter().filter(|r| approx.contains(r)).count();
            total += exact.len();
        }
        assert!(
            found as f64 / total as f64 > 0.9,
            "recall@10 {found}/{total}"
        );
    }
}
