//! A SHA-256 whose state can be saved at a block boundary and resumed in another process: an
//! upload resumed after a kill goes on hashing where the finished parts ended, without reading
//! them again. Built on `sha2`'s compression function; checked against `sha2::Sha256`.

use serde::{Deserialize, Serialize};
use sha2::digest::generic_array::GenericArray;

const INIT: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The saved state: the chaining value after `bytes` bytes (a multiple of 64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Saved {
    state: [u32; 8],
    bytes: u64,
}

/// An incremental SHA-256.
#[derive(Clone)]
pub(crate) struct Sha256 {
    state: [u32; 8],
    /// Bytes compressed so far (whole blocks).
    bytes: u64,
    /// Bytes of the block not yet full.
    pending: Vec<u8>,
}

impl Sha256 {
    pub(crate) fn new() -> Self {
        Sha256 {
            state: INIT,
            bytes: 0,
            pending: Vec::with_capacity(64),
        }
    }

    /// Goes on from a saved state.
    pub(crate) fn resume(saved: &Saved) -> Option<Self> {
        saved.bytes.is_multiple_of(64).then(|| Sha256 {
            state: saved.state,
            bytes: saved.bytes,
            pending: Vec::with_capacity(64),
        })
    }

    /// The state, when at a block boundary (a part of a multiple of 64 bytes just ended).
    pub(crate) fn save(&self) -> Option<Saved> {
        self.pending.is_empty().then_some(Saved {
            state: self.state,
            bytes: self.bytes,
        })
    }

    fn compress(&mut self, blocks: &[u8]) {
        debug_assert!(blocks.len().is_multiple_of(64));
        for block in blocks.chunks_exact(64) {
            sha2::compress256(
                &mut self.state,
                std::slice::from_ref(GenericArray::from_slice(block)),
            );
        }
        self.bytes += blocks.len() as u64;
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if !self.pending.is_empty() {
            let take = (64 - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < 64 {
                return;
            }
            let block = std::mem::take(&mut self.pending);
            self.compress(&block);
            self.pending = block;
            self.pending.clear();
        }
        let whole = data.len() - data.len() % 64;
        self.compress(&data[..whole]);
        self.pending.extend_from_slice(&data[whole..]);
    }

    /// The digest, lowercase hex.
    pub(crate) fn finish_hex(mut self) -> String {
        let bits = (self.bytes + self.pending.len() as u64) * 8;
        let mut tail = std::mem::take(&mut self.pending);
        tail.push(0x80);
        while tail.len() % 64 != 56 {
            tail.push(0);
        }
        tail.extend_from_slice(&bits.to_be_bytes());
        self.compress(&tail);
        self.state.iter().map(|w| format!("{w:08x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &[u8]) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn matches_sha2_for_every_length_and_split() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 251) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 3000] {
            let whole = &data[..len];
            for cut in [0, 1, len / 3, len / 2, len] {
                let mut h = Sha256::new();
                h.update(&whole[..cut.min(len)]);
                h.update(&whole[cut.min(len)..]);
                assert_eq!(h.finish_hex(), reference(whole), "len {len} cut {cut}");
            }
        }
    }

    #[test]
    fn a_saved_state_resumes_in_a_new_hasher() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 253) as u8).collect();
        let mut h = Sha256::new();
        h.update(&data[..100]);
        assert!(h.save().is_none(), "not at a block boundary");
        h.update(&data[100..4096]);
        let saved = h.save().expect("4096 is a block boundary");
        let text = serde_json::to_string(&saved).unwrap();
        let mut resumed = Sha256::resume(&serde_json::from_str(&text).unwrap()).unwrap();
        resumed.update(&data[4096..]);
        assert_eq!(resumed.finish_hex(), reference(&data));
        assert!(
            Sha256::resume(&Saved {
                state: INIT,
                bytes: 65
            })
            .is_none()
        );
    }
}
