//! What a label names: the field, how sure that is (its strength), and the unit it gives
//! amounts. Labels are compared after folding, with list numbers, spaces, colons, units in
//! brackets and seal placeholders (`（盖章）`) removed.

use crate::extract::amount::Unit;
use crate::extract::normalize::{fold, is_han};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Field {
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
    /// A lot (标段, 包) in a result table.
    Lot,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Buyer => "buyer",
            Field::Winner => "winners",
            Field::Candidate => "candidate",
            Field::Agency => "agency",
            Field::Amount => "amount",
            Field::Budget => "budget",
            Field::Code => "project_code",
            Field::Published => "published",
            Field::Region => "region",
            Field::Name => "name",
            Field::Lot => "lot",
        }
    }
}

/// (label, field, strength): 3 names the field outright, 2 usually means it, 1 might.
const LABELS: &[(&str, Field, f32)] = &[
    ("采购人", Field::Buyer, 3.0),
    ("招标人", Field::Buyer, 3.0),
    ("采购单位", Field::Buyer, 3.0),
    ("采购人名称", Field::Buyer, 3.0),
    ("招标人名称", Field::Buyer, 3.0),
    ("采购单位名称", Field::Buyer, 3.0),
    ("采购人全称", Field::Buyer, 3.0),
    ("招标人全称", Field::Buyer, 3.0),
    ("招标单位", Field::Buyer, 3.0),
    ("采购方", Field::Buyer, 2.5),
    ("招标方", Field::Buyer, 2.5),
    ("比选人", Field::Buyer, 2.5),
    ("询价人", Field::Buyer, 2.5),
    ("发包人", Field::Buyer, 2.5),
    ("发包单位", Field::Buyer, 2.5),
    ("建设单位", Field::Buyer, 2.2),
    ("建设单位名称", Field::Buyer, 2.2),
    ("业主单位", Field::Buyer, 2.2),
    ("项目业主", Field::Buyer, 2.0),
    ("项目单位", Field::Buyer, 2.0),
    ("项目法人", Field::Buyer, 1.8),
    ("第一排序人", Field::Candidate, 3.0),
    ("中标人", Field::Winner, 3.0),
    ("中标供应商", Field::Winner, 3.0),
    ("成交供应商", Field::Winner, 3.0),
    ("中选供应商", Field::Winner, 3.0),
    ("中标单位", Field::Winner, 3.0),
    ("成交单位", Field::Winner, 3.0),
    ("中标(成交)供应商", Field::Winner, 3.0),
    ("中标(成交)人", Field::Winner, 3.0),
    ("成交人", Field::Winner, 3.0),
    ("中选人", Field::Winner, 3.0),
    ("中选单位", Field::Winner, 3.0),
    ("中标人名称", Field::Winner, 3.0),
    ("中标供应商名称", Field::Winner, 3.0),
    ("成交供应商名称", Field::Winner, 3.0),
    ("中选成交供应商名称", Field::Winner, 3.0),
    ("中标单位名称", Field::Winner, 3.0),
    ("中标(成交)供应商名称", Field::Winner, 3.0),
    ("中标(成交)单位", Field::Winner, 3.0),
    ("供应商名称", Field::Winner, 2.0),
    // A contract's parties (合同公告): `供应商（乙方）`, `采购人（甲方）`.
    ("供应商", Field::Winner, 2.0),
    ("乙方", Field::Winner, 2.0),
    ("甲方", Field::Buyer, 2.0),
    ("中标候选人名称", Field::Winner, 2.0),
    ("中标候选人单位名称", Field::Winner, 2.0),
    ("成交候选人", Field::Winner, 2.0),
    ("预中标单位", Field::Winner, 2.5),
    // A framework agreement's (定点采购, 协议供货) winners.
    ("入围供应商", Field::Winner, 3.0),
    ("入围供应商名称", Field::Winner, 3.0),
    ("入围单位", Field::Winner, 3.0),
    ("入围服务商", Field::Winner, 3.0),
    ("中标(入围)供应商", Field::Winner, 3.0),
    ("入围人", Field::Winner, 2.5),
    ("代理机构", Field::Agency, 3.0),
    ("招标代理", Field::Agency, 3.0),
    ("采购代理机构", Field::Agency, 3.0),
    ("招标机构", Field::Agency, 3.0),
    ("代理单位", Field::Agency, 3.0),
    ("招标代理机构", Field::Agency, 3.0),
    ("招标代理单位", Field::Agency, 3.0),
    ("采购代理", Field::Agency, 3.0),
    ("代理机构名称", Field::Agency, 3.0),
    ("采购代理机构名称", Field::Agency, 3.0),
    ("采购代理机构全称", Field::Agency, 3.0),
    ("招标代理机构名称", Field::Agency, 3.0),
    ("集中采购机构", Field::Agency, 3.0),
    ("发包代理机构", Field::Agency, 3.0),
    ("招标代理人", Field::Agency, 3.0),
    ("代理机构全称", Field::Agency, 3.0),
    ("招标代理机构全称", Field::Agency, 3.0),
    ("采购机构", Field::Agency, 2.5),
    ("代理公司", Field::Agency, 2.5),
    ("中标价", Field::Amount, 3.0),
    ("中标金额", Field::Amount, 3.0),
    ("成交金额", Field::Amount, 3.0),
    ("中标(成交)金额", Field::Amount, 3.0),
    ("合同金额", Field::Amount, 2.5),
    ("成交价", Field::Amount, 3.0),
    ("中标价格", Field::Amount, 3.0),
    ("中标总价", Field::Amount, 3.0),
    ("成交总价", Field::Amount, 3.0),
    ("中选金额", Field::Amount, 3.0),
    ("中标报价", Field::Amount, 3.0),
    ("成交价格", Field::Amount, 3.0),
    ("中标总金额", Field::Amount, 3.0),
    ("成交总金额", Field::Amount, 3.0),
    ("总中标金额", Field::Amount, 3.0),
    ("中标(成交)价", Field::Amount, 3.0),
    ("中标(成交)价格", Field::Amount, 3.0),
    ("投标报价", Field::Amount, 2.0),
    // A negotiation's or a ranked table's final offer: the award's, for the first-ranked.
    ("最终报价", Field::Amount, 2.0),
    ("最后报价", Field::Amount, 2.0),
    ("报价", Field::Amount, 1.5),
    ("预算金额", Field::Budget, 3.0),
    ("采购预算", Field::Budget, 3.0),
    ("采购预算金额", Field::Budget, 3.0),
    ("项目预算", Field::Budget, 3.0),
    ("项目预算金额", Field::Budget, 3.0),
    ("最高限价", Field::Budget, 3.0),
    ("最高限价金额", Field::Budget, 3.0),
    ("最高投标限价", Field::Budget, 3.0),
    ("招标控制价", Field::Budget, 3.0),
    ("控制价", Field::Budget, 2.5),
    ("预算", Field::Budget, 2.5),
    ("审核预算价", Field::Budget, 2.5),
    ("预算价", Field::Budget, 2.5),
    ("预算造价", Field::Budget, 2.5),
    ("招标部分估算价", Field::Budget, 2.0),
    ("估算价", Field::Budget, 1.5),
    ("服务费用", Field::Budget, 1.0),
    ("项目编号", Field::Code, 3.0),
    ("招标编号", Field::Code, 3.0),
    ("采购编号", Field::Code, 3.0),
    ("采购项目编号", Field::Code, 3.0),
    ("招标项目编号", Field::Code, 3.0),
    ("标段(包)编号", Field::Code, 3.0),
    ("标段编号", Field::Code, 3.0),
    ("标书编号", Field::Code, 3.0),
    ("招标文件编号", Field::Code, 2.5),
    ("包编号", Field::Code, 2.5),
    ("标包编号", Field::Code, 2.5),
    ("项目编码", Field::Code, 2.5),
    ("工程编码", Field::Code, 2.5),
    ("工程编号", Field::Code, 2.5),
    ("招标序号", Field::Code, 2.0),
    ("原公告的采购项目编号", Field::Code, 2.5),
    ("原项目编号", Field::Code, 2.5),
    ("采购计划编号", Field::Code, 2.0),
    ("项目代码", Field::Code, 1.5),
    ("编号", Field::Code, 2.0),
    ("公告发布日期", Field::Published, 3.0),
    ("合同公告日期", Field::Published, 3.0),
    ("公示发布日期", Field::Published, 3.0),
    ("公示发布时间", Field::Published, 3.0),
    ("发布日期", Field::Published, 3.0),
    ("发布时间", Field::Published, 3.0),
    ("信息时间", Field::Published, 3.0),
    ("信息发布时间", Field::Published, 3.0),
    ("信息发布日期", Field::Published, 3.0),
    ("公告日期", Field::Published, 3.0),
    ("公告时间", Field::Published, 3.0),
    ("公告发布时间", Field::Published, 3.0),
    ("发布于", Field::Published, 3.0),
    ("发文日期", Field::Published, 2.5),
    ("更正日期", Field::Published, 2.5),
    ("公告发布日", Field::Published, 2.5),
    ("公示日期", Field::Published, 2.0),
    ("公示时间", Field::Published, 1.5),
    ("公告开始时间", Field::Published, 1.5),
    ("公示开始时间", Field::Published, 1.5),
    ("公示开始日期", Field::Published, 1.5),
    ("地区", Field::Region, 3.0),
    ("所属地区", Field::Region, 3.0),
    ("项目地区", Field::Region, 3.0),
    ("行政区域", Field::Region, 3.0),
    ("所属区域", Field::Region, 3.0),
    ("项目所在区域", Field::Region, 3.0),
    ("项目所在地区", Field::Region, 3.0),
    ("区域", Field::Region, 2.0),
    ("行政区划", Field::Region, 3.0),
    ("项目所在行政区划", Field::Region, 3.0),
    ("项目所在行政区域", Field::Region, 3.0),
    ("行政主管地区", Field::Region, 3.0),
    ("项目行政主管地区", Field::Region, 3.0),
    ("所属行政区域", Field::Region, 3.0),
    ("所属行政区划", Field::Region, 3.0),
    ("所在地区", Field::Region, 2.5),
    ("所在区域", Field::Region, 2.5),
    ("项目所在地", Field::Region, 2.5),
    ("名称", Field::Name, 2.0),
    ("单位名称", Field::Name, 2.0),
    ("标段", Field::Lot, 2.0),
    ("标段名称", Field::Lot, 2.0),
    ("包号", Field::Lot, 2.0),
    ("包件号", Field::Lot, 2.0),
    ("标项名称", Field::Lot, 2.0),
    ("标包", Field::Lot, 2.0),
    ("分包号", Field::Lot, 2.0),
    ("标段(包)", Field::Lot, 2.0),
    ("标段(包)名称", Field::Lot, 2.0),
    ("包名称", Field::Lot, 2.0),
];

static LABEL_MAP: std::sync::LazyLock<std::collections::HashMap<&'static str, (Field, f32)>> =
    std::sync::LazyLock::new(|| {
        LABELS.iter().map(|&(text, field, strength)| (text, (field, strength))).collect()
    });

/// Placeholders a template leaves in a label (`建设单位（盖章）`).
const LABEL_NOISE: &[&str] = &[
    "(盖章)",
    "(签章)",
    "(公章)",
    "(全称)",
    "(签字)",
    "(单位章)",
    "(如有)",
    "(若有)",
    "(含税)",
    "(名称)",
    "(大写)",
    "(小写)",
];

/// Units in brackets after a label, kept aside for amounts.
const LABEL_UNITS: &[&str] = &[
    "(元)",
    "(万元)",
    "(亿元)",
    "(人民币)",
    "(人民币元)",
    "(人民币万元)",
    "(元人民币)",
    "(万元人民币)",
    "(%)",
    "(报价承诺)",
    "(人民币,元)",
];

/// Normalises a label: folded, spaces and colons removed, brackets half width, a leading list
/// number (`1.`, `一、`, `（一）`) dropped.
pub(super) fn clean_label(label: &str) -> String {
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
    s = s
        .trim_end_matches([':', '：', '*'])
        .trim_start_matches(['*', '★', '▲', '☆', '●', '◆', '■'])
        .to_string();
    let stripped = strip_enumeration(&s);
    if !stripped.is_empty() {
        s = stripped.to_string();
    }
    s
}

/// A leading list number: `1.`, `2、`, `一、`, `(一)`, `（1）`, `⑴`, `①` — a number followed by
/// its separator, never a bare numeral (`一标段` keeps its `一`).
fn strip_enumeration(label: &str) -> &str {
    let mut rest = label;
    loop {
        let chars: Vec<char> = rest.chars().take(8).collect();
        let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
        let skip = if chars.first().is_some_and(|c| "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽①②③④⑤⑥⑦⑧⑨⑩".contains(*c))
        {
            1
        } else if chars.first() == Some(&'(') {
            let digits = chars[1..].iter().take_while(|c| numeral(**c)).count();
            if digits > 0 && chars.get(1 + digits) == Some(&')') {
                digits + 2
            } else {
                0
            }
        } else {
            let digits = chars.iter().take_while(|c| numeral(**c)).count();
            let dotted = chars.iter().take_while(|c| c.is_ascii_digit() || **c == '.').count();
            if chars.first().is_some_and(char::is_ascii_digit) && chars[..dotted].contains(&'.') {
                // `1.`, `9.1`, `3.1.2`: a numbered clause.
                dotted
            } else {
                match chars.get(digits) {
                    Some('、' | '.' | '．' | ',' | '，') if digits > 0 => digits + 1,
                    _ => 0,
                }
            }
        };
        if skip == 0 {
            return rest;
        }
        let at = rest.char_indices().nth(skip).map_or(rest.len(), |(i, _)| i);
        rest = &rest[at..];
    }
}

/// The labels of `fields` at least `least` strong and `chars` characters long: those that
/// name their field outright, for finding them in running text without a colon
/// (`审核预算价125143元`, `公告时间2016年11月14日`, `中标单位 甲科技股份有限公司`).
pub(super) fn outright_labels(
    fields: &[Field],
    least: f32,
    chars: usize,
) -> impl Iterator<Item = (&'static str, Field, f32)> + '_ {
    LABELS.iter().copied().filter(move |(text, field, strength)| {
        fields.contains(field) && *strength >= least && text.chars().count() >= chars
    })
}

/// What a label names, how strongly, and the unit it gives amounts.
pub(super) type Label = (Field, f32, Option<Unit>);

/// Words that end a table's column heading that names no field (`评审总得分`, `排名`).
const COLUMN_HEADINGS: &[&str] = &[
    "序号",
    "排名",
    "排序",
    "名次",
    "得分",
    "打分",
    "分数",
    "评分",
    "地址",
    "名称",
    "金额",
    "报价",
    "价格",
    "单价",
    "数量",
    "规格",
    "型号",
    "备注",
    "工期",
    "期限",
    "等级",
    "资质",
    "编号",
    "类别",
    "分类",
    "单位",
    "地点",
    "日期",
    "要求",
    "指标",
    "品牌",
    "状态",
    "明细",
    "信息",
    "结果",
    "标价",
    "投标人",
    "投标单位",
    "投标供应商",
    "中标项目",
    "标段",
    "包号",
    "内容",
    "经理",
    "负责人",
];

/// A cell shaped as a column's heading: some text of at most `most` characters, without
/// figures or a colon. Whether it heads a column is for its words to say.
pub(super) fn heading_shaped(cell: &str, most: usize) -> bool {
    !cell.is_empty()
        && !cell.contains([':', '：'])
        && cell.chars().count() <= most
        && !cell.chars().any(|c| c.is_ascii_digit())
}

/// Whether a table cell reads as a column's heading: a label, or a short heading of another
/// column (`供应商地址`, `评审总得分`), without figures or a colon.
pub(super) fn is_column_heading(cell: &str) -> bool {
    heading_shaped(cell, 14)
        // `二、中标结果` heads a section.
        && super::layout::section_marker(&cell.chars().take(4).collect::<Vec<_>>()).is_none()
        && (COLUMN_HEADINGS.iter().any(|w| cell.ends_with(w)) || classify_label(cell).is_some())
}

/// `本项目招标公告日期`, `采购项目名称`: a line that ends as a label does (a title does not),
/// whether or not it labels a field we read.
pub(super) fn ends_as_a_label(line: &str) -> bool {
    ["名称", "编号", "日期", "时间", "地址", "电话", "媒体"].iter().any(|w| line.trim_end().ends_with(w))
}

/// What a label names, its strength, and the unit it gives amounts.
pub(super) fn classify_label(label: &str) -> Option<Label> {
    // No label is longer than 20 characters once cleaned (25 with its number and unit), a note
    // in brackets at its end aside (`中标金额（可填写下浮率、折扣率或费率）`); a long cell is a
    // value.
    let before_note = |label: &str| {
        let open = label.rfind(['(', '（']).filter(|_| label.ends_with([')', '）']));
        open.map_or(label.chars().count(), |open| label[..open].chars().count())
    };
    if label.len() > 150 || before_note(label) > 25 || !label.chars().any(is_han) {
        return None;
    }
    let cleaned = clean_label(label);
    if cleaned.is_empty() || before_note(&cleaned) > 20 || cleaned.chars().count() > 40 {
        return None;
    }
    let unit = Unit::from_label(&cleaned);
    // `中标/成交金额`, `中标、成交供应商`: the two results written as alternatives.
    let mut base = ["中标/成交", "中标、成交", "中标或成交"]
        .iter()
        .find(|alternatives| cleaned.contains(**alternatives))
        .map_or_else(|| cleaned.clone(), |alternatives| cleaned.replace(alternatives, "中标(成交)"));
    for noise in LABEL_NOISE.iter().chain(LABEL_UNITS) {
        if base.contains(noise) {
            base = base.replace(noise, "");
        }
    }
    // `第一中标候选人`, `中标候选人` (not `中标候选人名称` of a result table, nor a candidate's
    // address, telephone, bid or score).
    // A heading that mentions candidates (`某项目中标候选人公示`) is no label either: the label
    // ends at `候选人` (or `候选人为`, `候选单位`).
    if let Some(at) = base.rfind("候选") {
        let rest = base[at..].trim_start_matches("候选").trim_start_matches(['人', '单', '位']);
        // `中标候选人第一排序人`, `中标候选人第一名`: the first of them.
        let first = ["第一排序人", "第一名", "第一排名"].contains(&rest);
        if first
            || !base.contains("名称")
                && !names_an_attribute(&base)
                && (rest.is_empty() || rest == "为" || rest == "名单" || rest.starts_with('('))
        {
            return Some((Field::Candidate, 3.0, None));
        }
    }
    // `公示发布日期为：`, `招标人为：` — the label and the verb a sentence puts before its value.
    let known = |label: &str| {
        LABEL_MAP
            .get(label)
            .or_else(|| label.strip_suffix('为').and_then(|label| LABEL_MAP.get(label)))
            .copied()
    };
    known(&base)
        // `项目所在行政区划名称`: a place's name under its label.
        .or_else(|| base.strip_suffix("名称").and_then(known).filter(|(field, _)| *field == Field::Region))
        // `中标金额（费率、单价等）`, `中标人（联合体牵头人）`: a note on the label that is no lot's
        // (`中标金额（第一包）` is a lot's amount) names what the label names.
        .or_else(|| {
            let open = base.rfind('(').filter(|_| base.ends_with(')'))?;
            let note = &base[open..];
            let lot = note.contains(['包', '标', '段', '批']) || note.chars().any(|c| c.is_ascii_digit());
            known(&base[..open]).filter(|_| !lot && open > 0)
        })
        // `拟中标人`, `拟定中标单位`, `预中标人`: the winner the notice proposes, and its amount.
        .or_else(|| {
            let rest = ["拟定", "拟", "预"].iter().find_map(|p| base.strip_prefix(p))?;
            known(rest).filter(|(field, _)| matches!(field, Field::Winner | Field::Amount))
        })
        .map(|(field, strength)| (field, strength, unit))
        .or_else(|| procurement_code(&base))
}

/// A procurement's number under a name the table lacks (`网上竞价编号`, `询价采购编号`,
/// `磋商项目编号`): a label ending in 编号 that names the procurement and no other paper.
fn procurement_code(label: &str) -> Option<Label> {
    const PROCUREMENT: &[&str] =
        &["项目", "招标", "采购", "竞价", "询价", "磋商", "谈判", "比选", "标段", "标包"];
    const OTHER_PAPERS: &[&str] =
        &["合同", "委托", "证书", "证件", "身份", "信用", "计划", "文件", "公告", "原"];
    let stem = label.strip_suffix("编号")?;
    (stem.chars().count() <= 8
        && PROCUREMENT.iter().any(|w| stem.contains(w))
        && !OTHER_PAPERS.iter().any(|w| stem.contains(w)))
    .then_some((Field::Code, 2.5, None))
}

/// A label of something a party has rather than of the party: `中标候选人地址`, `联系电话`.
fn names_an_attribute(label: &str) -> bool {
    const ATTRIBUTES: &[&str] = &[
        "地址",
        "电话",
        "联系",
        "传真",
        "邮编",
        "邮箱",
        "电邮",
        "报价",
        "得分",
        "评分",
        "金额",
        "价格",
        "排名",
        "排序",
        "业绩",
        "资质",
        "负责人",
        "代码",
        "工期",
        "期限",
    ];
    ATTRIBUTES.iter().any(|a| label.contains(a))
}

/// A label of a party's contact details (`采购人地址`, `代理机构联系电话`): a party's label and
/// then what of it.
pub(super) fn is_contact_label(label: &str) -> bool {
    const CONTACT: &[&str] = &["地址", "联系人", "联系电话", "联系方式", "电话", "传真", "邮编", "邮政编码"];
    let cleaned = clean_label(label);
    CONTACT.iter().any(|contact| {
        cleaned.strip_suffix(contact).is_some_and(|party| {
            matches!(
                classify_label(party),
                Some((Field::Buyer | Field::Agency | Field::Winner | Field::Candidate, _, _))
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_through_numbers_units_and_seals() {
        assert_eq!(classify_label("一、采购人：").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(classify_label("建设单位（盖章）").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(
            classify_label("（二）中标金额（万元）").map(|l| (l.0, l.2)),
            Some((Field::Amount, Some(Unit::TenThousand)))
        );
        assert_eq!(classify_label("第一中标候选人").map(|l| l.0), Some(Field::Candidate));
        assert_eq!(classify_label("2.中标候选人地址"), None);
        assert_eq!(classify_label("某设备采购中标候选人公示"), None);
        assert_eq!(classify_label("第一中标候选单位").map(|l| l.0), Some(Field::Candidate));
        assert_eq!(classify_label("中标候选人(第一名)").map(|l| l.0), Some(Field::Candidate));
        assert_eq!(classify_label("中标候选人第一排序人").map(|l| l.0), Some(Field::Candidate));
        assert_eq!(classify_label("第一排序人").map(|l| l.0), Some(Field::Candidate));
        assert_eq!(classify_label("中标候选人第二排序人"), None);
        assert_eq!(classify_label("公示发布日期为").map(|l| l.0), Some(Field::Published));
        assert_eq!(classify_label("第一中标候选人投标报价").map(|l| l.0), None);
        assert_eq!(classify_label("最终报价（元）").map(|l| l.0), Some(Field::Amount));
        assert_eq!(classify_label("采购代理机构全称").map(|l| l.0), Some(Field::Agency));
        assert_eq!(classify_label("3.1.2招标人").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(classify_label("⑴招标人").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(classify_label("9.1发包人").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(classify_label("一标段"), None);
        assert_eq!(classify_label("一．采购人名称").map(|l| l.0), Some(Field::Buyer));
        assert_eq!(classify_label("最高限价（如有）：").map(|l| l.0), Some(Field::Budget));
        assert_eq!(
            classify_label("中标金额（含税）（元）").map(|l| (l.0, l.2)),
            Some((Field::Amount, Some(Unit::Yuan)))
        );
        assert_eq!(classify_label("联系电话"), None);
        assert_eq!(classify_label("网上竞价编号").map(|l| l.0), Some(Field::Code));
        assert_eq!(classify_label("磋商项目编号").map(|l| l.0), Some(Field::Code));
        assert_eq!(classify_label("合同编号"), None);
        assert_eq!(classify_label("采购委托编号"), None);
        assert_eq!(classify_label("项目所在行政区划名称").map(|l| l.0), Some(Field::Region));
        // A place's code is not its name, nor is a buyer's name under 名称 a region.
        assert_eq!(classify_label("项目所在行政区划编码"), None);
        assert_eq!(classify_label("采购单位名称").map(|l| l.0), Some(Field::Buyer));
        assert!(is_contact_label("采购人地址"));
        assert!(is_contact_label("2.采购代理机构联系电话"));
        assert!(!is_contact_label("采购人"));
        assert!(!is_contact_label("项目地址"));
    }
}
