//! Speaking APDUs to a card through the `Target`'s card interface, as a reader does:
//! what the three card paths share. Everything here is public ISO/IEC 7816-4 and the
//! card's data sheet: the applet's AID and the object directory's GET DATA tag.

use provsim_devices::Target;
use provsim_devices::se::{AID, OBJECT_DIRECTORY, ins};
use provsim_sim::Ctx;

/// The status word that ends an answer (0 for an answer too short to hold one).
pub fn status(answer: &[u8]) -> u16 {
    match answer {
        [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
        _ => 0,
    }
}

/// An answer's data, without its status word.
pub fn data(answer: &[u8]) -> &[u8] {
    &answer[..answer.len().saturating_sub(2)]
}

pub const OK: u16 = 0x9000;
/// "Security status not satisfied": what an access rule's refusal answers.
pub const REFUSED: u16 = 0x6982;

/// A short command APDU: header, data with Lc if any, and Le.
pub fn command(cla: u8, ins: u8, p1: u8, p2: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![cla, ins, p1, p2];
    if !body.is_empty() {
        out.push(body.len() as u8);
        out.extend_from_slice(body);
    }
    out.push(0);
    out
}

/// Selects the applet; the card's answer, or why the part took no APDU.
pub fn select(target: &mut dyn Target, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, String> {
    let mut select = vec![0x00, ins::SELECT, 0x04, 0x00, AID.len() as u8];
    select.extend_from_slice(AID);
    target.apdu(ctx, &select).map_err(|e| e.to_string())
}

/// The object ids the card lists in its public directory (after a selection).
pub fn directory(target: &mut dyn Target, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, String> {
    let answer = target
        .apdu(ctx, &command(0x00, ins::GET_DATA, 0, OBJECT_DIRECTORY, &[]))
        .map_err(|e| e.to_string())?;
    if status(&answer) != OK {
        return Err(format!(
            "the card refused its object directory (SW {:04X})",
            status(&answer)
        ));
    }
    Ok(data(&answer).to_vec())
}
