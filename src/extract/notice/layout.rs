//! A page as the extractor reads it, whatever the site's template: the `<title>`, the headings
//! the template marks (`h1`–`h3`, elements whose id or class names a title), table rows as
//! cells, and the text as lines (cells within a line separated by tabs).

use crate::extract::date::date_at_start;
use crate::extract::normalize::is_han;
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
        let lines = join_broken_dates(join_wrapped_names(lines.into_iter().map(join_spaced_out).collect()));
        let folded = lines.iter().map(|_| std::cell::OnceCell::new()).collect();
        // `金额单位：万元` above a table, `（单位：万元）` in its caption: the unit of every amount
        // whose label has none.
        let stated = stated_unit(&lines);
        let row_labels = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| {
                        super::labels::classify_label(c).map(|(field, strength, unit)| match field {
                            super::labels::Field::Amount | super::labels::Field::Budget => {
                                (field, strength, unit.or(stated))
                            }
                            _ => (field, strength, unit),
                        })
                    })
                    .collect()
            })
            .collect();
        Layout { title, meta, marked, rows, lines, folded, row_labels }
    }
}

/// Names a narrow cell or a PDF's text wrapped (`中标人：中国建筑第八工程局有` / `限公司`), or
/// a crawler's text broke at each of Word's spans (`采购代理机构名称：湖南` / `三湘工程` /
/// `管理有限公司`): up to three short lines with no label are joined to the line before when
/// they complete that line's last value into an organisation's name, which the value alone was
/// not. A line that is a name of its own (`乙咨询有限公司` under `联系人：张三`) stays one,
/// unless it is only a legal form (`有限公司`).
pub(super) fn join_wrapped_names(lines: Vec<String>) -> Vec<String> {
    use super::values::{is_organisation, is_person};
    let piece = |line: &str| {
        let line = line.trim();
        !line.is_empty()
            && line.chars().count() <= 12
            && line.chars().all(|c| is_han(c) || "()（）".contains(c))
    };
    // `first` is the first wrapped line, `rest` all of them joined.
    let completes = |before: &str, first: &str, rest: &str| {
        let Some((_, value)) = before.rsplit_once(['：', ':']) else { return false };
        let value = value.trim();
        value.chars().count() >= 2
            && !value.contains([' ', '\t', '，', '。', '；', ',', ';'])
            && !is_person(value)
            && !is_organisation(value)
            && (!is_organisation(first)
                || ["有限", "股份", "集团", "责任"].iter().any(|w| first.starts_with(w)))
            && is_organisation(&format!("{value}{rest}"))
    };
    let mut lines = lines.into_iter().peekable();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    while let Some(line) = lines.next() {
        let Some(before) = out.last_mut().filter(|_| piece(&line)) else {
            out.push(line);
            continue;
        };
        let first = line.trim().to_string();
        let mut joined = first.clone();
        let mut wrapped = vec![line];
        let mut done = completes(before, &first, &joined);
        while !done && wrapped.len() < 3 {
            let Some(next) = lines.next_if(|next| piece(next)) else { break };
            joined.push_str(next.trim());
            wrapped.push(next);
            done = completes(before, &first, &joined);
        }
        if done {
            before.push_str(&joined);
        } else {
            out.extend(wrapped);
        }
    }
    out
}

/// A date a crawler's text broke at each of Word's spans (`20` / `21年` / `5` / `月` / `12` /
/// `日`): a run of short lines of nothing but digits and 年, 月, 日 becomes one line when the
/// run, or its start, makes a whole date (`2021年5月12日`).
pub(super) fn join_broken_dates(lines: Vec<String>) -> Vec<String> {
    let piece = |line: &str| {
        let line = line.trim();
        !line.is_empty()
            && line.chars().count() <= 11
            && line.chars().all(|c| c.is_ascii_digit() || "年月日".contains(c))
    };
    // The pieces joined are a date to their last character, its 日 included.
    let whole = |pieces: &[String]| -> Option<String> {
        let joined: String = pieces.iter().map(|l| l.trim()).collect();
        let taken = date_at_start(&joined).map(|(_, taken)| taken);
        (joined.ends_with('日') && taken == Some(joined.chars().count())).then_some(joined)
    };
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut at = 0;
    while at < lines.len() {
        let run = lines[at..].iter().take(8).take_while(|l| piece(l)).count();
        let date = (2..=run).rev().find_map(|n| whole(&lines[at..at + n]).map(|date| (n, date)));
        match date {
            Some((n, date)) => {
                out.push(date);
                at += n;
            }
            None => {
                out.push(lines[at].clone());
                at += 1;
            }
        }
    }
    out
}

/// The unit a page states for its amounts (`金额单位：万元`, `（单位：人民币元）`), if it states
/// one and no other.
fn stated_unit(lines: &[String]) -> Option<crate::extract::amount::Unit> {
    use crate::extract::amount::Unit;
    let mut stated = None;
    for line in lines.iter().filter(|l| l.contains("单位")) {
        for (at, _) in line.match_indices("单位") {
            // A colon after it: not `单位名称`, `单位地址`.
            let Some(rest) = line[at + "单位".len()..].trim_start().strip_prefix(['：', ':']) else {
                continue;
            };
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("人民币").unwrap_or(rest);
            let unit = ["亿元", "万元", "元"]
                .into_iter()
                .find(|word| {
                    rest.strip_prefix(word).is_some_and(|after| {
                        after.chars().next().is_none_or(|c| " )）\t，,。；;".contains(c))
                    })
                })
                .and_then(Unit::from_label);
            match (stated, unit) {
                (_, None) => {}
                (None, Some(unit)) => stated = Some(unit),
                (Some(was), Some(unit)) if was == unit => {}
                _ => return None,
            }
        }
    }
    stated
}

/// A word spaced out to fill its cell (`拟 中 标 人`, `招 标 人：`): three or more Han characters,
/// each alone between single spaces (the last may have its colon), written as the word.
pub(super) fn join_spaced_out(line: String) -> String {
    // Most lines have no such run: their words tell, before any character is copied.
    let lone = |word: &str| {
        let mut chars = word.chars();
        chars.next().is_some_and(is_han)
            && matches!(chars.next(), None | Some('：' | ':'))
            && chars.next().is_none()
    };
    let (mut run, mut longest) = (0, 0);
    for word in line.split(' ') {
        run = if lone(word) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest < 3 {
        return line;
    }
    let chars: Vec<char> = line.chars().collect();
    let alone = |at: usize| {
        is_han(chars[at])
            && (at == 0 || chars[at - 1] == ' ')
            && chars.get(at + 1).is_none_or(|&c| c == ' ' || c == '：' || c == ':')
    };
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    while at < chars.len() {
        // The run of lone characters that starts here, if any.
        let mut end = at;
        while end < chars.len() && alone(end) && (end == at || chars[end - 1] == ' ') {
            end += 2;
        }
        let run = (end - at) / 2;
        if run >= 3 {
            out.extend((at..end.min(chars.len())).step_by(2).map(|k| chars[k]));
            // The space after the last character stays: it parts the word from what follows.
            at = end - 1;
        } else {
            out.push(chars[at]);
            at += 1;
        }
    }
    out
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
        // A cell spanning rows (`rowspan`: a project's name beside its three candidates) is
        // repeated in each row it spans, so every row has its cells in its table's columns.
        // Per table, the cells still to repeat: (column, rows left, text).
        let mut spanning: Vec<(Option<ElementRef<'_>>, Vec<Spanning>)> = Vec::new();
        let mut last_table = None;
        for row in document.select(&tr) {
            let table = row.ancestors().filter_map(ElementRef::wrap).find(|e| e.value().name() == "table");
            if last_table.is_some_and(|last| last != table) {
                begin_table(&mut rows);
            }
            last_table = Some(table);
            let at = match spanning.iter().position(|(t, _)| *t == table) {
                Some(at) => at,
                None => {
                    spanning.push((table, Vec::new()));
                    spanning.len() - 1
                }
            };
            let carried = &mut spanning[at].1;
            let mut cells = Vec::new();
            let mut column = 0;
            let mut own = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"));
            loop {
                if repeat_spanning(carried, column, &mut cells) {
                    column += 1;
                    continue;
                }
                let Some(cell) = own.next() else { break };
                let number = |name: &str| -> usize {
                    cell.value().attr(name).and_then(|v| v.trim().parse().ok()).unwrap_or(1).clamp(1, 64)
                };
                let (down, across) = (number("rowspan"), number("colspan"));
                let text = element_text(cell);
                // A malformed table's cell spanning across a column a cell from above fills
                // takes its place in this row.
                for (c, left, _) in carried.iter_mut() {
                    if (column + 1..column + across).contains(c) {
                        *left = left.saturating_sub(1);
                    }
                }
                if down > 1 {
                    carried.push((column, down - 1, text.clone()));
                }
                cells.push(text);
                column += across;
            }
            // Cells spanning down the last columns, after the row's own.
            let mut rest: Vec<usize> =
                carried.iter().filter(|(c, left, _)| *c >= column && *left > 0).map(|(c, _, _)| *c).collect();
            rest.sort_unstable();
            for c in rest {
                repeat_spanning(carried, c, &mut cells);
            }
            carried.retain(|(_, left, _)| *left > 0);
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
    }
    // Lines: an iterative walk (deep pages must not overflow the stack).
    let mut lines = Vec::new();
    let mut marked = Vec::new();
    let mut current = String::new();
    // Where the walk is (inside how many links and list items), and the text of the current
    // line outside links: a list item that is a link (and its date) is a list of other pages
    // (related notices, navigation), no line of this one.
    let (mut in_link, mut in_item) = (0usize, 0usize);
    let mut unlinked = String::new();
    let end_line = |lines: &mut Vec<String>, current: &mut String, unlinked: &mut String, in_item: usize| {
        // A link to another notice: dated, or named as one (a company's name linked to its
        // profile, alone in an item, stays).
        let only_a_link = in_item > 0
            && current.trim().len() > unlinked.trim().len()
            && unlinked
                .chars()
                .all(|c| c.is_whitespace() || c.is_ascii_digit() || "-/.:：[]()（）【】年月日".contains(c))
            && (unlinked.chars().any(|c| c.is_ascii_digit())
                || ["公告", "公示", "通知", "通告", "公报"].iter().any(|n| current.contains(n)));
        if only_a_link {
            current.clear();
        } else {
            push_line(lines, current);
        }
        unlinked.clear();
    };
    let mut stack = vec![(document.tree.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) => {
                current.push_str(text);
                // Only a list item's line is asked what of it is no link.
                if in_link == 0 && in_item > 0 {
                    unlinked.push_str(text);
                }
            }
            Node::Element(element) => {
                let name = element.name();
                if matches!(name, "script" | "style" | "noscript" | "head" | "select" | "option") {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if leaving {
                    // A line ends where it is (an item's own line inside the item), before the
                    // walk steps out of the element.
                    if block {
                        end_line(&mut lines, &mut current, &mut unlinked, in_item);
                    } else if matches!(name, "td" | "th") {
                        current.push('\t');
                    }
                    match name {
                        "a" => in_link = in_link.saturating_sub(1),
                        "li" => in_item = in_item.saturating_sub(1),
                        _ => {}
                    }
                    continue;
                }
                // A cell with a cell after it is a label (`<td class=title>采购单位</td><td>甲</td>`
                // in ccgp's summary table), not the page's title.
                let label_cell = matches!(name, "td" | "th")
                    && node
                        .next_siblings()
                        .any(|s| s.value().as_element().is_some_and(|e| matches!(e.name(), "td" | "th")));
                if marked.len() < MAX_MARKED && marks_a_title(element) && !label_cell {
                    if let Some(element) = ElementRef::wrap(node) {
                        let text = element_text(element);
                        if !text.is_empty() && text.chars().count() <= MAX_MARKED_CHARS {
                            marked.push(text);
                        }
                    }
                }
                // What came before the element is no part of it: its line ends before the walk
                // steps in.
                if block {
                    end_line(&mut lines, &mut current, &mut unlinked, in_item);
                }
                match name {
                    "a" => in_link += 1,
                    "li" => in_item += 1,
                    _ => {}
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
    end_line(&mut lines, &mut current, &mut unlinked, in_item);
    let lines = unflatten(lines, &mut rows);
    Layout::new(title, meta, marked, rows, lines)
}

/// Parts the rows of the table about to be added from those before it with an empty row:
/// the rows under a header end where its table does.
fn begin_table(rows: &mut Vec<Vec<String>>) {
    if rows.last().is_some_and(|row| !row.is_empty()) {
        rows.push(Vec::new());
    }
}

fn push_line(lines: &mut Vec<String>, current: &mut String) {
    let line = current.split('\t').map(collapse).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("\t");
    if !line.is_empty() {
        lines.push(line);
    }
    current.clear();
}

/// A cell spanning down from a row above: its column, the rows it has left, its text.
type Spanning = (usize, usize, String);

/// Repeats in `cells` the cell spanning down into `column` from a row above, if one does.
fn repeat_spanning(spanning: &mut [Spanning], column: usize, cells: &mut Vec<String>) -> bool {
    match spanning.iter_mut().find(|(c, left, _)| *c == column && *left > 0) {
        Some((_, left, text)) => {
            *left -= 1;
            cells.push(text.clone());
            true
        }
        None => false,
    }
}

/// How many runs of three spaces make a line of a text a form of padded cells.
const PADDED_CELLS: usize = 6;

/// The most cells a tab-separated line of a text file has to be read as a table's row.
const MAX_ROW_CELLS: usize = 16;

pub(super) fn layout_text(text: &str) -> Layout {
    let mut lines: Vec<String> = Vec::new();
    let mut marked = Vec::new();
    // How many cells the row above had: a row with blank cells that has as many with them is
    // under it (`1⇥甲公司⇥⇥0.00` under `序号⇥名称⇥地址⇥金额`); other blanks are padding
    // (`项目所在区域⇥⇥⇥湖州市`).
    let mut width = 0;
    for line in text.lines() {
        let (line, heading) = markdown_line(line);
        if heading && marked.len() < MAX_MARKED && line.chars().count() <= MAX_MARKED_CHARS {
            marked.push(collapse(&line));
        }
        // A form's cells padded with runs of spaces and run into one line (`工程编码   CXX2021…
        // 建设单位   甲街道办事处 工程类别   施工 …`): every word a cell, as in a page whose
        // every cell is a line.
        if !line.contains('\t') && line.matches("   ").count() >= PADDED_CELLS {
            for word in line.split_whitespace() {
                // A figure's unit stays with it (`160.264600   万元`).
                push_cell(&mut lines, word.to_string());
            }
            width = 0;
            continue;
        }
        let parts: Vec<String> = line.split('\t').map(collapse).collect();
        let filled = parts.iter().filter(|c| !c.is_empty()).count();
        let cells: Vec<String> = if filled >= 2 && parts.len() > filled && parts.len() == width {
            parts
        } else {
            parts.into_iter().filter(|c| !c.is_empty()).collect()
        };
        width = if cells.len() >= 2 { cells.len() } else { 0 };
        // A page whose line ends became tabs (a crawler's text of its HTML's indentation) is
        // no table row: more cells than a row has, or several holding a label and its value.
        let labelled = cells.iter().filter(|c| c.contains(['：', ':'])).count();
        if cells.len() > MAX_ROW_CELLS || labelled >= 3 {
            lines.extend(unflatten_cells(indented_cells(&line)));
        } else if !cells.is_empty() {
            lines.push(cells.join("\t"));
        }
    }
    let lines = join_wrapped_rows(lines);
    let lines = unflatten(cells_as_lines(join_spaced_labels(join_fragments(lines))), &mut Vec::new());
    // Tab-separated lines of a text file are rows too.
    let rows = lines
        .iter()
        .filter(|l| l.contains('\t'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    Layout::new(None, Vec::new(), marked, rows, lines)
}

/// A table's row whose cells wrapped onto several lines of a crawler's text (a cell holding a
/// line break: `施工⇥甲建设有限公司` / `160.264600⇥万元` / `城市道路;⇥乙某` under `标段名称⇥中标单位⇥
/// 中标价⇥中标范围和内容⇥项目经理`): after a header row of three headings or more, two labels
/// among them, the tab-separated lines of fewer cells that add up to its width, a lone unit going with
/// the figure before it, become one row. Lines that do not add up exactly stay as they were.
fn join_wrapped_rows(lines: Vec<String>) -> Vec<String> {
    use super::labels::{classify_label, heading_shaped, is_column_heading};
    let cells = |line: &str| -> Vec<String> { line.split('\t').map(str::to_string).collect() };
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut at = 0;
    while at < lines.len() {
        let line = &lines[at];
        out.push(line.clone());
        at += 1;
        if !line.contains('\t') {
            continue;
        }
        let header: Vec<&str> = line.split('\t').collect();
        let is_header = header.len() >= 3
            && header.iter().all(|h| heading_shaped(h, 14))
            && header.iter().filter(|h| classify_label(h).is_some()).count() >= 2;
        if !is_header {
            continue;
        }
        let width = header.len();
        // Rows under it, each of one line or of several wrapped ones.
        loop {
            let mut row: Vec<String> = Vec::new();
            let mut used = 0;
            while row.len() < width {
                let Some(next) = lines.get(at + used).filter(|l| l.contains('\t')) else { break };
                let next = cells(next);
                if next.len() >= width && used == 0 || next.iter().any(|c| is_column_heading(c)) {
                    break;
                }
                for cell in next {
                    push_cell(&mut row, cell);
                }
                used += 1;
            }
            if used < 2 || row.len() != width {
                break;
            }
            out.push(row.join("\t"));
            at += used;
        }
    }
    out
}

/// Adds a cell to a row, or a figure's unit (`万元`, cut from its figure by a line break or
/// padding) to the figure before it (`160.264600 万元`).
fn push_cell(cells: &mut Vec<String>, cell: String) {
    match cells.last_mut() {
        Some(figure)
            if ["元", "万元", "亿元", "%"].contains(&cell.as_str())
                && figure.ends_with(|c: char| c.is_ascii_digit()) =>
        {
            figure.push(' ');
            figure.push_str(&cell);
        }
        _ => cells.push(cell),
    }
}

/// A line of Markdown (what many crawlers store a page as) as the page showed it: a heading's
/// `#`s, emphasis, a list item's or quote's mark and a link's target dropped, an image
/// dropped whole, and a table row's cells separated by tabs (its `|---|` rule dropped).
/// Returns the line and whether it was a heading. Text that is no Markdown comes back as it
/// was.
pub(super) fn markdown_line(line: &str) -> (std::borrow::Cow<'_, str>, bool) {
    use std::borrow::Cow;
    let trimmed = line.trim();
    let hashes = trimmed.chars().take_while(|&c| c == '#').count();
    let heading = (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ');
    let mut text = if heading { trimmed[hashes..].trim_start() } else { line };
    if let Some(item) = ["- ", "* ", "+ ", "> "].iter().find_map(|mark| text.trim_start().strip_prefix(mark))
    {
        text = item;
    }
    let row = text.trim();
    let is_row = row.len() > 1 && row.starts_with('|') && row.ends_with('|');
    if is_row && row.chars().all(|c| "|-: ".contains(c)) {
        return (Cow::Borrowed(""), false);
    }
    if !is_row && !text.contains(['*', '_', '[', '!']) {
        return (if text.len() == line.len() { Cow::Borrowed(line) } else { Cow::Borrowed(text) }, heading);
    }
    let body = if is_row { &row[1..row.len() - 1] } else { text };
    let mut out = String::with_capacity(body.len());
    // Where the next `]` and `)` are, each searched for again only once passed (or never, once
    // there is none): a line of many brackets is read in one pass.
    let (mut next_bracket, mut next_paren): (Option<usize>, Option<usize>) = (Some(0), Some(0));
    let find_from = |next: &mut Option<usize>, from: usize, what: char| -> Option<usize> {
        match *next {
            Some(at) if at >= from && body[at..].starts_with(what) => Some(at),
            None => None,
            Some(_) => {
                *next = body[from..].find(what).map(|i| from + i);
                *next
            }
        }
    };
    let mut at = 0;
    while let Some(c) = body[at..].chars().next() {
        // `![alt](url)` goes; `[text](url)` keeps its text.
        let open = match c {
            '[' => Some(at + 1),
            '!' if body[at + 1..].starts_with('[') => Some(at + 2),
            _ => None,
        };
        if let Some(open) = open {
            if let Some(close) = find_from(&mut next_bracket, open, ']') {
                if body[close + 1..].starts_with('(') {
                    let end = find_from(&mut next_paren, close + 2, ')');
                    if let Some(end) = end.filter(|&end| is_link_target(&body[close + 2..end])) {
                        if c == '[' {
                            out.push_str(&body[open..close]);
                        }
                        at = end + 1;
                        continue;
                    }
                }
            }
        }
        if body[at..].starts_with("**") || body[at..].starts_with("__") {
            at += 2;
            continue;
        }
        out.push(if is_row && c == '|' { '\t' } else { c });
        at += c.len_utf8();
    }
    (Cow::Owned(out), heading)
}

/// Whether the text in `[text](…)`'s brackets is where a link goes (`http://…`, `/a/b.html`,
/// `#top`) rather than words of the line (`[古夫镇万家湾](第2次招标)` in a title): a target
/// has no space and no Chinese, unless it starts as an address does.
fn is_link_target(target: &str) -> bool {
    let target = target.trim();
    ["http://", "https://", "/", "./", "../", "#", "mailto:"].iter().any(|p| target.starts_with(p))
        || !target.chars().any(|c| c.is_whitespace() || is_han(c))
}

/// Lines a page flattened (a crawler's stripped text, an aggregator's single paragraph) read
/// as the page laid them out: a line is cut before each numbered section marker that follows
/// a space or ends a sentence (`… 二、项目名称：…`, `…联系。1.采购人信息 …`, `… （三）…`), a
/// table flattened into its header cells and then its values (`供应商名称 供应商地址 中标金额
/// 甲公司 某路1号 100元`) becomes its rows again: cells of one row separated by tabs, as a
/// page's table rows are, and added to `rows`; and the page's last line gives up the sign-off
/// it ends with.
pub(super) fn unflatten(lines: Vec<String>, rows: &mut Vec<Vec<String>>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let count = lines.len();
    for (at, line) in lines.into_iter().enumerate() {
        if line.contains('\t') {
            out.push(line);
            continue;
        }
        if !line.contains(' ') {
            out.extend(split_at_lots(line));
            continue;
        }
        let mut parts: Vec<String> = if at == 0 { split_head(line) } else { vec![line] }
            .into_iter()
            .flat_map(|line| split_at_sections(&line))
            .flat_map(split_at_lots)
            .collect();
        if at + 1 == count {
            // The page's last words: `… 联系方式：135… 乙咨询有限公司 2023-09-06`, a sign-off,
            // the last the line's parts hold.
            if let Some((k, split)) =
                parts.iter().enumerate().rev().find_map(|(k, p)| Some((k, split_sign_off(p)?)))
            {
                parts.splice(k..=k, split);
            }
        }
        for part in parts {
            match flattened_table(&part) {
                Some(LineTable { head, rows: table, tail }) => {
                    out.extend(head);
                    out.extend(table.iter().map(|row| row.join("\t")));
                    begin_table(rows);
                    rows.extend(table);
                    out.extend(tail);
                }
                None => out.push(part),
            }
        }
    }
    rows_of_lines(out, rows)
}

/// A table whose rows became lines, each cell parted by a space: a line of column headings (a
/// label among them), then lines of as many cells, none a label, each column figures in every
/// line or in none (`排名 投标人 投标报价(元)`, then `第1名 甲建设有限公司 71558384.20`). The
/// lines become rows: cells separated by tabs, and added to `rows`.
fn rows_of_lines(mut lines: Vec<String>, rows: &mut Vec<Vec<String>>) -> Vec<String> {
    use super::labels::{classify_label, is_column_heading};
    let cells = |line: &str| -> Option<Vec<String>> {
        (!line.contains('\t') && line.contains(' ')).then(|| line.split(' ').map(str::to_string).collect())
    };
    let mut at = 0;
    while at < lines.len() {
        // Most lines are no header: their words tell, before any is copied.
        let line = &lines[at];
        let heads = line.len() <= 160
            && !line.contains('\t')
            && (3..=10).contains(&line.split(' ').count())
            && line.split(' ').all(is_column_heading)
            && line.split(' ').any(|c| classify_label(c).is_some());
        if !heads {
            at += 1;
            continue;
        }
        let header: Vec<String> = line.split(' ').map(str::to_string).collect();
        let body: Vec<Vec<String>> = lines[at + 1..]
            .iter()
            .map_while(|line| {
                cells(line).filter(|row| {
                    row.len() == header.len() && row.iter().all(|c| classify_label(c).is_none())
                })
            })
            .collect();
        let aligned = (0..header.len()).all(|column| {
            let figures = body.iter().filter(|row| is_figure(&row[column])).count();
            figures == 0 || figures == body.len()
        });
        if body.is_empty() || !aligned || body.iter().all(|row| row.iter().all(|c| is_column_heading(c))) {
            at += 1;
            continue;
        }
        let end = at + 1 + body.len();
        for line in &mut lines[at..end] {
            *line = line.replace(' ', "\t");
        }
        begin_table(rows);
        rows.push(header);
        rows.extend(body);
        at = end;
    }
    lines
}

/// A flattened page's first words as the lines the page showed them on: a generic heading
/// (`详细信息`, `Report`), the notice's title, and the date stamped under it
/// (`详细信息 甲学院乙项目采购成交公告 甲学院对…`, `甲项目 2021-06-28 项目概况 …`). The title is the
/// first word after a generic heading when it names a notice's kind, or the first word when
/// the date follows it.
fn split_head(line: String) -> Vec<String> {
    let words: Vec<&str> = line.split(' ').collect();
    let generic = words.iter().take_while(|w| super::is_generic(w) && w.chars().count() <= 8).count();
    let Some(&title) = words.get(generic) else { return vec![line] };
    let dated = words.get(generic + 1).is_some_and(|w| super::candidates::is_lone_date(w));
    let heading = super::is_heading_of_a_notice(title) && !super::labels::ends_as_a_label(title);
    if !(dated && super::is_title_like(title) || heading && generic > 0) || generic + 1 >= words.len() {
        return vec![line];
    }
    let head = generic + 1 + usize::from(dated);
    let mut out: Vec<String> = words[..head].iter().map(|w| w.to_string()).collect();
    out.push(words[head..].join(" "));
    out
}

/// A flattened page's last line split around the sign-off in it: the text before, the names
/// that sign (organisations, each a word of its own, or one after its role: `采购机构：甲招标有限公司`),
/// the date (after `日期：` at most), and what the page puts after it (attachments, the site's
/// furniture). `… 联系方式：135… 乙咨询有限公司 2023-09-06` is the text, `乙咨询有限公司` and
/// `2023-09-06`; a sign-off may close the contact details instead of names (`… 传真：022-8211
/// 日期：2025年11月26日 违法违规举报：…` is the text, `日期：2025年11月26日` and `违法违规举报：…`).
/// None when the line holds no sign-off.
fn split_sign_off(line: &str) -> Option<Vec<String>> {
    let (start, end) = sign_off_in(line)?;
    let words: Vec<&str> = line[..start].trim_end().split(' ').collect();
    let mut names = words
        .iter()
        .rev()
        .take(3)
        .take_while(|w| !w.contains(['：', ':']) && super::values::is_organisation(w))
        .count();
    // `… 采购机构：甲招标有限公司 2024年11月01日`: a signature that says whose it is.
    if names == 0 && words.last().is_some_and(|w| signed_by_role(w)) {
        names = 1;
    }
    if names == words.len() {
        return None;
    }
    let head = words.len() - names;
    let mut out = vec![words[..head].join(" ")];
    out.extend(words[head..].iter().map(|w| w.to_string()));
    out.push(line[start..end].trim().to_string());
    let after = line[end..].trim();
    if !after.is_empty() {
        out.push(after.to_string());
    }
    Some(out)
}

/// Where the last sign-off's date in `line` starts (at its `日期：` if it has one) and ends: a
/// date a space after the name that signs or the contact details it closes (a telephone, an
/// address for mail), and before a space or the line's end, not a time or the start of a range.
fn sign_off_in(line: &str) -> Option<(usize, usize)> {
    let class = |c: char| match c {
        '0'..='9' => 1,
        '〇' | '○' | '零' | '一' | '二' => 2,
        _ => 0,
    };
    let mut last = None;
    let mut previous = 0;
    for (i, c) in line.char_indices() {
        let (class_here, class_before) = (class(c), previous);
        previous = class(c);
        if class_here == 0 || class_here == class_before {
            continue;
        }
        let head: String = line[i..].chars().take(24).collect();
        let Some((_, taken)) = date_at_start(&head) else { continue };
        let end = i + head.chars().take(taken).map(char::len_utf8).sum::<usize>();
        let after = line[end..].trim_start();
        let closes = line[end..].is_empty()
            || line[end..].starts_with([' ', '\u{3000}'])
                && !after.starts_with(|c: char| c.is_ascii_digit() || "至到起止前~-—".contains(c));
        if !closes {
            continue;
        }
        let before = &line[..i];
        let spaced = before.trim_end_matches([' ', '\u{3000}']);
        let label = ["日期：", "日期:", "时间：", "时间:"].iter().find(|label| spaced.ends_with(*label));
        let start = match label {
            Some(label) => spaced.len() - label.len(),
            None if spaced.len() < before.len() => i,
            None => continue,
        };
        let words = line[..start].trim_end();
        let last_word = words.rsplit([' ', '\u{3000}']).next().unwrap_or("");
        if last_word.len() < words.len() && signs(last_word) {
            last = Some((start, end));
        }
    }
    last
}

/// Whether the word before a date signs it: a name, a name after its role, or the contact
/// details a sign-off closes (`传真：022-82116815`, `010-51898566`, `甲@example.com`).
fn signs(word: &str) -> bool {
    let value = word.rsplit(['：', ':']).next().unwrap_or(word);
    let digits = value.chars().filter(|c| c.is_ascii_digit()).count();
    let phone = digits >= 7 && value.chars().all(|c| c.is_ascii_digit() || "-()（）/、".contains(c));
    let mail = value.contains('@') && value.contains('.');
    (!word.contains(['：', ':']) && super::values::is_organisation(word))
        || signed_by_role(word)
        || phone
        || mail
}

/// `采购机构：甲招标有限公司`: an organisation after a short label.
fn signed_by_role(word: &str) -> bool {
    word.split_once(['：', ':']).is_some_and(|(label, name)| {
        !label.is_empty() && label.chars().count() <= 8 && super::values::is_organisation(name)
    })
}

const NUMERALS: &str = "一二三四五六七八九十";

/// The length of the numbered section marker `chars` starts with: `二、`, `12.` or `3、`
/// before a Han character (not `1.5`), `（三）`.
pub(super) fn section_marker(chars: &[char]) -> Option<usize> {
    let numerals = chars.iter().take_while(|c| NUMERALS.contains(**c)).count();
    if (1..=3).contains(&numerals) && chars.get(numerals) == Some(&'、') {
        return Some(numerals + 1);
    }
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&digits)
        && matches!(chars.get(digits), Some('.' | '、' | '．'))
        && chars.get(digits + 1).is_some_and(|&c| is_han(c))
    {
        return Some(digits + 1);
    }
    if matches!(chars.first(), Some('（' | '(')) {
        let numerals = chars[1..].iter().take_while(|c| NUMERALS.contains(**c)).count();
        if (1..=2).contains(&numerals) && matches!(chars.get(1 + numerals), Some('）' | ')')) {
            return Some(numerals + 2);
        }
    }
    None
}

/// A line cut before each lot that follows a clause's end and states what it has
/// (`第一标段：中标人：甲公司；第二标段：中标人：乙公司`): a lot a line of its own, as a page
/// that lists its lots one under another lays them out.
fn split_at_lots(line: String) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut cuts = Vec::new();
    for at in 1..chars.len() {
        if !matches!(chars[at - 1], '；' | '。' | '：' | ' ')
            || !super::candidates::lot_word_near(chars[at..].iter().copied())
        {
            continue;
        }
        let rest: String = chars[at..].iter().take(24).collect();
        let heading = super::candidates::lot_heading(&rest);
        // The lot's heading and then its colon: `第二标段：`, not `；二标段为…`.
        let rest = rest.trim_start();
        let colon_after = |h: String| {
            rest.get(..h.len()).is_some_and(|p| p.eq_ignore_ascii_case(&h))
                && rest[h.len()..].trim_start().starts_with(['：', ':'])
        };
        if heading.is_some_and(colon_after) {
            cuts.push(at);
        }
    }
    if cuts.is_empty() {
        return vec![line];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for at in cuts.into_iter().chain([chars.len()]) {
        let part: String = chars[start..at].iter().collect::<String>().trim().to_string();
        if !part.is_empty() {
            parts.push(part);
        }
        start = at;
    }
    parts
}

/// A line cut before each section marker that follows a space or ends a sentence.
fn split_at_sections(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for at in 1..chars.len() {
        // After a space (dropped) or the end of a sentence (kept): `…联系。1.采购人信息 …`.
        let end = match chars[at - 1] {
            ' ' => at - 1,
            '。' | '；' => at,
            _ => continue,
        };
        if end > start && section_marker(&chars[at..]).is_some() {
            parts.push(chars[start..end].iter().collect());
            start = at;
        }
    }
    parts.push(chars[start..].iter().collect());
    parts
}

/// A space-separated line that is a table flattened: after what comes before it, a run of
/// column headings (at least two of them labels) and then whole rows of as many values, none
/// of them a label, up to the line's end or to what follows the table (`采购预算：…`, a
/// `key：value`, or a numbered section). Returns the text before the headings, the rows
/// (header first) and the text after them.
fn flattened_table(line: &str) -> Option<LineTable> {
    use super::labels::{classify_label, is_column_heading};
    let tokens: Vec<&str> = line.split(' ').collect();
    let mut start = tokens.iter().position(|t| is_column_heading(t) && classify_label(t).is_some())?;
    // The headings before the first label (`序号 中标金额(元) …`) are the header's too.
    while start > 0 && is_column_heading(tokens[start - 1]) {
        start -= 1;
    }
    let (table, end) = table_at(&tokens, start, true)?;
    let head = (start > 0).then(|| tokens[..start].join(" "));
    let tail = (end < tokens.len()).then(|| tokens[end..].join(" "));
    Some(LineTable { head, rows: table, tail })
}

/// A table found in a line of text ([`flattened_table`]), and the text around it.
struct LineTable {
    head: Option<String>,
    rows: Vec<Vec<String>>,
    tail: Option<String>,
}

/// The cells of a text line whose line ends became tabs and whose indentation stayed (a
/// crawler's text of a page's HTML). A blank cell between two siblings (as many tabs before
/// it as after it) is kept, empty, as a table's empty cell; other blanks are indentation.
/// Where the indentation shows (a run of three tabs or more), a lone tab is a space within a
/// cell (`CS1811/激光打印机<tab>CS1811<tab>黑白…` is one cell).
fn indented_cells(line: &str) -> Vec<String> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (at, c) in line.char_indices() {
        match runs.last_mut() {
            Some((start, len)) if c == '\t' && *start + *len == at => *len += 1,
            _ if c == '\t' => runs.push((at, 1)),
            _ => {}
        }
    }
    let indented = runs.iter().any(|&(_, len)| len >= 3);
    let separators: Vec<(usize, usize)> =
        runs.into_iter().filter(|&(_, len)| !indented || len >= 2).collect();
    let mut cells = Vec::new();
    let (mut at, mut before) = (0, None);
    for k in 0..=separators.len() {
        let (end, after) = separators.get(k).map_or((line.len(), None), |&(start, len)| (start, Some(len)));
        let text = collapse(&line[at..end]);
        if !text.is_empty() {
            cells.push(text);
        } else if before.is_some() && before == after && at < end {
            cells.push(String::new());
        }
        if let Some(&(start, len)) = separators.get(k) {
            (at, before) = (start + len, Some(len));
        }
    }
    cells
}

/// The longest line [`join_fragments`] makes.
const MAX_JOINED_CHARS: usize = 200;

/// Lines that are pieces of one (what `get_text("\n")` makes of a page whose markup cut its
/// sentences into spans, or whose source's line ends a crawler kept: `浙江甲公司关于` / `2021` /
/// `年乙项目的中标` / `(` / `成交` / `)`) joined again. A line goes with the one before when it
/// closes a bracket or continues with punctuation (`-施工图设计项目`, `）比选公告`, `：甲局`), is a
/// bracket alone, or — unless it is a label's line (`传真：…` / `日期：…` stay two) — when the
/// line before leaves a bracket open, ends on a word that needs what follows (`关于`, `受`, `的`,
/// `、`, `-`) or on a figure whose unit it starts (`75` / `万元`, `2021年4月` / `28`), when a
/// word runs across the line's end ([`word_across`]), when it is a notice's noun alone
/// (`竞争性谈判` / `公告`), when it is a short aside in brackets
/// (`甲管理处` / `（采购人）的…`), or a form's filled-in blank (`甲咨询有限公司` / `受` / `乙局` /
/// `委托，就…`), or a document's number goes on with its year in brackets (`靖财采计` /
/// `[2017]01059号`); a figure goes with its currency (`人民币` / `3850`), a list item's number with
/// its text (`2.` / `废标结果`), and a house number with its place (`向阳村` / `118` / `号`).
/// Lines with tabs are rows and stay as they are. ([`join_wrapped_names`], for every page,
/// joins a name wrapped after its label.)
fn join_fragments(lines: Vec<String>) -> Vec<String> {
    fn open_brackets(line: &str) -> i32 {
        line.chars().fold(0, |depth, c| match c {
            '(' | '（' | '【' | '[' => depth + 1,
            ')' | '）' | '】' | ']' => depth - 1,
            _ => depth,
        })
    }
    let continues = |before: &str, after: &str| {
        let (Some(last), Some(first)) = (before.chars().last(), after.chars().next()) else {
            return false;
        };
        // `靖财采计` / `[2017]01059号`: a document's number, its year in brackets.
        let year_in_brackets = || {
            let mut chars = after.chars();
            "[［〔【（(".contains(first)
                && chars.by_ref().skip(1).take(4).filter(char::is_ascii_digit).count() == 4
                && chars.next().is_some_and(|c| "]］〕】）)".contains(c))
                && is_han(last)
        };
        let continued =
            ")）】]-－—、，,；;：:".contains(first) || ["(", "（"].contains(&after) || year_in_brackets();
        let unfinished = || {
            // `【信息时间：` / `2021/5/11` / `阅读次数：`: a bracket around labels is no sentence's.
            open_brackets(before) > 0 && !before.contains(['：', ':'])
                || "-－—、，,(（".contains(last)
                || ["关于", "于", "受", "由", "的", "为", "及", "和", "与", "对"]
                    .iter()
                    .any(|w| before.ends_with(w))
                || last.is_ascii_digit() && "年月日号万亿元%％".contains(first)
                || before.ends_with(['年', '月']) && first.is_ascii_digit()
        };
        let goes_before = || {
            ["受", "由", "于", "向"].contains(&after)
                // `竞争性谈判` / `公告`: a heading's noun in a span of its own.
                || ["公告", "公示", "通告"].contains(&after) && is_han(last)
                || after.starts_with("委托")
                || after.starts_with("的委托")
                || aside_in_brackets(after)
        };
        // `2.` / `废标结果：`: a list item's number in a span of its own.
        let numbered = || {
            if before.len() > 12 {
                return false;
            }
            let mark: Vec<char> = before.chars().collect();
            let numerals = mark.iter().take_while(|c| c.is_ascii_digit() || NUMERALS.contains(**c)).count();
            let bracketed = matches!(mark.first(), Some('（' | '('))
                && matches!(mark.last(), Some('）' | ')'))
                && (3..=4).contains(&mark.len())
                && mark[1..mark.len() - 1].iter().all(|c| c.is_ascii_digit() || NUMERALS.contains(*c));
            bracketed
                || (1..=3).contains(&numerals)
                    && mark.len() == numerals + 1
                    && ".、．".contains(mark[numerals])
        };
        let currency = ["人民币", "￥", "¥", "RMB"].contains(&before)
            && (first.is_ascii_digit() || "零壹贰叁肆伍陆柒捌玖拾佰仟".contains(first));
        continued
            || currency
            || is_han(first) && numbered()
            || !is_key_value(after) && (unfinished() || goes_before() || word_across(before, after))
    };
    // `118` / `号`, joined: a house number, which goes with the place before it (`向阳村`).
    let house_number = |line: &str| {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        digits > 0
            && line.chars().count() == digits + 1
            && line.chars().last().is_some_and(|c| "号室楼栋幢层弄".contains(c))
    };
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        match out.last_mut() {
            Some(before)
                if !before.contains('\t')
                    && !line.contains('\t')
                    && before.chars().count() + line.chars().count() <= MAX_JOINED_CHARS
                    && continues(before, &line) =>
            {
                before.push_str(&line);
                if house_number(before) && out.len() >= 2 {
                    let place = &out[out.len() - 2];
                    if !place.contains('\t') && place.chars().last().is_some_and(is_han) {
                        let number = out.pop().unwrap_or_default();
                        if let Some(place) = out.last_mut() {
                            place.push_str(&number);
                        }
                    }
                }
            }
            _ => out.push(line),
        }
    }
    out
}

/// `（采购人）的…`, `（第二次）`: a line opening with a few words in brackets, not a section's
/// number (`（一）`, `(2)`) and no note (`（注：…）`).
fn aside_in_brackets(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(['（', '(']) else { return false };
    let Some(close) = rest.find(['）', ')']) else { return false };
    let inside = &rest[..close];
    let count = inside.chars().count();
    (2..=10).contains(&count)
        && !inside.contains(['：', ':'])
        && !inside.chars().all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
}

/// Whether a word runs across the end of `before` into `after` (`国采（青海）招标有` /
/// `限公司受…`: a source's line ends, kept by a crawler's text): the dictionary's best
/// segmentation of the few Chinese characters either side of the end has a word across it.
fn word_across(before: &str, after: &str) -> bool {
    const SIDE: usize = 4;
    let tail: String = {
        let mut tail: Vec<char> = before.chars().rev().take_while(|&c| is_han(c)).take(SIDE).collect();
        tail.reverse();
        tail.into_iter().collect()
    };
    let head: String = after.chars().take_while(|&c| is_han(c)).take(SIDE).collect();
    // `项 目 编 号`: a label spaced out starts no word with the line before.
    let spaced = after.chars().nth(1).is_some_and(char::is_whitespace);
    if tail.is_empty() || head.is_empty() || spaced {
        return false;
    }
    let window = format!("{tail}{head}");
    let cut = tail.len();
    crate::extract::tokenize::jieba()
        .cut(&window, false)
        .iter()
        .any(|w| w.byte_start < cut && w.byte_end > cut)
}

/// A label spaced out over two lines (`名` / `称：甲局`: what `get_text("\n")` makes of
/// `名<span>&nbsp;</span>称：甲局`) joined into one: a line of one or two Chinese characters
/// before a line that starts with at most three more and a colon; and a party's role before
/// the line that names it (`采购人` / `名称：甲中心`).
fn join_spaced_labels(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        let count = line.chars().count();
        let han = count > 0 && line.chars().all(is_han);
        // `采购人` / `名称：甲中心`: whose name the next line gives.
        let whose = han && count <= 8;
        let rest_of_label = |next: &String| {
            let label: String = next
                .chars()
                .take_while(|c| !matches!(c, '：' | ':'))
                .filter(|c| !c.is_whitespace())
                .collect();
            let chars = label.chars().count();
            label.len() < next.len()
                && label.chars().all(is_han)
                && ((1..=3).contains(&chars) && han && count <= 2 || whose && label == "名称")
        };
        match lines.next_if(rest_of_label) {
            Some(next) => out.push(line + &next),
            None => out.push(line),
        }
    }
    out
}

/// A text whose every cell is a line (what a crawler's `get_text("\n")` makes of a table):
/// the tables among its lines, a run of column headings and then the values under them,
/// regrouped into rows of tab-separated cells ([`unflatten_cells`]); lines that already hold
/// tabs stay as they are.
fn cells_as_lines(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut run = Vec::new();
    for line in lines {
        if line.contains('\t') {
            out.extend(unflatten_cells(std::mem::take(&mut run)));
            out.push(line);
        } else {
            run.push(line);
        }
    }
    out.extend(unflatten_cells(run));
    out
}

/// The cells of a page whose line ends became tabs (a crawler's text of its HTML), each on a
/// line of its own, except the tables among them: a run of column headings and then the rows
/// under them, each row's cells separated by tabs
/// (`品目名称 | 数量 | 成交金额(元) | A4纸 | 480 | 12,000.00` is a header and a row).
fn unflatten_cells(cells: Vec<String>) -> Vec<String> {
    use super::labels::is_column_heading;
    // A figure's unit on a line of its own (`160.264600` / `万元`: a line break in the cell)
    // stays with it.
    let mut merged: Vec<String> = Vec::with_capacity(cells.len());
    for cell in cells {
        push_cell(&mut merged, cell);
    }
    let tokens: Vec<&str> = merged.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(tokens.len());
    let (mut done, mut at) = (0, 0);
    while at < tokens.len() {
        // A run of headings is read from its first.
        let starts_run = is_column_heading(tokens[at]) && (at == 0 || !is_column_heading(tokens[at - 1]));
        match starts_run.then(|| table_at(&tokens, at, false)).flatten() {
            Some((table, end)) => {
                out.extend(tokens[done..at].iter().filter(|t| !t.is_empty()).map(|t| t.to_string()));
                out.extend(table.iter().map(|row| row.join("\t")));
                (done, at) = (end, end);
            }
            None => at += 1,
        }
    }
    out.extend(tokens[done..].iter().filter(|t| !t.is_empty()).map(|t| t.to_string()));
    out
}

/// The table whose header starts at `tokens[start]`: a run of column headings, at least two of
/// them labels (one of three, among a page's cells), then rows of as many values, none a
/// label; or, when every row left its last cell blank (and so lost it), of one fewer. With
/// `whole` (a line's text), the values end before the first `key：value` or numbered section
/// after whole rows, or at the end; else (a page's cells) before the first label, `key：value`
/// or numbered section. Returns the rows, header first, and where the values end.
fn table_at(tokens: &[&str], start: usize, whole: bool) -> Option<(Vec<Vec<String>>, usize)> {
    use super::labels::{classify_label, is_column_heading};
    let is_label = |token: &str| is_column_heading(token) && classify_label(token).is_some();
    // The headings, over any blank cell between two of them.
    let mut from = start;
    while tokens.get(from).is_some_and(|t| is_column_heading(t))
        || tokens.get(from).is_some_and(|t| t.is_empty())
            && tokens.get(from + 1).is_some_and(|t| is_column_heading(t))
    {
        from += 1;
    }
    let header: Vec<&str> = tokens[start..from].iter().copied().filter(|t| !t.is_empty()).collect();
    let width = header.len();
    let labels = header.iter().filter(|t| is_label(t)).count();
    // On a line, two labels among the headings; among a page's cells, one among three.
    if width < 2 || labels < 2 && (whole || labels < 1 || width < 3) {
        return None;
    }
    let ends_values = |t: &&str| {
        classify_label(t).is_some()
            || is_key_value(t)
            || section_marker(&t.chars().take(4).collect::<Vec<_>>()).is_some()
    };
    let end = tokens[from..].iter().position(ends_values).map_or(tokens.len(), |n| from + n);
    // On a line, a label among the values is a cell of the table (which is then not one).
    if whole && end < tokens.len() && classify_label(tokens[end]).is_some() && !is_key_value(tokens[end]) {
        return None;
    }
    let mut values = &tokens[from..end];
    while let [rest @ .., ""] = values {
        values = rest;
    }
    // Rows of the header's width; or one fewer, for pages only (a line's text has its blank
    // cells as runs of spaces, not as nothing). Each column holds figures in every row or in
    // none: rows cut at the wrong width mix them.
    let aligned = |w: usize| (0..w).all(|column| one_kind(values.iter().skip(column).step_by(w)));
    let row = [width, width - 1]
        .into_iter()
        .take(if whole { 1 } else { 2 })
        .find(|&w| w >= 2 && !values.is_empty() && values.len() % w == 0 && aligned(w));
    // Rows one cell short lost a blank cell: the last, unless the columns' kinds say which.
    let kept: Vec<&str> = match row {
        Some(row) if row < width => {
            let lost = blank_column(&header, values, row).unwrap_or(width - 1);
            header.iter().enumerate().filter(|&(c, _)| c != lost).map(|(_, h)| *h).collect()
        }
        _ => header.clone(),
    };
    let mut table = vec![kept.iter().map(|t| t.to_string()).collect::<Vec<_>>()];
    match row {
        Some(row) => {
            table.extend(values.chunks(row).map(|cells| cells.iter().map(|v| v.to_string()).collect()))
        }
        None => table.extend(spanning_first_column(values, width, whole)?),
    }
    Some((table, end))
}

/// Which heading's column every row left blank (and so lost), when rows of `row` cells come
/// under `header` of one more: the one heading whose leaving out puts every figure heading
/// (`中标金额(万元)`, `序号`) over figures, every address heading over words that name no
/// firm, and every heading of a party (`中标供应商名称`) over words, a firm's name among them.
/// `None` when no heading, or several, would.
fn blank_column(header: &[&str], values: &[&str], row: usize) -> Option<usize> {
    const FIGURES: [&str; 10] = ["金额", "价", "费", "率", "得分", "分值", "数量", "序号", "排名", "名次"];
    const FIRMS: [&str; 8] = ["公司", "院", "所", "中心", "厂", "社", "局", "部"];
    let firm = |v: &str| FIRMS.iter().any(|w| v.ends_with(w));
    let fits = |lost: usize| {
        header.iter().enumerate().filter(|&(c, _)| c != lost).enumerate().all(|(column, (_, heading))| {
            let mut cells = values.iter().skip(column).step_by(row).filter(|v| !v.is_empty()).peekable();
            if FIGURES.iter().any(|w| heading.contains(w)) {
                cells.all(|v| is_figure(v))
            } else if heading.contains("地址") {
                cells.all(|v| !is_figure(v) && !firm(v))
            } else if ["单位", "供应商", "中标人", "成交人", "投标人"].iter().any(|w| heading.contains(w))
            {
                cells.peek().is_some() && cells.clone().all(|v| !is_figure(v)) && cells.any(|v| firm(v))
            } else {
                true
            }
        })
    };
    let mut fitting = (0..header.len()).filter(|&lost| fits(lost));
    let lost = fitting.next()?;
    fitting.next().is_none().then_some(lost)
}

/// The rows of a table whose first cell spans down (`rowspan`: one project, three candidates):
/// a whole first row, then rows of one cell fewer, each given the first row's first cell. Each
/// column holds figures in every row or in none. On a line (`line`), where nothing marks where
/// a row ends, at least two rows follow the first and a column holds figures all the way down.
fn spanning_first_column(values: &[&str], width: usize, line: bool) -> Option<Vec<Vec<String>>> {
    let rest =
        values.get(width..).filter(|rest| width >= 3 && !rest.is_empty() && rest.len() % (width - 1) == 0)?;
    let column = |c: usize| std::iter::once(&values[c]).chain(rest.iter().skip(c - 1).step_by(width - 1));
    let aligned = (1..width).all(|c| one_kind(column(c)));
    let figured = (1..width).any(|c| column(c).all(|v| is_figure(v)));
    if !aligned || line && (rest.len() < 2 * (width - 1) || !figured) {
        return None;
    }
    let first = values[0].to_string();
    let mut rows = vec![values[..width].iter().map(|v| v.to_string()).collect::<Vec<_>>()];
    rows.extend(
        rest.chunks(width - 1)
            .map(|cells| std::iter::once(first.clone()).chain(cells.iter().map(|v| v.to_string())).collect()),
    );
    Some(rows)
}

/// A column's cells, blanks aside, are all figures or none.
fn one_kind<'a>(cells: impl Iterator<Item = &'a &'a str> + Clone) -> bool {
    let figures = cells.filter(|v| !v.is_empty()).map(|v| is_figure(v));
    figures.clone().all(|figure| figure) || figures.clone().all(|figure| !figure)
}

/// A cell that is a figure: digits, with separators, a decimal point, a sign or a unit
/// (`160.264600 万元`).
fn is_figure(cell: &str) -> bool {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    digits > 0 && cell.chars().all(|c| c.is_ascii_digit() || ",.%-+元万亿 ".contains(c))
}

/// `联系人：张三`, `成交供应商：甲公司`, `本项目招标代理费总金额：0.0 万元`: a key of a label's
/// length and its value, not a cell whose text has a colon further in
/// (`BP-900K/证卡打印机，打印宽度：94列`).
fn is_key_value(cell: &str) -> bool {
    cell.split_once(['：', ':']).is_some_and(|(key, value)| {
        key.chars().count() <= 16
            && !key.contains(['，', '。', '；', ',', ';', '/'])
            // `最终报价:1728800.00(元)`: how a result table's cell states its bid (政采云).
            && !(key.ends_with("报价") && value.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    })
}
