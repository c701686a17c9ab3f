//! List pages -> detail links; detail pages -> import rows.

use super::config::{CrawlerDef, ListParser, Paging};
use crate::extract::date::find_date;
use crate::extract::freeze::{freeze_of_text, is_freeze_title, is_release_title, Freeze};
use crate::extract::notice::{extract_text, NoticeKind};
use crate::ingest::ImportKind;
use crate::model::Date;
use reqwest::Url;
use scraper::{ElementRef, Html, Node};
use std::collections::BTreeMap;

/// A detail link found on a list page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListItem {
    pub url: String,
    pub title: Option<String>,
    pub date: Option<Date>,
    /// Columns read off the list item itself (`list.fields`).
    pub fields: BTreeMap<String, String>,
}

/// The detail links of one list page, and the next list page's URL when paging follows links.
#[derive(Debug, Default)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    pub next: Option<String>,
}

/// Longest text kept from a page for the record's `text` (search snippets, later re-reading).
const MAX_TEXT_CHARS: usize = 20_000;

pub fn parse_list(def: &CrawlerDef, page_url: &str, body: &str) -> Result<ListPage, String> {
    let base = match &def.url_base {
        Some(base) => base.clone(),
        None => Url::parse(page_url).map_err(|e| format!("bad list URL: {e}"))?,
    };
    let mut page = ListPage::default();
    match &def.list {
        ListParser::Html { item, links, fields } => {
            let document = crate::extract::html::parse(body);
            let mut push = |link: ElementRef<'_>, context: ElementRef<'_>| {
                let Some(url) = link.value().attr("href").and_then(|h| absolute(&base, h)) else { return };
                let title = Some(collapse(&link_title(link))).filter(|t| !t.is_empty());
                let date = find_date(&collapse(&element_text(context)));
                let fields = fields
                    .iter()
                    .filter_map(|(column, selector)| {
                        let text = context
                            .select(selector)
                            .map(|e| collapse(&element_text(e)))
                            .find(|t| !t.is_empty())?;
                        Some((column.clone(), text))
                    })
                    .collect();
                page.items.push(ListItem { url, title, date, fields });
            };
            match item {
                Some(item) => {
                    for element in document.select(item) {
                        if let Some(link) = element.select(links).next() {
                            push(link, element);
                        }
                    }
                }
                None => {
                    for link in document.select(links) {
                        push(link, item_context(link));
                    }
                }
            }
            if let Paging::Next(next) = &def.paging {
                page.next = document
                    .select(next)
                    .find_map(|a| a.value().attr("href").and_then(|h| absolute(&base, h)))
                    .filter(|n| n != page_url);
            }
        }
        ListParser::Json { items, url_field, title_field, date_field, fields } => {
            let value: serde_json::Value =
                serde_json::from_str(body).map_err(|e| format!("list page is not JSON: {e}"))?;
            // Past the last page some sites answer `null` where the items were (cninfo's
            // `"announcements": null`): no items, the end of the list, not a broken page.
            let list = match pointer(&value, items) {
                Some(serde_json::Value::Null) => &[][..],
                found => found
                    .and_then(|v| v.as_array())
                    .map(Vec::as_slice)
                    .ok_or_else(|| format!("no array at {items:?} in the JSON list"))?,
            };
            for entry in list {
                let text = |field: &Option<String>| {
                    field.as_deref().and_then(|f| pointer(entry, f)).and_then(json_text)
                };
                let Some(url) =
                    pointer(entry, url_field).and_then(json_text).and_then(|h| absolute(&base, &h))
                else {
                    continue;
                };
                let fields = fields
                    .iter()
                    .filter_map(|(column, path)| {
                        Some((column.clone(), pointer(entry, path).and_then(json_text)?))
                    })
                    .collect();
                page.items.push(ListItem {
                    url,
                    title: text(title_field).map(|t| strip_tags(&t)),
                    date: text(date_field).and_then(|d| parse_list_date(&d)),
                    fields,
                });
            }
        }
    }
    page.items.retain(|item| {
        def.include.as_ref().is_none_or(|r| r.is_match(&item.url))
            && !def.exclude.as_ref().is_some_and(|r| r.is_match(&item.url))
    });
    Ok(page)
}

/// A list date: text with a date in it, or Unix time in seconds or milliseconds (JSON APIs).
fn parse_list_date(text: &str) -> Option<Date> {
    if let Ok(number) = text.trim().parse::<i64>() {
        let seconds = if number > 100_000_000_000 { number / 1000 } else { number };
        // Chinese sources mean Beijing time.
        let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
        return chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.with_timezone(&beijing).date_naive());
    }
    find_date(text)
}

/// Highlighting markup some APIs put in titles (`<em>冻结</em>`).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '<' => inside = true,
            '>' if inside => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// A JSON pointer (`/data/list`), or a plain key for the common one-level case.
fn pointer<'v>(value: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    if path.is_empty() {
        Some(value)
    } else if path.starts_with('/') {
        value.pointer(path)
    } else {
        value.get(path)
    }
}

fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `href` made absolute; `javascript:`, `mailto:` and bare fragments are no links.
fn absolute(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url.to_string())
}

/// A link's title: its `title` attribute when the text is cut short (`…`), else its text.
fn link_title(link: ElementRef<'_>) -> String {
    let text = element_text(link);
    match link.value().attr("title") {
        Some(title) if text.trim().is_empty() || text.contains('…') || text.contains("...") => {
            title.to_string()
        }
        _ => text,
    }
}

/// The list entry around a link: its `li`, `tr`, `dd` or `p`, else the link itself.
fn item_context(link: ElementRef<'_>) -> ElementRef<'_> {
    link.ancestors()
        .filter_map(ElementRef::wrap)
        .take(4)
        .find(|e| matches!(e.value().name(), "li" | "tr" | "dd" | "p" | "article"))
        .unwrap_or(link)
}

/// The text of an element with blocks on their own lines and scripts left out (an iterative
/// walk: deep pages must not overflow the stack).
fn element_text(element: ElementRef<'_>) -> String {
    const BLOCK: [&str; 21] = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
        "dd", "dt", "ul", "ol", "header", "footer", "tbody",
    ];
    let mut out = String::new();
    let mut stack: Vec<_> = element.children().rev().map(|child| (child, false)).collect();
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) => {
                let name = e.name();
                if leaving {
                    if BLOCK.contains(&name) {
                        out.push('\n');
                    }
                    continue;
                }
                if matches!(name, "script" | "style" | "noscript" | "template") {
                    continue;
                }
                if matches!(name, "td" | "th") {
                    out.push(' ');
                }
                stack.push((node, true));
                stack.extend(node.children().rev().map(|child| (child, false)));
            }
            _ => {}
        }
    }
    out
}

/// Whitespace runs (including full-width spaces and nbsp) become one space.
fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page's text, lines collapsed: the record's `text`.
fn page_text(document: &Html, content: Option<&scraper::Selector>) -> String {
    let root = content.and_then(|s| document.select(s).next()).unwrap_or_else(|| document.root_element());
    let body = if content.is_none() {
        scraper::Selector::parse("body").ok().and_then(|s| document.select(&s).next()).unwrap_or(root)
    } else {
        root
    };
    let text: Vec<String> = element_text(body).lines().map(collapse).filter(|l| !l.is_empty()).collect();
    let mut text = text.join("\n");
    if let Some((cut, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
        text.truncate(cut);
    }
    text
}

/// The record id of a detail page: stable for its URL, whichever crawler finds it.
pub fn record_id(url: &str) -> String {
    format!("web-{:016x}", xxhash_rust::xxh3::xxh3_64(url.as_bytes()))
}

/// What the crawl knows of a page besides its text.
pub struct PageContext<'a> {
    pub url: &'a str,
    pub item: &'a ListItem,
    pub last_modified: Option<&'a str>,
    pub fetched: Date,
}

/// The import column that holds a record kind's date.
fn date_column(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Pledges => "registered",
        ImportKind::Invoices => "issued",
        _ => "published",
    }
}

/// The import row of a list item that carries the whole record (`list.detail = false`). A
/// risk-event crawler's item whose title announces a share freeze is an `equity_freeze` (unless
/// the config names the kind); one that announces its release is no risk event.
pub fn item_row(
    def: &CrawlerDef,
    item: &ListItem,
    fetched: Date,
) -> Result<BTreeMap<String, String>, String> {
    let mut row = BTreeMap::new();
    row.insert("id".to_string(), record_id(&item.url));
    row.insert("url".to_string(), item.url.clone());
    row.insert("source".to_string(), def.name.clone());
    if let Some(title) = &item.title {
        row.insert("title".to_string(), title.clone());
    }
    let (date, from) = item.date.map_or((fetched, "fetched"), |d| (d, "list"));
    let date_column = date_column(def.kind);
    row.insert(date_column.to_string(), date.to_string());
    row.insert("published_from".to_string(), from.to_string());
    row.extend(item.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    row.extend(def.constants.iter().map(|(k, v)| (k.clone(), v.clone())));
    if def.kind == ImportKind::RiskEvents {
        if let Some(title) = item.title.as_deref().filter(|t| is_freeze_title(t)) {
            if is_release_title(title) {
                return Err(RELEASE.into());
            }
            row.entry("kind".to_string()).or_insert_with(|| "equity_freeze".to_string());
        }
    }
    Ok(row)
}

/// Why a share freeze's release becomes no record.
const RELEASE: &str = "a share freeze released (解除冻结) is no risk event: nothing to import";

/// A detail page's import row: extraction (notices for `tenders`, share-freeze announcements for
/// `risk_events`), then the list entry's `list.fields`,
/// `detail.labels`, `detail.fields` and `detail.constants`, each overriding what came before.
pub fn to_row(
    def: &CrawlerDef,
    context: &PageContext<'_>,
    html: &str,
) -> Result<BTreeMap<String, String>, String> {
    let document = crate::extract::html::parse(html);
    let text = page_text(&document, def.content.as_ref());
    let mut row = BTreeMap::new();
    let set = |row: &mut BTreeMap<String, String>, key: &str, value: Option<String>| {
        if let Some(value) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
            row.insert(key.to_string(), value);
        }
    };
    set(&mut row, "id", Some(record_id(context.url)));
    set(&mut row, "url", Some(context.url.to_string()));
    set(&mut row, "source", Some(def.name.clone()));
    set(&mut row, "text", Some(text.clone()));
    // The list's link text is the notice's title on nearly every site; a page's <title> is
    // often the site's name.
    let list_title = context.item.title.clone().filter(|t| t.chars().count() >= 6);
    let notice = (def.kind == ImportKind::Tenders).then(|| extract_text(html, true, context.url));
    // A notice's own publication date (its label, its stamp) first; then the list's date, which
    // beats the first date in a page of another kind (`2014年7月28日，法院作出了…` in an
    // announcement of 2018); then that first date.
    let stated = notice.as_ref().and_then(|n| n.published);
    let (published, published_from) = match (stated, context.item.date) {
        (Some(date), _) => (date, "page"),
        (None, Some(date)) => (date, "list"),
        (None, None) => match (find_date(&text), context.last_modified.and_then(http_date)) {
            (Some(date), _) => (date, "page"),
            (None, Some(date)) => (date, "last_modified"),
            (None, None) => (context.fetched, "fetched"),
        },
    };
    let date_column = date_column(def.kind);
    set(&mut row, date_column, Some(published.to_string()));
    set(&mut row, "published_from", Some(published_from.to_string()));
    if let Some(notice) = &notice {
        let title = list_title.clone().or_else(|| notice.title.clone());
        let mut kind = notice.kind;
        if let Some(title) = &list_title {
            let from_title = crate::extract::notice::classify(title);
            if from_title != NoticeKind::Other {
                kind = from_title;
            }
        }
        if kind != NoticeKind::Other {
            set(&mut row, "kind", Some(kind.as_str().to_string()));
        }
        set(&mut row, "title", title);
        set(&mut row, "buyer", notice.buyer.clone());
        // Every lot's winners are the notice's; `lots` keeps which lot, and amount, is whose.
        let mut winners = notice.winners.clone();
        for lot in &notice.lots {
            for name in &lot.winners {
                if !winners.contains(name) {
                    winners.push(name.clone());
                }
            }
        }
        set(&mut row, "winner", Some(winners.join("|")));
        if notice.lots.len() > 1 {
            set(&mut row, "lots", serde_json::to_string(&notice.lots).ok());
        }
        set(&mut row, "agency", notice.agency.clone());
        set(&mut row, "amount", notice.amount.map(|a| a.to_string()));
        set(&mut row, "budget", notice.budget.map(|a| a.to_string()));
        set(&mut row, "region", notice.region.clone());
        set(&mut row, "project_code", notice.project_code.clone());
        set(&mut row, "candidate", notice.candidate.clone());
    } else {
        let title = list_title.or_else(|| {
            let select = scraper::Selector::parse("h1, h2, title").ok()?;
            document.select(&select).map(|e| collapse(&element_text(e))).find(|t| !t.is_empty())
        });
        if def.kind == ImportKind::RiskEvents {
            if let Some(freeze) = freeze_of_text(title.as_deref().unwrap_or_default(), &text) {
                // A release (解除冻结) is no risk: the page is reported as such instead of imported.
                if freeze.release {
                    return Err(RELEASE.into());
                }
                freeze_columns(&mut row, &freeze);
            }
        }
        set(&mut row, "title", title);
    }
    for (column, value) in &context.item.fields {
        set(&mut row, column, Some(value.clone()));
    }
    for (column, labels) in &def.labels {
        set(&mut row, column, labelled_value(&text, labels));
    }
    for (column, selector) in &def.fields {
        set(
            &mut row,
            column,
            document.select(selector).map(|e| collapse(&element_text(e))).find(|t| !t.is_empty()),
        );
    }
    for (column, value) in &def.constants {
        set(&mut row, column, Some(value.clone()));
    }
    if def.kind == ImportKind::Tenders && !row.contains_key("kind") {
        return Err("not a notice this crawler can read: its kind (tender, award, candidate, correction, termination) is not recognisable from the title".into());
    }
    Ok(row)
}

/// A share-freeze announcement's risk event: on the holder whose shares are frozen when it is
/// an organisation, else (a person, whom the store knows by no name) on the listed company that
/// announces it, with the person as `holder`; what else it says in columns of its own.
fn freeze_columns(row: &mut BTreeMap<String, String>, freeze: &Freeze) {
    let mut put = |key: &str, value: String| {
        if !value.is_empty() {
            row.insert(key.to_string(), value);
        }
    };
    let join = |values: Vec<String>| values.join("|");
    put("holder", join(freeze.holders.iter().map(|h| h.name.clone()).collect()));
    put("holder_alias", join(freeze.holders.iter().filter_map(|h| h.alias.clone()).collect()));
    put("issuer", freeze.issuer.clone().unwrap_or_default());
    put("authority", join(freeze.authorities.clone()));
    put("shares", join(freeze.shares.iter().map(u64::to_string).collect()));
    put("freeze_start", join(freeze.start.iter().map(|d| d.to_string()).collect()));
    put("freeze_end", join(freeze.end.iter().map(|d| d.to_string()).collect()));
    put("term_months", join(freeze.term_months.iter().map(u32::to_string).collect()));
    let organisation = freeze.holders.iter().find(|h| is_organisation(&h.name));
    let subject =
        organisation.map(|h| h.name.clone()).or_else(|| freeze.holders.first().and(freeze.issuer.clone()));
    if let Some(subject) = subject {
        put("subject", subject);
        put("kind", "equity_freeze".to_string());
    }
}

/// Whether a holder's name is an organisation's (a legal form or a body's ending) rather than
/// a person's.
fn is_organisation(name: &str) -> bool {
    name.chars().count() > 4
        || ["公司", "集团", "企业", "合伙", "中心", "研究院"].iter().any(|end| name.contains(end))
}

/// The value after the first of `labels` followed by `：` or `:` on a line of `text`.
fn labelled_value(text: &str, labels: &[String]) -> Option<String> {
    for label in labels {
        for line in text.lines() {
            let Some(at) = line.find(label.as_str()) else { continue };
            let rest = line[at + label.len()..].trim_start();
            let Some(value) = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':')) else { continue };
            let value = value.split(['；', ';']).next().unwrap_or_default().trim();
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
    }
    None
}

fn http_date(value: &str) -> Option<Date> {
    chrono::DateTime::parse_from_rfc2822(value).ok().map(|d| d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_the_value_after_the_colon() {
        let text = "项目名称：某某厂区改造\n建设单位：宜昌某某化工有限公司；联系人：张三\n";
        assert_eq!(labelled_value(text, &["建设单位".into()]).as_deref(), Some("宜昌某某化工有限公司"));
        assert_eq!(labelled_value(text, &["批复文号".into()]), None);
    }

    /// The row a crawler of `kind` makes of `page`, listed under `title`.
    fn row_of(kind: &str, title: Option<&str>, page: &str) -> Result<BTreeMap<String, String>, String> {
        row_listed_on(kind, title, None, page)
    }

    /// The row of `page` listed with `title` on `date`.
    fn row_listed_on(
        kind: &str,
        title: Option<&str>,
        date: Option<&str>,
        page: &str,
    ) -> Result<BTreeMap<String, String>, String> {
        let dir = std::env::temp_dir();
        let file = format!("kind = \"{kind}\"\nstart = [\"http://x/\"]\n");
        let def = CrawlerDef::parse(kind, &dir.join(format!("{kind}.toml")), &file).unwrap();
        let item = ListItem {
            url: "http://x/1.html".into(),
            title: title.map(str::to_string),
            date: date.map(|d| d.parse().unwrap()),
            fields: BTreeMap::new(),
        };
        let context = PageContext {
            url: "http://x/1.html",
            item: &item,
            last_modified: None,
            fetched: "2026-11-23".parse().unwrap(),
        };
        to_row(&def, &context, page)
    }

    #[test]
    fn a_page_nesting_100000_elements_becomes_a_row() {
        let page = format!(
            "<html><head><title>某某工程中标结果公告</title></head><body><p>中标人：甲建设有限公司</p>{}</body></html>",
            "<div>".repeat(100_000)
        );
        let row = row_of("tenders", None, &page).unwrap();
        assert_eq!(row.get("winner").map(String::as_str), Some("甲建设有限公司"));
    }

    #[test]
    fn a_share_freeze_announcement_becomes_a_risk_event_on_the_frozen_holder() {
        let title = Some("甲股份：关于控股股东股份被司法冻结的公告");
        let page = "<html><body><p>甲乙丙股份有限公司关于控股股东股份被司法冻结的公告</p>\
            <p>甲乙丙股份有限公司（以下简称“公司”）于2018年12月19日收到通知，公司控股股东大连长富瑞华集团有限公司\
            （以下简称“长富瑞华”）持有的本公司520,000,000股被辽宁省沈阳市中级人民法院司法冻结，冻结期限为3年。</p>\
            <p>特此公告。甲乙丙股份有限公司董事会 2018年12月20日</p></body></html>";
        let row = row_of("risk_events", title, page).unwrap();
        let get = |key: &str| row.get(key).map(String::as_str);
        assert_eq!(get("kind"), Some("equity_freeze"));
        assert_eq!(get("subject"), Some("大连长富瑞华集团有限公司"));
        assert_eq!(get("holder_alias"), Some("长富瑞华"));
        assert_eq!(get("authority"), Some("辽宁省沈阳市中级人民法院"));
        assert_eq!(get("shares"), Some("520000000"));
        assert_eq!(get("issuer"), Some("甲乙丙股份有限公司"));

        // A person's shares: the event is the listed company's, the person its holder.
        let person = page.replace(
            "大连长富瑞华集团有限公司\
            （以下简称“长富瑞华”）持有的",
            "张庆文先生所持",
        );
        let row = row_of("risk_events", title, &person).unwrap();
        assert_eq!(row.get("subject").map(String::as_str), Some("甲乙丙股份有限公司"));
        assert_eq!(row.get("holder").map(String::as_str), Some("张庆文"));

        // A release is no risk: the page says so instead of becoming a row.
        let refused =
            row_of("risk_events", Some("甲股份：关于控股股东股份解除冻结的公告"), page).unwrap_err();
        assert!(refused.contains("解除冻结"), "{refused}");
    }

    #[test]
    fn a_pages_date_is_its_notices_stamp_else_the_lists_else_its_first() {
        let announcement = "<html><body><p>2014年7月28日，上海市浦东新区人民法院作出了民事裁定书，\
            裁定冻结精功集团持有的本公司1,700万股股份。</p><p>甲股份有限公司董事会 2018年3月28日</p></body></html>";
        let title = Some("甲股份：关于股东股份被冻结的进展公告");
        let date = |row: BTreeMap<String, String>| (row["published"].clone(), row["published_from"].clone());
        // The list's date beats the first date of a page that states none of its own.
        let row = row_listed_on("risk_events", title, Some("2018-03-28"), announcement).unwrap();
        assert_eq!(date(row), ("2018-03-28".to_string(), "list".to_string()));
        // Without one, the page's first date.
        let row = row_of("risk_events", title, announcement).unwrap();
        assert_eq!(date(row), ("2014-07-28".to_string(), "page".to_string()));
        // A notice's own stamp beats the list's.
        let notice = "<html><body><h1>某某工程中标结果公告</h1><p>发布时间：2021-05-11</p><p>中标人：甲建设有限公司</p></body></html>";
        let row = row_listed_on("tenders", None, Some("2021-05-12"), notice).unwrap();
        assert_eq!(date(row), ("2021-05-11".to_string(), "page".to_string()));
    }

    #[test]
    fn links_are_made_absolute_and_scripts_dropped() {
        let base = Url::parse("http://127.0.0.1:8/list/index.html").unwrap();
        assert_eq!(absolute(&base, "../a/1.html#top").as_deref(), Some("http://127.0.0.1:8/a/1.html"));
        assert_eq!(absolute(&base, "javascript:void(0)"), None);
        assert_eq!(absolute(&base, "#"), None);
    }
}
