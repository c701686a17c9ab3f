//! Parsing HTML from anywhere within a bounded budget.
//!
//! html5ever checks the stack of open elements for every tag, so a page nesting 100,000
//! elements costs minutes, and one tag with a million attributes never finishes. Pages are
//! first scanned (linearly, without building anything) and cut where they break the budget:
//! too many bytes, elements nested too deep, or one tag too long. What comes before the cut is
//! kept; real notices never come near these limits.

use scraper::Html;

/// Pages are cut at this many bytes.
pub const MAX_BYTES: usize = 16 << 20;
/// ... and where elements nest deeper than this (counting unclosed tags, so an estimate).
pub const MAX_DEPTH: usize = 4096;
/// ... and at a tag longer than this from `<` to `>` (its attributes included).
pub const MAX_TAG_BYTES: usize = 64 << 10;

/// Elements that never hold others.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];
/// Elements whose content is text up to their closing tag.
const RAW: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// Where and why a page was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Size,
    Depth,
    Tag,
}

/// `html` within the budget, and the reason it was cut, if it was.
pub fn bound(html: &str) -> (&str, Option<Cut>) {
    let bytes = html.as_bytes();
    let limit = bytes.len().min(MAX_BYTES);
    let cut_at = |at: usize, why: Cut| {
        let mut at = at.min(html.len());
        while !html.is_char_boundary(at) {
            at -= 1;
        }
        (&html[..at], Some(why))
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < limit {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let start = i;
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        if bytes[i..].starts_with(b"<!--") {
            i = find(bytes, i + 4, b"-->").map_or(limit, |end| end + 3);
            continue;
        }
        let Some(end) = find(bytes, i + 1, b">") else { break };
        if end - start > MAX_TAG_BYTES {
            return cut_at(start, Cut::Tag);
        }
        if next == b'/' {
            depth = depth.saturating_sub(1);
        } else if next.is_ascii_alphabetic() {
            let name: String = bytes[i + 1..end]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .map(|b| b.to_ascii_lowercase() as char)
                .collect();
            let self_closing = bytes[end - 1] == b'/';
            if RAW.contains(&name.as_str()) {
                i = closing_tag(&bytes[..limit], end, name.as_bytes()).unwrap_or(limit);
                continue;
            }
            if !self_closing && !VOID.contains(&name.as_str()) {
                depth += 1;
                if depth > MAX_DEPTH {
                    return cut_at(start, Cut::Depth);
                }
            }
        }
        i = end + 1;
    }
    if bytes.len() > MAX_BYTES {
        return cut_at(MAX_BYTES, Cut::Size);
    }
    (html, None)
}

/// Parses a page after [`bound`]ing it.
pub fn parse(html: &str) -> Html {
    let (html, cut) = bound(html);
    if let Some(cut) = cut {
        tracing::debug!(?cut, kept = html.len(), "page cut to the parsing budget");
    }
    Html::parse_document(html)
}

/// Where `</name` starts at or after `from`, the name in any case (without copying the rest of
/// the page: a page of many `<script>`s stays linear).
fn closing_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(open) = find(bytes, at, b"</") {
        let tail = bytes.get(open + 2..open + 2 + name.len())?;
        if tail.eq_ignore_ascii_case(name) {
            return Some(open);
        }
        at = open + 2;
    }
    None
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_kept_whole() {
        let page =
            "<html><head><title>a<b</title><script>if (a<b) {}</script></head><body><p>x<br><img src=a.png/>\
                    <!-- <div><div> --><table><tr><td>中标人</td></tr></table></body></html>";
        assert_eq!(bound(page), (page, None));
    }

    #[test]
    fn deep_nesting_and_huge_tags_are_cut() {
        let deep = format!("<p>中标人：甲公司</p>{}", "<div>".repeat(100_000));
        let (kept, cut) = bound(&deep);
        assert_eq!(cut, Some(Cut::Depth));
        assert!(kept.starts_with("<p>中标人：甲公司</p>") && kept.len() < 5 * MAX_DEPTH + 100);

        let attributes: String = (0..200_000).map(|i| format!(" a{i}=1")).collect();
        let huge = format!("<p>正文</p><div{attributes}>x</div>");
        assert_eq!(bound(&huge), ("<p>正文</p>", Some(Cut::Tag)));
    }
}
