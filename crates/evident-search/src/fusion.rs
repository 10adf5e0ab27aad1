//! Hybrid fusion of ranked lists: reciprocal rank fusion and normalised score combination,
//! with an optional preference for guideline-grade evidence.

use std::collections::HashMap;

/// How BM25 and dense rankings are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Reciprocal rank fusion: sum of `weight / (k + rank)`.
    Rrf { k: f32, dense_weight: f32 },
    /// Convex combination of scores min-max normalised per list:
    /// `(1 - w) * bm25 + w * dense`. A document missing from a list gets 0 from it.
    Linear { dense_weight: f32 },
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion::Linear { dense_weight: 0.5 }
    }
}

/// Fuse two ranked lists of `(row, score)`, best first. Returns `(row, fused score)` best first,
/// ties broken by row so that the result is deterministic.
pub fn fuse(bm25: &[(u32, f32)], dense: &[(u32, f32)], fusion: Fusion) -> Vec<(u32, f32)> {
    let mut scores: HashMap<u32, f32> = HashMap::with_capacity(bm25.len() + dense.len());
    match fusion {
        Fusion::Rrf { k, dense_weight } => {
            for (rank, (row, _)) in bm25.iter().enumerate() {
                *scores.entry(*row).or_default() += (1.0 - dense_weight) / (k + rank as f32 + 1.0);
            }
            for (rank, (row, _)) in dense.iter().enumerate() {
                *scores.entry(*row).or_default() += dense_weight / (k + rank as f32 + 1.0);
            }
        }
        Fusion::Linear { dense_weight } => {
            for (row, s) in normalise(bm25) {
                *scores.entry(row).or_default() += (1.0 - dense_weight) * s;
            }
            for (row, s) in normalise(dense) {
                *scores.entry(row).or_default() += dense_weight * s;
            }
        }
    }
    let mut out: Vec<(u32, f32)> = scores.into_iter().collect();
    sort_desc(&mut out);
    out
}

/// Min-max normalise the scores of a list to [0, 1]; a list of equal scores maps to 1.
fn normalise(list: &[(u32, f32)]) -> Vec<(u32, f32)> {
    let (min, max) = list
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &(_, s)| {
            (lo.min(s), hi.max(s))
        });
    let span = max - min;
    list.iter()
        .map(|&(r, s)| (r, if span > 0.0 { (s - min) / span } else { 1.0 }))
        .collect()
}

pub fn sort_desc(list: &mut [(u32, f32)]) {
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rrf_rewards_agreement() {
        let bm25 = [(1, 9.0), (2, 8.0), (3, 1.0)];
        let dense = [(3, 0.9), (1, 0.8), (4, 0.7)];
        let fused = fuse(
            &bm25,
            &dense,
            Fusion::Rrf {
                k: 60.0,
                dense_weight: 0.5,
            },
        );
        assert_eq!(fused[0].0, 1);
        assert_eq!(fused.len(), 4);
    }

    #[test]
    fn linear_weight_zero_is_bm25_order() {
        let bm25 = [(5, 3.0), (6, 2.0), (7, 1.0)];
        let dense = [(7, 0.9), (6, 0.5)];
        let fused = fuse(&bm25, &dense, Fusion::Linear { dense_weight: 0.0 });
        let rows: Vec<u32> = fused.iter().map(|x| x.0).collect();
        assert_eq!(&rows[..3], &[5, 6, 7]);
        let fused = fuse(&bm25, &dense, Fusion::Linear { dense_weight: 1.0 });
        assert_eq!(fused[0].0, 7);
    }

    fn ranked() -> impl Strategy<Value = Vec<(u32, f32)>> {
        proptest::collection::hash_map(0u32..50, 0f32..100.0, 0..30).prop_map(|m| {
            let mut v: Vec<(u32, f32)> = m.into_iter().collect();
            sort_desc(&mut v);
            v
        })
    }

    proptest! {
        #[test]
        fn fusion_is_a_sorted_union_without_duplicates(a in ranked(), b in ranked(), w in 0f32..1.0, rrf in any::<bool>()) {
            let f = if rrf { Fusion::Rrf { k: 60.0, dense_weight: w } } else { Fusion::Linear { dense_weight: w } };
            let out = fuse(&a, &b, f);
            let mut rows: Vec<u32> = out.iter().map(|x| x.0).collect();
            let mut expect: Vec<u32> = a.iter().chain(&b).map(|x| x.0).collect();
            expect.sort(); expect.dedup();
            rows.sort();
            prop_assert_eq!(rows, expect);
            prop_assert!(out.windows(2).all(|p| p[0].1 >= p[1].1));
            // Symmetry: swapping lists and weights gives the same scores.
            let g = if rrf { Fusion::Rrf { k: 60.0, dense_weight: 1.0 - w } } else { Fusion::Linear { dense_weight: 1.0 - w } };
            let swapped = fuse(&b, &a, g);
            for (r, s) in &out {
                let t = swapped.iter().find(|x| x.0 == *r).unwrap().1;
                prop_assert!((s - t).abs() < 1e-4);
            }
        }
    }
}
