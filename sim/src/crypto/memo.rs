//! Results of the expensive elliptic-curve operations, worked out ahead by another
//! thread: how `--jobs` runs devices' cryptography in parallel without changing a byte.
//!
//! Public point, RFC 6979 signature, verification and ECDH are pure functions of their
//! inputs. A worker runs a device's pass on its own copy of the line, recording every
//! such result in a [`Memo`] keyed by the SHA-256 of the operation and its inputs; the
//! line then runs the same pass for real with the memo installed, and an operation whose
//! inputs match takes the recorded result instead of computing it. An input that differs
//! (the copy guessed a time or a number wrong) just misses and is computed: the result
//! is the function's value either way, so what a run writes cannot depend on the memo,
//! the number of workers or their timing. Only the time a run takes does.
//!
//! The memo lives in a thread-local slot for the extent of [`record`] or [`replay`], so
//! every facade the pass reaches (the line's, the device's, the cloud's) uses it without
//! being told. Keys are digests, so no private scalar is stored as a key; the values
//! include ECDH secrets, which are wiped when the memo is dropped.

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::BTreeMap;
use zeroize::Zeroize;

/// One recorded result.
#[derive(Clone)]
pub(super) enum Outcome {
    Point([u8; 65]),
    Signature(p256::ecdsa::Signature),
    Verified(bool),
    Shared([u8; 32]),
}

/// The results one device's pass computed, by operation and inputs.
#[derive(Default)]
pub struct Memo {
    results: BTreeMap<[u8; 32], Outcome>,
    used: MemoUse,
}

/// How a replayed memo served: operations it had ready, and operations computed
/// because it did not hold them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemoUse {
    pub ready: u64,
    pub computed: u64,
}

impl MemoUse {
    pub fn add(&mut self, other: MemoUse) {
        self.ready += other.ready;
        self.computed += other.computed;
    }
}

impl Memo {
    /// How many results it holds.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        for (_, outcome) in self.results.iter_mut() {
            if let Outcome::Shared(secret) = outcome {
                // No shared secret outlives the device's pass; `zeroize` writes in a
                // way the optimiser may not drop as a store to memory about to be freed.
                secret.zeroize();
            }
        }
    }
}

/// What the current thread does with the operations it computes.
enum Slot {
    Record(Memo),
    Replay(Memo),
}

thread_local! {
    static SLOT: RefCell<Option<Slot>> = const { RefCell::new(None) };
}

/// Restores the thread's empty slot however `f` ends, so a panic in a pass cannot leave
/// a memo installed for whatever the thread runs next.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        SLOT.with(|slot| slot.borrow_mut().take());
    }
}

/// Whether this thread is recording: working out operations ahead of a run, not
/// running it.
pub fn recording() -> bool {
    SLOT.with(|slot| matches!(&*slot.borrow(), Some(Slot::Record(_))))
}

/// Runs `f`, recording every memoised operation it computes; returns its result and
/// the memo.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Memo) {
    install(Slot::Record(Memo::default()));
    let guard = Installed;
    let result = f();
    let memo = SLOT.with(|slot| match slot.borrow_mut().take() {
        Some(Slot::Record(memo)) => memo,
        _ => Memo::default(),
    });
    drop(guard);
    (result, memo)
}

/// Runs `f` with `memo`'s results available to every memoised operation it makes;
/// returns its result and how the memo served.
pub fn replay<R>(memo: Memo, f: impl FnOnce() -> R) -> (R, MemoUse) {
    // Nothing to look up (a one-job run, the line's own share of devices): run `f` as
    // it is, without hashing every operation's inputs for a lookup that cannot hit.
    if memo.is_empty() {
        return (f(), MemoUse::default());
    }
    install(Slot::Replay(memo));
    let guard = Installed;
    let result = f();
    let used = SLOT.with(|slot| match &*slot.borrow() {
        Some(Slot::Replay(memo)) => memo.used,
        _ => MemoUse::default(),
    });
    drop(guard);
    (result, used)
}

/// Puts `slot` in this thread's slot. Record and replay never nest (a device's pass
/// is recorded or replayed whole), so an occupied slot is a bug in the caller.
fn install(new: Slot) {
    SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        debug_assert!(slot.is_none(), "a memo is already installed on this thread");
        *slot = Some(new);
    });
}

/// The memo's key for an operation named `tag` on `inputs`.
pub(super) fn key(tag: &[u8], inputs: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update([tag.len() as u8]);
    hash.update(tag);
    for input in inputs {
        hash.update((input.len() as u32).to_be_bytes());
        hash.update(input);
    }
    hash.finalize().into()
}

/// The result of the operation `key` names: from the installed memo when it holds it,
/// else `compute`d (and recorded, when recording). `matches` picks the value out of a
/// recorded outcome of the right kind.
pub(super) fn cached<T>(
    key: impl FnOnce() -> [u8; 32],
    compute: impl FnOnce() -> T,
    wrap: impl FnOnce(&T) -> Outcome,
    matches: impl FnOnce(&Outcome) -> Option<T>,
) -> T {
    let installed = SLOT.with(|slot| slot.borrow().is_some());
    if !installed {
        return compute();
    }
    let key = key();
    let found = SLOT.with(|slot| match &mut *slot.borrow_mut() {
        Some(Slot::Replay(memo)) => {
            let found = memo.results.get(&key).and_then(matches);
            if found.is_some() {
                memo.used.ready += 1;
            } else {
                memo.used.computed += 1;
            }
            found
        }
        _ => None,
    });
    if let Some(value) = found {
        return value;
    }
    let value = compute();
    SLOT.with(|slot| {
        if let Some(Slot::Record(memo)) = &mut *slot.borrow_mut() {
            memo.results.insert(key, wrap(&value));
        }
    });
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn shared(tag: u8, calls: &Cell<u32>) -> [u8; 32] {
        cached(
            || key(b"test", &[&[tag]]),
            || {
                calls.set(calls.get() + 1);
                [tag; 32]
            },
            |value| Outcome::Shared(*value),
            |outcome| match outcome {
                Outcome::Shared(value) => Some(*value),
                _ => None,
            },
        )
    }

    #[test]
    fn a_replayed_memo_answers_what_was_recorded_and_computes_the_rest() {
        let calls = Cell::new(0);
        assert!(!recording());
        let ((), memo) = record(|| {
            assert!(recording());
            assert_eq!(shared(1, &calls), [1; 32]);
        });
        assert!(!recording());
        assert_eq!((calls.get(), memo.len()), (1, 1));
        let ((a, b), used) = replay(memo, || (shared(1, &calls), shared(2, &calls)));
        assert_eq!((a, b), ([1; 32], [2; 32]));
        assert_eq!(
            used,
            MemoUse {
                ready: 1,
                computed: 1
            }
        );
        // 1 came from the memo, 2 was computed.
        assert_eq!(calls.get(), 2);
        // Outside record/replay nothing is kept.
        shared(1, &calls);
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn keys_separate_operations_and_input_boundaries() {
        assert_ne!(key(b"a", &[b"bc"]), key(b"ab", &[b"c"]));
        assert_ne!(key(b"a", &[b"b", b"c"]), key(b"a", &[b"bc"]));
    }

    #[test]
    fn a_panicking_pass_leaves_no_memo_installed() {
        let result = std::panic::catch_unwind(|| record(|| panic!("the pass failed")));
        assert!(result.is_err());
        assert!(SLOT.with(|slot| slot.borrow().is_none()));
    }
}
