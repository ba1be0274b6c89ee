//! `DISTROFLOW_REPLICA_SEED=N`: the random delays a replica's app waits
//! before it renders (its "hydration") become one fixed delay per replica,
//! picked from its range by the seed, so that a benchmark's slowest
//! platform is the same platform with the same delay in every run.

/// The environment variable that fixes the replicas' random delays.
pub const SEED_ENV: &str = "DISTROFLOW_REPLICA_SEED";

/// `range` as the replica's app should draw from it: with a seed in the
/// environment, one value of the range (the same for the same seed and
/// replica); else the range itself.
pub(crate) fn hydration(replica: &str, range: (u64, u64)) -> (u64, u64) {
    let (lo, hi) = (range.0.min(range.1), range.0.max(range.1));
    match std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(seed) => {
            let d = fixed(seed, replica, (lo, hi));
            (d, d)
        }
        None => (lo, hi),
    }
}

/// The delay `seed` picks for `replica` in `lo..=hi`.
pub(crate) fn fixed(seed: u64, replica: &str, (lo, hi): (u64, u64)) -> u64 {
    // FNV-1a over the name, mixed with the seed by splitmix64: stable
    // across Rust versions and machines, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in replica.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    lo + z % (hi - lo + 1)
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn a_seed_picks_the_same_delay_in_the_range_every_time() {
        for seed in 0..50 {
            let d = fixed(seed, "x", (150, 600));
            assert!((150..=600).contains(&d));
            assert_eq!(d, fixed(seed, "x", (150, 600)));
        }
        assert_eq!(fixed(7, "x", (300, 300)), 300);
        // Different seeds do not all pick the same delay.
        let picks: std::collections::HashSet<u64> =
            (0..20).map(|s| fixed(s, "x", (150, 600))).collect();
        assert!(picks.len() > 5);
    }
}
