//! Tender and award notices -> fields.
//!
//! Structure first, text second: label/value cells in table rows, header rows of result tables
//! (`中标人 | 中标金额（万元）`), then `label：value` patterns in the free text, with section
//! context for `名称：` under `采购人信息` / `代理机构信息`. The first source that yields a field
//! wins. Unknown fields are `None`, never guessed.

use super::amount::{label_is_not_amount, parse_amount, Unit};
use super::date::find_date;
use super::normalize::fold;
use crate::model::Date;
use scraper::{ElementRef, Node};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub file: String,
    pub kind: NoticeKind,
    pub title: Option<String>,
    pub published: Option<Date>,
    pub buyer: Option<String>,
    pub winners: Vec<String>,
    /// The first-ranked candidate of a candidate notice (第一中标候选人): the likely, not the
    /// actual, winner.
    pub candidate: Option<String>,
    pub agency: Option<String>,
    pub amount: Option<f64>,
    pub budget: Option<f64>,
    pub project_code: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeKind {
    Tender,
    Award,
    Candidate,
    Correction,
    Termination,
    Other,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Tender => "tender",
            NoticeKind::Award => "award",
            NoticeKind::Candidate => "candidate",
            NoticeKind::Correction => "correction",
            NoticeKind::Termination => "termination",
            NoticeKind::Other => "other",
        }
    }
}

/// The notice kind from its title (or, lacking one, the start of its text).
pub fn classify(title: &str) -> NoticeKind {
    let t = fold(title);
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["终止", "废标", "流标", "采购失败", "招标失败", "取消公告", "不成立"]) {
        NoticeKind::Termination
    } else if has(&["更正", "变更公告", "澄清", "补充公告", "延期公告", "修改公告", "答疑"])
    {
        NoticeKind::Correction
    } else if has(&["候选人", "评标结果公示", "评审结果公示", "拟中标", "拟成交"]) {
        NoticeKind::Candidate
    } else if has(&["中标", "成交", "中选", "结果公告", "结果公示", "采购结果", "入围结果"])
    {
        NoticeKind::Award
    } else if has(&[
        "招标公告",
        "采购公告",
        "谈判公告",
        "询价公告",
        "磋商公告",
        "比选公告",
        "邀请",
        "资格预审",
        "招标文件",
        "竞价公告",
        "单一来源",
        "遴选公告",
    ]) {
        NoticeKind::Tender
    } else {
        NoticeKind::Other
    }
}

pub use super::encoding::decode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Buyer,
    Winner,
    /// `第一中标候选人`: the likely winner of a candidate notice, never a winner.
    Candidate,
    Agency,
    Amount,
    Budget,
    Code,
    Published,
    Region,
    /// `名称`, whose meaning depends on the section it is in.
    Name,
}

const BUYER: &[&str] = &[
    "采购人",
    "招标人",
    "采购单位",
    "建设单位",
    "采购方",
    "招标单位",
    "业主单位",
    "项目业主",
    "招标方",
    "采购人名称",
    "招标人名称",
    "项目单位",
    "比选人",
    "询价人",
];
const WINNER: &[&str] = &[
    "中标人",
    "中标供应商",
    "成交供应商",
    "中选供应商",
    "中标单位",
    "成交单位",
    "中标(成交)供应商",
    "中标(成交)人",
    "成交人",
    "中选人",
    "中选单位",
    "中标人名称",
    "中标供应商名称",
    "成交供应商名称",
    "中标单位名称",
    "供应商名称",
    "中标候选人名称",
    "中标(成交)供应商名称",
    "成交候选人",
];
const AGENCY: &[&str] = &[
    "代理机构",
    "招标代理",
    "采购代理机构",
    "招标机构",
    "代理单位",
    "招标代理机构",
    "招标代理单位",
    "采购代理",
    "代理机构名称",
    "采购代理机构名称",
    "集中采购机构",
];
const AMOUNT: &[&str] = &[
    "中标价",
    "中标金额",
    "成交金额",
    "中标(成交)金额",
    "合同金额",
    "成交价",
    "中标价格",
    "中标总价",
    "成交总价",
    "中选金额",
    "中标报价",
    "成交价格",
    "中标总金额",
    "成交总金额",
    "总中标金额",
    "投标报价",
    "报价",
    "中标(成交)价",
];
const BUDGET: &[&str] = &[
    "预算金额",
    "采购预算",
    "最高限价",
    "控制价",
    "招标控制价",
    "项目预算",
    "预算",
    "最高投标限价",
    "采购预算金额",
];
const CODE: &[&str] = &[
    "项目编号",
    "招标编号",
    "采购编号",
    "标段(包)编号",
    "标段编号",
    "项目代码",
    "采购项目编号",
    "招标项目编号",
    "项目编码",
    "包编号",
    "标包编号",
];
const PUBLISHED: &[&str] = &[
    "公告发布日期",
    "发布日期",
    "发布时间",
    "公告日期",
    "公示时间",
    "公告时间",
    "信息发布时间",
    "公示日期",
    "发布于",
];
const REGION: &[&str] = &["地区", "所属地区", "项目地区", "行政区域", "所属区域", "区域", "行政区划"];

/// Normalises a label: folded, spaces and punctuation around it removed, a leading list
/// number (`1.`, `一、`, `（一）`) dropped, and a unit in brackets kept aside for amounts.
fn clean_label(label: &str) -> String {
    let folded = fold(label);
    let mut s: String = folded
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            _ => c,
        })
        .collect();
    s = s.trim_end_matches([':', '：', '*']).trim_start_matches('*').to_string();
    // Leading enumeration.
    let trimmed =
        s.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十、.()".contains(c));
    if !trimmed.is_empty() {
        s = trimmed.to_string();
    }
    s
}

/// What a label names, and the unit it gives amounts.
fn classify_label(label: &str) -> Option<(Field, Option<Unit>)> {
    let cleaned = clean_label(label);
    if cleaned.is_empty() || cleaned.chars().count() > 16 {
        return None;
    }
    let unit = Unit::from_label(&cleaned);
    // Compare without bracketed units and trailing qualifiers.
    let mut base = cleaned.clone();
    for unit_text in
        ["(元)", "(万元)", "(亿元)", "(人民币)", "(人民币元)", "(人民币万元)", "(%)", "(报价承诺)"]
    {
        base = base.replace(unit_text, "");
    }
    let is = |list: &[&str]| list.contains(&base.as_str());
    if base.contains("候选人") && !base.contains("名称") {
        return Some((Field::Candidate, None));
    }
    let field = if is(WINNER) {
        Field::Winner
    } else if is(BUYER) {
        Field::Buyer
    } else if is(AGENCY) {
        Field::Agency
    } else if is(AMOUNT) {
        Field::Amount
    } else if is(BUDGET) {
        Field::Budget
    } else if is(CODE) {
        Field::Code
    } else if is(PUBLISHED) {
        Field::Published
    } else if is(REGION) {
        Field::Region
    } else if base == "名称" || base == "单位名称" {
        Field::Name
    } else {
        return None;
    };
    Some((field, unit))
}

/// What the document says, before deciding.
#[derive(Default)]
struct Found {
    buyer: Option<String>,
    winners: Vec<String>,
    candidate: Option<String>,
    agency: Option<String>,
    amount: Option<Option<f64>>,
    budget: Option<Option<f64>>,
    code: Option<String>,
    published: Option<Date>,
    region: Option<String>,
}

impl Found {
    /// Records a value for a field unless one was found already.
    fn offer(&mut self, field: Field, label: &str, unit: Option<Unit>, value: &str) {
        let value = value.trim().trim_matches(|c: char| c.is_whitespace() || "：:；;，,。".contains(c));
        if value.is_empty() || is_placeholder(value) {
            return;
        }
        match field {
            Field::Buyer => set_once(&mut self.buyer, clean_name(value)),
            Field::Agency => set_once(&mut self.agency, clean_name(value)),
            Field::Winner => {
                if self.winners.is_empty() {
                    self.winners = split_winners(value);
                }
            }
            Field::Candidate => set_once(&mut self.candidate, clean_name(value)),
            Field::Amount => {
                if self.amount.is_none() {
                    let amount =
                        if label_is_not_amount(&fold(label)) { None } else { parse_amount(value, unit) };
                    // A label without an amount in its value (e.g. `详见附件`) is no answer yet.
                    if amount.is_some() || label_is_not_amount(&fold(label)) || value.contains('%') {
                        self.amount = Some(amount);
                    }
                }
            }
            Field::Budget => {
                if self.budget.is_none() {
                    if let Some(amount) = parse_amount(&fold(value), unit) {
                        self.budget = Some(Some(amount));
                    }
                }
            }
            Field::Code => set_once(&mut self.code, clean_code(value)),
            Field::Published => {
                if self.published.is_none() {
                    self.published = find_date(value);
                }
            }
            Field::Region => set_once(&mut self.region, first_word(value)),
            Field::Name => {}
        }
    }
}

fn set_once(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn is_placeholder(value: &str) -> bool {
    matches!(value, "/" | "无" | "-" | "—" | "／" | "详见附件" | "见附件" | "暂无" | "null")
}

/// The value up to the first run of spaces (values in free text run into the next item).
fn first_word(value: &str) -> Option<String> {
    let word = value.split(['\u{3000}', '\t']).next().unwrap_or("").split("  ").next().unwrap_or("").trim();
    (!word.is_empty()).then(|| word.to_string())
}

fn clean_name(value: &str) -> Option<String> {
    let word = first_word(value)?;
    // Cut trailing contact details run into the name.
    let cut = ["地址", "联系人", "联系方式", "电话", "地 址"].iter().filter_map(|w| word.find(w)).min();
    let name = match cut {
        Some(at) => word[..at].trim_end_matches(|c: char| "，,；;:：".contains(c)).trim().to_string(),
        None => word,
    };
    (!name.is_empty() && !is_placeholder(&name)).then_some(name)
}

fn clean_code(value: &str) -> Option<String> {
    let word = first_word(value)?;
    let code: String =
        word.chars().take_while(|c| c.is_ascii_alphanumeric() || "-_()[]（）【】.#/".contains(*c)).collect();
    let mut code = code.trim_end_matches(['.', '/']).to_string();
    while code.matches(['(', '（']).count() > code.matches([')', '）']).count() {
        match code.rfind(['(', '（']) {
            Some(at) => code.truncate(at),
            None => break,
        }
    }
    (code.chars().any(|c| c.is_ascii_digit()) && code.len() >= 3).then_some(code)
}

/// `甲公司（牵头人）、乙公司（成员）`, `甲公司、乙公司联合体` and `联合体牵头人：甲；成员：乙`
/// -> [甲, 乙]: each member of a consortium is a winner of its own.
pub fn split_winners(value: &str) -> Vec<String> {
    let mut text = value.to_string();
    for marker in ["联合体牵头人", "联合体成员", "牵头人", "成员单位", "成员", "联合体"]
    {
        text = text.replace(&format!("（{marker}）"), "、").replace(&format!("({marker})"), "、");
        text =
            text.replace(&format!("{marker}：", marker = marker), "、").replace(&format!("{marker}:"), "、");
    }
    text.split(['、', '；', ';', '，', ',', '\n', '/'])
        .map(|part| {
            let part = part.trim();
            let part =
                part.strip_suffix("组成的联合体").or_else(|| part.strip_suffix("联合体")).unwrap_or(part);
            part.strip_suffix('与').or_else(|| part.strip_suffix('和')).unwrap_or(part).to_string()
        })
        .filter_map(|part| clean_name(&part))
        .filter(|name| name.chars().count() >= 2)
        .fold(Vec::new(), |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        })
}

/// The page as rows of cells (tables) and lines of text (everything).
struct Layout {
    title: Option<String>,
    heading: Option<String>,
    rows: Vec<Vec<String>>,
    lines: Vec<String>,
}

fn collapse(text: &str) -> String {
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

fn layout_html(html: &str) -> Layout {
    let document = super::html::parse(html);
    let select = |s: &str| scraper::Selector::parse(s).ok();
    let title = select("title").and_then(|s| document.select(&s).map(element_text).find(|t| !t.is_empty()));
    let heading =
        select("h1, h2").and_then(|s| document.select(&s).map(element_text).find(|t| !t.is_empty()));
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
    let mut current = String::new();
    let mut stack = vec![(document.tree.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if matches!(name, "script" | "style" | "noscript" | "head") {
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
    Layout { title, heading, rows, lines }
}

fn push_line(lines: &mut Vec<String>, current: &mut String) {
    let line = current.split('\t').map(collapse).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("\t");
    if !line.is_empty() {
        lines.push(line);
    }
    current.clear();
}

fn layout_text(text: &str) -> Layout {
    let lines: Vec<String> = text.lines().map(collapse).filter(|l| !l.is_empty()).collect();
    Layout { title: lines.first().cloned(), heading: None, rows: Vec::new(), lines }
}

/// Label/value pairs within table rows: `[招标人:, 甲, 建设地点, 乙]`, or `中标人：甲` in one cell.
fn from_rows(rows: &[Vec<String>], found: &mut Found) {
    for row in rows {
        let mut i = 0;
        while i < row.len() {
            let cell = &row[i];
            if let Some((field, unit)) = classify_label(cell) {
                if let Some(value) = row.get(i + 1) {
                    if classify_label(value).is_none() {
                        found.offer(field, cell, unit, value);
                        i += 2;
                        continue;
                    }
                }
            } else if let Some((label, value)) = cell.split_once(['：', ':']) {
                if let Some((field, unit)) = classify_label(label) {
                    found.offer(field, label, unit, value);
                }
            }
            i += 1;
        }
    }
}

/// Result tables: a header row of labels, then data rows with as many cells.
fn from_header_tables(rows: &[Vec<String>], found: &mut Found) {
    for (index, header) in rows.iter().enumerate() {
        if header.len() < 2 {
            continue;
        }
        let fields: Vec<Option<(Field, Option<Unit>)>> = header.iter().map(|h| classify_label(h)).collect();
        let known = fields.iter().filter(|f| f.is_some()).count();
        if known < 2 && !(known == 1 && header.iter().any(|h| h.contains("序号") || h.contains("排名"))) {
            continue;
        }
        // Label/value rows ([label, value, label, value]) are not header rows.
        if header.len() % 2 == 0
            && fields.iter().step_by(2).all(|f| f.is_some())
            && fields.iter().skip(1).step_by(2).all(|f| f.is_none())
        {
            continue;
        }
        let Some(data) = rows.get(index + 1).filter(|r| r.len() == header.len()) else { continue };
        for (column, field) in fields.iter().enumerate() {
            if let Some((field, unit)) = field {
                let field = if *field == Field::Name { Field::Winner } else { *field };
                found.offer(field, &header[column], *unit, &data[column]);
            }
        }
    }
}

/// `label：value` in running text, up to the next label; `名称：` takes its meaning from the
/// section heading before it.
fn from_lines(lines: &[String], found: &mut Found) {
    let mut section: Option<Field> = None;
    for line in lines {
        let folded = fold(line);
        if folded.contains("采购人信息") || folded.contains("招标人信息") || folded.contains("采购单位信息")
        {
            section = Some(Field::Buyer);
        } else if folded.contains("代理机构信息") || folded.contains("代理机构联系") {
            section = Some(Field::Agency);
        } else if folded.contains("供应商信息")
            || folded.contains("中标人信息")
            || folded.contains("成交信息")
        {
            section = Some(Field::Winner);
        }
        for (label, value) in label_values(line) {
            let Some((field, unit)) = classify_label(&label) else { continue };
            let field = match (field, section) {
                (Field::Name, Some(s)) => s,
                (Field::Name, None) => continue,
                (f, _) => f,
            };
            found.offer(field, &label, unit, &value);
        }
    }
}

/// Splits a line into `(label, value)` pairs at colons: the label is the text after the
/// previous value's end (a separator or tab), the value runs to the next label.
fn label_values(line: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    let colons: Vec<usize> =
        chars.iter().enumerate().filter(|(_, c)| **c == '：' || **c == ':').map(|(i, _)| i).collect();
    let mut out = Vec::new();
    let is_boundary =
        |c: char| c == '\t' || c == '\u{3000}' || c == '；' || c == ';' || c == '。' || c == ' ' || c == '，';
    let mut starts = Vec::new();
    for &colon in &colons {
        // Walk back from the colon to a boundary: that is where the label starts.
        let mut start = colon;
        let mut depth = 0usize;
        while start > 0 && colon - start < 16 {
            let c = chars[start - 1];
            if c == '）' || c == ')' {
                depth += 1;
            } else if c == '（' || c == '(' {
                // An opening bracket with no closing one before the colon ends the label:
                // `YCZC-2025-0312（招标文件编号：...`.
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if is_boundary(c) {
                break;
            }
            start -= 1;
        }
        // `名 称：` — a space inside a short label is part of it.
        if start >= 2 && chars[start - 1] == ' ' && colon - start <= 2 && is_han(chars[start - 2]) {
            start -= 1;
            while start > 0 && is_han(chars[start - 1]) && colon - start < 4 {
                start -= 1;
            }
        }
        starts.push((start, colon));
    }
    for (k, &(start, colon)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|&(s, _)| s).unwrap_or(chars.len());
        if colon + 1 > end {
            continue;
        }
        let label: String = chars[start..colon].iter().collect();
        let value: String = chars[colon + 1..end].iter().collect();
        out.push((label, value.trim().to_string()));
    }
    out
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Extracts a notice from raw bytes (HTML or text, any common encoding).
pub fn extract(bytes: &[u8], file: &str) -> Notice {
    let text = decode(bytes);
    let is_html = file.ends_with(".html") || file.ends_with(".htm") || text.trim_start().starts_with('<');
    extract_text(&text, is_html, file)
}

/// Extracts a notice from decoded text: an HTML page when `is_html`, else plain text.
pub fn extract_text(text: &str, is_html: bool, file: &str) -> Notice {
    let layout = if is_html { layout_html(text) } else { layout_text(text) };
    let mut found = Found::default();
    from_rows(&layout.rows, &mut found);
    from_header_tables(&layout.rows, &mut found);
    from_lines(&layout.lines, &mut found);
    let title = layout.title.clone().or_else(|| layout.heading.clone());
    let kind_source = title.clone().or_else(|| layout.lines.first().cloned()).unwrap_or_default();
    let mut kind = classify(&kind_source);
    if kind == NoticeKind::Other {
        if let Some(heading) = &layout.heading {
            kind = classify(heading);
        }
    }
    // A candidate notice names candidates, not winners, and a tender, candidate list or
    // termination has no award amount (a bid is not an award).
    let no_award = matches!(kind, NoticeKind::Candidate | NoticeKind::Tender | NoticeKind::Termination);
    let winners = if no_award { Vec::new() } else { found.winners };
    let amount = if no_award { None } else { found.amount.flatten() };
    Notice {
        file: file.to_string(),
        kind,
        title,
        published: found.published,
        buyer: found.buyer,
        winners,
        candidate: found.candidate,
        agency: found.agency,
        amount,
        budget: found.budget.flatten(),
        project_code: found.code,
        region: found.region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_notice_kinds_from_titles() {
        let check = |title: &str, kind: NoticeKind| assert_eq!(classify(title), kind, "{title}");
        check("某某工程中标结果公告", NoticeKind::Award);
        check("某某项目成交公告", NoticeKind::Award);
        check("某某项目中标候选人公示", NoticeKind::Candidate);
        check("某某项目更正公告", NoticeKind::Correction);
        check("某某项目废标公告", NoticeKind::Termination);
        check("某某项目终止公告", NoticeKind::Termination);
        check("某某项目公开招标公告", NoticeKind::Tender);
        check("某某項目中標結果公告", NoticeKind::Award);
        check("关于开展安全检查的通知", NoticeKind::Other);
    }

    #[test]
    fn decodes_gbk_pages_and_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><title>中标公告</title>");
        assert!(decode(&gbk).contains("中标公告"));
        let (gbk_no_meta, _, _) = encoding_rs::GBK.encode("中标人：甲公司");
        assert_eq!(decode(&gbk_no_meta), "中标人：甲公司");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("中标".as_bytes());
        assert_eq!(decode(&bom), "中标");
    }

    #[test]
    fn label_value_cells() {
        let html = r#"<html><head><title>甲工程中标结果公告</title></head><body><table>
            <tr><td>招标人:</td><td>宜昌市甲局</td><td>建设地点</td><td>枝江市</td></tr>
            <tr><td>招标机构:</td><td>乙咨询有限公司</td><td>标段(包)编号:</td><td>ZJA990044-202501-01</td></tr>
            <tr><td>中标人:</td><td> 丙建设有限公司</td></tr>
            <tr><td>中标价(元):</td><td>502000.00</td></tr>
            <tr><td>公告发布日期:</td><td>2025-05-28</td></tr></table></body></html>"#;
        let n = extract(html.as_bytes(), "a.html");
        assert_eq!(n.kind, NoticeKind::Award);
        assert_eq!(n.buyer.as_deref(), Some("宜昌市甲局"));
        assert_eq!(n.agency.as_deref(), Some("乙咨询有限公司"));
        assert_eq!(n.winners, ["丙建设有限公司"]);
        assert_eq!(n.amount, Some(502000.0));
        assert_eq!(n.project_code.as_deref(), Some("ZJA990044-202501-01"));
        assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-05-28"));
    }

    #[test]
    fn commitments_and_rates_are_null() {
        let html = "<title>乙中标结果公告</title><table><tr><td>中标价(报价承诺):</td><td>拟投单价6400元/吨，总价3905110元</td></tr>\
                    <tr><td>中标价(%):</td><td>下浮5%</td></tr></table>";
        assert_eq!(extract(html.as_bytes(), "b.html").amount, None);
    }

    #[test]
    fn result_tables_with_units_in_the_header() {
        let html = "<title>丁项目成交结果公告</title><table>\
            <tr><th>序号</th><th>成交供应商</th><th>成交金额（万元）</th></tr>\
            <tr><td>1</td><td>戊科技有限公司</td><td>123.45</td></tr></table>";
        let n = extract(html.as_bytes(), "c.html");
        assert_eq!(n.winners, ["戊科技有限公司"]);
        assert_eq!(n.amount, Some(1_234_500.0));
    }

    #[test]
    fn free_text_with_sections_joint_winners_and_chinese_numerals() {
        let text = "己项目中标公告\n项目编号：GZ-2024-001\n一、采购人信息\n名 称：庚市教育局\n二、采购代理机构信息\n名称：辛招标代理有限公司\n\
                    中标供应商：壬建设有限公司（牵头人）、癸设计院有限公司（成员）\n中标金额：人民币壹佰贰拾万元整\n发布时间：2024年3月5日";
        let n = extract(text.as_bytes(), "d.txt");
        assert_eq!(n.kind, NoticeKind::Award);
        assert_eq!(n.buyer.as_deref(), Some("庚市教育局"));
        assert_eq!(n.agency.as_deref(), Some("辛招标代理有限公司"));
        assert_eq!(n.winners, ["壬建设有限公司", "癸设计院有限公司"]);
        assert_eq!(n.amount, Some(1_200_000.0));
        assert_eq!(n.project_code.as_deref(), Some("GZ-2024-001"));
        assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2024-03-05"));
    }

    #[test]
    fn candidates_are_not_winners() {
        let text = "子项目中标候选人公示\n第一中标候选人：丑建设有限公司\n投标报价：100万元";
        let n = extract(text.as_bytes(), "e.txt");
        assert_eq!(n.kind, NoticeKind::Candidate);
        assert!(n.winners.is_empty());
    }
}
