//! Revocation: once the returns are through, the customer CA issues its CRL, listing
//! the certificate of every device that came back (whatever became of the part, its
//! identity is out of the field). The CRL is issued on every run, empty when nothing
//! came back, so the customer always holds a signed, current statement of what is
//! revoked.
//!
//! Only the returned devices are held (a handful); each certificate's serial is
//! re-derived from the device's own stream, as the CA drew it.

use crate::books::audit::record::detail_hex;
use crate::books::reconcile::reconciler::Reconciler;
use crate::device_streams::DeviceStreams;
use crate::ledger::{ReturnOutcome, ReturnedDevice};
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::sink::LineSink;
use crate::line::summary::CrlSummary;
use crate::pki::crl::{Reason, Revocation};
use provsim_sim::SimTime;

/// The CRL Number of the run's CRL: the CA's first and only one.
const CRL_NUMBER: u64 = 1;

/// The CRLReason (RFC 5280 5.3.1) for a returned device: key compromise where key
/// material was still readable when it came back (whoever held the part could read
/// it); otherwise the device is simply out of service, wiped or destroyed.
pub(super) fn reason(outcome: ReturnOutcome) -> Reason {
    match outcome {
        ReturnOutcome::RmaNotWiped => Reason::KeyCompromise,
        ReturnOutcome::RmaWiped
        | ReturnOutcome::RmaUnverified
        | ReturnOutcome::PhysicallyDestroyed => Reason::CessationOfOperation,
    }
}

impl Line {
    /// Issues the customer CA's CRL at `at` (the books' closing time), revoking every
    /// device in `returns` as of when the desk finished with it; audits it and hands it
    /// to the sink.
    pub(super) fn publish_crl(
        &mut self,
        returns: &[ReturnedDevice],
        at: SimTime,
        reconciler: &mut Reconciler,
        sink: &mut dyn LineSink,
    ) -> Result<CrlSummary, LineError> {
        let revoked: Vec<Revocation> = returns
            .iter()
            .map(|r| Revocation {
                device: DeviceStreams::new(self.seed, r.index),
                at: r.at,
                reason: reason(r.outcome),
            })
            .collect();
        let crl = self
            .site
            .pki
            .issue_crl(&mut self.site.hsm, &self.crypto, CRL_NUMBER, at, &revoked)
            .map_err(LineError::Revocation)?;
        let sha256 = self.crypto.sha256(&crl.der);
        let record = self.site.audit.append(
            &self.crypto,
            at,
            "ca",
            "crl-issued",
            None,
            format!(
                "number={} entries={} {}",
                crl.number,
                crl.entries,
                detail_hex("sha256", &sha256)
            ),
        );
        reconciler.record(&record);
        sink.audit(&record)?;
        sink.crl(&crl)?;
        Ok(CrlSummary {
            number: crl.number,
            entries: crl.entries,
            sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_part_that_came_back_with_its_keys_is_revoked_as_compromised() {
        assert_eq!(reason(ReturnOutcome::RmaNotWiped), Reason::KeyCompromise);
        for outcome in [
            ReturnOutcome::RmaWiped,
            ReturnOutcome::RmaUnverified,
            ReturnOutcome::PhysicallyDestroyed,
        ] {
            assert_eq!(reason(outcome), Reason::CessationOfOperation);
        }
    }
}
