//! One-time-programmable fuses: a bit once blown stays blown. Programming ORs bits in;
//! nothing in this type can clear one. Every program operation is a counted write.

#[derive(Clone)]
pub struct OtpFuses {
    bits: Vec<u8>,
    writes: u64,
}

impl OtpFuses {
    pub fn new(bytes: usize) -> Self {
        OtpFuses {
            bits: vec![0; bytes],
            writes: 0,
        }
    }

    pub fn is_blown(&self, bit: u32) -> bool {
        let (byte, mask) = ((bit / 8) as usize, 1u8 << (bit % 8));
        self.bits.get(byte).is_some_and(|b| b & mask != 0)
    }

    /// Blows one bit. Returns false if the bit does not exist.
    pub fn blow(&mut self, bit: u32) -> bool {
        let (byte, mask) = ((bit / 8) as usize, 1u8 << (bit % 8));
        match self.bits.get_mut(byte) {
            Some(b) => {
                *b |= mask;
                self.writes += 1;
                true
            }
            None => false,
        }
    }

    /// ORs `data` into the fuses from byte `offset`. Returns false if it does not fit.
    pub fn program(&mut self, offset: usize, data: &[u8]) -> bool {
        let Some(target) = self.bits.get_mut(offset..offset + data.len()) else {
            return false;
        };
        for (fuse, bits) in target.iter_mut().zip(data) {
            *fuse |= bits;
        }
        self.writes += 1;
        true
    }

    pub fn read(&self, offset: usize, len: usize) -> Vec<u8> {
        self.bits
            .get(offset..offset + len)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    pub fn writes(&self) -> u64 {
        self.writes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// No sequence of operations ever clears a blown bit.
        #[test]
        fn bits_only_ever_get_set(ops in proptest::collection::vec((0usize..8, any::<u8>(), 0u32..80), 1..40)) {
            let mut otp = OtpFuses::new(8);
            let mut before = otp.read(0, 8);
            for (offset, byte, bit) in ops {
                otp.program(offset, &[byte]);
                otp.blow(bit);
                let after = otp.read(0, 8);
                for (b, a) in before.iter().zip(&after) {
                    prop_assert_eq!(b & a, *b);
                }
                before = after;
            }
        }
    }

    #[test]
    fn out_of_range_writes_are_refused_and_not_counted() {
        let mut otp = OtpFuses::new(4);
        assert!(!otp.blow(32));
        assert!(!otp.program(3, &[1, 2]));
        assert_eq!(otp.writes(), 0);
        assert!(otp.blow(31));
        assert!(otp.is_blown(31));
    }
}
