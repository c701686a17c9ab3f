//! Bytes -> text for pages of unknown encoding.
//!
//! Order: a byte-order mark; then what the server or the page declares (the `Content-Type`
//! charset, then `<meta charset>`), checked against the bytes; then statistical detection
//! (chardetng). A declaration is only a claim: Chinese sites often declare gbk for pages they
//! serve as UTF-8 (and the reverse), so a declaration the bytes contradict is overruled.

use encoding_rs::{Encoding, GB18030, UTF_8};

/// The encoding a caller insists on (a crawler's `encoding = "gbk"`), or `None` to detect.
pub fn decode_page(bytes: &[u8], header_charset: Option<&str>, forced: Option<&'static Encoding>) -> String {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    if let Some(encoding) = forced {
        return widen(encoding).decode_without_bom_handling(bytes).0.into_owned();
    }
    let is_utf8 = std::str::from_utf8(bytes).is_ok();
    let declared =
        header_charset.and_then(|l| Encoding::for_label(l.trim().as_bytes())).or_else(|| meta_charset(bytes));
    if let Some(encoding) = declared {
        let encoding = widen(encoding);
        // Valid UTF-8 with non-ASCII text is almost never legacy Chinese text: trust the bytes.
        let contradicted = if encoding == UTF_8 { !is_utf8 } else { is_utf8 && !bytes.is_ascii() };
        if !contradicted {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            if !had_errors {
                return text.into_owned();
            }
        }
    }
    if is_utf8 {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guessed = widen(detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow));
    guessed.decode_without_bom_handling(bytes).0.into_owned()
}

/// Decodes a page with no outside declaration.
pub fn decode(bytes: &[u8]) -> String {
    decode_page(bytes, None, None)
}

/// GBK and GB2312 pages routinely hold characters only GB18030 has; GB18030 reads them all.
fn widen(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == encoding_rs::GBK {
        GB18030
    } else {
        encoding
    }
}

/// The charset a page declares in its first 4 KiB (`<meta charset=...>` or `content="...;
/// charset=..."`).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let start = from + pos + b"charset".len();
        let rest = &lower[start..];
        let rest = &rest[rest.iter().take_while(|b| matches!(b, b' ' | b'=' | b'"' | b'\'')).count()..];
        let label: Vec<u8> = rest
            .iter()
            .copied()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            .collect();
        if let Some(encoding) = Encoding::for_label(&label) {
            return Some(encoding);
        }
        from = start;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], header: Option<&str>, expected: &str) {
        assert_eq!(decode_page(bytes, header, None), expected);
    }

    #[test]
    fn follows_declarations_the_bytes_agree_with() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gbk>中标公告");
        check(&gbk, None, "<meta charset=gbk>中标公告");
        let (gbk, _, _) = encoding_rs::GBK.encode("中标人：甲公司");
        check(&gbk, Some("gb2312"), "中标人：甲公司");
        check("中标".as_bytes(), Some("utf-8"), "中标");
    }

    #[test]
    fn utf8_page_declaring_gbk_is_not_garbled() {
        let page = "<meta http-equiv=Content-Type content=\"text/html; charset=gbk\">中标结果公告";
        check(page.as_bytes(), None, page);
        check("中标结果公告".as_bytes(), Some("GBK"), "中标结果公告");
    }

    #[test]
    fn gbk_page_declaring_utf8_or_nothing_is_detected() {
        let text = "宜昌市某某工程施工中标结果公告，中标人：湖北某某建设有限公司，中标金额：壹佰万元整";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        check(&gbk, Some("utf-8"), text);
        check(&gbk, None, text);
    }

    #[test]
    fn bom_and_forced_encoding() {
        check(b"\xEF\xBB\xBF\xE4\xB8\xAD", Some("gbk"), "中");
        let (gbk, _, _) = encoding_rs::GBK.encode("中标");
        assert_eq!(decode_page(&gbk, Some("utf-8"), Some(encoding_rs::GBK)), "中标");
    }
}
