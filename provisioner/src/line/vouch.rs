//! The vault's word on the audit log: a signed checkpoint once enough records have been
//! written, and the signed closing record. Both are the line's, not the station's: they
//! are written between devices, so a device's pass (and every attack copy of one) never
//! signs the log.

use crate::books::audit::record::AuditRecord;
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::sink::LineSink;
use provsim_sim::{Ctx, SimTime, Trace};

/// Which signed record to append.
#[derive(Clone, Copy)]
enum Kind {
    Checkpoint,
    Closing,
}

impl Line {
    /// Writes a checkpoint at `at` if one is due: the vault signs the head of every
    /// record written so far. Called only where every record made has gone to `sink`.
    pub(super) fn checkpoint_if_due(
        &mut self,
        at: SimTime,
        sink: &mut dyn LineSink,
    ) -> Result<(), LineError> {
        if self.site.audit.checkpoint_due() {
            let record = self.vouch(at, Kind::Checkpoint)?;
            sink.audit(&record)?;
        }
        Ok(())
    }

    /// Appends the closing record, signed by the vault: nothing may follow it.
    pub(super) fn close_audit(&mut self, at: SimTime) -> Result<AuditRecord, LineError> {
        self.vouch(at, Kind::Closing)
    }

    /// Appends a record of kind `kind`, its statement signed in the vault (a counted
    /// signature on the line's facade, as every signature the vault makes for the line).
    fn vouch(&mut self, at: SimTime, kind: Kind) -> Result<AuditRecord, LineError> {
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(at, &self.crypto, &mut trace);
        let (hsm, handle) = (&self.site.hsm, self.site.vault_handle);
        let sign = |message: &[u8]| hsm.sign_audit_head(&mut ctx, handle, message);
        let record = match kind {
            Kind::Checkpoint => self.site.audit.checkpoint(&self.crypto, at, sign)?,
            Kind::Closing => self.site.audit.close(&self.crypto, at, sign)?,
        };
        Ok(record)
    }
}
