use crate::time::SimTime;

/// Why the kernel stopped a run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// More events were delivered than the run allows: a livelock, reported instead of a hang.
    #[error("event cap of {cap} events reached at virtual time {at}")]
    EventCapExceeded { cap: u64, at: SimTime },
    /// The next event lies beyond the run's virtual-time cap.
    #[error("virtual-time cap {cap} exceeded by an event due at {at}")]
    TimeCapExceeded { cap: SimTime, at: SimTime },
    /// An actor tried to schedule an event in the past.
    #[error("event scheduled at {at}, before the current time {now}")]
    ScheduledInPast { at: SimTime, now: SimTime },
}
