//! Revocation: once the returns are through, the customer CA issues its CRL, listing
//! the certificate of every device rejected after its certificate was issued (the
//! certificate exists, signed, but no device carrying it ever ships) and of every
//! device that came back (whatever became of the part, its identity is out of the
//! field). The CRL is issued on every run, empty when neither happened, so the customer
//! always holds a signed, current statement of what is revoked.
//!
//! Only those devices are held (a handful: the rejected, the returned); each
//! certificate's serial is re-derived from the device's own stream, as the CA drew it.

use crate::books::audit::record::detail_hex;
use crate::books::reconcile::reconciler::Reconciler;
use crate::device_streams::DeviceStreams;
use crate::ledger::{RejectedDevice, ReturnOutcome, ReturnedDevice};
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::sink::LineSink;
use crate::line::summary::CrlSummary;
use crate::pki::certificate::IssuedCertificate;
use crate::pki::crl::{Reason, Revocation};
use crate::station::observer::PassObserver;
use crate::weakness::SiteWeakness;
use provsim_sim::SimTime;

/// The CRL Number of the run's CRL: the CA's first and only one.
const CRL_NUMBER: u64 = 1;

/// The CRLReason (RFC 5280 5.3.1) for a returned device: key compromise where key
/// material was still readable when it came back, or may have been (the wipe could not
/// be read back to confirm it): whoever held the part could read the key. Otherwise the
/// device is simply out of service, wiped or destroyed.
pub(super) fn reason(outcome: ReturnOutcome) -> Reason {
    match outcome {
        ReturnOutcome::RmaNotWiped | ReturnOutcome::RmaUnverified => Reason::KeyCompromise,
        ReturnOutcome::RmaWiped | ReturnOutcome::PhysicallyDestroyed => {
            Reason::CessationOfOperation
        }
    }
}

/// The CRLReason for a device rejected after its certificate was issued: cessation of
/// operation. The part never left the line: the vault destroyed its copy of the key
/// and the station scrapped the chip (the transition wipes its key store) or destroyed
/// it physically, on the line, before anyone outside held it. Nothing of the key went
/// out, so nothing points to its compromise; the certificate is revoked because the
/// device it names never entered service. (On a site that bins rejected parts unwiped,
/// the `scrap-without-wipe` weakness, the key may have gone out with the part:
/// `keyCompromise` instead.)
pub(super) const REJECTED_REASON: Reason = Reason::CessationOfOperation;

/// Watches a device's pass for the one thing revocation needs: the certificate of a
/// device rejected after it was issued.
#[derive(Default)]
pub(super) struct IssuedWatch(Option<IssuedCertificate>);

impl IssuedWatch {
    pub(super) fn take(&mut self) -> Option<IssuedCertificate> {
        self.0.take()
    }
}

impl PassObserver for IssuedWatch {
    fn rejected_after_issue(&mut self, certificate: &IssuedCertificate) {
        self.0 = Some(certificate.clone());
    }
}

impl Line {
    /// Issues the customer CA's CRL at `at` (the books' closing time), revoking every
    /// device in `rejected` whose certificate was issued, as of when it was rejected,
    /// then every device in `returns`, as of when the desk finished with it (so in
    /// the order of their revocation); audits it and hands it to the sink.
    pub(super) fn publish_crl(
        &mut self,
        returns: &[ReturnedDevice],
        rejected: &[RejectedDevice],
        at: SimTime,
        reconciler: &mut Reconciler,
        sink: &mut dyn LineSink,
    ) -> Result<CrlSummary, LineError> {
        let revoked: Vec<Revocation> = rejected
            .iter()
            .filter(|r| r.certificate_issued)
            .map(|r| Revocation {
                device: DeviceStreams::new(self.seed, r.index),
                at: r.at,
                // A site that bins rejected parts unwiped lets their keys out.
                reason: if self
                    .config
                    .site_weaknesses
                    .has(SiteWeakness::ScrapWithoutWipe)
                {
                    Reason::KeyCompromise
                } else {
                    REJECTED_REASON
                },
            })
            .chain(returns.iter().map(|r| Revocation {
                device: DeviceStreams::new(self.seed, r.index),
                at: r.at,
                reason: reason(r.outcome),
            }))
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
    fn only_a_part_that_came_back_with_its_keys_maybe_readable_is_revoked_as_compromised() {
        for outcome in [ReturnOutcome::RmaNotWiped, ReturnOutcome::RmaUnverified] {
            assert_eq!(reason(outcome), Reason::KeyCompromise, "{outcome:?}");
        }
        for outcome in [ReturnOutcome::RmaWiped, ReturnOutcome::PhysicallyDestroyed] {
            assert_eq!(reason(outcome), Reason::CessationOfOperation, "{outcome:?}");
        }
        assert_eq!(REJECTED_REASON, Reason::CessationOfOperation);
    }
}
