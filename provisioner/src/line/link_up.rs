//! The line's own link sessions: before the first device, and after an exchange that
//! failed and took the link down.

use crate::labels::{self, LinkOccasion};
use crate::line::establish::Line;
use crate::link::report::LinkStats;
use crate::link::streams::LinkStreams;
use provsim_sim::{Field, Seed, SimTime, Stream};

/// The streams of a session the line makes on `occasion`.
struct SiteLinkStreams {
    seed: Seed,
    occasion: LinkOccasion,
}

impl LinkStreams for SiteLinkStreams {
    fn network(&self) -> Stream {
        labels::site_link_network(self.seed, self.occasion)
    }

    fn station(&self, k: u32) -> Stream {
        labels::site_link_station(self.seed, self.occasion, k)
    }

    fn vault(&self, k: u32) -> Stream {
        labels::site_link_vault(self.seed, self.occasion, k)
    }
}

impl Line {
    /// Makes a link session from `at`, over the configured network, with the site's
    /// streams for `occasion`; records it in the site trace and returns when the next
    /// device may arrive, or `None` if the link could not be made.
    pub(super) fn bring_link_up(
        &mut self,
        at: SimTime,
        occasion: LinkOccasion,
        stats: &mut LinkStats,
    ) -> Option<SimTime> {
        let streams = SiteLinkStreams {
            seed: self.seed,
            occasion,
        };
        let report = self.link.establish(&self.crypto, &streams);
        let up = self.link.is_established();
        stats.establishment(&report, up);
        let done = at + report.elapsed;
        self.site_trace.record(
            done,
            if up { "link-established" } else { "link-down" },
            &[
                ("handshakes", Field::U64(u64::from(report.handshakes))),
                ("deliveries", Field::U64(report.deliveries.len() as u64)),
                ("refused", Field::U64(report.refused())),
            ],
        );
        up.then_some(done)
    }
}
