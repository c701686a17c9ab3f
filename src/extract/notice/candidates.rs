//! Every place a page may state a field, as scored candidates: label/value cells of a table
//! row, result tables under a header row, `label：value` in running text (with `名称` read by
//! its section), a label alone on a line with its value on the next, sentences
//! (`受甲委托，乙对…`, `招标人为甲`, `招标控制价为…元`), the date under the title, and the
//! signature block at the end. Each candidate keeps where it came from, so a wrong field can be
//! traced to the text that gave it.

use super::labels::{
    classify_label, clean_label, ends_as_a_label, is_column_heading, is_contact_label, outright_labels,
    Field, Label,
};
use super::layout::Layout;
use super::values::{
    clean_code, clean_name, first_word, is_agency_like, is_organisation, is_person, is_placeholder,
    region_divisions, split_winners,
};
use super::Lot;
use crate::extract::amount::{label_is_not_amount, parse_amount, Unit};
use crate::extract::date::find_date;
use crate::extract::normalize::{fold, is_han};
use crate::model::Date;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Name(String),
    Names(Vec<String>),
    Money(f64),
    /// The label names an amount but the value is a rate, unit price or commitment: the page
    /// states that there is no single amount.
    NoMoney,
    Date(Date),
    Text(String),
}

impl Value {
    pub fn display(&self) -> String {
        match self {
            Value::Name(s) | Value::Text(s) => s.clone(),
            Value::Names(names) => names.join("、"),
            Value::Money(m) => format!("{m}"),
            Value::NoMoney => "(无金额)".to_string(),
            Value::Date(d) => d.to_string(),
        }
    }
}

/// How a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// A label cell and the value cell beside it.
    Cell,
    /// A header row and a data row under it.
    Table,
    /// `label：value` in running text.
    Label,
    /// A label alone on a line, its value on the next.
    NextLine,
    /// A sentence such as `受甲委托` or `招标控制价为…元`.
    Sentence,
    /// The date just under the title.
    Header,
    /// The names and date that sign the notice off.
    Signature,
    /// A line that is nothing but a code, before the text.
    Lone,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Cell => "cell",
            How::Table => "table",
            How::Label => "label",
            How::NextLine => "next_line",
            How::Sentence => "sentence",
            How::Header => "header",
            How::Signature => "signature",
            How::Lone => "lone",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub field: Field,
    pub value: Value,
    pub score: f32,
    pub how: How,
    pub label: String,
    /// Line (or row) number the candidate came from; rows and lines are numbered apart.
    pub at: usize,
    pub text: String,
}

#[derive(Default)]
pub(super) struct Found {
    pub candidates: Vec<Candidate>,
    pub lots: Vec<Lot>,
}

const CONTEXT_CHARS: usize = 60;

fn context(text: &str) -> String {
    let mut s: String = text.chars().take(CONTEXT_CHARS).collect();
    // Not `count()`: a page of one long line has thousands of candidates on it.
    if text.chars().nth(CONTEXT_CHARS).is_some() {
        s.push('…');
    }
    s.replace('\t', " | ")
}

impl Found {
    /// Turns a label's value into a candidate, when the value holds what the field holds.
    #[allow(clippy::too_many_arguments)]
    fn offer(
        &mut self,
        field: Field,
        strength: f32,
        unit: Option<Unit>,
        label: &str,
        value: &str,
        how: How,
        at: usize,
        text: &str,
    ) {
        let value = value.trim().trim_matches(|c: char| c.is_whitespace() || "：:；;，,。".contains(c));
        if value.is_empty() || is_placeholder(value) {
            return;
        }
        let bonus = match how {
            How::Cell | How::Table => 0.3,
            // A date stamped just under the title is the site's: it outranks a form's.
            How::Label if field == Field::Published && at <= 4 => 0.5,
            How::Label => 0.2,
            _ => 0.0,
        };
        let mut score = strength + bonus;
        let parsed = match field {
            Field::Buyer | Field::Agency | Field::Candidate => {
                // Candidates listed in one value (`甲公司、乙公司、丙公司，排名不分先后`): the first
                // named is the candidate, the rest of the list no part of its name.
                let listed = (field == Field::Candidate)
                    .then(|| split_winners(value).into_iter().next().filter(|first| is_organisation(first)))
                    .flatten();
                let Some(name) = listed.or_else(|| clean_name(value)) else { return };
                if is_person(&name)
                    || classify_label(&name).is_some()
                    || is_tendering_venue(&name) && field == Field::Buyer
                {
                    return;
                }
                if is_organisation(&name) {
                    score += 0.5;
                } else if !is_name_shaped(&name) {
                    return;
                } else {
                    score -= 1.0;
                }
                if field == Field::Buyer && is_agency_like(&name) && !label_names_buyer_outright(label) {
                    score -= 0.5;
                }
                Value::Name(name)
            }
            Field::Winner => {
                let names: Vec<String> =
                    split_winners(value).into_iter().filter(|n| classify_label(n).is_none()).collect();
                if names.is_empty() {
                    return;
                }
                if names.iter().all(|n| is_organisation(n)) {
                    score += 0.5;
                }
                Value::Names(names)
            }
            Field::Amount | Field::Budget => {
                let folded = fold(label);
                // `中标金额（费率、单价等）`: a rate the label's note lists among alternatives
                // leaves a value in money (`1180000.00元`) the amount. A note that qualifies the
                // figure (`中标价（报价承诺）`, `中标价（%）`) says it is none.
                let in_note = folded.find(['(', '（']).is_some_and(|open| {
                    open > 0
                        && !label_is_not_amount(&folded[..open])
                        && folded[open..].contains(['、', '等', '或', '/'])
                });
                let in_money = || {
                    value.contains(['元', '¥', '￥'])
                        && !value.contains(['%', '％'])
                        && !label_is_not_amount(value)
                        && parse_amount(&fold(value), unit).is_some_and(|m| m > 0.0)
                };
                if label_is_not_amount(&folded) && !(in_note && in_money()) {
                    if field == Field::Amount {
                        Value::NoMoney
                    } else {
                        return;
                    }
                } else {
                    match parse_amount(&fold(value), unit) {
                        Some(m) if m > 0.0 => Value::Money(m),
                        Some(_) => return,
                        // A rate or unit price where the award should be: no amount, said so.
                        None if field == Field::Amount
                            && (value.contains('%')
                                || value.contains('％')
                                || label_is_not_amount(value)) =>
                        {
                            Value::NoMoney
                        }
                        None => return,
                    }
                }
            }
            Field::Code => match clean_code(value) {
                Some(code) => Value::Text(code),
                None => return,
            },
            Field::Published => {
                // A period (`公示时间：6月1日至6月3日`) is no publication date; its first day is
                // the last resort.
                if is_period(value) {
                    score = 0.8;
                }
                match find_date(value) {
                    Some(date) => Value::Date(date),
                    None => return,
                }
            }
            Field::Region => match first_word(value).map(|w| region_divisions(&w)) {
                Some(region) if region.chars().count() <= 20 => Value::Text(region),
                _ => return,
            },
            Field::Lot => match first_word(value) {
                Some(name) => Value::Text(name),
                None => return,
            },
            Field::Name => return,
        };
        self.push(field, parsed, score, how, label.trim(), at, text);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push(
        &mut self,
        field: Field,
        value: Value,
        score: f32,
        how: How,
        label: &str,
        at: usize,
        text: &str,
    ) {
        self.candidates.push(Candidate {
            field,
            value,
            score,
            how,
            label: label.to_string(),
            at,
            text: context(text),
        });
    }
}

fn label_names_buyer_outright(label: &str) -> bool {
    let label = clean_label(label);
    label.starts_with("采购人") || label.starts_with("招标人") || label.starts_with("采购单位")
}

/// A value that is a period (`2025年3月1日至2025年3月5日`), not a day.
fn is_period(value: &str) -> bool {
    if find_date(value).is_none() {
        return false;
    }
    let joined = ["至", "到", "~", "～", "—", "－－", "--"].iter().any(|w| value.contains(w));
    let dates = count_dates(value);
    dates >= 2 || (joined && value.contains("止"))
}

fn count_dates(value: &str) -> usize {
    let mut rest = value;
    let mut count = 0;
    while let Some(date) = find_date(rest) {
        count += 1;
        // Move past this date's year.
        let year = date.format("%Y").to_string();
        match rest.find(&year) {
            Some(at) => rest = &rest[at + year.len()..],
            None => break,
        }
        if count > 3 {
            break;
        }
    }
    count
}

/// Label/value pairs within table rows: `[招标人:, 甲, 建设地点, 乙]`, or `中标人：甲` in one cell.
pub(super) fn from_rows(rows: &[Vec<String>], row_labels: &[Vec<Option<Label>>], found: &mut Found) {
    for (at, (row, labels)) in rows.iter().zip(row_labels).enumerate() {
        // A header row of a result table pairs no label with a value.
        if looks_like_header(labels) && labels.iter().filter(|l| l.is_none()).count() < 2 {
            continue;
        }
        let line = row.join("\t");
        let mut i = 0;
        while i < row.len() {
            let cell = &row[i];
            if let Some((field, strength, unit)) = labels[i] {
                if let Some(value) = row.get(i + 1) {
                    // Not a header's next heading (`中标供应商名称 | 中标供应商联系地址`).
                    if labels[i + 1].is_none() && (!is_column_heading(value) || is_organisation(value)) {
                        if field != Field::Name {
                            found.offer(field, strength, unit, cell, value, How::Cell, at, &line);
                        }
                        i += 2;
                        continue;
                    }
                }
            } else if cell.contains(['：', ':']) {
                // One colon: the label and its value; more (`中标金额：（可填写费率）：100万元`,
                // two pairs in a cell) are split as a line's.
                let pairs = match cell.split_once(['：', ':']) {
                    Some((label, value)) if !value.contains(['：', ':']) => {
                        vec![(label.to_string(), value.to_string())]
                    }
                    _ => label_values(cell),
                };
                for (label, value) in pairs {
                    if let Some((field, strength, unit)) = classify_label(&label) {
                        if field != Field::Name {
                            found.offer(field, strength, unit, &label, &value, How::Cell, at, &line);
                        }
                    }
                }
            }
            i += 1;
        }
    }
}

/// Result tables: a header row of labels, then data rows with as many cells. Each data row with
/// a lot column is a lot; without one, the rows are the winners of one lot.
pub(super) fn from_header_tables(rows: &[Vec<String>], row_labels: &[Vec<Option<Label>>], found: &mut Found) {
    let mut index = 0;
    while index < rows.len() {
        let header = &rows[index];
        let fields: &[Option<Label>] = &row_labels[index];
        index += 1;
        if header.len() < 2 {
            continue;
        }
        let known = fields.iter().filter(|f| f.is_some()).count();
        let numbered = header.iter().any(|h| h.contains("序号") || h.contains("排名") || h.contains("名次"));
        // `项目名称 | 最高限价(万元) | 工期`: one known label among cells that are all headings
        // (`项目经理（负责人）资质证书及编号` is one).
        let all_headings = header.len() >= 3 && header.iter().all(|h| super::labels::heading_shaped(h, 20));
        if known < 2 && !(known == 1 && (numbered || all_headings)) {
            continue;
        }
        // Label/value rows ([label, value, label, value]) are not header rows, unless what
        // would be the values are headings too (`供应商名称 | 供应商地址 | 中标金额 | 评审得分`).
        if header.len() % 2 == 0
            && fields.iter().step_by(2).all(|f| f.is_some())
            && fields.iter().skip(1).step_by(2).all(|f| f.is_none())
            && !header.iter().skip(1).step_by(2).all(|h| is_column_heading(h))
        {
            continue;
        }
        let data: Vec<&Vec<String>> = rows[index..]
            .iter()
            .zip(&row_labels[index..])
            .take_while(|(r, labels)| r.len() == header.len() && labels.iter().all(Option::is_none))
            .map(|(r, _)| r)
            .collect();
        if data.is_empty() {
            continue;
        }
        let column = |wanted: &[Field]| {
            fields.iter().position(|f| f.is_some_and(|(field, _, _)| wanted.contains(&field)))
        };
        let winner_col = column(&[Field::Winner]).or_else(|| column(&[Field::Name]));
        // A table of bids: ranked, or saying which bidders are candidates.
        let rank_col = header.iter().position(|h| RANKS.iter().any(|w| h.contains(w)));
        // `中标候选人名称 | 最终报价 | 推荐排名`: a ranked column of candidates names every bidder
        // it ranks, and only the first-ranked wins — a column of bidders, not of winners.
        let candidates_col = winner_col.filter(|&c| rank_col.is_some() && header[c].contains("候选"));
        let winner_col = winner_col.filter(|_| candidates_col.is_none());
        let ranks_candidates = column(&[Field::Candidate]).is_some();
        let amount_col = column(&[Field::Amount]);
        let lot_col = column(&[Field::Lot]);
        // The amount column and its unit, unless its header says rate or unit price.
        let amount_column = amount_col
            .filter(|&c| !label_is_not_amount(&fold(&header[c])))
            .map(|c| (c, fields[c].and_then(|(_, _, unit)| unit)));
        let mut rows_seen = Vec::new();
        for (offset, row) in data.iter().enumerate() {
            let at = index + offset;
            let line = row.join("\t");
            for (col, field) in fields.iter().enumerate() {
                let Some((field, strength, unit)) = field else { continue };
                let field = if *field == Field::Name { Field::Winner } else { *field };
                if matches!(field, Field::Lot | Field::Winner | Field::Amount) {
                    continue;
                }
                // Only the first row speaks for the notice's single-valued fields.
                if offset == 0 {
                    found.offer(field, *strength, *unit, &header[col], &row[col], How::Table, at, &line);
                }
            }
            let winners = winner_col.or(candidates_col).map(|c| split_winners(&row[c])).unwrap_or_default();
            let amount =
                amount_column.and_then(|(c, unit)| parse_amount(&fold(&row[c]), unit)).filter(|m| *m > 0.0);
            let name = lot_col.and_then(|c| first_word(&row[c])).filter(|n| !is_placeholder(n));
            if winners.is_empty() && amount.is_none() {
                continue;
            }
            rows_seen.push((at, line, Lot { name, winners, amount }));
        }
        index += data.len();
        let Some((first_at, first_line, _)) = rows_seen.first().cloned() else { continue };
        let winner_header = winner_col.map(|c| header[c].clone()).unwrap_or_default();
        let amount_header = amount_col.map(|c| header[c].clone()).unwrap_or_default();
        let winner_strength = winner_col.and_then(|c| fields[c]).map_or(2.0, |(_, s, _)| s);
        // Numbered rows that each award another supplier its own amount (`序号 | 中标金额 |
        // 中标供应商`: 1 甲 688000, 2 乙 699700) are lots, unless the table ranks bids. Rows
        // without numbers under one lot's heading (`采购包1:`) are that lot's suppliers.
        let separate_awards = winner_col.is_some()
            && header.iter().any(|h| h.contains("序号"))
            && rank_col.is_none()
            && !ranks_candidates
            && rows_seen.iter().all(|(_, _, lot)| !lot.winners.is_empty() && lot.amount.is_some())
            && rows_seen.iter().enumerate().all(|(i, (_, _, lot))| {
                rows_seen[..i]
                    .iter()
                    .all(|(_, _, other)| other.amount != lot.amount && other.winners != lot.winners)
            });
        if (lot_col.is_some() || separate_awards) && rows_seen.len() > 1 {
            // Lots: the notice's fields are the first lot's.
            let lot = &rows_seen[0].2;
            if !lot.winners.is_empty() {
                found.push(
                    Field::Winner,
                    Value::Names(lot.winners.clone()),
                    winner_strength + 0.4,
                    How::Table,
                    &winner_header,
                    first_at,
                    &first_line,
                );
            }
            if let Some(amount) = lot.amount {
                found.push(
                    Field::Amount,
                    Value::Money(amount),
                    3.4,
                    How::Table,
                    &amount_header,
                    first_at,
                    &first_line,
                );
            }
            found.lots.extend(rows_seen.into_iter().map(|(_, _, lot)| lot));
        } else {
            let mut winners: Vec<String> = Vec::new();
            for (_, _, lot) in rows_seen.iter().filter(|_| candidates_col.is_none()) {
                for name in &lot.winners {
                    if !winners.contains(name) {
                        winners.push(name.clone());
                    }
                }
            }
            if !winners.is_empty() {
                let bonus = if winners.iter().all(|n| is_organisation(n)) { 0.5 } else { 0.0 };
                found.push(
                    Field::Winner,
                    Value::Names(winners),
                    winner_strength + 0.3 + bonus,
                    How::Table,
                    &winner_header,
                    first_at,
                    &first_line,
                );
            }
            let amounts: Vec<f64> = rows_seen.iter().filter_map(|(_, _, lot)| lot.amount).collect();
            if !amounts.is_empty() && amounts.iter().all(|a| *a == amounts[0]) {
                found.push(
                    Field::Amount,
                    Value::Money(amounts[0]),
                    3.3,
                    How::Table,
                    &amount_header,
                    first_at,
                    &first_line,
                );
            } else if (amounts.len() > 1 || candidates_col.is_some())
                && winner_col.is_none()
                && (rank_col.is_some() || ranks_candidates)
            {
                // The bids of a ranked table (`供应商 | 报价 | 推荐排名`): the first-ranked bid is
                // the award's, unless the page states it.
                let first = rank_col
                    .and_then(|c| {
                        data.iter().position(|row| matches!(row[c].trim(), "1" | "第一" | "第1名" | "第一名"))
                    })
                    .unwrap_or(0);
                // `排名 | 投标人 | 投标报价(元)`: the bidders' column names every bidder; the
                // first-ranked is the award's (a candidate list's first candidate).
                let bidder_col = header
                    .iter()
                    .position(|h| BIDDERS.contains(&clean_label(h).as_str()))
                    .or(candidates_col)
                    .filter(|_| rank_col.is_some());
                if let Some(c) = bidder_col {
                    if let Some(name) = clean_name(&data[first][c]).filter(|n| is_organisation(n)) {
                        // A column of candidates (`中标候选人名称`) names the winner as a winners'
                        // column would; one of bidders (`投标人`) only by its rank.
                        let strength = match fields[c] {
                            Some((_, strength, _)) if Some(c) == candidates_col => strength + 0.8,
                            _ => 2.2,
                        };
                        found.push(
                            Field::Winner,
                            Value::Names(vec![name]),
                            strength,
                            How::Table,
                            &header[c],
                            index - data.len() + first,
                            &data[first].join("\t"),
                        );
                    }
                }
                let bid = amount_column.and_then(|(c, unit)| parse_amount(&fold(&data[first][c]), unit));
                if let Some(bid) = bid.filter(|m| *m > 0.0) {
                    found.push(
                        Field::Amount,
                        Value::Money(bid),
                        2.6,
                        How::Table,
                        &amount_header,
                        index - data.len() + first,
                        &data[first].join("\t"),
                    );
                }
            } else if amounts.len() > 1 {
                // Several winners of one lot with their own amounts: the award is their sum.
                let total = (amounts.iter().sum::<f64>() * 100.0).round() / 100.0;
                found.push(
                    Field::Amount,
                    Value::Money(total),
                    3.0,
                    How::Table,
                    &amount_header,
                    first_at,
                    &first_line,
                );
            }
            if lot_col.is_some() {
                found.lots.extend(rows_seen.into_iter().map(|(_, _, lot)| lot));
            }
        }
    }
}

/// A column of bidders that names no winner (`投标人`): only its first-ranked is one.
const BIDDERS: &[&str] =
    &["投标人", "投标人名称", "投标单位", "投标单位名称", "投标供应商", "投标供应商名称", "响应供应商"];

/// Words of a column or row that ranks bidders.
const RANKS: &[&str] = &["排名", "排序", "名次"];

/// Candidate tables laid out sideways, one candidate per column (construction sites):
/// `中标候选人排序 | 第一中标候选人 | 第二中标候选人`, then `单位名称 | 甲公司 | 乙公司`. The first
/// column's organisation is the first candidate.
pub(super) fn from_transposed_tables(
    rows: &[Vec<String>],
    row_labels: &[Vec<Option<Label>>],
    found: &mut Found,
) {
    let is_rank = |cell: &str| {
        let cell: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
        ["第一", "第1", "一", "1"]
            .iter()
            .any(|first| cell.starts_with(first) || cell.contains(&format!("第{first}")))
    };
    for (at, row) in rows.iter().enumerate() {
        let heads_ranks = row.len() >= 3
            && RANKS.iter().chain(&["候选人"]).any(|w| row[0].contains(w))
            && is_rank(&row[1])
            && !is_rank(&row[2]);
        if !heads_ranks {
            continue;
        }
        // The row that names the candidates: a name's label, an organisation under the first.
        let named = rows.iter().zip(row_labels).enumerate().skip(at + 1).take(4).find(|(_, (r, labels))| {
            r.len() == row.len()
                && labels[0].is_some_and(|(field, _, _)| {
                    matches!(field, Field::Name | Field::Winner | Field::Candidate)
                })
                && is_organisation(&r[1])
        });
        if let Some((place, (names, _))) = named {
            found.offer(
                Field::Candidate,
                3.0,
                None,
                &names[0],
                &names[1],
                How::Table,
                place,
                &names.join("\t"),
            );
        }
    }
}

fn looks_like_header(labels: &[Option<Label>]) -> bool {
    labels.iter().filter(|l| l.is_some()).count() >= 2
}

/// The section a heading line opens, for `名称：` under it.
fn section_of(folded: &str) -> Option<Option<Field>> {
    let short = folded.chars().count() <= 24;
    if !short {
        return None;
    }
    if ["采购人信息", "招标人信息", "采购单位信息", "采购人的名称", "采购单位名称、地址", "建设单位信息"]
        .iter()
        .any(|w| folded.contains(w))
    {
        Some(Some(Field::Buyer))
    } else if ["代理机构信息", "代理机构联系", "代理机构的名称"].iter().any(|w| folded.contains(w))
    {
        Some(Some(Field::Agency))
    } else if ["供应商信息", "中标人信息", "成交信息", "中标信息", "中标(成交)信息"]
        .iter()
        .any(|w| folded.contains(w))
    {
        Some(Some(Field::Winner))
    } else if ["监督管理部门", "监督部门", "监管部门", "质疑", "投诉"].iter().any(|w| folded.contains(w))
    {
        // `名称` under the supervising office is neither party.
        Some(None)
    } else {
        None
    }
}

/// The field a label names where it stands: `名称` is the section's party (none outside one).
fn in_section(field: Field, section: Option<Field>) -> Option<Field> {
    match field {
        Field::Name => section,
        field => Some(field),
    }
}

/// `label：value` in running text, up to the next label; `名称：` takes its meaning from the
/// section heading before it; a label alone on a line takes the next line as its value.
pub(super) fn from_lines(layout: &Layout, found: &mut Found) {
    let lines = &layout.lines;
    let mut section: Option<Field> = None;
    for (at, line) in lines.iter().enumerate() {
        // Section headings (`采购人信息`, `监督管理部门`, `质疑`), in either script: the line, or
        // what it says before its first label (`1.采购人信息 名称：甲 地址：…`, however long).
        let may_open = |text: &str| {
            text.len() <= 90
                && ["信息", "部门", "部門", "质疑", "質疑", "投诉", "投訴", "名称", "名稱"]
                    .iter()
                    .any(|w| text.contains(w))
        };
        let pairs = label_values(line);
        let head = pairs.first().and_then(|(label, _)| line.find(label.as_str()).map(|end| &line[..end]));
        let opened = if may_open(line) { section_of(&layout.folded(at).replace(' ', "")) } else { None }
            .or_else(|| section_of(&fold(head.filter(|h| may_open(h))?).replace(' ', "")));
        if let Some(opened) = opened {
            section = opened;
        }
        for (label, value) in &pairs {
            let Some((field, strength, unit)) = classify_label(label) else { continue };
            let Some(field) = in_section(field, section) else { continue };
            if value.trim().is_empty() || is_placeholder(value) {
                // The value on the next line: `招标人：` then `甲公司`, as a crawler's text of a
                // form puts every cell on a line. Nearly the label's own weight: it outranks a
                // sentence's figure (`…最高限价为789100元`) as the label on its line would.
                if let Some(next) = lines.get(at + 1).and_then(|n| before_first_label(n)) {
                    found.offer(field, strength - 0.1, unit, label, &next, How::NextLine, at + 1, &next);
                }
                continue;
            }
            found.offer(field, strength, unit, label, value, How::Label, at, line);
        }
        // A label that is the whole line (a flattened table), its value the next line; or a
        // label, spaces and its value (`单位名称 甲建设有限公司` under `中标人信息`, `中标金额（费率、
        // 单价等） 1180000.00元`): a table's row that lost its cells but kept their gap.
        if pairs.is_empty() && !line.contains('\t') {
            if let Some((label, value)) =
                line.split_once([' ', '\u{3000}']).filter(|(_, v)| !v.trim().is_empty())
            {
                if let Some((field, strength, unit)) = classify_label(label) {
                    let Some(field) = in_section(field, section) else { continue };
                    let value = value.trim();
                    let fits = match field {
                        Field::Buyer | Field::Winner | Field::Agency | Field::Candidate => {
                            is_organisation(value)
                        }
                        _ => !value.contains(' ') && classify_label(value).is_none(),
                    };
                    if fits && line.chars().count() <= 80 {
                        found.offer(field, strength - 0.6, unit, label, value, How::Label, at, line);
                    }
                }
            } else if let Some((field, strength, unit)) = classify_label(line) {
                let Some(field) = in_section(field, section) else { continue };
                // Not a line that starts with a label itself (`中标供应商甲公司` under a
                // section heading `四、中标供应商`).
                // A colon in a time (`2019年01月04日 17:55`) labels nothing.
                let labelled = |n: &str| {
                    n.char_indices().any(|(i, c)| {
                        matches!(c, '：' | ':') && !n[..i].ends_with(|p: char| p.is_ascii_digit())
                    })
                };
                // The last of a run of column headings (`序号` / `中标供应商名称` / `中标金额(万元)`,
                // a table a cell a line) heads a column: the next line is the first row's.
                let in_header = || at >= 2 && lines[at - 2..at].iter().all(|l| is_column_heading(l));
                // `中标价` / `大写：贰仟零伍拾万元整`: how the figure is written labels no field.
                let written = |n: &str| ["大写", "小写"].iter().any(|w| n.trim_start().starts_with(w));
                if let Some(next) = lines.get(at + 1).filter(|n| {
                    classify_label(n).is_none()
                        && (!labelled(n) || written(n))
                        && !label_starts_at(&n.chars().take(8).collect::<Vec<_>>(), 0, 3)
                        && !in_header()
                }) {
                    found.offer(field, strength - 0.5, unit, line, next, How::NextLine, at + 1, next);
                }
            }
        }
    }
}

/// Lots laid out as sections rather than a table (`A分标：` and its winner and amount, then
/// `B分标：` and its own): each section whose lines name a winner is a lot, with the best winner
/// and amount its lines state. The notice's own fields are the first lot's, as with a table.
pub(super) fn from_lot_sections(layout: &Layout, found: &mut Found) {
    if !found.lots.is_empty() {
        return;
    }
    let headings: Vec<(usize, String)> = layout
        .lines
        .iter()
        .enumerate()
        .filter_map(|(at, line)| lot_heading(line).map(|name| (at, name)))
        .collect();
    if headings.len() < 2 {
        return;
    }
    // A table's row is one of the lines too: where each row stands among them, in order.
    let mut next_line = 0;
    let row_lines: Vec<Option<usize>> = layout
        .rows
        .iter()
        .map(|row| {
            let text = row.join("\t");
            let at = layout.lines[next_line.min(layout.lines.len())..].iter().position(|l| *l == text)?;
            next_line += at + 1;
            Some(next_line - 1)
        })
        .collect();
    // The line a candidate was read from: a cell's is its row's.
    let line_of = |c: &Candidate| match c.how {
        How::Cell => row_lines.get(c.at).copied().flatten(),
        _ => Some(c.at),
    };
    // What the section's lines state (a table of one cell a row, `供应商名称：甲公司`, is lines).
    let in_text = |c: &&Candidate| matches!(c.how, How::Label | How::NextLine | How::Sentence | How::Cell);
    // A lot's winner is an organisation (not the `名称：6#学生公寓改造` of what the lot buys).
    let winner_shaped = |c: &&Candidate| match &c.value {
        Value::Names(names) => c.field != Field::Winner || names.iter().all(|n| is_organisation(n)),
        _ => true,
    };
    // The section's best candidate for `field`, the earliest of equals.
    let best = |field: Field, lines: std::ops::Range<usize>| {
        found
            .candidates
            .iter()
            .filter(in_text)
            .filter(winner_shaped)
            .filter(|c| c.field == field && line_of(c).is_some_and(|at| lines.contains(&at)))
            .max_by(|a, b| a.score.total_cmp(&b.score).then(line_of(b).cmp(&line_of(a))))
            .cloned()
    };
    let mut lots: Vec<(Candidate, Option<Candidate>, Lot)> = Vec::new();
    for (i, (start, name)) in headings.iter().enumerate() {
        let end = headings.get(i + 1).map_or(usize::MAX, |(at, _)| *at);
        let Some(winner) = best(Field::Winner, *start..end) else { continue };
        let Value::Names(winners) = &winner.value else { continue };
        let amount = best(Field::Amount, *start..end);
        let money = amount.as_ref().and_then(|a| match a.value {
            Value::Money(m) => Some(m),
            _ => None,
        });
        let lot = Lot { name: Some(name.clone()), winners: winners.clone(), amount: money };
        lots.push((winner, amount, lot));
    }
    // Two lots, each once: a lot named again (`包1` in the bids' table and again in the result)
    // is one lot read twice, not a lot layout.
    let names: HashSet<&Option<String>> = lots.iter().map(|(_, _, lot)| &lot.name).collect();
    if lots.len() < 2 || names.len() < lots.len() {
        return;
    }
    // The first lot's winner and amount over any other the page states.
    let top = |field: Field| {
        found.candidates.iter().filter(|c| c.field == field).map(|c| c.score).fold(f32::MIN, f32::max)
    };
    let (winner, amount, _) = &lots[0];
    let (winner_top, amount_top) = (top(Field::Winner), top(Field::Amount));
    found.push(
        Field::Winner,
        winner.value.clone(),
        winner_top + 0.1,
        winner.how,
        &winner.label,
        winner.at,
        &winner.text,
    );
    if let Some(amount) = amount {
        found.push(
            Field::Amount,
            amount.value.clone(),
            amount_top + 0.1,
            amount.how,
            &amount.label,
            amount.at,
            &amount.text,
        );
    }
    found.lots = lots.into_iter().map(|(_, _, lot)| lot).collect();
}

/// Whether a lot's word (包, 标段, 分标, 批次…) may stand in the first characters of `chars`: the
/// cheap test before [`lot_heading`], which most lines fail.
pub(super) fn lot_word_near(chars: impl IntoIterator<Item = char>) -> bool {
    chars.into_iter().take(12).any(|c| matches!(c, '包' | '标' | '段' | '批'))
}

/// The lot a line opens (`A分标：`, `第二包`, `标段一`, `包1：办公设备`, `（二）1包`), as written:
/// the lot's word and its number, at the start of the line.
pub(super) fn lot_heading(line: &str) -> Option<String> {
    const WORDS: [&str; 9] = ["采购包", "合同段", "分标", "标段", "标包", "分包", "包组", "批次", "包"];
    if !lot_word_near(line.chars()) {
        return None;
    }
    let cleaned = clean_label(line.split(['：', ':']).next().unwrap_or(""));
    let number = |s: &str| {
        let n: String = s
            .chars()
            .take_while(|c| {
                c.is_ascii_digit() || c.is_ascii_lowercase() || "一二三四五六七八九十".contains(*c)
            })
            .collect();
        // One letter (`A`, folded to `a`), or a numeral of up to three characters.
        let letters = n.chars().filter(char::is_ascii_lowercase).count();
        (!n.is_empty() && n.chars().count() <= 3 && (letters == 0 || n.chars().count() == 1)).then_some(n)
    };
    let word_at = |s: &str| WORDS.iter().find(|w| s.starts_with(**w)).copied();
    let rest = cleaned.strip_prefix('第').unwrap_or(&cleaned);
    let head = if let Some(n) = number(rest) {
        // `A分标`, `第二包`, `1包` (not the `一包` of `一包装要求`).
        let word = word_at(&rest[n.len()..])?;
        let after = rest[n.len() + word.len()..].chars().next();
        if word.chars().count() == 1 && after.is_some_and(is_han) {
            return None;
        }
        cleaned[..cleaned.len() - rest.len() + n.len() + word.len()].to_string()
    } else {
        // `标段一`, `包1`, and `标包：A` (the lot's number its value).
        let word = word_at(&cleaned)?;
        let after_colon = || {
            let (_, value) = line.split_once(['：', ':'])?;
            let value = value.trim().to_lowercase();
            let n = number(&value)?;
            (cleaned == word && n == value).then_some(n)
        };
        let n = number(&cleaned[word.len()..]).or_else(after_colon)?;
        format!("{word}{n}")
    };
    // The heading is the line, or what stands before its colon (`A分标：热电复合治疗仪`), or
    // runs into a short name (`包1办公设备`).
    (cleaned.chars().count() <= head.chars().count() + 12).then(|| head.to_ascii_uppercase())
}

/// The text of a line before its first label (`甲公司 地址：…` -> `甲公司`), unless the line is
/// a label itself.
fn before_first_label(line: &str) -> Option<String> {
    if classify_label(line).is_some() {
        return None;
    }
    let pairs = label_values(line);
    let head = match pairs.first() {
        None => line.to_string(),
        Some((label, _)) => {
            let at = line.find(label.as_str()).unwrap_or(0);
            line[..at].to_string()
        }
    };
    let head = head.trim().to_string();
    (!head.is_empty()).then_some(head)
}

/// Splits a line into `(label, value)` pairs at colons: the label is the text after the
/// previous value's end (a separator or tab), the value runs to the next label.
pub(super) fn label_values(line: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let is_boundary = |c: char| {
        c == '\t'
            || c == '\u{3000}'
            || c == '；'
            || c == ';'
            || c == '。'
            || c == ' '
            || c == '，'
            || c == ','
    };
    let mut starts: Vec<(usize, usize)> = Vec::new();
    for (colon, _) in chars.iter().enumerate().filter(|(_, c)| **c == '：' || **c == ':') {
        // A time (`9:30`) is no label's colon.
        if colon > 0
            && chars[colon - 1].is_ascii_digit()
            && chars.get(colon + 1).is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        // Walk back from the colon to a boundary: that is where the label starts (spaces just
        // before the colon belong to no one).
        let mut start = colon;
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        let label_end = start;
        // An opening bracket with no closing one before the colon ends the label:
        // `YCZC-2025-0312（招标文件编号：...`. The label is at most 20 characters from the colon.
        start = run_start(&chars, label_end, 20usize.saturating_sub(colon - label_end), |at| {
            let c = chars[at];
            (is_boundary(c) && !(c == ',' && digits_around(&chars, at))) || "【[：:".contains(c)
        });
        if colon - start >= 20 {
            // No boundary within a label's length: the label is the Han run before the colon
            // (`…（RMB2,288,231.72）主要中标标的情况如下：`), not a cut through a figure.
            start = label_end;
            while start > 0 && is_han(chars[start - 1]) {
                start -= 1;
            }
        }
        // `采购代理机构名称：甲招标有限公司采购代理机构地址：…`: with nothing between them, a
        // value that is a company ends at its `公司`, and the next label starts after it.
        if let Some(after_company) = chars[start..colon]
            .windows(2)
            .rposition(|w| w == ['公', '司'])
            .map(|p| start + p + 2)
            // A company's name before (`代理公司名称` is one label), a label after.
            .filter(|&after| after - start >= 6 && colon - after >= 2)
        {
            start = after_company;
        }
        // `…507室3.中标金额：`, `…珠海市教育局采购人地址：`: what ran into a label is no part of
        // it. The label is the longest end of the run that names a field, cut where Han meets
        // other characters (`首次公告日期` is not `公告日期`) or where an organisation's name
        // ends (`采购人名称：长沙市公安局采购代理机构名称：`), or a party's contact details.
        let run = |from: usize| chars[from..colon].iter().collect::<String>();
        let whole = run(start);
        if colon - start > 2 && classify_label(&whole).is_none() && !is_contact_label(&whole) {
            if let Some(known) = (start + 1..colon - 1).find(|&from| {
                let after_name = || {
                    from - start >= 4
                        && colon - from >= 3
                        && is_organisation(&chars[start..from].iter().collect::<String>())
                };
                // `一标段中标人：`: the lot's heading, then the label.
                let after_lot = || {
                    let last = chars[from - 1];
                    ("包标段次组一二三四五六七八九十".contains(last) || last.is_ascii_alphanumeric())
                        && lot_heading(&chars[start..from].iter().collect::<String>())
                            .is_some_and(|head| head.chars().count() == from - start)
                };
                ((is_han(chars[from - 1]) != is_han(chars[from]) || after_name() || after_lot())
                    && classify_label(&run(from)).is_some())
                    || is_contact_label(&run(from))
            }) {
                start = known;
            }
        }
        // `名 称：`, `采  购  人：` — spaces inside a short label are part of it: a label
        // spaced out is a few characters, all Han (`507室 3.中标金额：` is two things).
        let tail = &chars[start..colon];
        let han = tail.iter().filter(|&&c| is_han(c)).count();
        let spaced_out = tail.iter().all(|&c| is_han(c) || c == ' ')
            && (1..=3).contains(&han)
            && start >= 2
            && chars[start - 1] == ' '
            // A label already whole (`…监理 中标人：`) takes nothing from the value before it.
            && !(han >= 2 && !tail.contains(&' ') && classify_label(&run(start)).is_some());
        while spaced_out
            && start >= 2
            && chars[start - 1] == ' '
            && is_han(chars[start - 2])
            && colon - start <= 6
        {
            let mut s = start - 1;
            while s > 0 && chars[s - 1] == ' ' {
                s -= 1;
            }
            let mut word = s;
            while word > 0 && is_han(chars[word - 1]) && s - word < 3 {
                word -= 1;
            }
            if word == s || s - word > 2 {
                break;
            }
            start = word;
        }
        // `中标（成交）金额：（可填写下浮率、折扣率或 费率）：2837万元`: a note in brackets between
        // two colons is the label's, and the value follows the second.
        if let Some(last) = starts.last_mut() {
            let between: String = chars[last.1 + 1..colon].iter().collect();
            let between = between.trim();
            let inner = between
                .strip_prefix(['（', '('])
                .and_then(|b| b.strip_suffix(['）', ')']))
                .filter(|inner| inner.chars().count() <= 30);
            if inner.is_some_and(|inner| !inner.contains(['（', '(', '）', ')', '：', ':'])) {
                last.1 = colon;
                continue;
            }
        }
        starts.push((start, colon));
    }
    for (k, &(start, colon)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|&(s, _)| s).unwrap_or(chars.len());
        if colon + 1 > end {
            continue;
        }
        let label: String = chars[start..colon].iter().filter(|c| !matches!(c, '：' | ':')).collect();
        let value: String = chars[colon + 1..end].iter().collect();
        let value = before_spaced_label(value.trim());
        out.push((label, value.trim_end_matches(['】', ']']).trim().to_string()));
    }
    out
}

/// A value up to a label without a colon after a space (`宜昌港务集团有限责任公司枝城港 建设地点
/// 宜都市…`: a table's cells flattened into a line, the next cell a label).
fn before_spaced_label(value: &str) -> &str {
    let mut at = 0;
    while let Some(space) = value[at..].find(' ').map(|i| at + i) {
        let word = value[space + 1..].split(' ').next().unwrap_or("");
        let count = word.chars().count();
        if (2..=8).contains(&count)
            && word.chars().all(is_han)
            && is_column_heading(word)
            && !is_organisation(word)
        {
            return value[..space].trim_end();
        }
        at = space + 1;
    }
    value
}

/// A thousands separator: a digit on either side of `chars[at]` (`2,288,231.72`).
fn digits_around(chars: &[char], at: usize) -> bool {
    at > 0 && chars[at - 1].is_ascii_digit() && chars.get(at + 1).is_some_and(char::is_ascii_digit)
}

/// Markers in sentences: the text after them (to the end of the clause) is the field's value.
const SENTENCE_MARKERS: &[(&str, Field, f32)] = &[
    ("招标人为", Field::Buyer, 2.6),
    ("采购人为", Field::Buyer, 2.6),
    ("发包人为", Field::Buyer, 2.6),
    ("建设单位为", Field::Buyer, 2.2),
    ("项目业主为", Field::Buyer, 2.0),
    ("业主单位为", Field::Buyer, 2.0),
    ("项目法人为", Field::Buyer, 1.8),
    ("招标代理机构为", Field::Agency, 2.6),
    ("采购代理机构为", Field::Agency, 2.6),
    ("发包代理机构为", Field::Agency, 2.6),
    ("代理机构为", Field::Agency, 2.4),
    ("招标代理为", Field::Agency, 2.4),
    ("招标控制价为", Field::Budget, 2.8),
    ("最高投标限价为", Field::Budget, 2.8),
    ("最高限价为", Field::Budget, 2.8),
    ("采购预算为", Field::Budget, 2.8),
    ("预算金额为", Field::Budget, 2.8),
    ("预算造价为", Field::Budget, 2.4),
    ("项目预算为", Field::Budget, 2.8),
    ("控制价为", Field::Budget, 2.4),
    ("预算价为", Field::Budget, 2.4),
    ("中标人为", Field::Winner, 2.6),
    ("中标单位为", Field::Winner, 2.6),
    ("中标供应商为", Field::Winner, 2.6),
    ("成交供应商为", Field::Winner, 2.6),
    ("成交人为", Field::Winner, 2.6),
    ("中标价为", Field::Amount, 2.8),
    ("中标金额为", Field::Amount, 2.8),
    ("成交价为", Field::Amount, 2.8),
    ("成交金额为", Field::Amount, 2.8),
    ("中标价格为", Field::Amount, 2.8),
];

/// A sentence marker or amount label as characters, for matching it where it ends.
struct Ending {
    chars: Vec<char>,
    field: Field,
    strength: f32,
    text: &'static str,
}

static ENDINGS: std::sync::LazyLock<Vec<Ending>> = std::sync::LazyLock::new(|| {
    SENTENCE_MARKERS
        .iter()
        .copied()
        .chain(outright_labels(&[Field::Budget, Field::Amount], 2.5, 3))
        .map(|(text, field, strength)| Ending { chars: text.chars().collect(), field, strength, text })
        .collect()
});

/// `确定甲建设有限公司为中标人`, `推荐乙公司为第一中标候选人`: the name before `为` (at `wei`),
/// from the clause's start or the verb that names it, when what follows `为` is the role.
fn named_before_wei(chars: &[char], fchars: &[char], wei: usize, at: usize, line: &str, found: &mut Found) {
    const ROLES: &[(&str, Field)] = &[
        ("第一中标候选人", Field::Candidate),
        ("第一成交候选人", Field::Candidate),
        ("中标候选人", Field::Candidate),
        ("中标(成交)供应商", Field::Winner),
        ("中标供应商", Field::Winner),
        ("成交供应商", Field::Winner),
        ("中标单位", Field::Winner),
        ("中标人", Field::Winner),
        ("成交人", Field::Winner),
        ("中选人", Field::Winner),
        ("中选单位", Field::Winner),
    ];
    // The role follows `为` (not `拟确定中标候选人为甲`, where it is the subject).
    let after: String = fchars[wei + 1..].iter().take(9).collect();
    let Some(&(role, field)) = ROLES.iter().find(|(role, _)| after.starts_with(role)) else { return };
    // Back to the clause's start; a bracket closed within the name is the name's
    // (`世纪杰皓（湖北）项目管理有限公司`).
    let from = run_start(chars, wei, 50, |at| clause_end(chars[at]) || "：:".contains(chars[at]));
    let clause: String = chars[from..wei].iter().collect();
    let name = ["确定", "推荐", "选定", "同意", "评定", "确认"]
        .iter()
        .filter_map(|verb| clause.rfind(verb).map(|p| &clause[p + verb.len()..]))
        .min_by_key(|rest| rest.len())
        .unwrap_or(&clause)
        .trim();
    if is_organisation(name) {
        found.offer(field, 2.4, None, role, name, How::Sentence, at, line);
    }
}

/// Where the run of text that ends at `end` starts, walking back at most `most` characters:
/// just after an opening bracket left open, or after a character at which `stops` says the
/// run ends; a bracket closed within the run is the run's own.
fn run_start(chars: &[char], end: usize, most: usize, stops: impl Fn(usize) -> bool) -> usize {
    let (mut start, mut depth) = (end, 0usize);
    while start > 0 && end - start < most {
        match chars[start - 1] {
            '）' | ')' => depth += 1,
            '（' | '(' if depth == 0 => break,
            '（' | '(' => depth -= 1,
            _ if stops(start - 1) => break,
            _ => {}
        }
        start -= 1;
    }
    start
}

/// Ends of a clause holding a name.
fn clause_end(c: char) -> bool {
    "，,。；;（(、\t 】]".contains(c)
}

/// The name that starts at `from` (up to the end of its clause, at most 50 characters).
fn name_at(chars: &[char], mut from: usize, stop_words: &[&str]) -> Option<String> {
    // `招标人为 北京市某建设中心`: the space after the marker is the page's, not a clause end.
    while chars.get(from) == Some(&' ') {
        from += 1;
    }
    let mut end = from;
    while end < chars.len() && end - from < 50 && !clause_end(chars[end]) {
        end += 1;
    }
    let mut name: String = chars[from..end].iter().collect();
    for stop in stop_words {
        if let Some(at) = name.find(stop) {
            name.truncate(at);
        }
    }
    let name = name.trim().to_string();
    // A bracketed note that belongs to the name (`甲中心（乙体校）`) follows the clause end.
    let name = if chars.get(end) == Some(&'（') {
        let close = chars[end..].iter().position(|c| *c == '）').map(|p| end + p);
        match close {
            Some(close) if close - end < 30 => {
                let note: String = chars[end..=close].iter().collect();
                if is_organisation(&format!("{name}{note}")) && !is_organisation(&name) {
                    format!("{name}{note}")
                } else {
                    name
                }
            }
            _ => name,
        }
    } else {
        name
    };
    (!name.is_empty()).then_some(name)
}

/// Roles a template writes in brackets after the name it asks for (`甲（采购人）的乙项目…`),
/// as folding writes them.
const ROLES_IN_BRACKETS: &[(&str, Field)] = &[
    ("(采购人)", Field::Buyer),
    ("(招标人)", Field::Buyer),
    ("(采购单位)", Field::Buyer),
    ("(建设单位)", Field::Buyer),
    ("(采购代理机构)", Field::Agency),
    ("(招标代理机构)", Field::Agency),
    ("(代理机构)", Field::Agency),
];

/// `甲（采购人）的乙项目…竞争性磋商项目于…`: a form's blank filled with a name, its role in
/// brackets after it. The name runs back to the clause's start.
pub(super) fn from_roles_in_brackets(layout: &Layout, found: &mut Found) {
    for (at, line) in layout.lines.iter().enumerate() {
        if !(line.contains("人）") || line.contains("位）") || line.contains("构）") || line.contains(')'))
        {
            continue;
        }
        let folded = layout.folded(at);
        if !ROLES_IN_BRACKETS.iter().any(|(marked, _)| folded.contains(marked)) {
            continue;
        }
        // Folding keeps the characters' count (not their bytes): a name is cut from the page's
        // own characters at the folded text's character positions.
        let chars: Vec<char> = line.chars().collect();
        for &(marked, field) in ROLES_IN_BRACKETS {
            let mut from = 0;
            while let Some(pos) = folded[from..].find(marked) {
                let end_byte = from + pos;
                from = end_byte + marked.len();
                let end = folded[..end_byte].chars().count();
                let begin = (0..end)
                    .rev()
                    .find(|&i| "，,。；;：:\t \u{3000}）)".contains(chars[i]))
                    .map_or(0, |i| i + 1);
                let name: String = chars.get(begin..end).unwrap_or_default().iter().collect();
                let name = name.trim();
                if is_organisation(name) {
                    found.offer(field, 2.2, None, "…（角色）", name, How::Sentence, at, line);
                }
            }
        }
    }
}

/// Whether the text up to a figure's label is inside a note that parts a total
/// (`1289100元（其中：甲检测最高限价为789100元；乙…）`): what the note states is a part, not the
/// notice's amount or budget. The note opens with `其中` at most a few dozen characters back and
/// has not closed (a bracket or a full stop) since.
fn in_breakdown(before: &[char]) -> bool {
    let recent = &before[before.len().saturating_sub(60)..];
    recent
        .windows(2)
        .rposition(|w| w == ['其', '中'])
        .is_some_and(|at| !recent[at..].iter().any(|c| matches!(c, '）' | ')' | '。')))
}

/// Sentences that name the parties and amounts: `受甲委托，乙对…`, `乙受甲的委托`, `招标人为甲`,
/// `招标控制价为5849499.57元`, `甲对…进行了竞争性磋商`.
pub(super) fn from_sentences(layout: &Layout, found: &mut Found) {
    for (at, line) in layout.lines.iter().enumerate() {
        // Every pattern below has one of these characters (simplified or traditional).
        if line.len() < 12
            || !line.contains([
                '为', '為', '受', '对', '對', '价', '價', '预', '預', '额', '額', '发', '發', '托',
            ])
        {
            continue;
        }
        let folded = layout.folded(at);
        let chars: Vec<char> = line.chars().collect();
        let fchars: Vec<char> = folded.chars().collect();
        // Each character's byte offset, so that a byte offset's character is found by search
        // (a page of one long line has thousands of sentences).
        let offsets: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
        let char_at = |byte: usize| offsets.partition_point(|&b| b < byte);
        // Markers (`招标人为`) and amount labels (`审核预算价`) found by where they end: one pass
        // over the line, looking back from each `为`, `价`, `额`, `算`, `格`.
        for (k, c) in fchars.iter().enumerate() {
            if !matches!(c, '为' | '价' | '额' | '算' | '格') {
                continue;
            }
            let before = &fchars[..=k];
            let start = k + 1;
            if *c == '为' {
                named_before_wei(&chars, &fchars, k, at, line, found);
            }
            for Ending { chars: word, field, strength, text } in ENDINGS.iter() {
                if word.last() != Some(c) || !before.ends_with(word) {
                    continue;
                }
                if matches!(field, Field::Amount | Field::Budget) && in_breakdown(before) {
                    continue;
                }
                if *c == '为' {
                    match field {
                        Field::Buyer | Field::Agency | Field::Winner => {
                            if let Some(name) = name_at(&chars, start, &["进行", "负责", "组织"]) {
                                found.offer(*field, *strength, None, text, &name, How::Sentence, at, line);
                            }
                        }
                        _ => {
                            let value: String = chars[start..].iter().take(40).collect();
                            let value = value.split(['，', '。', '；', ';']).next().unwrap_or("").to_string();
                            found.offer(*field, *strength, None, text, &value, How::Sentence, at, line);
                        }
                    }
                } else {
                    // `审核预算价125143 元`, `中标价 1,200,000元`: a label run into its figure.
                    let rest: String = fchars[start..].iter().take(30).collect();
                    let figure = rest.trim_start_matches(|c: char| {
                        c.is_whitespace() || "为约是:：人民币￥¥(（元)）".contains(c)
                    });
                    if figure.starts_with(|c: char| c.is_ascii_digit()) {
                        let value = figure.split(['，', '。', '；', ';', ',']).next().unwrap_or("");
                        found.offer(*field, strength - 0.4, None, text, value, How::Sentence, at, line);
                    }
                }
            }
        }
        // `乙受甲（的）委托` / `受甲委托，乙…`.
        let mut from = 0;
        while let Some(pos) = folded[from..].find('受') {
            let start = char_at(from + pos);
            from += pos + '受'.len_utf8();
            let after: String = fchars[start + 1..].iter().take(60).collect();
            let Some(end) = after.find("委托") else { continue };
            let mut principal: String = after[..end].to_string();
            if let Some(stripped) = principal.strip_suffix('的') {
                principal = stripped.to_string();
            }
            let principal_len = principal.chars().count();
            let principal: String =
                chars[start + 1..start + 1 + principal_len].iter().collect::<String>().trim().to_string();
            // `受其委托`, `受该单位委托`: no name.
            let pronoun =
                ["该单位", "本单位", "贵单位", "该公司", "我单位", "我公司"].contains(&principal.as_str());
            if principal_len < 2 || pronoun || principal.contains(['，', '。', '；']) {
                continue;
            }
            found.offer(Field::Buyer, 2.4, None, "受…委托", &principal, How::Sentence, at, line);
            // The agent is the subject before `受` in the same clause (a space parts it from
            // what a flattened page put before it).
            let mut begin = start;
            while begin > 0 && chars[begin - 1] == ' ' {
                begin -= 1;
            }
            while begin > 0 && !"，,。；;：:\t \u{3000}".contains(chars[begin - 1]) && start - begin < 50
            {
                begin -= 1;
            }
            let agent: String = chars[begin..start].iter().collect::<String>().trim().to_string();
            let agent =
                agent.trim_start_matches(|c: char| !is_han(c) && !c.is_ascii_alphanumeric()).to_string();
            // A page that lost its line ends runs the title into the agent
            // (`…检测项目结果公告湖南道勤项目管理有限公司 受…`): no name holds a notice's noun.
            let agent =
                match ["公告", "公示"].iter().filter_map(|w| agent.rfind(w).map(|i| i + w.len())).max() {
                    Some(end) => agent[end..].to_string(),
                    None => agent,
                };
            if !agent.is_empty() {
                found.offer(Field::Agency, 2.4, None, "…受委托", &agent, How::Sentence, at, line);
            } else {
                // `受甲委托，乙对…进行` or `受甲委托，就…`: the agent starts the next clause.
                let close = start + 1 + principal_len + 2;
                let rest: String = chars.get(close..).map(|c| c.iter().collect()).unwrap_or_default();
                let rest = rest.trim_start_matches(['的', '，', ',', ' ']);
                let subject: String = rest.chars().take_while(|c| !"，,。；;：:对就".contains(*c)).collect();
                if is_organisation(subject.trim()) {
                    found.offer(
                        Field::Agency,
                        2.2,
                        None,
                        "受委托，…",
                        subject.trim(),
                        How::Sentence,
                        at,
                        line,
                    );
                }
            }
        }
        // `现委托甲咨询有限公司对该项目…进行公开招标`: the buyer's agent, named without `受`.
        let mut from = 0;
        while let Some(pos) = folded[from..].find("委托") {
            let at_byte = from + pos;
            from = at_byte + "委托".len();
            if folded[..at_byte].ends_with('受') {
                continue;
            }
            let start = char_at(at_byte) + 2;
            if let Some(agent) = name_at(&chars, start, &["对", "进行", "负责", "组织", "代理", "为"])
            {
                if is_organisation(&agent) && is_agency_like(&agent) {
                    found.offer(Field::Agency, 2.2, None, "委托…", &agent, How::Sentence, at, line);
                }
            }
        }
        // `甲于2011年09月22日在某平台发布的…采购项目`: who published the procurement runs it
        // (as the buyer's agent, when it is an agency).
        if let Some(published) = folded.find("发布的") {
            if let Some(yu) = folded[..published].find('于') {
                let subject: String = chars[..char_at(yu)].iter().collect();
                let subject = subject.rsplit(['，', '。', '；', '：', ':', ' ']).next().unwrap_or("").trim();
                if is_organisation(subject) && find_date(&folded[yu..published]).is_some() {
                    let field = if is_agency_like(subject) { Field::Agency } else { Field::Buyer };
                    found.offer(field, 1.6, None, "…于…发布的", subject, How::Sentence, at, line);
                }
            }
        }
        // `甲对…项目进行了竞争性磋商`: the buyer runs its own procurement.
        if let Some(dui) = line.find('对') {
            let subject = line[..dui].trim().trim_start_matches(|c: char| !is_han(c));
            if !subject.contains(['，', '：', ':', '受'])
                && is_organisation(subject)
                && line[dui..].contains("进行")
            {
                found.offer(Field::Buyer, 1.4, None, "…对…进行", subject, How::Sentence, at, line);
            }
        }
    }
}

/// The publication time a page's `<meta>` states (`<meta name="PubDate" content="2025-06-27 17:52">`).
pub(super) fn from_meta(meta: &[(String, String)], found: &mut Found) {
    for (name, content) in meta {
        if name != "articletitle" {
            if let Some(date) = find_date(content) {
                found.push(Field::Published, Value::Date(date), 2.9, How::Header, name, 0, content);
            }
        }
    }
}

/// Labels run into their values with no colon, each weaker than the label with its colon: a
/// publication label run into its date (`…珠海市公告时间2016年11月14日 17:52`, a flattened summary
/// box; a date of an earlier notice, `首次公告日期`, `招标公告日期`, is none of this one's); a
/// party's label parted from its name by a space (`中标单位 甲科技股份有限公司`), or run into it
/// when the next label follows the name at once (`采购单位大连某大学行政区域…`); a region's label
/// run into its divisions, the next label after them (`行政区域辽宁省公告时间…`).
pub(super) fn from_run_in(layout: &Layout, found: &mut Found) {
    const EARLIER: &[&str] = &["首次", "原", "招标", "采购", "开标", "截止", "前"];
    // Every such label in one automaton, so that a line is read once for all of them.
    type RunIn = (aho_corasick::AhoCorasick, Vec<(&'static str, Field, f32)>);
    static LABELS: std::sync::LazyLock<RunIn> = std::sync::LazyLock::new(|| {
        let labels: Vec<(&'static str, Field, f32)> = outright_labels(&[Field::Published], 2.0, 4)
            .chain(outright_labels(&[Field::Buyer, Field::Winner, Field::Agency], 2.2, 3))
            // `行政区域`, not `区域`.
            .chain(outright_labels(&[Field::Region], 3.0, 4))
            .chain(outright_labels(&[Field::Amount, Field::Budget], 3.0, 3))
            .chain(outright_labels(&[Field::Code], 2.5, 4))
            .collect();
        let automaton = aho_corasick::AhoCorasick::new(labels.iter().map(|(text, _, _)| *text))
            .expect("the labels make an automaton");
        (automaton, labels)
    });
    let (automaton, labels) = &*LABELS;
    for (at, line) in layout.lines.iter().enumerate() {
        let folded = layout.folded(at);
        // Where the page's line is at the folded line's `folded_at` (folding keeps the number
        // of characters, not of bytes): moved on with the labels found, which come in order of
        // their ends, so a long line is walked once.
        let (mut folded_at, mut line_at) = (0, 0);
        for found_label in automaton.find_overlapping_iter(folded) {
            let (label, field, strength) = labels[found_label.pattern().as_usize()];
            let (pos, mut end) = (found_label.start(), found_label.end());
            if field == Field::Published {
                let after = folded[end..].trim_start();
                // `公示日期 2025年5月6日`, `公示日期 二〇二五年五月六日`.
                if !after.starts_with(|c: char| c.is_ascii_digit() || "〇○零一二".contains(c))
                    || EARLIER.iter().any(|e| folded[..pos].ends_with(e))
                {
                    continue;
                }
                let head: String = after.chars().take(20).collect();
                if let Some(date) = find_date(&head) {
                    found.push(
                        Field::Published,
                        Value::Date(date),
                        strength - 0.6,
                        How::Sentence,
                        label,
                        at,
                        line,
                    );
                }
                continue;
            }
            // A party's label starts a line or follows a space; a region's (`行政区域`) may
            // follow the value before it at once, its own value checked by the next label.
            // `拟中标人 甲公司`: the winner proposed is the winner.
            let before = match field {
                Field::Winner => ["拟定", "拟", "预"].iter().find_map(|p| folded[..pos].strip_suffix(p)),
                _ => None,
            };
            let starts_item = before.unwrap_or(&folded[..pos]).chars().next_back().is_none_or(|c| c == ' ');
            if !starts_item && field != Field::Region {
                continue;
            }
            // `建设单位（盖章） 甲公司`: a form's note on how its cell is signed.
            if matches!(field, Field::Buyer | Field::Winner | Field::Agency) {
                end += signing_note(&folded[end..]);
            }
            if end < folded_at {
                (folded_at, line_at) = (0, 0);
            }
            while folded_at < end {
                let (Some(f), Some(l)) = (folded[folded_at..].chars().next(), line[line_at..].chars().next())
                else {
                    break;
                };
                (folded_at, line_at) = (folded_at + f.len_utf8(), line_at + l.len_utf8());
            }
            // The name is read from the page, at most as far as a name and the next label go.
            let rest: String = line[line_at..].chars().take(64).collect();
            if matches!(field, Field::Amount | Field::Budget) {
                // `中标金额 (万元) 3044 工商注册号…`: a flattened form's label, its unit and its
                // figure, each parted by a gap.
                if let Some((unit, figure)) = figure_after_gap(&rest) {
                    found.offer(field, strength - 0.8, unit, label, figure, How::Label, at, line);
                }
            } else if field == Field::Region {
                // `行政区域辽宁省公告时间…`: the divisions, then the next label; or a space apart,
                // a word of nothing but the divisions (`行政区域 贵州省 公告时间 …`).
                let spaced = rest.strip_prefix(' ').and_then(|after| after.trim_start().split(' ').next());
                let region = match spaced {
                    Some(word) => Some(region_divisions(word)).filter(|r| r.len() >= 6 && r == word),
                    None => region_before_next_label(&rest),
                };
                if let Some(region) = region {
                    found.offer(field, strength - 0.9, None, label, &region, How::Label, at, line);
                }
            } else if field == Field::Code {
                // `项目编号 NH20210622002 信息类别 设备 …`: a flattened form's label, a space, the
                // code.
                let code = rest.strip_prefix(' ').map(|r| r.trim_start().split(' ').next().unwrap_or(""));
                if let Some(code) =
                    code.filter(|c| c.chars().any(|c| c.is_ascii_digit()) && !c.chars().any(is_han))
                {
                    found.offer(field, strength - 0.8, None, label, code, How::Label, at, line);
                }
            } else if folded[end..].starts_with(' ') {
                // `中标单位 甲科技股份有限公司 项目经理…`: the label, a space, the name.
                let name = rest.trim_start().split([' ', '，', '。', '；']).next().unwrap_or("");
                // Not `第一中标候选人：甲公司`: a label and its value.
                if is_organisation(name) && !name.contains(['：', ':']) {
                    found.offer(field, strength - 0.8, None, label, name, How::Label, at, line);
                }
            } else if let Some(name) = name_before_next_label(&rest) {
                // `采购单位大连某大学行政区域辽宁省…`: a summary table that lost its cells.
                found.offer(field, strength - 0.9, None, label, &name, How::Label, at, line);
            } else if let Some(name) = Some(line[line_at..].trim())
                .filter(|name| name.len() <= 150 && !name.contains([' ', '\t']) && is_organisation(name))
            {
                // `中标供应商甲科技发展有限公司`: the label, then a name that ends the line.
                found.offer(field, strength - 0.9, None, label, name, How::Label, at, line);
            }
        }
    }
}

/// How many bytes of `text` a note on how a form's cell is signed takes (`（盖章）`, `(公章)`,
/// `（签字盖章）`), 0 when it starts with none.
fn signing_note(text: &str) -> usize {
    let Some(inner) = text.strip_prefix(['(', '（']) else { return 0 };
    let Some(close) = inner.find([')', '）']) else { return 0 };
    let note = &inner[..close];
    if note.ends_with('章') && note.chars().count() <= 4 {
        text.len() - inner.len() + close + inner[close..].chars().next().map_or(0, char::len_utf8)
    } else {
        0
    }
}

/// The figure a gap parts from its label, after the unit in brackets if there is one
/// (` (万元) 3044 …` -> 万元 and `3044`; ` 1180000.00元` -> `1180000.00元`): a figure in money
/// needs a unit, the bracket's or its own.
fn figure_after_gap(rest: &str) -> Option<(Option<Unit>, &str)> {
    let mut rest = rest.strip_prefix(' ')?.trim_start();
    let mut unit = None;
    if let Some(inner) = rest.strip_prefix(['(', '（']) {
        let close = inner.find([')', '）'])?;
        unit = Some(Unit::from_label(&inner[..close])?);
        rest = inner[close..].trim_start_matches([')', '）']).trim_start();
    }
    let figure = rest.split(' ').next()?;
    // ` 大写：贰仟零伍拾万元整`: the sum in words, its own unit.
    if let Some(words) = figure.strip_prefix("大写").map(|w| w.trim_start_matches(['：', ':'])) {
        let numerals = words.trim_end_matches('整').trim_end_matches('元');
        let in_words =
            !numerals.is_empty() && numerals.chars().all(|c| "零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆".contains(c));
        return (in_words && words.contains(['元', '圆'])).then_some((unit, words));
    }
    let digits = figure.chars().take_while(|c| c.is_ascii_digit() || ",.".contains(*c)).count();
    let tail = &figure[digits..];
    (digits > 0
        && figure.starts_with(|c: char| c.is_ascii_digit())
        && (tail.is_empty() && unit.is_some() || ["元", "万元", "亿元"].contains(&tail)))
    .then_some((unit, figure))
}

/// Whether a label of at least `shortest` characters starts at `at` (`行政区域…` in
/// `大连某大学行政区域辽宁省`).
fn label_starts_at(chars: &[char], at: usize, shortest: usize) -> bool {
    (shortest..=8).rev().any(|n| {
        at + n <= chars.len()
            && chars[at..at + n].iter().all(|&c| is_han(c))
            && classify_label(&chars[at..at + n].iter().collect::<String>()).is_some()
    })
}

/// The organisation `text` starts with when the next label follows it at once
/// (`大连某大学行政区域辽宁省` -> `大连某大学`): the shortest such name.
fn name_before_next_label(text: &str) -> Option<String> {
    // A name run into the next label has no separator in it.
    let chars: Vec<char> = text.chars().take(48).take_while(|c| !" \t：:，,；;。".contains(*c)).collect();
    (4..chars.len()).find_map(|end| {
        let name: String = chars[..end].iter().collect();
        (is_organisation(&name) && label_starts_at(&chars, end, 2)).then_some(name)
    })
}

/// The administrative divisions `text` starts with when the next label follows them at once
/// (`辽宁省公告时间…` -> `辽宁省`).
fn region_before_next_label(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().take(48).collect();
    let region = region_divisions(&chars.iter().collect::<String>());
    let end = region.chars().count();
    (end < chars.len() && end >= 2 && label_starts_at(&chars, end, 2)).then_some(region)
}

/// The date just under the title: `【信息时间：2026-03-27】`, `发布时间：…`, or a line that is
/// only a date, within the first lines.
pub(super) fn from_header(lines: &[String], found: &mut Found) {
    for (at, line) in lines.iter().enumerate().take(12) {
        let trimmed = line.trim_matches(|c: char| c.is_whitespace() || "【】[]".contains(c));
        // A date under a label is that label's (`本项目招标公告日期` / `2018年12月26日`).
        let labelled = at > 0 && {
            let before = lines[at - 1].trim_end();
            before.ends_with(['：', ':']) || classify_label(before).is_some() || ends_as_a_label(before)
        };
        if trimmed.chars().count() <= 24 && !trimmed.contains(['：', ':']) && !labelled {
            if let Some(date) = find_date(trimmed) {
                if is_date_line(trimmed) {
                    found.push(Field::Published, Value::Date(date), 2.6, How::Header, "", at, line);
                }
            }
        }
        // The site's bar under the title, its date first: `2025年07月21日 来源：某中心 浏览：12`.
        if let Some((first, rest)) = trimmed.split_once([' ', '\u{3000}']) {
            let furniture = ["来源", "浏览", "点击", "作者", "阅读", "字号", "访问", "发布者", "编辑"];
            if is_date_line(first) && furniture.iter().any(|w| rest.trim_start().starts_with(w)) {
                if let Some(date) = find_date(first) {
                    found.push(Field::Published, Value::Date(date), 2.5, How::Header, "", at, line);
                }
            }
        }
    }
}

/// True when the line is a date and nothing else of note (`2021-06-28`, `2021年4月8日`,
/// `2014/5/14 9:05:55`); not a row of figures beside one (`17857691170 2021-05-13`: no date
/// runs to nine digits).
pub(super) fn is_date_line(line: &str) -> bool {
    let stripped: String = line
        .chars()
        .filter(|c| !c.is_ascii_digit() && !"年月日号-/.: 时分秒".contains(*c) && !c.is_whitespace())
        .collect();
    stripped.is_empty() && line.split(|c: char| !c.is_ascii_digit()).all(|run| run.len() <= 8)
}

/// A date alone on its line (`2023-09-06`, `2024年11月01日`): a date line that holds a date.
pub(super) fn is_lone_date(line: &str) -> bool {
    is_date_line(line) && find_date(line).is_some()
}

/// Lines of contact details that end a notice's body, just before its sign-off.
fn is_contact_line(line: &str) -> bool {
    let folded: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    ["联系人", "电话", "传真", "邮箱", "地址", "账号", "开户", "邮编", "联系方式"]
        .iter()
        .any(|w| folded.contains(w))
}

/// The sign-off: a date on its own line that closes the body, after the names that sign it
/// (`甲学院` / `乙招标有限公司` / `2019-7-17`) or the contact details. The date is the notice's;
/// the names are its parties. Attachments and annexes may follow it.
pub(super) fn from_signature(lines: &[String], found: &mut Found) {
    let compact = |line: &str| -> String { line.chars().filter(|c| !c.is_whitespace()).collect() };
    let closing = (1..lines.len()).rev().find_map(|i| {
        let line = compact(&lines[i]);
        // A sign-off may name what it is (`日期：2025年11月26日`), no more.
        let line = ["日期：", "日期:", "时间：", "时间:"]
            .iter()
            .find_map(|label| line.strip_prefix(label))
            .map_or(line.as_str(), |rest| rest);
        if line.chars().count() > 20 || !is_date_line(line) {
            return None;
        }
        let date = find_date(line)?;
        let (k, before) = (0..i).rev().map(|k| (k, compact(&lines[k]))).find(|(_, l)| !is_lone_date(l))?;
        // `传真：` / `022-82116815`: a contact's label alone on its line, its value under it.
        let contact_value = k > 0 && {
            let label = compact(&lines[k - 1]);
            label.ends_with(['：', ':']) && is_contact_line(&label)
        };
        (is_organisation(&before) || is_contact_line(&before) || contact_value).then_some((i, date))
    });
    let Some((date_at, date)) = closing else { return };
    found.push(Field::Published, Value::Date(date), 2.0, How::Signature, "", date_at, &lines[date_at]);
    let mut names = Vec::new();
    let mut i = date_at;
    while i > 0 && names.len() < 4 {
        i -= 1;
        let line = lines[i].trim();
        // Another date (`2021年05月06日` above `2021年05月17日`) belongs to the block too.
        if is_lone_date(&compact(line)) {
            continue;
        }
        if line.contains(['：', ':', '，', '。']) || line.chars().count() > 40 || !is_organisation(line) {
            break;
        }
        names.push((i, line.to_string()));
    }
    names.reverse();
    let mut buyer_taken = false;
    for (at, name) in names {
        if is_tendering_venue(&name) {
            continue;
        }
        if is_agency_like(&name) {
            found.push(Field::Agency, Value::Name(name.clone()), 1.2, How::Signature, "", at, &name);
        } else if !buyer_taken {
            buyer_taken = true;
            // `甲学院设备管理处` signs for `甲学院`: a department is no buyer of its own, but it is
            // the best the sign-off says.
            found.push(Field::Buyer, Value::Name(name.clone()), 1.0, How::Signature, "", at, &name);
        }
    }
}

/// Whether a party's name that ends in no organisation's word can still be one (`某某人民法院`,
/// `某某交通警察支队`): at most 40 characters, starting with a Chinese character, holding no
/// telephone-like run of digits and no bracket a page's buttons wear (`[打印本页]`,
/// `0558-5991108 投诉` are none).
fn is_name_shaped(name: &str) -> bool {
    let mut digits = 0;
    name.chars().count() <= 40
        && name.chars().next().is_some_and(is_han)
        && name.chars().all(|c| {
            digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
            digits < 5 && !"[]【】<>《》|".contains(c)
        })
}

/// A public tendering venue (`招投标中心`, `公共资源交易中心`) or a website that publishes the
/// notice (`阳光易购电子采购平台`, `某某采购网`) hosts a tender; it neither buys nor acts as the
/// buyer's agent.
fn is_tendering_venue(name: &str) -> bool {
    ["招投标中心", "招标投标中心", "交易中心", "招投标管理", "招标办"].iter().any(|w| name.contains(w))
        || ["平台", "采购网", "招标网", "交易网", "网站", "门户"].iter().any(|w| name.ends_with(w))
}

/// A line before the text (and after the page's navigation) that is nothing but a code
/// (`LYSG2021-069-048`).
pub(super) fn from_lone_code(lines: &[String], found: &mut Found) {
    for (at, line) in lines.iter().enumerate().filter(|(_, l)| !super::is_furniture(l)).take(3) {
        let t = line.trim();
        if t.chars().count() <= 40 && !t.chars().any(is_han) && !is_date_line(t) {
            if let Some(code) = clean_code(t) {
                if code.chars().any(|c| c.is_ascii_alphabetic()) {
                    found.push(Field::Code, Value::Text(code), 1.0, How::Lone, "", at, line);
                }
            }
        }
    }
}
