//! NOR flash: erased cells read 0xff and programming can only clear bits, so a cell must
//! be erased before new data goes in, and erasing works on whole sectors. Every program
//! and every sector erase is a counted write.

use crate::error::DeviceError;

#[derive(Clone)]
pub struct Flash {
    base: u32,
    sector_size: u32,
    cells: Vec<u8>,
    writes: u64,
}

impl Flash {
    /// `size` must be a whole number of `sector_size` sectors.
    pub fn new(base: u32, size: u32, sector_size: u32) -> Self {
        debug_assert!(sector_size > 0 && size.is_multiple_of(sector_size));
        Flash {
            base,
            sector_size,
            cells: vec![0xff; size as usize],
            writes: 0,
        }
    }

    /// Flash as it leaves the fab with `data` at its start: not a write of this chip's
    /// life, so not counted.
    pub fn preloaded(base: u32, size: u32, sector_size: u32, data: &[u8]) -> Self {
        let mut flash = Flash::new(base, size, sector_size);
        let n = data.len().min(flash.cells.len());
        flash.cells[..n].copy_from_slice(&data[..n]);
        flash
    }

    pub fn sectors(&self) -> u32 {
        self.cells.len() as u32 / self.sector_size
    }

    /// Returns sector `index` to the erased state. Returns false if it does not exist.
    pub fn erase_sector(&mut self, index: u32) -> bool {
        let size = self.sector_size as usize;
        let start = index as usize * size;
        match self.cells.get_mut(start..start + size) {
            Some(sector) => {
                sector.fill(0xff);
                self.writes += 1;
                true
            }
            None => false,
        }
    }

    /// Whether every cell of `[addr, addr + len)` is erased.
    pub fn is_erased(&self, addr: u32, len: u32) -> bool {
        self.contains(addr, len) && self.read(addr, len).iter().all(|&cell| cell == 0xff)
    }

    pub fn contains(&self, addr: u32, len: u32) -> bool {
        let end = u64::from(addr) + u64::from(len);
        addr >= self.base && end <= u64::from(self.base) + self.cells.len() as u64
    }

    /// `len` bytes at `addr`; the caller has checked [`Flash::contains`].
    pub fn read(&self, addr: u32, len: u32) -> Vec<u8> {
        let start = (addr - self.base) as usize;
        self.cells[start..start + len as usize].to_vec()
    }

    /// Programs `data` at `addr`, which must lie in erased flash.
    pub fn program(&mut self, addr: u32, data: &[u8]) -> Result<(), DeviceError> {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        if !self.contains(addr, len) {
            return Err(DeviceError::TooLarge {
                what: "flash program",
                len: data.len(),
                capacity: self.cells.len(),
            });
        }
        let start = (addr - self.base) as usize;
        let target = &mut self.cells[start..start + data.len()];
        if let Some(pos) = target.iter().position(|&cell| cell != 0xff) {
            return Err(DeviceError::NotErased {
                addr: addr + pos as u32,
            });
        }
        target.copy_from_slice(data);
        self.writes += 1;
        Ok(())
    }

    pub fn writes(&self) -> u64 {
        self.writes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programmed_cells_cannot_be_programmed_again() {
        let mut flash = Flash::new(0x100, 16, 8);
        flash.program(0x104, &[1, 2]).unwrap();
        assert_eq!(flash.read(0x104, 2), [1, 2]);
        assert_eq!(
            flash.program(0x105, &[9]),
            Err(DeviceError::NotErased { addr: 0x105 })
        );
        assert_eq!(flash.writes(), 1);
    }

    #[test]
    fn writes_outside_the_array_are_refused() {
        let mut flash = Flash::new(0x100, 16, 8);
        assert!(flash.program(0x10f, &[1, 2]).is_err());
        assert!(flash.program(0xff, &[1]).is_err());
        assert!(!flash.contains(0x100, 17));
        assert!(flash.contains(0x100, 16));
    }

    #[test]
    fn erase_returns_a_whole_sector_and_only_it() {
        let mut flash = Flash::new(0x100, 16, 8);
        flash.program(0x106, &[1, 2, 3, 4]).unwrap();
        assert!(flash.erase_sector(0));
        assert_eq!(
            flash.read(0x100, 16),
            [
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff
            ]
        );
        flash.program(0x106, &[7]).unwrap();
        assert!(!flash.erase_sector(2));
        assert_eq!(flash.writes(), 3);
        assert!(flash.is_erased(0x100, 6));
        assert!(!flash.is_erased(0x100, 7));
    }
}
