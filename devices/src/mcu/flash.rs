//! NOR flash: erased cells read 0xff and programming can only clear bits, so a cell must
//! be erased before new data goes in. Every program operation is a counted write.

use crate::error::DeviceError;

#[derive(Clone)]
pub struct Flash {
    base: u32,
    cells: Vec<u8>,
    writes: u64,
}

impl Flash {
    pub fn new(base: u32, size: u32) -> Self {
        Flash {
            base,
            cells: vec![0xff; size as usize],
            writes: 0,
        }
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
        let mut flash = Flash::new(0x100, 16);
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
        let mut flash = Flash::new(0x100, 16);
        assert!(flash.program(0x10f, &[1, 2]).is_err());
        assert!(flash.program(0xff, &[1]).is_err());
        assert!(!flash.contains(0x100, 17));
        assert!(flash.contains(0x100, 16));
    }
}
