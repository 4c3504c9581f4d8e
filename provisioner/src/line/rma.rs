//! RMA returns: shipped devices that come back from the field for failure analysis.
//!
//! The return desk presents the device's RMA token (the customer keeps it; the chip has
//! only its hash). A chip that accepts it wipes its key store before it opens up again,
//! and the desk checks the store is empty; a chip whose debug port was fused shut
//! cannot enter RMA at all and is destroyed physically. Either way the identity is
//! revoked, and the audit log says which, so the books can follow every identity from
//! shipment to its end.

use crate::books::audit::record::detail_hex;
use crate::books::reconcile::reconciler::Reconciler;
use crate::device_streams::DeviceStreams;
use crate::ledger::book::Ledger;
use crate::ledger::{ReturnOutcome, ReturnedDevice};
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::sink::LineSink;
use provsim_devices::keystore::parse_slots;
use provsim_devices::{Command, LifeCycle, RegionKind, Target, TokenKind};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Field, SimDuration, SimTime, Trace};

/// Time the return desk spends on one part.
pub(super) const RMA_DESK_TIME: SimDuration = SimDuration::from_millis(500);

impl Line {
    /// Takes the devices the return plan names through the RMA desk after the lots,
    /// each re-created as it shipped (on a scratch facade: the line did not make it
    /// twice), and records what became of each identity.
    pub(super) fn process_returns(
        &mut self,
        ledger: &Ledger,
        from: SimTime,
        reconciler: &mut Reconciler,
        sink: &mut dyn LineSink,
    ) -> Result<Vec<ReturnedDevice>, LineError> {
        if self.config.returns.is_empty() {
            return Ok(Vec::new());
        }
        let chosen = self.config.returns.select(self.seed, ledger);
        let scratch = Crypto::new();
        let mut returned = Vec::with_capacity(chosen.len());
        let mut at = from;
        for position in chosen {
            let device = ledger
                .shipped_at(position)
                .map_err(LineError::Ledger)?
                .ok_or_else(|| {
                    LineError::Ledger(std::io::Error::other(format!(
                        "no shipped device at position {position}"
                    )))
                })?;
            let index = device.index;
            let (mut target, _) = self.rebuild_device(index, &scratch)?;
            let token = DeviceStreams::new(self.seed, index).life_cycle_token(TokenKind::Rma);
            let mut trace = Trace::new();
            let mut ctx = Ctx::new(at, &self.crypto, &mut trace);
            let (outcome, detail) = process_return(&mut ctx, target.as_mut(), token);
            at += RMA_DESK_TIME;
            let record = self.site.audit.append(
                &self.crypto,
                at,
                "rma-desk",
                "device-returned",
                Some(device.device_id),
                format!(
                    "{} result={}",
                    detail_hex("key", &device.identity.0),
                    outcome.name()
                ),
            );
            reconciler.record(&record);
            sink.audit(&record)?;
            self.checkpoint_if_due(at, sink)?;
            // The customer's records now say the part left the field.
            self.cloud
                .registrar_mut()
                .out_of_field(&device.identity, outcome.name());
            self.site_trace.record(
                at,
                "device-returned",
                &[
                    ("index", Field::U64(index)),
                    ("result", Field::Str(outcome.name())),
                ],
            );
            returned.push(ReturnedDevice {
                index,
                device_id: device.device_id,
                identity: device.identity,
                outcome,
                detail,
                at,
            });
        }
        Ok(returned)
    }
}

/// Takes a returned chip through the RMA desk with its `token`.
fn process_return(
    ctx: &mut Ctx<'_>,
    target: &mut dyn Target,
    token: [u8; 32],
) -> (ReturnOutcome, String) {
    let entered = target.execute(
        ctx,
        Command::Transition {
            to: LifeCycle::Rma,
            token: Some(token.to_vec()),
        },
    );
    if let Err(refused) = entered {
        // Nothing can be analysed or wiped through a closed port: the part is shredded.
        let _ = target.execute(
            ctx,
            Command::Transition {
                to: LifeCycle::Scrapped,
                token: None,
            },
        );
        return (ReturnOutcome::PhysicallyDestroyed, refused.to_string());
    }
    let mut left = 0;
    for region in target.memory_map() {
        if region.kind != RegionKind::KeyStore {
            continue;
        }
        match target.debug_read(ctx, region.base, region.len) {
            Ok(dump) => left += parse_slots(&dump).len(),
            Err(refused) => return (ReturnOutcome::RmaUnverified, refused.to_string()),
        }
    }
    if left == 0 {
        (ReturnOutcome::RmaWiped, "key store empty".to_owned())
    } else {
        (
            ReturnOutcome::RmaNotWiped,
            format!("{left} key-store slot(s) still occupied"),
        )
    }
}
