//! 统一社会信用代码 (unified social credit code, GB 32100-2015).
//!
//! 18 characters: registration authority (1), organisation category (1), administrative
//! division (6), organisation code (9, itself with a GB 11714 check digit), check character (1).
//! The charset excludes I, O, Z, S and V.

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码 must be 18 characters, got {0}")]
    Length(usize),
    #[error("统一社会信用代码 has an invalid character {0:?} at position {1}")]
    Character(char, usize),
    #[error("统一社会信用代码 check character is {found:?}, expected {expected:?}")]
    Checksum { found: char, expected: char },
}

fn value_of(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (already uppercase and in the charset).
pub fn check_char(body: &[u8]) -> Option<char> {
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in body.iter().enumerate() {
        sum += value_of(c)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

/// Validates a code and returns it uppercased and trimmed.
pub fn validate(code: &str) -> Result<String, UsccError> {
    let code = code.trim().to_ascii_uppercase();
    let count = code.chars().count();
    if count != 18 {
        return Err(UsccError::Length(count));
    }
    let bytes = code.as_bytes();
    for (i, c) in code.chars().enumerate() {
        if !c.is_ascii() || value_of(c as u8).is_none() {
            return Err(UsccError::Character(c, i + 1));
        }
    }
    let expected = check_char(&bytes[..17]).ok_or(UsccError::Length(count))?;
    let found = bytes[17] as char;
    if found != expected {
        return Err(UsccError::Checksum { found, expected });
    }
    Ok(code)
}

/// True when `s` has the shape of a code (18 charset characters), valid or not. Used to tell a
/// code from a name in an `ENTREF`.
pub fn looks_like_uscc(s: &str) -> bool {
    let s = s.trim();
    s.len() == 18 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// GB 11714 organisation code check digit for an 8-character body.
pub fn org_code_check(body: &[u8]) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (i, &c) in body.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return None,
        };
        sum += v * W[i];
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

/// Builds a valid code from a division code (6 digits) and an 8-digit organisation number.
/// Used by the generator and tests.
pub fn build(division: u32, org_number: u32) -> String {
    let org_body = format!("{:08}", org_number % 100_000_000);
    let org_check = org_code_check(org_body.as_bytes()).unwrap_or('0');
    let body = format!("91{:06}{}{}", division % 1_000_000, org_body, org_check);
    let check = check_char(body.as_bytes()).unwrap_or('0');
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_codes() {
        // Published codes of real enterprises.
        for code in ["91110108551385082Q", "914403001922038216", "91310000607216596U"] {
            assert_eq!(validate(code).as_deref(), Ok(code), "{code}");
        }
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(validate("91110108551385082"), Err(UsccError::Length(17)));
        assert!(matches!(validate("91110108551385082I"), Err(UsccError::Character('I', 18))));
        assert!(matches!(validate("91110108551385083Q"), Err(UsccError::Checksum { .. })));
    }

    proptest! {
        #[test]
        fn built_codes_validate(division in 110000u32..660000, org in 0u32..100_000_000) {
            let code = build(division, org);
            prop_assert_eq!(validate(&code), Ok(code.clone()));
            prop_assert!(looks_like_uscc(&code));
        }

        #[test]
        fn any_single_substitution_is_caught(org in 0u32..100_000_000, pos in 0usize..18, pick in 0usize..31) {
            let code = build(420500, org);
            let mut bytes = code.clone().into_bytes();
            let replacement = CHARSET[pick];
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(validate(&changed).is_err());
        }
    }
}
