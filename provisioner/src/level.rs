//! Where parts are tested and where secrets go in: wafer probe, package final test,
//! board test. Every part passes through all three in that order; the line's level
//! says at which one the station provisions it. A part that fails a test before that
//! level is lost with nothing in it; one that fails at or after it takes secrets with
//! it, which must be destroyed.

/// A manufacturing insertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Wafer probe: dies on the wafer, reached through the probe card.
    Wafer,
    /// Package final test: packaged parts in the handler's socket.
    Package,
    /// The assembled board, through its debug header.
    Board,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Wafer, Level::Package, Level::Board];

    pub fn name(self) -> &'static str {
        match self {
            Level::Wafer => "wafer",
            Level::Package => "package",
            Level::Board => "board",
        }
    }

    /// The tester a device record names.
    pub fn tester(self) -> &'static str {
        match self {
            Level::Wafer => "wafer-probe-1",
            Level::Package => "package-test-1",
            Level::Board => "board-station-1",
        }
    }
}

/// Parts per million that pass each level's test at each attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yields {
    pub wafer: u32,
    pub package: u32,
    pub board: u32,
}

/// Every part passes.
pub const PERFECT_YIELD_PPM: u32 = 1_000_000;

impl Yields {
    pub const PERFECT: Yields = Yields {
        wafer: PERFECT_YIELD_PPM,
        package: PERFECT_YIELD_PPM,
        board: PERFECT_YIELD_PPM,
    };

    pub fn at(&self, level: Level) -> u32 {
        match level {
            Level::Wafer => self.wafer,
            Level::Package => self.package,
            Level::Board => self.board,
        }
    }
}

impl Default for Yields {
    fn default() -> Self {
        Yields::PERFECT
    }
}

/// Where a die sat: its wafer (from 1, within its lot) and its column and row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DieSite {
    pub wafer: u32,
    pub x: u32,
    pub y: u32,
}

/// A round wafer's map: the cells of a square grid whose centres lie inside the
/// wafer's circle, row by row, as many as a wafer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaferMap {
    dies_per_wafer: u32,
    /// Grid side; cell (x, y) is on the wafer when its centre is within `side / 2`.
    side: u32,
    /// The dies' sites in order, worked out once (8 bytes a die of one wafer).
    sites: Vec<(u32, u32)>,
}

/// Whether grid cell (x, y) of a `side`-wide grid lies on the wafer. Integer
/// arithmetic: (2x + 1 - side)^2 + (2y + 1 - side)^2 <= side^2.
fn on_wafer(side: u32, x: u32, y: u32) -> bool {
    let (s, x, y) = (i64::from(side), i64::from(x), i64::from(y));
    let (dx, dy) = (2 * x + 1 - s, 2 * y + 1 - s);
    dx * dx + dy * dy <= s * s
}

fn cells_on_wafer(side: u32) -> u64 {
    (0..side)
        .flat_map(|y| (0..side).map(move |x| (x, y)))
        .filter(|&(x, y)| on_wafer(side, x, y))
        .count() as u64
}

impl WaferMap {
    /// The smallest round wafer with room for `dies_per_wafer` dies (at least 1).
    pub fn new(dies_per_wafer: u32) -> Self {
        let dies_per_wafer = dies_per_wafer.max(1);
        let mut side = 1;
        while cells_on_wafer(side) < u64::from(dies_per_wafer) {
            side += 1;
        }
        let sites = (0..side)
            .flat_map(|y| (0..side).map(move |x| (x, y)))
            .filter(|&(x, y)| on_wafer(side, x, y))
            .take(dies_per_wafer as usize)
            .collect();
        WaferMap {
            dies_per_wafer,
            side,
            sites,
        }
    }

    pub fn dies_per_wafer(&self) -> u32 {
        self.dies_per_wafer
    }

    /// The site of die number `n` of its lot.
    pub fn site(&self, n: u32) -> DieSite {
        let wafer = n / self.dies_per_wafer + 1;
        let (x, y) = self
            .sites
            .get((n % self.dies_per_wafer) as usize)
            .copied()
            .unwrap_or((0, 0));
        DieSite { wafer, x, y }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_small_wafer_is_round() {
        let map = WaferMap::new(12);
        let sites: Vec<_> = (0..12).map(|n| map.site(n)).collect();
        // Corners of the grid are off the wafer.
        assert!(!sites.iter().any(|s| (s.x, s.y) == (0, 0)));
        assert_eq!(map.site(12).wafer, 2);
        assert_eq!(
            map.site(12),
            DieSite {
                wafer: 2,
                ..sites[0]
            }
        );
    }

    proptest! {
        /// Every die of a wafer has its own site on the wafer.
        #[test]
        fn dies_of_a_wafer_never_share_a_site(dies in 1u32..400) {
            let map = WaferMap::new(dies);
            let mut seen: Vec<(u32, u32)> = (0..dies).map(|n| { let s = map.site(n); (s.x, s.y) }).collect();
            prop_assert!(seen.iter().all(|&(x, y)| on_wafer(map.side, x, y)));
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len() as u32, dies);
        }
    }
}
