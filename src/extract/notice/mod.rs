//! Tender and award notices -> fields, on any site's layout.
//!
//! Nothing here knows a site. The page is read as a layout (title, marked headings, table rows,
//! text lines); every place that may state a field becomes a scored candidate (see
//! [`candidates`]): how strongly its label names the field, how it was found, whether the value
//! looks like what the field holds (an organisation by its ending, not a person or a seal
//! placeholder; a single date, not a period; an amount in yuan whatever its unit). Each field
//! takes its best candidate, and [`explain`] says which one that was. Unknown fields are `None`,
//! never guessed.

mod candidates;
mod labels;
mod layout;
mod values;

pub use super::encoding::decode;
pub use values::split_winners;

use crate::extract::normalize::{fold, is_han};
use crate::model::Date;
use candidates::{Candidate, Found, How, Value};
use labels::Field;
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
    /// The lots (标段, 包) of a result table with several, each with its winners and amount;
    /// `winners` and `amount` above are the first lot's.
    pub lots: Vec<Lot>,
}

/// A lot (标段, 包): its name, winners and amount. The same type a tender record carries.
pub use crate::model::TenderLot as Lot;

/// Where a field's value came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub field: &'static str,
    pub value: String,
    /// cell, table, label, next_line, sentence, header, signature, lone, title, heading, body.
    pub how: &'static str,
    /// The label that named the field, when one did.
    pub label: String,
    /// The text the value was read from (its first 60 characters).
    pub text: String,
    /// Line (or table row) number in the page as read.
    pub at: usize,
    pub score: f32,
    /// Other values that competed, best first.
    pub rejected: Vec<String>,
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

/// Words of titles that are notices of no kind we track: bid-opening records, leases, sales.
const OTHER_WORDS: &[&str] =
    &["开标记录", "开标情况", "招租", "出让", "拍卖", "挂牌", "竞买", "租赁", "处置公告", "变卖"];
const TERMINATION_WORDS: &[&str] =
    &["终止", "废标", "流标", "采购失败", "招标失败", "失败公告", "取消公告", "不成立", "中止"];
const CORRECTION_WORDS: &[&str] =
    &["更正", "变更", "澄清", "补充公告", "补遗", "延期公告", "延期开标", "修改公告", "答疑"];
const CANDIDATE_WORDS: &[&str] = &[
    "候选人",
    "评标结果公示",
    "评审结果公示",
    "拟中标",
    "拟成交",
    "预中标",
    "预成交",
    "推荐中标",
    "中标候选",
    "成交候选",
];
const AWARD_WORDS: &[&str] =
    &["中标", "成交", "中选", "结果公告", "结果公示", "采购结果", "入围结果", "定标结果", "合同公告"];
const TENDER_WORDS: &[&str] = &[
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
    "发包公告",
    "发包",
    "比选",
    "招标计划",
    "采购意向",
    "意见征询",
    "征询意见",
    "征求意见",
    "竞争性谈判",
    "竞争性磋商",
    "询比",
    "招募公告",
    "招标",
];

/// The notice kind a title (or heading) states, if it states one; `Some(Other)` for notices of
/// a kind we do not track.
fn stated_kind(text: &str) -> Option<NoticeKind> {
    let t: String = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(OTHER_WORDS) {
        Some(NoticeKind::Other)
    } else if has(TERMINATION_WORDS) {
        Some(NoticeKind::Termination)
    } else if has(CORRECTION_WORDS) {
        Some(NoticeKind::Correction)
    } else if has(CANDIDATE_WORDS) {
        Some(NoticeKind::Candidate)
    } else if has(AWARD_WORDS) {
        Some(NoticeKind::Award)
    } else if has(TENDER_WORDS) {
        Some(NoticeKind::Tender)
    } else {
        None
    }
}

/// The notice kind from its title (or, lacking one, the start of its text).
pub fn classify(title: &str) -> NoticeKind {
    stated_kind(title).unwrap_or(NoticeKind::Other)
}

/// Nouns of a notice's heading (`…结果公示`, `…招标公告`), as against a label (`中标单位`).
const NOTICE_NOUNS: &[&str] = &[
    "公告",
    "公示",
    "公布",
    "通告",
    "通知",
    "邀请",
    "计划",
    "意向",
    "意见",
    "信息表",
    "结果",
    "记录",
    "发包",
];

fn is_heading_of_a_notice(line: &str) -> bool {
    // `中标价(元) 14408342.2 公示开始时间 2023-8-7`: a form's cells, a figure or a date among
    // them, are no heading (a year or a span of years, `2021-2022`, may be in one).
    let figure = |w: &str| {
        let digits = w.chars().filter(char::is_ascii_digit).count();
        digits >= 5 && w.chars().all(|c| c.is_ascii_digit() || ",.".contains(c))
            || candidates::is_lone_date(w)
    };
    if line.split_whitespace().any(figure) {
        return false;
    }
    let t: String = fold(line).chars().filter(|c| !c.is_whitespace()).collect();
    t.chars().count() <= 100
        && layout::section_marker(&t.chars().take(4).collect::<Vec<_>>()).is_none()
        && NOTICE_NOUNS.iter().any(|n| t.contains(n))
        // `本项目招标公告日期` labels a date.
        && !labels::ends_as_a_label(&t)
        && !outside_brackets(&t).contains(['：', ':', '，', '。', ','])
        && stated_kind(&t).is_some()
}

/// The characters of `line` outside closed brackets: a sentence's punctuation there makes a
/// line no title, a code in a title's brackets (`…采购项目（项目编号：CLPSP16ZH04ZC25）的中标公告`)
/// does not. A bracket left open (`【信息时间：`) hides nothing.
fn outside_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut open: Option<usize> = None;
    let mut depth = 0usize;
    for c in line.chars() {
        match c {
            '（' | '(' | '【' | '[' => {
                open.get_or_insert(out.len());
                depth += 1;
            }
            '）' | ')' | '】' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.truncate(open.take().unwrap_or(out.len()));
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// How a procurement is run, written before a kind (`竞争性磋商成交结果公告`).
const METHODS: &[&str] = &[
    "政府采购",
    "公开招标",
    "邀请招标",
    "竞争性磋商",
    "竞争性谈判",
    "单一来源采购",
    "单一来源",
    "询价采购",
    "询比采购",
    "询价",
    "网上竞价",
    "电子竞价",
    "比选",
];

/// A heading that is only a kind (`预中标结果公示`, `【发包公告】`, `中 标 公 示`), maybe after
/// how the procurement was run (`竞争性磋商成交结果公告`).
fn is_bare_kind(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace() && !"【】[]（）()".contains(*c)).collect();
    let mut rest = t.as_str();
    while let Some(after) = METHODS.iter().find_map(|m| rest.strip_prefix(m)) {
        rest = after;
    }
    t.chars().count() <= 10 || (rest.len() < t.len() && rest.chars().count() <= 8)
}

/// The longest line that may be navigation or a page's furniture (a breadcrumb with its title).
const FURNITURE_LINE: usize = 160;

/// Lines of navigation, breadcrumbs and page furniture, and the rows of a table of several
/// texts (a label and its value: `采购项目名称\t甲设备采购`), which no title is.
fn is_furniture(line: &str) -> bool {
    let t = line.trim();
    let texts = t.split('\t').filter(|c| !c.trim().is_empty() && !candidates::is_date_line(c.trim())).count();
    if texts > 1 {
        return true;
    }
    let count = t.chars().count();
    // A page flattened into one line holds its footer's words too: it is no line of furniture.
    (count <= FURNITURE_LINE
        && [
            "您现在的位置",
            "当前位置",
            "首页",
            ">>",
            "》",
            "阅读次数",
            "访问次数",
            "打印",
            "关闭",
            "分享",
            "字体",
        ]
        .iter()
        .any(|w| t.contains(w)))
        || count < 4
        || t.split('\t').count() > 2
}

/// Generic headings of a detail page, which name no notice.
const GENERIC_HEADINGS: &[&str] = &[
    "详细信息",
    "正文",
    "公告详情",
    "信息详情",
    "详情",
    "公告内容",
    "公告正文",
    "项目概况",
    "项目信息",
    "信息来源",
];

fn is_generic(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    GENERIC_HEADINGS.contains(&t.as_str())
        || !t.chars().any(is_han)
        || ["网", "平台", "网站", "门户", "系统", "交易中心", "服务中心", "采购网", "交易网"]
            .iter()
            .any(|w| t.ends_with(w))
}

/// A line that could be a title: some Chinese, no colon or sentence punctuation, not a list
/// item, a date or a code.
fn is_title_like(line: &str) -> bool {
    let t = line.trim();
    let count = t.chars().count();
    let han = t.chars().filter(|c| is_han(*c)).count();
    (6..=120).contains(&count)
        && han >= 4
        && !outside_brackets(t).contains(['：', ':', '，', '。', '；'])
        && (!t.starts_with(|c: char| c.is_ascii_digit() || ('⑴'..='⒇').contains(&c) || ('①'..='⑳').contains(&c))
            || starts_with_year(t))
        // `三、中标信息` is a section, `三峡库区…` and `五峰…` are places.
        && layout::section_marker(&t.chars().take(4).collect::<Vec<_>>()).is_none()
        && !is_enumerated(t)
        && !is_generic(t)
        && !is_furniture(t)
}

/// A title that lost the line end after it (a crawler's text): the words from a space to the
/// first notice noun that states a kind (`…有限公司 甲局乙项目结果公告甲局的乙项目…` ->
/// `甲局乙项目结果公告`).
fn title_run_into(line: &str) -> Option<String> {
    line.split(' ').find_map(|words| {
        let end =
            ["公告", "公示", "通知"].iter().filter_map(|n| words.find(n).map(|at| at + n.len())).min()?;
        let title = &words[..end];
        (is_title_like(title) && stated_kind(title).is_some() && !is_bare_kind(title))
            .then(|| title.to_string())
    })
}

/// The `<title>` a crawler's flattened text starts with, up to the site's name in brackets
/// after it (`甲项目成交通告- 【阳光易购】 true 首页 网站公告 …`).
fn title_before_site_name(line: &str) -> Option<String> {
    let close = line.char_indices().take(160).find(|&(_, c)| c == '】').map(|(at, _)| at)?;
    let head = &line[..close + '】'.len_utf8()];
    let open = head.rfind('【')?;
    let site = &head[open + '【'.len_utf8()..close];
    if site.contains(['：', ':']) || site.chars().count() > 12 {
        return None;
    }
    clean_page_title(head).filter(|t| t.len() < open && stated_kind(t).is_some() && is_title_like(t))
}

/// A flattened page's heading that is its first word, followed by the text
/// (`竞争性谈判公告 我部就以下项目进行国内竞争性谈判采购，…`): a heading that names no project
/// names the notice all the same.
fn heading_word(line: &str) -> Option<String> {
    let (word, rest) = line.split_once(' ')?;
    (is_heading_of_a_notice(word) && !rest.trim().is_empty()).then(|| word.to_string())
}

/// The words before the site's bar of date and clicks, early on a line
/// (`甲医院营业用房招租 发布时间：2021-03-22 阅读次数：17 【打印】`), maybe after the site's
/// name and where the page is (`甲网 您现在的位置：首页>>中标公示 甲项目 【信息时间：…`).
fn title_before_bar(line: &str) -> Option<String> {
    // The bar's bracket may stand alone or end the title's word (`甲项目【 信息发布时间：…`).
    let words: Vec<&str> =
        line.split(' ').map(|w| w.trim_end_matches(['【', '['])).filter(|w| !w.is_empty()).take(8).collect();
    let bar = words.iter().position(|w| {
        let w = w.trim_start_matches(['【', '[']);
        ["发布时间", "信息时间", "发布日期", "信息发布时间", "公告时间", "时间：", "日期："]
            .iter()
            .any(|d| w.starts_with(d))
    })?;
    let head = *words[..bar].last()?;
    is_title_like(head).then(|| head.to_string())
}

/// A title whose kind came apart from it on a flattened page's first line: the project, maybe
/// an aside in brackets, then a bare kind (`甲项目 预中标结果公示 公示日期：…`, `甲项目 (重新公告）
/// 比选公告 项目编号：…`), joined as the page showed them over two lines.
fn title_and_bare_kind(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).take(3).collect();
    let project = *words.first()?;
    if !is_title_like(project) || stated_kind(project).is_some() {
        return None;
    }
    let aside = |w: &str| w.starts_with(['(', '（']) && w.ends_with([')', '）']) && w.chars().count() <= 12;
    let kind = (1..words.len()).find(|&k| is_bare_kind(words[k]) && !aside(words[k]))?;
    words[1..kind].iter().all(|w| aside(w)).then(|| words[..=kind].concat())
}

/// The words a line starts with twice, parted by a space, when they state a notice's kind.
fn repeated_title(line: &str) -> Option<String> {
    line.char_indices()
        .filter(|&(_, c)| c == ' ')
        .take_while(|&(at, _)| at <= 360)
        .map(|(at, _)| &line[..at])
        .find(|head| {
            let count = head.chars().count();
            (6..=120).contains(&count)
                && line[head.len() + 1..].starts_with(head)
                && head.chars().filter(|&c| is_han(c)).count() >= 4
                && stated_kind(head).is_some()
        })
        .map(|head| without_site_name(head.trim().to_string()))
}

/// `2018年全省…`: a year, not a list item's number.
fn starts_with_year(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits == 4 && line[4..].starts_with('年')
}

/// A part of a `<title>` that is the site's name (`青海省招标投标网`, `Report`).
fn is_site_name(part: &str) -> bool {
    let t: String = part.chars().filter(|c| !c.is_whitespace()).collect();
    !t.chars().any(is_han)
        || ["网", "平台", "网站", "门户", "系统", "交易中心", "服务中心"].iter().any(|w| t.ends_with(w))
}

/// `（一）`, `(2)`: a list item's number.
fn is_enumerated(line: &str) -> bool {
    let mut chars = line.chars();
    matches!(chars.next(), Some('（' | '('))
        && chars.next().is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        && matches!(chars.next(), Some('）' | ')'))
}

/// The `<title>` without the site's name (`青海省招标投标网 · 甲公告` -> `甲公告`).
fn clean_page_title(title: &str) -> Option<String> {
    let mut title = layout::collapse(title.trim());
    // `甲项目成交通告- 【阳光易购】`: a site's name in brackets after the notice's.
    if let Some(open) = title.rfind('【').filter(|_| title.ends_with('】')) {
        let head = title[..open].trim_end_matches(|c: char| c.is_whitespace() || "-－_|｜—".contains(c));
        if stated_kind(head).is_some() {
            title = head.to_string();
        }
    }
    // The parts between separators, where they are in the title.
    let mut parts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for (at, c) in title.char_indices() {
        let wide = [" - ", " — "].iter().find(|s| title[at..].starts_with(**s)).map(|s| s.len());
        if let Some(len) = ['_', '|', '｜', '·', '－'].contains(&c).then(|| c.len_utf8()).or(wide) {
            parts.push(start..at);
            start = at + len;
        }
    }
    parts.push(start.min(title.len())..title.len());
    let kept: Vec<&std::ops::Range<usize>> = parts
        .iter()
        .filter(|r| {
            let part = title.get((*r).clone()).unwrap_or("").trim();
            !part.is_empty() && !is_site_name(part) && !is_generic(part)
        })
        .collect();
    // The site's name goes from either end; what lies between the first and the last part
    // kept stays as written (`金亚·天麓项目…公告_某市交易网` keeps its `·`).
    let (first, last) = (kept.first()?, kept.last()?);
    title.get(first.start..last.end).map(|t| t.trim().to_string())
}

/// A line of the page without the site's name after it: a crawler's text starts with the
/// `<title>` (`甲项目成交通告- 【阳光易购】`). What states a kind keeps stating it.
fn without_site_name(line: String) -> String {
    match clean_page_title(&line) {
        Some(t) if stated_kind(&t).is_some() || stated_kind(&line).is_none() => t,
        _ => line,
    }
}

/// A title without a date run into it (`甲项目 2021-06-28`).
fn without_trailing_date(title: &str) -> String {
    let title = title.trim();
    match title.rsplit_once(' ') {
        Some((head, tail)) if candidates::is_lone_date(tail) => head.trim().to_string(),
        _ => title.to_string(),
    }
}

struct Titled {
    title: Option<String>,
    kind: NoticeKind,
    title_how: &'static str,
    kind_how: &'static str,
    kind_text: String,
}

/// The title and kind: a `<title>` that states a kind; else a marked heading or an early line
/// that does (joined with the project line above a bare `预中标结果公示`); else the first
/// heading or title-like line. The kind comes from the title, else from headings in the first
/// lines, else from what the body holds (a named winner: an award; bidding terms: a tender).
fn title_and_kind(layout: &layout::Layout) -> Titled {
    // The government website standard's `<meta name="ArticleTitle">` is the notice's own title.
    let article_title = layout.meta.iter().find(|(name, _)| name == "articletitle").map(|(_, t)| t.as_str());
    let page_title =
        article_title.filter(|t| !is_generic(t)).or(layout.title.as_deref()).and_then(clean_page_title);
    let marked: Vec<String> = layout
        .marked
        .iter()
        .map(|m| without_trailing_date(m))
        .filter(|m| !is_generic(m) && !is_furniture(m) && !is_site_name(m))
        .collect();
    let mut title: Option<(String, &'static str)> = None;
    // A `<title>` that is only a kind (`中标结果公告`) gives way to a heading that names the
    // notice too (`甲项目中标结果公告`).
    if let Some(t) = page_title.as_ref().filter(|t| {
        stated_kind(t).is_some()
            && !(is_bare_kind(t) && marked.iter().any(|m| stated_kind(m).is_some() && !is_bare_kind(m)))
    }) {
        title = Some((t.clone(), "title"));
    }
    // The template's title element: one that states a kind and is more than the kind, else the
    // first that reads as a title.
    if title.is_none() {
        if let Some(m) = marked.iter().find(|m| stated_kind(m).is_some() && !is_bare_kind(m)) {
            title = Some((m.clone(), "heading"));
        }
    }
    // The first lines, without page furniture, with their places on the page.
    let early: Vec<(usize, &String)> =
        layout.lines.iter().enumerate().filter(|(_, l)| !is_furniture(l)).take(12).collect();
    if title.is_none() {
        if let Some(m) = marked.iter().find(|m| is_title_like(m)) {
            // A bare kind on the line under it completes it (`甲项目` / `竞争性磋商成交结果公告`).
            let under = early.windows(2).find_map(|pair| {
                (pair[0].1.trim() == m.trim() && pair[0].0 + 1 == pair[1].0).then_some(pair[1].1)
            });
            title = Some(match under.filter(|l| is_heading_of_a_notice(l) && is_bare_kind(l)) {
                Some(kind) => (format!("{}{}", m.trim(), kind.trim()), "heading"),
                None => (m.clone(), "heading"),
            });
        }
    }
    // A page flattened into a line starts with its `<title>` and then its heading, the same
    // words twice (spaces and all: `甲项目EPC 工程总承包中标结果公告 甲项目EPC 工程总承包…`).
    if title.is_none() {
        title = layout.lines.first().and_then(|line| repeated_title(line)).map(|t| (t, "body"));
    }
    if title.is_none() {
        if let Some(k) = early.iter().take(8).position(|(_, l)| is_heading_of_a_notice(l)) {
            let line = early[k].1.trim().to_string();
            if is_bare_kind(&line) {
                // A bare kind under the project's name completes it (`甲项目` / `预中标结果公示`,
                // and the buyer's name above them: `甲学校` / `乙项目` / `公开招标中标公告`); one
                // further down heads a section, and the project line is the title.
                let mut first = k;
                while first > 0
                    && k - first < 2
                    && early[first - 1].0 + 1 == early[first].0
                    && is_title_like(early[first - 1].1)
                    && !is_site_name(early[first - 1].1)
                {
                    first -= 1;
                }
                let before = (0..k).rev().find(|&i| is_title_like(early[i].1));
                title = Some(match before {
                    _ if first < k => {
                        let above: String = early[first..k].iter().map(|(_, l)| l.trim()).collect();
                        (format!("{above}{line}"), "body")
                    }
                    Some(i) => (early[i].1.trim().to_string(), "body"),
                    None => (line, "body"),
                });
            } else {
                title = Some((without_site_name(line), "body"));
            }
        }
    }
    if title.is_none() {
        if let Some(t) = page_title.clone() {
            title = Some((t, "title"));
        }
    }
    if title.is_none() {
        // A page flattened into one line runs its title into the site's bar (`甲项目结果公告
        // 【信息时间： 2021/5/17 阅读次数： 164 】 【我要打印】 …`); the line after it, the
        // first short one, is what signs the page off.
        title = layout
            .lines
            .first()
            .filter(|l| !is_title_like(l))
            .and_then(|l| title_before_site_name(l).or_else(|| title_before_bar(l)))
            .map(|t| (t, "body"));
    }
    if title.is_none() {
        // Not a name alone: on a page flattened into one line, the sign-off's names come next.
        if let Some((_, line)) = early.iter().take(3).find(|(_, l)| {
            is_title_like(l) && !labels::ends_as_a_label(l) && !values::is_organisation(l.trim())
        }) {
            title = Some((without_site_name(without_trailing_date(line)), "body"));
        }
    }
    if title.is_none() {
        // The page's first line, furniture or not: a flattened page runs its title into the
        // site's bar (`甲项目结果公告 【信息时间： 2021/5/17 阅读次数： 164 】 【我要打印】`).
        title = layout
            .lines
            .first()
            .and_then(|l| {
                title_before_site_name(l)
                    .or_else(|| title_before_bar(l))
                    .or_else(|| title_and_bare_kind(l))
                    .or_else(|| title_run_into(l))
                    .or_else(|| heading_word(l))
            })
            .or_else(|| early.iter().take(3).find_map(|(_, l)| title_run_into(l)))
            .map(|t| (t, "body"));
    }
    // A page flattened into a few lines keeps its heading as a word of its own among the first
    // (`… 甲道路工程 发包公告 甲道路工程经主管部门同意建设…`), the project's name the word before
    // it if that reads as one (`… 中标人 甲铁路乙批次采购 中标结果公告 招标编号：…`).
    // Read only when a title or the kind is still wanting: most pages have both by now.
    let flattened = || {
        early.iter().take(3).find_map(|(_, l)| {
            let words: Vec<&str> = l.split_whitespace().take(60).collect();
            let k = words.iter().position(|w| {
                w.chars().count() >= 4 && is_bare_kind(w) && is_heading_of_a_notice(w) && !w.contains('>')
            })?;
            let project = k.checked_sub(1).map(|p| words[p]).filter(|p| {
                is_title_like(p) && stated_kind(p).is_none() && labels::classify_label(p).is_none()
            });
            let title = project.map_or_else(|| words[k].to_string(), |p| format!("{p} {}", words[k]));
            Some((words[k].to_string(), title))
        })
    };
    if title.is_none() {
        title = flattened().map(|(_, t)| (t, "body"));
    }
    let (title, title_how) = match title {
        Some((t, how)) => (Some(t), how),
        None => (None, ""),
    };
    // The kind.
    if let Some(kind) = title.as_deref().and_then(stated_kind) {
        return Titled {
            kind,
            kind_how: title_how,
            kind_text: title.clone().unwrap_or_default(),
            title,
            title_how,
        };
    }
    for line in marked.iter().map(String::as_str).chain(early.iter().take(15).map(|(_, l)| l.as_str())) {
        if is_heading_of_a_notice(line) {
            if let Some(kind) = stated_kind(line) {
                return Titled { title, title_how, kind, kind_how: "heading", kind_text: line.to_string() };
            }
        }
    }
    // A title the heading gave has said the kind above: the scan runs once at most.
    if let Some((word, _)) = flattened() {
        if let Some(kind) = stated_kind(&word) {
            return Titled { title, title_how, kind, kind_how: "heading", kind_text: word };
        }
    }
    let (kind, kind_text) = kind_from_body(layout);
    Titled { title, title_how, kind, kind_how: "body", kind_text }
}

/// Phrases of a notice's body that say its kind, for pages whose title and headings do not.
const BODY_PHRASES: &[(&str, NoticeKind)] = &[
    ("预中标", NoticeKind::Candidate),
    ("中标候选人", NoticeKind::Candidate),
    ("成交候选人", NoticeKind::Candidate),
    ("拟中标", NoticeKind::Candidate),
    ("拟成交", NoticeKind::Candidate),
    ("中标结果如下", NoticeKind::Award),
    ("成交结果如下", NoticeKind::Award),
    ("结果公示如下", NoticeKind::Award),
    ("结果公告如下", NoticeKind::Award),
    ("中标(成交)信息", NoticeKind::Award),
    ("中标信息", NoticeKind::Award),
    ("成交信息", NoticeKind::Award),
];

/// Phrases that say a procurement failed or was voided (not `流废标情况说明：无`).
const VOID_PHRASES: &[&str] = &[
    "已作废",
    "予以废标",
    "作废标处理",
    "宣布废标",
    "本项目废标",
    "采购失败",
    "项目流标",
    "本项目流标",
    "招标失败",
    "项目终止",
];

/// Bidding terms: a page that states them invites bids.
const TENDER_PHRASES: &[&str] = &[
    "进行公开招标",
    "潜在投标人",
    "潜在供应商",
    "招标条件",
    "投标人资格",
    "供应商资格",
    "申请人的资格要求",
    "投标截止",
    "投标文件递交",
    "获取招标文件",
    "获取采购文件",
    "报名时间",
    "报名起止时间",
    "进行招标",
    "公开发包",
    "公开招标",
    "开标时间",
];

/// The kind a page without a telling title or heading is, from what it holds: a phrase that
/// says it in the opening lines; else a winner named under its label (a result); else the
/// earliest phrase further down, bidding terms included.
fn kind_from_body(layout: &layout::Layout) -> (NoticeKind, String) {
    // The first `lines` lines, or as many as hold the first `chars` characters when that is more:
    // a crawler's text that puts every cell of a form on a line has short lines.
    let text_of = |lines: usize, chars: usize| -> String {
        let mut held = 0;
        let by_chars = layout
            .lines
            .iter()
            .take_while(|line| {
                let before = held;
                held += line.chars().count();
                before < chars
            })
            .count();
        let count = lines.max(by_chars).min(layout.lines.len());
        let joined = (0..count).map(|i| layout.folded(i)).collect::<Vec<_>>().join("\n");
        joined.chars().filter(|c| !c.is_whitespace() || *c == '\n').collect()
    };
    let earliest = |text: &str, with_tender: bool| -> Option<(NoticeKind, String)> {
        let tender = TENDER_PHRASES.iter().map(|p| (*p, NoticeKind::Tender)).filter(|_| with_tender);
        BODY_PHRASES
            .iter()
            .copied()
            .chain(tender)
            .filter_map(|(p, k)| text.find(p).map(|at| (at, p, k)))
            .min_by_key(|(at, _, _)| *at)
            .map(|(_, p, k)| (k, p.to_string()))
    };
    // A page's opening says what it is: the first 15 lines, at most as far as their first
    // 1,200 characters go (a page flattened into a few lines has its rules, `拟中标人…`, within
    // 15 of them).
    let opening: String = text_of(15, 0).chars().take(1200).collect();
    if let Some(found) = earliest(&opening, false) {
        return found;
    }
    let winner_label =
        |label: &str| labels::classify_label(label).is_some_and(|(f, _, _)| f == Field::Winner);
    let is_winner = |label: &Option<labels::Label>| label.is_some_and(|(f, _, _)| f == Field::Winner);
    let winner_named = layout.rows.iter().zip(&layout.row_labels).any(|(row, labels)| {
        !labels.iter().skip(1).any(is_winner)
            && (0..row.len().saturating_sub(1)).any(|i| {
                is_winner(&labels[i]) && !values::is_placeholder(&row[i + 1]) && labels[i + 1].is_none()
            })
    }) || layout.lines.iter().any(|line| {
        candidates::label_values(line).iter().any(|(label, value)| {
            winner_label(label) && values::clean_name(value).is_some_and(|n| values::is_organisation(&n))
        })
    });
    if winner_named {
        return (NoticeKind::Award, "中标人".to_string());
    }
    earliest(&text_of(80, 3000), true).unwrap_or((NoticeKind::Other, String::new()))
}

/// Extracts a notice from raw bytes (HTML or text, any common encoding).
pub fn extract(bytes: &[u8], file: &str) -> Notice {
    explain(bytes, file).0
}

/// Extracts a notice from decoded text: an HTML page when `is_html`, else plain text.
pub fn extract_text(text: &str, is_html: bool, file: &str) -> Notice {
    explain_text(text, is_html, file).0
}

/// The notice and, per field, where its value came from.
pub fn explain(bytes: &[u8], file: &str) -> (Notice, Vec<Evidence>) {
    let text = decode(bytes);
    let is_html = file.ends_with(".html") || file.ends_with(".htm") || text.trim_start().starts_with('<');
    explain_text(&text, is_html, file)
}

pub fn explain_text(text: &str, is_html: bool, file: &str) -> (Notice, Vec<Evidence>) {
    let layout = if is_html { layout::layout_html(text) } else { layout::layout_text(text) };
    tracing::trace!(title = ?layout.title, marked = ?layout.marked, lines = ?layout.lines, "page layout");
    let mut found = Found::default();
    candidates::from_rows(&layout.rows, &layout.row_labels, &mut found);
    candidates::from_header_tables(&layout.rows, &layout.row_labels, &mut found);
    candidates::from_transposed_tables(&layout.rows, &layout.row_labels, &mut found);
    candidates::from_lines(&layout, &mut found);
    candidates::from_sentences(&layout, &mut found);
    candidates::from_roles_in_brackets(&layout, &mut found);
    candidates::from_header(&layout.lines, &mut found);
    candidates::from_run_in(&layout, &mut found);
    candidates::from_meta(&layout.meta, &mut found);
    candidates::from_signature(&layout.lines, &mut found);
    candidates::from_lone_code(&layout.lines, &mut found);
    candidates::from_lot_sections(&layout, &mut found);
    let mut titled = title_and_kind(&layout);
    // `甲采购公告` over `采购结果如下：成交供应商名称：乙公司 … 成交金额：人民币3850元`: a page
    // whose title names the tender but whose body states, label by label, the supplier that won
    // and what it won is the result.
    if titled.kind == NoticeKind::Tender {
        let stated = |field: Field, least: f32| {
            found.candidates.iter().find(|c| {
                // A label alone on its line and its value on the next (what a crawler's text
                // makes of `label：value`) is as sure: it is scored at most 0.5 less only to
                // lose to the same label beside its value.
                let least = match c.how {
                    How::Label | How::Cell | How::Table => least,
                    How::NextLine => least - 0.5,
                    _ => f32::INFINITY,
                };
                c.field == field && c.score >= least && matches!(c.value, Value::Names(_) | Value::Money(_))
            })
        };
        if let (Some(winner), Some(_)) = (stated(Field::Winner, 3.5), stated(Field::Amount, 3.0)) {
            titled.kind = NoticeKind::Award;
            titled.kind_how = "body";
            titled.kind_text = winner.text.clone();
        }
    }
    let names_a_winner = found.candidates.iter().any(|c| c.field == Field::Winner);
    // `甲项目中标结果公告采购包2` over `采购包2 此采购包已作废`: a result that names no winner
    // because the procurement failed ends it.
    if titled.kind == NoticeKind::Award && !names_a_winner {
        if let Some(line) = (0..layout.lines.len()).find(|&i| {
            let folded = layout.folded(i);
            VOID_PHRASES.iter().any(|p| folded.contains(p))
        }) {
            titled.kind = NoticeKind::Termination;
            titled.kind_how = "body";
            titled.kind_text = layout.lines[line].clone();
        }
    }
    // `甲项目中标公示` over `第一中标候选人：甲公司 第二中标候选人：乙公司`: a result that names
    // no winner but ranks candidates lists them (not one that says it is the result: its
    // winner is there, unread).
    if titled.kind == NoticeKind::Award
        && !["结果", "成交"].iter().any(|w| titled.kind_text.contains(w))
        && !names_a_winner
    {
        if let Some(ranked) = found.candidates.iter().find(|c| c.field == Field::Candidate) {
            titled.kind = NoticeKind::Candidate;
            titled.kind_how = "body";
            titled.kind_text = ranked.text.clone();
        }
    }
    let kind = titled.kind;
    // `甲招标代理有限公司关于…的结果公告`: the title names the agency that published it.
    if let Some(title) = &titled.title {
        if let Some(at) = title.find("关于") {
            let agent = &title[..at];
            if values::is_organisation(agent) && values::is_agency_like(agent) {
                found.push(
                    Field::Agency,
                    Value::Name(agent.to_string()),
                    2.0,
                    How::Sentence,
                    "…关于",
                    0,
                    title,
                );
            }
        }
    }
    if kind == NoticeKind::Other {
        // The sign-off of a notice of no tracked kind (a lease, a sale) names no buyer.
        found
            .candidates
            .retain(|c| !(c.how == How::Signature && matches!(c.field, Field::Buyer | Field::Agency)));
    }
    let mut evidence = Vec::new();
    if let Some(title) = &titled.title {
        evidence.push(simple_evidence("title", title, titled.title_how, ""));
    }
    evidence.push(simple_evidence("kind", kind.as_str(), titled.kind_how, &titled.kind_text));

    let mut pick = |field: Field| -> Option<Candidate> {
        let (best, rejected) = choose(&found.candidates, field);
        if let Some(best) = &best {
            evidence.push(Evidence {
                field: field.as_str(),
                value: best.value.display(),
                how: best.how.as_str(),
                label: best.label.clone(),
                text: best.text.clone(),
                at: best.at,
                score: (best.score * 100.0).round() / 100.0,
                rejected,
            });
        }
        best
    };
    let name = |c: Option<Candidate>| match c.map(|c| c.value) {
        Some(Value::Name(n)) => Some(n),
        _ => None,
    };
    let text_of = |c: Option<Candidate>| match c.map(|c| c.value) {
        Some(Value::Text(t)) => Some(t),
        _ => None,
    };
    let money = |c: Option<Candidate>| match c.map(|c| c.value) {
        Some(Value::Money(m)) => Some(m),
        _ => None,
    };
    let mut buyer = name(pick(Field::Buyer));
    let mut agency = name(pick(Field::Agency));
    if buyer.is_some() && buyer == agency {
        // One name under both: it is the party whose label was stronger; the other is unknown.
        let second_agency = choose(&found.candidates, Field::Agency)
            .1
            .into_iter()
            .find(|a| Some(a) != buyer.as_ref() && values::is_agency_like(a));
        agency = second_agency;
        if agency.is_none() && buyer.as_deref().is_some_and(values::is_agency_like) {
            buyer = None;
        }
    }
    let winners = match pick(Field::Winner).map(|c| c.value) {
        Some(Value::Names(names)) => names,
        _ => Vec::new(),
    };
    // A candidate list without a `第一中标候选人` label ranks its candidates in a table: the first
    // row is the likely winner.
    let candidate = name(pick(Field::Candidate))
        .or_else(|| (kind == NoticeKind::Candidate).then(|| winners.first().cloned()).flatten());
    let amount = money(pick(Field::Amount));
    let budget = money(pick(Field::Budget));
    let project_code = text_of(pick(Field::Code));
    let published = match pick(Field::Published).map(|c| c.value) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    let region = text_of(pick(Field::Region));
    // A candidate notice names candidates, not winners, and a tender, candidate list or
    // termination has no award amount (a bid is not an award).
    let no_award = matches!(
        kind,
        NoticeKind::Candidate | NoticeKind::Tender | NoticeKind::Termination | NoticeKind::Other
    );
    let lots = if no_award { Vec::new() } else { found.lots };
    let notice = Notice {
        file: file.to_string(),
        kind,
        title: titled.title,
        published,
        buyer,
        winners: if no_award { Vec::new() } else { winners },
        candidate,
        agency,
        amount: if no_award { None } else { amount },
        budget,
        project_code,
        region,
        lots,
    };
    (notice, evidence)
}

fn simple_evidence(field: &'static str, value: &str, how: &'static str, text: &str) -> Evidence {
    Evidence {
        field,
        value: value.to_string(),
        how,
        label: String::new(),
        text: text.chars().take(60).collect(),
        at: 0,
        score: 0.0,
        rejected: Vec::new(),
    }
}

/// The best candidate for a field and the other values that competed, best first. Ties go to
/// the earlier candidate; among amounts that agree to within 1%, the most precise wins (a
/// rounded `￥668.79万元` beside the exact figure in the body).
fn choose(candidates: &[Candidate], field: Field) -> (Option<Candidate>, Vec<String>) {
    let mut of_field: Vec<&Candidate> = candidates.iter().filter(|c| c.field == field).collect();
    // Stable: equal scores keep document order (tables before lines, earlier before later).
    of_field.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal));
    let Some(best) = of_field.first().copied() else { return (None, Vec::new()) };
    let mut best = best.clone();
    if let Value::Money(top) = best.value {
        let precise = of_field
            .iter()
            .filter(|c| c.score >= best.score - 1.5)
            .filter_map(|c| match c.value {
                Value::Money(m) if (m - top).abs() <= top * 0.01 && precision(m) > precision(top) => Some(*c),
                _ => None,
            })
            .max_by_key(|c| match c.value {
                Value::Money(m) => precision(m),
                _ => 0,
            });
        if let Some(precise) = precise {
            best = precise.clone();
        }
        // `中标价格： 121.5 价格单位： 万元` beside `中标金额：121.5万元`: a bare figure that another
        // states in 万元 was in 万元.
        if let Some(in_wan) = of_field
            .iter()
            .find(|c| matches!(c.value, Value::Money(m) if m > 0.0 && (m - top * 10_000.0).abs() < 0.5))
        {
            best = (*in_wan).clone();
        }
    }
    let mut rejected: Vec<String> = Vec::new();
    for c in &of_field {
        let shown = c.value.display();
        if shown != best.value.display() && !rejected.contains(&shown) && rejected.len() < 4 {
            rejected.push(shown);
        }
    }
    (Some(best), rejected)
}

/// Significant digits of an amount in cents (`6687900` has fewer than `6687912.35`).
fn precision(amount: f64) -> usize {
    let cents = (amount * 100.0).round() as u64;
    let digits = cents.to_string();
    digits.trim_end_matches('0').len()
}

#[cfg(test)]
mod tests;
