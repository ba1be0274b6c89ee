//! Which mutations a seed picks, and the seeded randomness every later
//! choice is drawn from.

/// One mutation of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    // On the server, in the text of pages, scripts and stylesheets.
    RenameIds,
    RenameClasses,
    RenameNames,
    SwapButtons,
    SwapDialogs,
    // In the page, by the injected script.
    RenameTestids,
    Wrap,
    Unwrap,
    Shadow,
    Relabel,
    Reorder,
    DecoyHiddenPost,
    DecoyDisabledPost,
    DecoyDestructive,
    DecoyField,
    // Late hydration, when it is part of the mix.
    Hydrate,
}

const CATALOGUE: &[Op] = &[
    Op::RenameIds,
    Op::RenameClasses,
    Op::RenameNames,
    Op::SwapButtons,
    Op::SwapDialogs,
    Op::RenameTestids,
    Op::Wrap,
    Op::Unwrap,
    Op::Shadow,
    Op::Relabel,
    Op::Reorder,
    Op::DecoyHiddenPost,
    Op::DecoyDisabledPost,
    Op::DecoyDestructive,
    Op::DecoyField,
];

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::RenameIds => "rename-ids",
            Op::RenameClasses => "rename-classes",
            Op::RenameNames => "rename-names",
            Op::SwapButtons => "swap-buttons",
            Op::SwapDialogs => "swap-dialogs",
            Op::RenameTestids => "rename-testids",
            Op::Wrap => "wrap",
            Op::Unwrap => "unwrap",
            Op::Shadow => "shadow",
            Op::Relabel => "relabel",
            Op::Reorder => "reorder",
            Op::DecoyHiddenPost => "decoy-hidden-post",
            Op::DecoyDisabledPost => "decoy-disabled-post",
            Op::DecoyDestructive => "decoy-destructive",
            Op::DecoyField => "decoy-field",
            Op::Hydrate => "hydrate",
        }
    }

    fn on_client(self) -> bool {
        !matches!(
            self,
            Op::RenameIds | Op::RenameClasses | Op::RenameNames | Op::Hydrate
        )
    }
}

/// The mutations of one seed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    seed: u64,
    ops: Vec<Op>,
}

impl Plan {
    /// Two to five mutations (one more chance for late hydration when it
    /// is in the mix), drawn without repetition.
    pub(crate) fn new(seed: u64, hydration_in_mix: bool) -> Plan {
        let mut pool: Vec<Op> = CATALOGUE.to_vec();
        if hydration_in_mix {
            pool.push(Op::Hydrate);
        }
        let mut rng = Rng::new(seed);
        let n = 2 + (rng.next() % 4) as usize;
        let mut ops = Vec::with_capacity(n);
        for _ in 0..n.min(pool.len()) {
            let i = (rng.next() % pool.len() as u64) as usize;
            ops.push(pool.swap_remove(i));
        }
        Plan { seed, ops }
    }

    /// A plan with exactly these mutations (unit tests).
    #[cfg(test)]
    pub(crate) fn with_ops(seed: u64, ops: &[Op]) -> Plan {
        Plan {
            seed,
            ops: ops.to_vec(),
        }
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn has(&self, op: Op) -> bool {
        self.ops.contains(&op)
    }

    /// The names of the mutations the page script applies.
    pub(crate) fn client_ops(&self) -> Vec<&'static str> {
        self.ops
            .iter()
            .filter(|o| o.on_client())
            .map(|o| o.as_str())
            .collect()
    }

    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.ops.iter().map(|o| o.as_str()).collect()
    }

    /// A number in `0..1000` drawn for `key`.
    pub(crate) fn permille(&self, key: &str) -> u64 {
        mix(self.seed, fnv(key)) % 1000
    }

    /// A number drawn for `key`.
    pub(crate) fn draw(&self, key: &str) -> u64 {
        mix(self.seed, fnv(key))
    }
}

/// The mutations `seed` applies (with late hydration in the pool when
/// `hydration_in_mix`), by name: `rename-names`, `wrap`, `decoy-field`, ...
pub fn mutation_plan(seed: u64, hydration_in_mix: bool) -> Vec<&'static str> {
    Plan::new(seed, hydration_in_mix).names()
}

/// splitmix64 of `a` and `b`.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string.
pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct Rng(u64, u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed, 0)
    }
    fn next(&mut self) -> u64 {
        self.1 += 1;
        mix(self.0, self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_reproducible_varied_and_partial() {
        assert_eq!(mutation_plan(5, false), mutation_plan(5, false));
        let distinct: std::collections::HashSet<Vec<&str>> =
            (0..50).map(|s| mutation_plan(s, false)).collect();
        assert!(distinct.len() > 40);
        for s in 0..200 {
            let n = mutation_plan(s, false).len();
            assert!((2..=5).contains(&n));
        }
        assert!((0..200).any(|s| mutation_plan(s, true).contains(&"hydrate")));
        assert!(!(0..200).any(|s| mutation_plan(s, false).contains(&"hydrate")));
    }
}
