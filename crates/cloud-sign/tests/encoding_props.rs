//! Property tests for the one RFC 3986 encoder and the canonical query string.

use cloud_sign::{canonical_query, encode_path, percent_encode};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Arbitrary text, weighted towards what makes encoders go wrong: reserved ASCII, `%`, `+`,
/// spaces, multi-byte UTF-8 (CJK, emoji), control characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,24}",
        "[a-zA-Z0-9%+=&*/~._ -]{0,16}",
        "[备份恢复é🦀\u{0}\u{7f}\u{80}\u{ffff}a%]{0,8}",
    ]
}

/// Checks that `encoded` is well-formed: only unreserved bytes and `%XX` with upper-case hex,
/// where each `%XX` stands for a byte that had to be encoded.
fn check_well_formed(encoded: &str) -> Result<(), TestCaseError> {
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            prop_assert!(
                i + 2 < bytes.len(),
                "truncated escape at {} in {:?}",
                i,
                encoded
            );
            let hex = &encoded[i + 1..i + 3];
            prop_assert!(
                hex.bytes().all(|h| matches!(h, b'0'..=b'9' | b'A'..=b'F')),
                "escape %{} is not upper-case hex in {:?}",
                hex,
                encoded
            );
            let value = u8::from_str_radix(hex, 16).unwrap();
            prop_assert!(
                !is_unreserved(value),
                "unreserved byte {:?} was encoded in {:?}",
                value as char,
                encoded
            );
            i += 3;
        } else {
            prop_assert!(
                is_unreserved(b),
                "byte {:?} left unencoded in {:?}",
                b as char,
                encoded
            );
            i += 1;
        }
    }
    Ok(())
}

fn decode(encoded: &str) -> String {
    percent_decode_str(encoded)
        .decode_utf8()
        .expect("the encoder only emits UTF-8 byte sequences")
        .into_owned()
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    // Short names from a small alphabet so that equal names (ties broken by value) are common.
    let name = prop_oneof![3 => "[ab%=&]{0,2}", 1 => text()];
    let value = prop_oneof![3 => "[ab +=&]{0,2}", 1 => text()];
    prop::collection::vec((name, value), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn percent_encode_round_trips(input in text()) {
        let encoded = percent_encode(&input);
        prop_assert_eq!(decode(&encoded), input);
    }

    #[test]
    fn percent_encode_leaves_only_unreserved_bytes(input in text()) {
        let encoded = percent_encode(&input);
        prop_assert!(encoded.is_ascii());
        check_well_formed(&encoded)?;
        // Unreserved input bytes pass through unchanged, so their count is preserved.
        let kept = input.bytes().filter(|b| is_unreserved(*b)).count();
        let escapes = encoded.matches('%').count();
        prop_assert_eq!(encoded.len(), kept + 3 * escapes);
        prop_assert_eq!(escapes, input.len() - kept);
    }

    #[test]
    fn encode_path_keeps_slashes_and_encodes_segments(
        segments in prop::collection::vec(text().prop_map(|s| s.replace('/', "")), 0..5)
    ) {
        let path = format!("/{}", segments.join("/"));
        let encoded = encode_path(&path);
        prop_assert_eq!(decode(&encoded), path.clone());
        let expected: Vec<String> = path.split('/').map(percent_encode).collect();
        prop_assert_eq!(encoded, expected.join("/"));
    }

    #[test]
    fn canonical_query_is_invariant_under_permutation(
        (original, shuffled) in pairs().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
    ) {
        prop_assert_eq!(canonical_query(&original), canonical_query(&shuffled));
    }

    #[test]
    fn canonical_query_is_sorted_and_complete(input in pairs()) {
        let query = canonical_query(&input);
        check_well_formed(&query.replace(['&', '='], ""))?;
        if input.is_empty() {
            prop_assert_eq!(query, "");
            return Ok(());
        }
        let items: Vec<&str> = query.split('&').collect();
        prop_assert_eq!(items.len(), input.len());
        let mut decoded = Vec::new();
        for item in &items {
            // Names and values are encoded, so the first '=' is the separator.
            let (name, value) = item.split_once('=').expect("every item is name=value");
            prop_assert!(!value.contains('='), "unencoded '=' in {:?}", item);
            decoded.push((decode(name), decode(value)));
        }
        // Sorted by (name, value) in byte order of the unencoded text ...
        prop_assert!(
            decoded.windows(2).all(|w| w[0] <= w[1]),
            "not sorted: {:?}", decoded
        );
        // ... and exactly the pairs given, nothing lost or invented.
        let mut expected = input.clone();
        expected.sort();
        prop_assert_eq!(&decoded, &expected);
        // Each item is the two encoded halves, as sent on the wire.
        for (item, (name, value)) in items.iter().zip(&expected) {
            prop_assert_eq!(*item, format!("{}={}", percent_encode(name), percent_encode(value)));
        }
    }
}
