//! A stable content hash: object keys of staged templates, default change set
//! names, and the digest of the bootstrap stack that the other stacks require.
//! Not a cryptographic hash: it tells versions apart, it does not protect them.

/// FNV-1a, 64 bits.
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // Separate the parts: ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable_and_separates_parts() {
        assert_eq!(fnv64(&[b"abc"]), fnv64(&[b"abc"]));
        assert_ne!(fnv64(&[b"ab", b"c"]), fnv64(&[b"a", b"bc"]));
        assert_ne!(fnv64(&[b"abc"]), fnv64(&[b"abd"]));
    }
}
