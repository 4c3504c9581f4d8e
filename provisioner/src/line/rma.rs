//! The return desk, after the lots: returned devices are re-created as they shipped
//! and taken through RMA, and the registrar told.

use super::*;

impl Line {
    /// Takes the devices the return plan names through the RMA desk after the lots,
    /// each re-created as it shipped (on a scratch facade: the line did not make it
    /// twice), and records what became of each identity.
    pub(super) fn process_returns(
        &mut self,
        shipped: &[ShippedDevice],
        from: SimTime,
        reconciler: &mut Reconciler,
        sink: &mut dyn LineSink,
    ) -> Result<Vec<ReturnedDevice>, LineError> {
        if self.config.returns.is_empty() {
            return Ok(Vec::new());
        }
        let chosen = self.config.returns.select(self.seed, shipped);
        let scratch = Crypto::new();
        let mut returned = Vec::with_capacity(chosen.len());
        let mut at = from;
        for position in chosen {
            let device = shipped[position];
            let index = device.index;
            let (mut target, _) = self.rebuild_device(index, &scratch)?;
            let token = crate::station::life_cycle_token(self.seed, index, TokenKind::Rma);
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
            // The customer's records now say the part left the field.
            self.registrar
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
            });
        }
        Ok(returned)
    }
}
