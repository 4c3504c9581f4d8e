//! The run's ledger: one fixed-size entry for every device the line started, in device
//! order: its trace digest, its id, and the identity it shipped with (none if the
//! station rejected it). The run reads it back after the lots (returns, the run digest,
//! ground truth, the report), so it is kept whole; a sink that writes files offers a
//! scratch file for it, and then a run holds nothing per device in memory for it, at
//! any lot size.

use crate::ledger::ShippedDevice;
use provsim_devices::DeviceId;
use provsim_sim::Digest;
use provsim_sim::crypto::Fingerprint;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// Bytes an entry takes: trace digest (32), identity fingerprint (32, zeros if none),
/// device id (8, big-endian) and whether it shipped (1). A million devices, 73 MB.
pub const ENTRY_BYTES: usize = 73;

/// Entries read from the store at once: 73 KiB.
const CHUNK: usize = 1024;

/// One device the line started, as the ledger keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry {
    pub index: u64,
    pub device_id: DeviceId,
    /// The identity it shipped with; `None` for a device the station rejected.
    pub identity: Option<Fingerprint>,
    /// Its trace's digest.
    pub trace: Digest,
}

impl LedgerEntry {
    fn encode(&self) -> [u8; ENTRY_BYTES] {
        let mut out = [0u8; ENTRY_BYTES];
        out[..32].copy_from_slice(&self.trace.0);
        if let Some(identity) = self.identity {
            out[32..64].copy_from_slice(&identity.0);
            out[72] = 1;
        }
        out[64..72].copy_from_slice(&self.device_id.0.to_be_bytes());
        out
    }

    fn decode(index: u64, bytes: &[u8]) -> LedgerEntry {
        let mut trace = [0u8; 32];
        trace.copy_from_slice(&bytes[..32]);
        let mut identity = [0u8; 32];
        identity.copy_from_slice(&bytes[32..64]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&bytes[64..72]);
        LedgerEntry {
            index,
            device_id: DeviceId(u64::from_be_bytes(id)),
            identity: (bytes[72] == 1).then_some(Fingerprint(identity)),
            trace: Digest(trace),
        }
    }

    /// The device as shipped, if it shipped.
    pub fn shipped(&self) -> Option<ShippedDevice> {
        Some(ShippedDevice {
            index: self.index,
            device_id: self.device_id,
            identity: self.identity?,
        })
    }
}

/// Which devices shipped, and where a shipped device stands among them: the started
/// devices are `0..started`, all shipped but the few listed in `unshipped`.
#[derive(Debug, Default)]
struct Count {
    started: u64,
    shipped: u64,
    /// Started devices that did not ship, in order: a handful, as the yield allows.
    unshipped: Vec<u64>,
}

enum Writer {
    Memory(Vec<u8>),
    File(BufWriter<File>),
}

/// The ledger as the line writes it, device by device.
pub(crate) struct LedgerBook {
    writer: Writer,
    count: Count,
}

impl LedgerBook {
    /// A ledger written to `file` if given (from its start; nothing else should use
    /// it), else kept in memory, sized for `devices` at once.
    pub(crate) fn new(file: Option<File>, devices: usize) -> Self {
        let writer = match file {
            Some(file) => Writer::File(BufWriter::with_capacity(CHUNK * ENTRY_BYTES, file)),
            None => Writer::Memory(Vec::with_capacity(devices.saturating_mul(ENTRY_BYTES))),
        };
        LedgerBook {
            writer,
            count: Count::default(),
        }
    }

    /// An in-memory book whose next entry is device `next`: a `--jobs` shadow line
    /// enters only its own devices, each into a book of its own.
    pub(crate) fn from_device(next: u64) -> Self {
        let mut book = LedgerBook::new(None, 1);
        book.count.started = next;
        book
    }

    /// Devices shipped so far.
    pub(crate) fn shipped(&self) -> u64 {
        self.count.shipped
    }

    /// Adds the next device's entry: devices are entered in order, each once.
    pub(crate) fn push(&mut self, entry: &LedgerEntry) -> io::Result<()> {
        if entry.index != self.count.started {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "device {} entered where device {} is due",
                    entry.index, self.count.started
                ),
            ));
        }
        let bytes = entry.encode();
        match &mut self.writer {
            Writer::Memory(memory) => memory.extend_from_slice(&bytes),
            Writer::File(file) => file.write_all(&bytes)?,
        }
        self.count.started += 1;
        match entry.identity {
            Some(_) => self.count.shipped += 1,
            None => self.count.unshipped.push(entry.index),
        }
        Ok(())
    }

    /// The ledger, whole, for reading.
    pub(crate) fn close(self) -> io::Result<Ledger> {
        let store = match self.writer {
            Writer::Memory(memory) => Store::Memory(memory),
            Writer::File(file) => Store::File(Mutex::new(file.into_inner()?)),
        };
        Ok(Ledger {
            store,
            count: self.count,
        })
    }
}

enum Store {
    Memory(Vec<u8>),
    File(Mutex<File>),
}

impl Store {
    /// Fills `buf` with the entries from `first` on.
    fn read(&self, first: u64, buf: &mut [u8]) -> io::Result<()> {
        let at = first.saturating_mul(ENTRY_BYTES as u64);
        match self {
            Store::Memory(memory) => {
                let bytes = usize::try_from(at)
                    .ok()
                    .and_then(|at| memory.get(at..at + buf.len()))
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(bytes);
                Ok(())
            }
            Store::File(file) => {
                let mut file = file
                    .lock()
                    .map_err(|_| io::Error::other("the ledger's file was poisoned"))?;
                file.seek(SeekFrom::Start(at))?;
                file.read_exact(buf)
            }
        }
    }
}

/// The run's ledger, once the lots are through: every started device's entry, in device
/// order, read back as often as needed.
pub struct Ledger {
    store: Store,
    count: Count,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("started", &self.count.started)
            .field("shipped", &self.count.shipped)
            .field("in_file", &matches!(self.store, Store::File(_)))
            .finish()
    }
}

impl Ledger {
    /// A ledger of `entries` (devices 0, 1, … in order), in memory: for tests and tools
    /// that judge a ledger without running a line.
    pub fn from_entries(entries: impl IntoIterator<Item = LedgerEntry>) -> io::Result<Ledger> {
        let mut book = LedgerBook::new(None, 0);
        for entry in entries {
            book.push(&entry)?;
        }
        book.close()
    }

    /// Devices the line started (shipped or not). A filled order, or a link that went
    /// down for good, stops the line: the dies after it are not started.
    pub fn started(&self) -> u64 {
        self.count.started
    }

    /// Devices shipped.
    pub fn shipped(&self) -> u64 {
        self.count.shipped
    }

    pub fn is_shipped(&self, index: u64) -> bool {
        self.position_of(index).is_some()
    }

    /// Where shipped device `index` stands among the shipped devices (from 0).
    pub fn position_of(&self, index: u64) -> Option<u64> {
        let unshipped = &self.count.unshipped;
        if index >= self.count.started || unshipped.binary_search(&index).is_ok() {
            return None;
        }
        Some(index - unshipped.partition_point(|&u| u < index) as u64)
    }

    /// The index of the shipped device at `position` among the shipped devices.
    pub fn index_at(&self, position: u64) -> Option<u64> {
        if position >= self.count.shipped {
            return None;
        }
        // The k-th device that did not ship has `unshipped[k] - k` shipped ones before
        // it, a count that never falls: those with no more than `position` come first.
        let unshipped = &self.count.unshipped;
        let (mut low, mut high) = (0, unshipped.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if unshipped[mid] - mid as u64 <= position {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        Some(position + low as u64)
    }

    /// Device `index`'s entry, if it was started.
    pub fn entry(&self, index: u64) -> io::Result<Option<LedgerEntry>> {
        if index >= self.count.started {
            return Ok(None);
        }
        let mut bytes = [0u8; ENTRY_BYTES];
        self.store.read(index, &mut bytes)?;
        Ok(Some(LedgerEntry::decode(index, &bytes)))
    }

    /// The shipped device at `position` among the shipped devices.
    pub fn shipped_at(&self, position: u64) -> io::Result<Option<ShippedDevice>> {
        match self.index_at(position) {
            Some(index) => Ok(self.entry(index)?.and_then(|e| e.shipped())),
            None => Ok(None),
        }
    }

    /// Every started device's entry, in order.
    pub fn entries(&self) -> Entries<'_> {
        Entries {
            ledger: self,
            next: 0,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// The shipped devices, in order.
    pub fn shipped_devices(&self) -> impl Iterator<Item = io::Result<ShippedDevice>> + '_ {
        self.entries()
            .filter_map(|entry| entry.map(|e| e.shipped()).transpose())
    }

    /// Every started device's trace digest, in order.
    pub fn traces(&self) -> impl Iterator<Item = io::Result<Digest>> + '_ {
        self.entries().map(|entry| entry.map(|e| e.trace))
    }

    /// Every shipped device at once, in order: for tests and small runs (a large run
    /// reads them one at a time, with [`Ledger::shipped_devices`]).
    pub fn all_shipped(&self) -> io::Result<Vec<ShippedDevice>> {
        self.shipped_devices().collect()
    }

    /// Device `index`'s trace digest, if it was started.
    pub fn trace(&self, index: u64) -> io::Result<Option<Digest>> {
        Ok(self.entry(index)?.map(|e| e.trace))
    }
}

/// The ledger's entries in order, read a chunk at a time. After an error it ends.
pub struct Entries<'l> {
    ledger: &'l Ledger,
    /// The index of the entry after those in `buf`.
    next: u64,
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out.
    at: usize,
}

impl Iterator for Entries<'_> {
    type Item = io::Result<LedgerEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at == self.buf.len() {
            let left = self.ledger.count.started - self.next;
            if left == 0 {
                return None;
            }
            let take = left.min(CHUNK as u64) as usize;
            self.buf.resize(take * ENTRY_BYTES, 0);
            self.at = 0;
            if let Err(error) = self.ledger.store.read(self.next, &mut self.buf) {
                self.next = self.ledger.count.started;
                self.buf.clear();
                return Some(Err(error));
            }
            self.next += take as u64;
        }
        let in_buf = (self.buf.len() - self.at) / ENTRY_BYTES;
        let index = self.next - in_buf as u64;
        let entry = LedgerEntry::decode(index, &self.buf[self.at..self.at + ENTRY_BYTES]);
        self.at += ENTRY_BYTES;
        Some(Ok(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u64, shipped: bool) -> LedgerEntry {
        let byte = index as u8;
        LedgerEntry {
            index,
            device_id: DeviceId(0x1234_0001_0000_0000 | index),
            identity: shipped.then_some(Fingerprint([byte ^ 0xa5; 32])),
            trace: Digest([byte; 32]),
        }
    }

    /// Devices 0..n, those in `rejected` not shipped, in memory or in a file.
    fn written(n: u64, rejected: &[u64], in_file: bool) -> Ledger {
        let file = in_file.then(|| tempfile::tempfile().unwrap());
        let mut book = LedgerBook::new(file, 4);
        for index in 0..n {
            book.push(&entry(index, !rejected.contains(&index)))
                .unwrap();
        }
        book.close().unwrap()
    }

    #[test]
    fn a_file_and_memory_read_back_the_same_entries() {
        let rejected = [0, 3, 4, 1500, 2047, 2048, 2999];
        for in_file in [false, true] {
            let ledger = written(3000, &rejected, in_file);
            assert_eq!((ledger.started(), ledger.shipped()), (3000, 2993));
            let all: Vec<LedgerEntry> = ledger.entries().map(Result::unwrap).collect();
            assert_eq!(all.len(), 3000);
            for (i, e) in all.iter().enumerate() {
                assert_eq!(*e, entry(i as u64, !rejected.contains(&(i as u64))));
                assert_eq!(ledger.entry(i as u64).unwrap(), Some(*e));
            }
            assert_eq!(ledger.entry(3000).unwrap(), None);
            let shipped: Vec<ShippedDevice> =
                ledger.shipped_devices().map(Result::unwrap).collect();
            assert_eq!(shipped.len(), 2993);
            for (position, device) in shipped.iter().enumerate() {
                let position = position as u64;
                assert_eq!(ledger.index_at(position), Some(device.index));
                assert_eq!(ledger.position_of(device.index), Some(position));
                assert_eq!(ledger.shipped_at(position).unwrap(), Some(*device));
            }
            for index in rejected.into_iter().chain([3000, 5000]) {
                assert!(!ledger.is_shipped(index));
            }
            assert_eq!(ledger.index_at(2993), None);
            assert_eq!(ledger.traces().count(), 3000);
        }
    }

    #[test]
    fn entries_come_in_order_and_only_once() {
        let mut book = LedgerBook::new(None, 0);
        book.push(&entry(0, true)).unwrap();
        assert!(book.push(&entry(2, true)).is_err());
        assert!(book.push(&entry(0, true)).is_err());
        book.push(&entry(1, false)).unwrap();
        let ledger = book.close().unwrap();
        assert_eq!((ledger.started(), ledger.shipped()), (2, 1));
        assert_eq!(ledger.position_of(1), None);
        assert_eq!(written(0, &[], true).entries().count(), 0);
    }

    /// The ledger's budget: a fixed entry on disk, and in memory only the devices that
    /// did not ship.
    #[test]
    fn an_entry_is_seventy_three_bytes() {
        assert_eq!(entry(7, true).encode().len(), ENTRY_BYTES);
        assert_eq!(ENTRY_BYTES, 73);
    }
}
