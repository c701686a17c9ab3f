//! Character folding shared by search and resolution: traditional -> simplified (context-aware,
//! one character for one character, via fast2s), full width -> half width, ASCII lowercase.
//! Folding never changes the number of characters, so offsets can be mapped back.

/// True for a CJK unified ideograph (the basic block: every character of a company name).
pub fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Folds one character without context: width and case only.
pub fn fold_width_case(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// The characters fast2s converts by their neighbours (its `T2S_EXCLUDE` and
/// `T2S_SPECIAL_CONVERT_TYPE` keys, version pinned in Cargo.toml): 答覆 stays, 計畫 becomes 计划.
const BY_CONTEXT: [char; 15] =
    ['兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫'];

/// What each three-byte character (U+0800..=U+FFFF) folds to on its own, fast2s's
/// simplification then width and case, built once: one array read per character instead of
/// fast2s's three hash lookups. 0 marks a character converted by context ([`BY_CONTEXT`]) or
/// whose simplified form is not itself one three-byte character; those take [`simplify`].
fn folded_table() -> &'static [u16] {
    static TABLE: std::sync::OnceLock<Box<[u16]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0x800u32..=0xFFFF)
            .map(|code| {
                let Some(c) = char::from_u32(code) else { return 0 };
                if BY_CONTEXT.contains(&c) {
                    return 0;
                }
                let mut buf = [0u8; 4];
                let simplified = fast2s::convert(c.encode_utf8(&mut buf));
                let mut chars = simplified.chars();
                match (chars.next(), chars.next()) {
                    // Folding width may make it ASCII ('Ａ' -> 'a'), never NUL.
                    (Some(s), None) if s.len_utf8() == 3 => fold_width_case(s) as u16,
                    _ => 0,
                }
            })
            .collect()
    })
}

/// Traditional -> simplified for one character by fast2s, given its neighbours in the text.
fn simplify(prev: Option<char>, c: char, next: Option<char>) -> char {
    // fast2s decides from the characters around: convert the window, keep its middle.
    let window: String = prev.into_iter().chain([c]).chain(next).collect();
    let converted: Vec<char> = fast2s::convert(&window).chars().collect();
    converted.get(usize::from(prev.is_some())).copied().unwrap_or(c)
}

/// What `c`, the character at byte `offset` of `text`, folds to.
#[inline]
fn fold_at(table: &[u16], text: &str, offset: usize, c: char) -> char {
    match c.len_utf8() {
        1 => c.to_ascii_lowercase(),
        3 => match table[c as usize - 0x800] {
            0 => {
                let prev = text[..offset].chars().next_back();
                let next = text[offset + 3..].chars().next();
                fold_width_case(simplify(prev, c, next))
            }
            code => char::from_u32(u32::from(code)).unwrap_or(c),
        },
        // Nothing of two or four bytes is traditional, wide or upper case.
        _ => c,
    }
}

/// Calls `each(byte offset in text, original char, folded char)` for every character of
/// `text`, in order.
fn fold_each(text: &str, mut each: impl FnMut(usize, char, char)) {
    let table = folded_table();
    for (offset, c) in text.char_indices() {
        each(offset, c, fold_at(table, text, offset, c));
    }
}

/// Folds a whole text; the result has exactly as many characters as `text`.
pub fn fold(text: &str) -> String {
    // What `fold_each` does, by bytes: search folds every page it indexes, and most of a
    // page's characters fold to themselves, so they are copied rather than decoded and
    // encoded again.
    let table = folded_table();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        if lead < 0x80 {
            out.push(char::from(lead.to_ascii_lowercase()));
            i += 1;
            continue;
        }
        let width = if lead >= 0xF0 {
            4
        } else if lead >= 0xE0 {
            3
        } else {
            2
        };
        // Nothing of two or four bytes is traditional, wide or upper case.
        let changes = width == 3 && {
            let code = (usize::from(lead & 0x0F) << 12)
                | (usize::from(bytes[i + 1] & 0x3F) << 6)
                | usize::from(bytes[i + 2] & 0x3F);
            usize::from(table[code - 0x800]) != code
        };
        if changes {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(fold_at(table, text, i, c));
        } else {
            out.push_str(&text[i..i + width]);
        }
        i += width;
    }
    out
}

/// Where each byte of a folded text came from in the original.
pub enum Origin {
    /// Every character kept its width in bytes: offsets are the same in both.
    Same,
    /// For every byte of the folded text, the byte offset in the original of the character it
    /// came from, plus one trailing entry for the end. Bytes before the first character that
    /// changed width map to themselves (the same at every character boundary, the only
    /// offsets a token has).
    Map(Vec<usize>),
}

impl Origin {
    /// The original byte offset of folded byte `i` (`i` may be the folded text's length).
    pub fn of(&self, i: usize) -> usize {
        match self {
            Origin::Same => i,
            Origin::Map(map) => map[i],
        }
    }
}

/// Folds `text` and says where each byte of the result came from in `text`.
pub fn fold_with_offsets(text: &str) -> (String, Origin) {
    let mut folded = String::with_capacity(text.len());
    let mut map: Option<Vec<usize>> = None;
    fold_each(text, |offset, original, c| {
        if map.is_none() && c.len_utf8() != original.len_utf8() {
            // The first character that changed width: the offsets part from here.
            map = Some((0..folded.len()).collect());
        }
        if let Some(map) = map.as_mut() {
            map.extend(std::iter::repeat_n(offset, c.len_utf8()));
        }
        folded.push(c);
    });
    match map {
        Some(mut map) => {
            map.push(text.len());
            (folded, Origin::Map(map))
        }
        None => (folded, Origin::Same),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_traditional_width_and_case() {
        assert_eq!(fold("宜昌市體育運動服採購"), "宜昌市体育运动服采购");
        assert_eq!(fold("ＡＢＣ　Ltd"), "abc ltd");
    }

    #[test]
    fn folding_by_bytes_agrees_with_folding_by_characters() {
        let text = "Ａ運動 ©ŁÇ 𠮷家 計畫答覆 ABC　，。乾隆於是 é";
        let (by_characters, _) = fold_with_offsets(text);
        assert_eq!(fold(text), by_characters);
        assert_eq!(fold(text), "a运动 ©ŁÇ 𠮷家 计划答覆 abc ,。乾隆于是 é");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "Ａ運動";
        let (folded, origin) = fold_with_offsets(text);
        assert_eq!(folded, "a运动");
        assert_eq!(origin.of(0), 0); // 'a' came from the 3-byte 'Ａ'
        assert_eq!(origin.of(1), 3); // first byte of 运
        assert_eq!(origin.of(folded.len()), text.len());

        let text = "x運動Ａ";
        let (folded, origin) = fold_with_offsets(text);
        assert_eq!(folded, "x运动a");
        assert_eq!(origin.of(4), 4); // 动 before the width changed
        assert_eq!(origin.of(7), 7); // 'a' from 'Ａ'
        assert_eq!(origin.of(folded.len()), text.len());

        let (folded, origin) = fold_with_offsets("體育abc");
        assert_eq!(folded, "体育abc");
        assert!(matches!(origin, Origin::Same));
    }

    /// The table is fast2s made fast: every three-byte character alone, and every character
    /// fast2s converts by context inside each of its words, fold as fast2s plus width and case.
    #[test]
    fn folding_agrees_with_fast2s_everywhere() {
        let reference =
            |text: &str| -> String { fast2s::convert(text).chars().map(fold_width_case).collect() };
        for code in 0x800u32..=0xFFFF {
            if let Some(c) = char::from_u32(code) {
                let text = c.to_string();
                assert_eq!(fold(&text), reference(&text), "U+{code:04X}");
            }
        }
        let contexts = [
            "兒寬", "答覆", "批覆", "回覆", "覆蓋", "甚夥", "夥伴", "慰藉", "狼藉", "藉口", "憑藉", "瞭望",
            "明瞭", "幺麽", "樊於", "於是", "乾隆", "乾坤", "乾卦", "乾燥", "看著", "著作", "苧麻", "闔家",
            "鍾書", "鍾錶", "校讎", "讎定", "仇讎", "計畫", "企畫", "畫家",
        ];
        for word in contexts {
            for text in [word.to_string(), format!("甲{word}乙"), format!("{word}。"), format!("Ａ{word}")]
            {
                assert_eq!(fold(&text), reference(&text), "{text}");
            }
        }
        for c in BY_CONTEXT {
            assert!(contexts.iter().any(|w| w.contains(c)), "{c} has no context word");
        }
    }
}
