//! STUB
#[derive(Clone, Debug)]
pub struct AdFingerprint;
impl AdFingerprint {
    pub fn of(_t: &str, _p: &str, _x: &str) -> Self {
        Self
    }
    pub fn band_keys(&self) -> Vec<i64> {
        Vec::new()
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        Vec::new()
    }
    pub fn from_bytes(_b: &[u8]) -> Option<Self> {
        Some(Self)
    }
}
pub fn same_job(_a: &AdFingerprint, _b: &AdFingerprint) -> bool {
    false
}
