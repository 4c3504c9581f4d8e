use crate::crypto::facade::Crypto;
use crate::time::SimTime;
use crate::trace::Trace;

/// What the kernel hands an actor for one step: the current virtual time, the crypto
/// facade whose counters the step is charged to, and the trace the step is recorded in.
///
/// Actors never reach for globals; everything that could make a run nondeterministic
/// arrives through here (their random streams are theirs, derived from the seed).
pub struct Ctx<'a> {
    pub now: SimTime,
    pub crypto: &'a Crypto,
    pub trace: &'a mut Trace,
}

impl<'a> Ctx<'a> {
    pub fn new(now: SimTime, crypto: &'a Crypto, trace: &'a mut Trace) -> Self {
        Ctx { now, crypto, trace }
    }

    /// Records one event at the current time.
    pub fn record(&mut self, kind: &str, fields: &[(&str, crate::trace::Field<'_>)]) {
        self.trace.record(self.now, kind, fields);
    }
}
