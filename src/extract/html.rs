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

/// Attributes the notice extractor reads; the rest (Word's `style="…"` on every span) only
/// costs parsing time.
const KEPT_ATTRIBUTES: [&str; 7] = ["id", "class", "name", "property", "content", "colspan", "rowspan"];

/// The page without what the notice extractor never reads: scripts, styles, comments, and
/// attributes other than [`KEPT_ATTRIBUTES`]. Tags are rewritten, text is copied as it is; a tag
/// that does not end (an unclosed quote) is kept with the rest of the page as text.
pub fn slim(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < bytes.len() {
        let Some(lt) = find(bytes, i, b"<") else {
            out.push_str(&html[i..]);
            break;
        };
        out.push_str(&html[i..lt]);
        if bytes[lt..].starts_with(b"<!--") {
            i = find(bytes, lt + 4, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let next = bytes.get(lt + 1).copied().unwrap_or(0);
        if !next.is_ascii_alphabetic() {
            // `</td>`, `<!DOCTYPE …>`, or a `<` in text: kept as written.
            let end = if next == b'/' || next == b'!' {
                find(bytes, lt, b">").map_or(bytes.len(), |e| e + 1)
            } else {
                lt + 1
            };
            out.push_str(&html[lt..end]);
            i = end;
            continue;
        }
        let name_end = lt
            + 1
            + bytes[lt + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
                .count();
        let name = html[lt + 1..name_end].to_ascii_lowercase();
        let Some(TagEnd { end: tag_end, kept, self_closing }) = read_attributes(html, name_end) else {
            out.push_str(&html[lt..]);
            break;
        };
        if name == "script" || name == "style" {
            i = closing_tag(bytes, tag_end, name.as_bytes())
                .map_or(bytes.len(), |at| find(bytes, at, b">").map_or(bytes.len(), |e| e + 1));
            continue;
        }
        out.push('<');
        out.push_str(&name);
        for (attribute, value) in kept {
            out.push(' ');
            out.push_str(attribute);
            out.push_str("=\"");
            out.push_str(&value.replace('"', "&quot;"));
            out.push('"');
        }
        out.push_str(if self_closing { "/>" } else { ">" });
        i = tag_end;
        if RAW.contains(&name.as_str()) {
            // `<title>a<b</title>`: the content is text up to the closing tag.
            let close = closing_tag(bytes, i, name.as_bytes()).unwrap_or(bytes.len());
            out.push_str(&html[i..close]);
            i = close;
        }
    }
    out
}

/// A tag's end (after `>`), its kept attributes, and whether it closes itself.
struct TagEnd<'a> {
    end: usize,
    kept: Vec<(&'a str, &'a str)>,
    self_closing: bool,
}

/// The attributes of a tag whose name ends at `from`; `None` when the tag never ends.
fn read_attributes(html: &str, from: usize) -> Option<TagEnd<'_>> {
    let bytes = html.as_bytes();
    let mut kept = Vec::new();
    let mut i = from;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => return Some(TagEnd { end: i + 1, kept, self_closing: false }),
            b'/' if bytes.get(i + 1) == Some(&b'>') => {
                return Some(TagEnd { end: i + 2, kept, self_closing: true })
            }
            b'/' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &html[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i)? {
                quote @ (b'"' | b'\'') => {
                    let end = find(bytes, i + 1, &[*quote])?;
                    value = &html[i + 1..end];
                    i = end + 1;
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &html[start..i];
                }
            }
        }
        if KEPT_ATTRIBUTES.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            kept.push((name, value));
        }
    }
}

/// Parses a page for the notice extractor: [`bound`]ed, then [`slim`]med.
pub fn parse_slim(html: &str) -> Html {
    let (html, cut) = bound(html);
    if let Some(cut) = cut {
        tracing::debug!(?cut, kept = html.len(), "page cut to the parsing budget");
    }
    Html::parse_document(&slim(html))
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
    fn slimming_keeps_text_and_the_attributes_read() {
        let page = "<html><head><title>甲<乙</title><meta name=PubDate content='2025-06-27'><style>p{}</style>\
                    <script>if (a<b) {}</script></head><body><!-- x --><p style=\"FONT-SIZE: 12pt\" class=t>招标人：\
                    <span lang=EN-US>甲局</span></p><td colspan=\"2\" width=3>1 < 2</td><br/></body></html>";
        assert_eq!(
            slim(page),
            "<html><head><title>甲<乙</title><meta name=\"PubDate\" content=\"2025-06-27\"></head><body>\
             <p class=\"t\">招标人：<span>甲局</span></p><td colspan=\"2\">1 < 2</td><br/></body></html>"
        );
        // A tag that never ends keeps the rest as it was.
        assert_eq!(slim("<p>甲</p><p class=\"x>乙"), "<p>甲</p><p class=\"x>乙");
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
