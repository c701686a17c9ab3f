//! A page as the extractor reads it, whatever the site's template: the `<title>`, the headings
//! the template marks (`h1`–`h3`, elements whose id or class names a title), table rows as
//! cells, and the text as lines (cells within a line separated by tabs).

use scraper::{ElementRef, Node};

pub(super) struct Layout {
    /// The `<title>` element's text.
    pub title: Option<String>,
    /// What the page's `<meta>` tags say, as government sites' templates write them
    /// (`ArticleTitle`, `PubDate`): (name, content).
    pub meta: Vec<(String, String)>,
    /// Headings and title-marked elements, in document order.
    pub marked: Vec<String>,
    /// Table rows, each as its cells' text.
    pub rows: Vec<Vec<String>>,
    /// Text lines in reading order; cells of one row are separated by `\t`.
    pub lines: Vec<String>,
    /// The lines folded (繁→简, width, case), as many characters each as the line; folded
    /// when first asked for (most lines never are).
    folded: Vec<std::cell::OnceCell<String>>,
    /// What each cell of each row names as a label, if anything.
    pub row_labels: Vec<Vec<Option<super::labels::Label>>>,
}

impl Layout {
    fn new(
        title: Option<String>,
        meta: Vec<(String, String)>,
        marked: Vec<String>,
        rows: Vec<Vec<String>>,
        lines: Vec<String>,
    ) -> Layout {
        let folded = lines.iter().map(|_| std::cell::OnceCell::new()).collect();
        let row_labels =
            rows.iter().map(|row| row.iter().map(|c| super::labels::classify_label(c)).collect()).collect();
        Layout { title, meta, marked, rows, lines, folded, row_labels }
    }
}

/// Whitespace runs become one space (the ideographic space is kept: it separates items).
pub(super) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{3000}' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

fn element_text(element: ElementRef<'_>) -> String {
    collapse(&element.text().collect::<String>())
}

const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dd",
    "dt",
    "dl",
    "header",
    "footer",
    "tbody",
    "thead",
    "hr",
    "title",
    "form",
    "center",
    "blockquote",
    "pre",
];

/// `<meta>` names that carry a notice's title or publication time (the government website
/// standard's `ArticleTitle` and `PubDate`, and common CMS names).
pub(super) const META_NAMES: &[&str] = &[
    "articletitle",
    "pubdate",
    "publishdate",
    "publish_date",
    "article:published_time",
    "og:release_date",
    "releasedate",
];

/// At most this many title-marked elements are read (their text is gathered separately).
const MAX_MARKED: usize = 8;
/// ... and only when their text is at most this long.
const MAX_MARKED_CHARS: usize = 160;

fn marks_a_title(element: &scraper::node::Element) -> bool {
    if matches!(element.name(), "h1" | "h2" | "h3") {
        return true;
    }
    let names_title = |value: &str| value.to_ascii_lowercase().contains("title");
    element.id().is_some_and(names_title) || element.attr("class").is_some_and(names_title)
}

impl Layout {
    /// Line `i` folded.
    pub fn folded(&self, i: usize) -> &str {
        self.folded[i].get_or_init(|| crate::extract::normalize::fold(&self.lines[i]))
    }
}

pub(super) fn layout_html(html: &str) -> Layout {
    let document = crate::extract::html::parse_slim(html);
    let select = |s: &str| scraper::Selector::parse(s).ok();
    let title = select("title").and_then(|s| document.select(&s).map(element_text).find(|t| !t.is_empty()));
    let meta = select("meta[content]")
        .map(|s| {
            document
                .select(&s)
                .filter_map(|m| {
                    let name = m.value().attr("name").or_else(|| m.value().attr("property"))?;
                    let content = collapse(m.value().attr("content")?);
                    (META_NAMES.contains(&name.to_ascii_lowercase().as_str()) && !content.is_empty())
                        .then(|| (name.to_ascii_lowercase(), content))
                })
                .take(16)
                .collect()
        })
        .unwrap_or_default();
    let mut rows = Vec::new();
    if let Some(tr) = select("tr") {
        for row in document.select(&tr) {
            let cells: Vec<String> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .map(element_text)
                .collect();
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
    }
    // Lines: an iterative walk (deep pages must not overflow the stack).
    let mut lines = Vec::new();
    let mut marked = Vec::new();
    let mut current = String::new();
    let mut stack = vec![(document.tree.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if matches!(name, "script" | "style" | "noscript" | "head" | "select" | "option") {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if leaving {
                    if block {
                        push_line(&mut lines, &mut current);
                    } else if matches!(name, "td" | "th") {
                        current.push('\t');
                    }
                    continue;
                }
                if marked.len() < MAX_MARKED && marks_a_title(element) {
                    if let Some(element) = ElementRef::wrap(node) {
                        let text = element_text(element);
                        if !text.is_empty() && text.chars().count() <= MAX_MARKED_CHARS {
                            marked.push(text);
                        }
                    }
                }
                if block {
                    push_line(&mut lines, &mut current);
                }
                stack.push((node, true));
                for child in node.children().collect::<Vec<_>>().into_iter().rev() {
                    stack.push((child, false));
                }
            }
            _ => {
                if !leaving {
                    for child in node.children().collect::<Vec<_>>().into_iter().rev() {
                        stack.push((child, false));
                    }
                }
            }
        }
    }
    push_line(&mut lines, &mut current);
    Layout::new(title, meta, marked, rows, lines)
}

fn push_line(lines: &mut Vec<String>, current: &mut String) {
    let line = current.split('\t').map(collapse).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("\t");
    if !line.is_empty() {
        lines.push(line);
    }
    current.clear();
}

pub(super) fn layout_text(text: &str) -> Layout {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split('\t').map(collapse).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("\t"))
        .filter(|l| !l.is_empty())
        .collect();
    // Tab-separated lines of a text file are rows too.
    let rows = lines
        .iter()
        .filter(|l| l.contains('\t'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    Layout::new(None, Vec::new(), Vec::new(), rows, lines)
}
