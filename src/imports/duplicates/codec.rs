//! A fingerprint as bytes, for a bytea column: a version byte, then the title key, the place key, the shingle count,
//! the bottom-k sketch and the bins, integers little-endian and strings UTF-8 behind a u16 length. Reading checks
//! every length and invariant, so a damaged row is an error, never a panic or a wrong answer.

use super::place::PlaceKey;
use super::sketch::{TextSketch, BINS, SKETCH_SIZE};
use super::AdFingerprint;

const FORMAT_VERSION: u8 = 1;

/// Bytes that are not a fingerprint of this version.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FingerprintError {
    #[error("fingerprint format version {0} is not known (this build reads version {FORMAT_VERSION})")]
    Version(u8),
    #[error("fingerprint ends early")]
    Truncated,
    #[error("fingerprint is damaged: {0}")]
    Invalid(&'static str),
}

pub fn to_bytes(fingerprint: &AdFingerprint) -> Vec<u8> {
    let text = &fingerprint.text;
    let mut out = Vec::with_capacity(16 + fingerprint.title.len() + 4 * (text.bottom.len() + text.bins.len()));
    out.push(FORMAT_VERSION);
    put_str(&mut out, &fingerprint.title);
    match &fingerprint.place {
        PlaceKey::Unknown => out.push(0),
        PlaceKey::Country(name) => {
            out.push(1);
            put_str(&mut out, name);
        }
        PlaceKey::Region(region) => out.extend([2, *region]),
        PlaceKey::Municipality { code, region } => {
            out.push(3);
            out.extend(code.to_le_bytes());
            out.push(*region);
        }
        PlaceKey::Named(name) => {
            out.push(4);
            put_str(&mut out, name);
        }
    }
    out.extend(text.shingles.to_le_bytes());
    // Both lengths are bounded by construction (SKETCH_SIZE, BINS).
    out.extend((text.bottom.len() as u16).to_le_bytes());
    text.bottom.iter().for_each(|h| out.extend(h.to_le_bytes()));
    out.push(text.bins.len() as u8);
    text.bins.iter().for_each(|h| out.extend(h.to_le_bytes()));
    out
}

/// Strings in a fingerprint are keys of at most a few hundred ASCII characters (accents are folded), so they fit a
/// u16 length; the cut is only a guard.
fn put_str(out: &mut Vec<u8>, s: &str) {
    let bytes = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
    out.extend((bytes.len() as u16).to_le_bytes());
    out.extend(bytes);
}

pub fn from_bytes(bytes: &[u8]) -> Result<AdFingerprint, FingerprintError> {
    let mut r = Reader(bytes);
    match r.u8()? {
        FORMAT_VERSION => {}
        other => return Err(FingerprintError::Version(other)),
    }
    let title = r.string()?;
    let place = match r.u8()? {
        0 => PlaceKey::Unknown,
        1 => PlaceKey::Country(r.string()?),
        2 => PlaceKey::Region(r.u8()?),
        3 => PlaceKey::Municipality { code: u16::from_le_bytes(r.array()?), region: r.u8()? },
        4 => PlaceKey::Named(r.string()?),
        _ => return Err(FingerprintError::Invalid("unknown place kind")),
    };
    let shingles = u32::from_le_bytes(r.array()?);
    let bottom_len = usize::from(u16::from_le_bytes(r.array()?));
    let bottom = r.u32s(bottom_len)?;
    let bins_len = usize::from(r.u8()?);
    let bins = r.u32s(bins_len)?;
    if !r.0.is_empty() {
        return Err(FingerprintError::Invalid("bytes after the end"));
    }
    check_sketch(shingles, &bottom, &bins)?;
    Ok(AdFingerprint { title, place, text: TextSketch { shingles, bottom, bins } })
}

fn check_sketch(shingles: u32, bottom: &[u32], bins: &[u32]) -> Result<(), FingerprintError> {
    let expected_bottom = (shingles as usize).min(SKETCH_SIZE);
    if bottom.len() != expected_bottom || !bottom.windows(2).all(|w| w[0] < w[1]) {
        return Err(FingerprintError::Invalid("sketch does not match its shingle count or is not ascending"));
    }
    if bins.len() != if shingles == 0 { 0 } else { BINS } {
        return Err(FingerprintError::Invalid("wrong number of bins"));
    }
    Ok(())
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], FingerprintError> {
        if self.0.len() < n {
            return Err(FingerprintError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FingerprintError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, FingerprintError> {
        Ok(self.array::<1>()?[0])
    }

    fn string(&mut self) -> Result<String, FingerprintError> {
        let len = usize::from(u16::from_le_bytes(self.array()?));
        let bytes = self.take(len)?.to_vec();
        String::from_utf8(bytes).map_err(|_| FingerprintError::Invalid("a key is not UTF-8"))
    }

    /// `n` is at most u16::MAX, and the bytes must be there before anything is allocated.
    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, FingerprintError> {
        let bytes = self.take(n * 4)?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}
