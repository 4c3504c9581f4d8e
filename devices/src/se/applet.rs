//! The applet's fixed numbers: its AID, its limits and its instruction bytes, as the
//! card and the station's driver both name them.

/// The applet's AID (a proprietary RID and PIX).
pub const AID: &[u8] = b"\xf0provsim-se";
/// Objects the card holds at most.
pub const MAX_OBJECTS: usize = 16;
/// Tries a PIN gets before it blocks.
pub const PIN_TRIES: u8 = 3;
/// Bytes a certificate or data object holds at most.
pub const MAX_CONTENT: usize = 2048;

/// Instruction bytes.
pub mod ins {
    pub const SELECT: u8 = 0xa4;
    pub const GET_DATA: u8 = 0xca;
    pub const INITIALIZE_UPDATE: u8 = 0x50;
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    pub const CREATE_OBJECT: u8 = 0xe0;
    pub const GENERATE_KEY: u8 = 0x46;
    pub const PUT_KEY: u8 = 0xd8;
    pub const WRITE_OBJECT: u8 = 0xd6;
    pub const READ_OBJECT: u8 = 0xb0;
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
    pub const VERIFY: u8 = 0x20;
    pub const CHANGE_PIN: u8 = 0x24;
    pub const SET_ACCESS: u8 = 0xda;
    pub const ACTIVATE: u8 = 0x44;
    pub const TERMINATE: u8 = 0xe6;
    pub const SET_STATUS: u8 = 0xf0;
    pub const GET_TRANSPORT_KEY: u8 = 0xcb;
    pub const IMPORT_SEALED_KEY: u8 = 0xdb;
    pub const ESTABLISH_SESSION: u8 = 0x87;
    pub const PERFORM_SECURITY_OPERATION: u8 = 0x2a;
}

/// The vendor's diagnostic instruction: undocumented, and answered only by an applet
/// built with the `se-vendor-diagnostic` weakness.
pub const VENDOR_DIAGNOSTIC: u8 = 0xee;

/// SET STATUS's P1: close personalisation, or terminate the card.
pub const CLOSE_PERSONALISATION: u8 = 0x00;
pub const TERMINATE_CARD: u8 = 0xff;
/// GET DATA's P2 for the object directory.
pub const OBJECT_DIRECTORY: u8 = 0x4f;
/// WRITE OBJECT's P1 bit: append to what the object holds.
pub const APPEND: u8 = 0x80;
