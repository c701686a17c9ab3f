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

/// Folds a whole text; the result has exactly as many characters as `text`.
pub fn fold(text: &str) -> String {
    let simplified = fast2s::convert(text);
    if simplified.chars().count() != text.chars().count() {
        // fast2s maps char to char; should that ever change, fall back to width and case only.
        return text.chars().map(fold_width_case).collect();
    }
    simplified.chars().map(fold_width_case).collect()
}

/// Folds `text` and returns, for every byte of the folded text, the byte offset in `text` of
/// the character it came from (plus one trailing entry for the end).
pub fn fold_with_offsets(text: &str) -> (String, Vec<usize>) {
    let folded = fold(text);
    let mut origin = Vec::with_capacity(folded.len() + 1);
    for ((offset, _), f) in text.char_indices().zip(folded.chars()) {
        origin.extend(std::iter::repeat_n(offset, f.len_utf8()));
    }
    origin.push(text.len());
    (folded, origin)
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
    fn offsets_point_into_the_original() {
        let text = "Ａ運動";
        let (folded, origin) = fold_with_offsets(text);
        assert_eq!(folded, "a运动");
        assert_eq!(origin[0], 0); // 'a' came from the 3-byte 'Ａ'
        assert_eq!(origin[1], 3); // first byte of 运
        assert_eq!(*origin.last().unwrap(), text.len());
    }
}
