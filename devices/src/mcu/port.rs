//! Memory access rules: who may attach to the debug port, which memory a debugger may
//! read, and which the running firmware may. Each refusal is a
//! [`FaultPoint::DebugAccess`] check.

use super::chip::Mcu;
use super::layout::*;
use super::options::Rdp;
use crate::error::PortError;
use crate::fault::FaultPoint;
use crate::life_cycle::LifeCycle;
use crate::target::Target;
use crate::weakness::Weakness;

impl Mcu {
    /// Whether the port answers at all: the debug-lock fuse, RDP level 2 and a scrapped
    /// life cycle each close it for good.
    pub(super) fn port_open(&mut self) -> Result<(), PortError> {
        if self.life_cycle() == LifeCycle::Scrapped {
            return Err(PortError::Scrapped);
        }
        let locked =
            self.otp.is_blown(OTP_DEBUG_LOCK_BIT) && !self.weak(Weakness::DebugLockIgnored);
        if !self.check(FaultPoint::DebugAccess, !locked) {
            return Err(PortError::Locked);
        }
        let disabled = self.option_bytes().rdp == Rdp::Level2;
        if !self.check(FaultPoint::DebugAccess, !disabled) {
            return Err(PortError::Disabled);
        }
        Ok(())
    }

    /// What a debugger on an open port may read. RDP level 1 keeps flash and fuses
    /// away from it (outside RMA); the secure region keeps the key store away always.
    /// Option bytes stay readable, as on real parts, so a tool can see the level.
    pub(super) fn read_access(&mut self, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        self.memory_read(addr, len, true)
    }

    /// What the running firmware may read: everything mapped but the secure region.
    pub(super) fn cpu_read(&mut self, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        if !self.running {
            return Err(PortError::NotRunning);
        }
        self.memory_read(addr, len, false)
    }

    /// A read of mapped memory. `debugger`: readout protection applies; the secure
    /// region applies to everyone but the boot ROM.
    fn memory_read(&mut self, addr: u32, len: u32, debugger: bool) -> Result<Vec<u8>, PortError> {
        let end = u64::from(addr) + u64::from(len);
        let in_flash = self.flash.contains(addr, len);
        let in_otp = addr >= OTP_BASE && end <= u64::from(OTP_BASE + OTP_SIZE);
        let in_options = addr >= OPTIONS_BASE && end <= u64::from(OPTIONS_BASE + OPTIONS_SIZE);
        if !(in_flash || in_otp || in_options) {
            return Err(PortError::Unmapped { addr, len });
        }
        let options = self.option_bytes();
        if debugger && (in_flash || in_otp) {
            let protected = options.rdp == Rdp::Level1 && self.life_cycle() != LifeCycle::Rma;
            if !self.check(FaultPoint::DebugAccess, !protected) {
                return Err(PortError::ReadProtected { addr });
            }
        }
        if in_flash && options.secure_region && !self.weak(Weakness::NoSecureRegion) {
            let secure_end = u64::from(SECURE_REGION_BASE + SECURE_REGION_SIZE);
            let overlaps = u64::from(addr) < secure_end && end > u64::from(SECURE_REGION_BASE);
            if !self.check(FaultPoint::DebugAccess, !overlaps) {
                return Err(PortError::SecureRegion { addr });
            }
        }
        Ok(if in_flash {
            self.flash.read(addr, len)
        } else if in_otp {
            self.otp.read((addr - OTP_BASE) as usize, len as usize)
        } else {
            self.options.read(addr, len)
        })
    }
}

impl Mcu {
    /// A read through the test port of a part in RMA whose design reopens it there (an
    /// ASIC's test mode, unlocked by the RMA token after the key store was wiped): the
    /// lock fuse is not consulted; RDP 2 and a scrapped part still refuse.
    pub(crate) fn rma_test_port_read(&mut self, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        if self.life_cycle() != LifeCycle::Rma {
            return Err(PortError::Locked);
        }
        let disabled = self.option_bytes().rdp == Rdp::Level2;
        if !self.check(FaultPoint::DebugAccess, !disabled) {
            return Err(PortError::Disabled);
        }
        self.read_access(addr, len)
    }
}
