//! What a field's value must look like: an organisation (not a person or a seal placeholder), a
//! project code (trimmed of what follows it), a list of winners.

/// Endings of organisation names, longest first where one ends another.
const ORG_ENDINGS: &[&str] = &[
    "公司",
    "集团",
    "委员会",
    "管委会",
    "办事处",
    "合作社",
    "联合社",
    "联社",
    "经销处",
    "服务部",
    "工作室",
    "幼儿园",
    "卫生院",
    "研究院",
    "设计院",
    "医院",
    "学院",
    "大学",
    "中学",
    "小学",
    "学校",
    "中心",
    "银行",
    "支行",
    "分行",
    "政府",
    "街道",
    "总队",
    "支队",
    "大队",
    "局",
    "院",
    "所",
    "站",
    "队",
    "处",
    "厂",
    "社",
    "会",
    "行",
    "部",
    "馆",
    "室",
    "场",
    "厅",
    "办",
    "委",
    "署",
    "团",
    "店",
    "科",
    "校",
    "园",
    "村",
    "镇",
    "乡",
    "区",
    "矿",
    "台",
    "库",
    "段",
];

/// Text a template leaves where a name belongs.
const PLACEHOLDERS: &[&str] = &[
    "盖章",
    "单位章",
    "签字",
    "签章",
    "&&&",
    "详见",
    "见附件",
    "(全称)",
    "（全称）",
    "暂无",
    "待定",
    "null",
    "xxx",
    "XXX",
    "***",
];

/// Words that end a name run into following text (`甲公司地址：…`).
const NAME_STOPS: &[&str] = &[
    "地址",
    "地 址",
    "联系人",
    "联系方式",
    "联系电话",
    "电话",
    "项目联系人",
    "传真",
    "邮编",
    "开户",
    "统一社会信用代码",
];

use crate::extract::normalize::is_han;

/// True for text that only holds a place: `/`, `无`, `（盖章）`, `详见附件`, `&&&盖章位置&&&`.
pub(super) fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    value.is_empty()
        || matches!(value, "/" | "无" | "-" | "—" | "／" | "\\" | "——" | "--" | "空" | "否")
        || value.chars().all(|c| !c.is_alphanumeric())
        || PLACEHOLDERS.iter().any(|p| value.contains(p))
}

/// The name without a trailing bracketed note (`甲中心（乙体校）` -> `甲中心`), for checking.
fn core_of(name: &str) -> &str {
    let mut name = name.trim_end();
    while let Some(stripped) = name.strip_suffix(['）', ')']) {
        match stripped.rfind(['（', '(']) {
            Some(at) if at > 0 => name = stripped[..at].trim_end(),
            _ => break,
        }
    }
    name
}

/// True when `name` reads as an organisation: long enough and ending like one.
pub(super) fn is_organisation(name: &str) -> bool {
    let core = core_of(name);
    core.chars().count() >= 4 && ORG_ENDINGS.iter().any(|e| core.ends_with(e)) && !is_person(name)
}

/// True when `name` reads as a person: two to four Chinese characters that end no
/// organisation name, or a title such as `先生`, `女士`, `老师`, `工`.
pub(super) fn is_person(name: &str) -> bool {
    let name = name.trim();
    let count = name.chars().count();
    if !(2..=4).contains(&count) || !name.chars().all(is_han) {
        return false;
    }
    if ["先生", "女士", "老师", "经理", "主任", "工"].iter().any(|t| name.ends_with(t)) {
        return true;
    }
    // A place is no one (`湖南`, `长沙市`: a name's first line, `采购代理机构名称：湖南` / `三湘…`).
    count <= 3 && !ORG_ENDINGS.iter().any(|e| name.ends_with(e)) && !crate::resolve::is_region(name)
}

/// Words that mark a tendering agency's name.
pub(super) fn is_agency_like(name: &str) -> bool {
    ["招标", "代理", "咨询", "项目管理", "工程管理", "造价", "采购中心", "交易中心", "建设管理", "监理"]
        .iter()
        .any(|w| name.contains(w))
}

/// The value up to the first run of spaces or a tab (values in free text run into the next item).
pub(super) fn first_word(value: &str) -> Option<String> {
    let word = value.split(['\u{3000}', '\t']).next().unwrap_or("").split("  ").next().unwrap_or("").trim();
    (!word.is_empty()).then(|| word.to_string())
}

/// A stated region cut to its administrative divisions: `广东省珠海市招标采购` (a site's
/// region run into its category) -> `广东省珠海市`. A division is two to ten Han characters
/// ending in 省, 市, 区, 县, 州, 盟 or 旗; divisions may be parted by `·`, `-`, `/` or a space
/// (`湖州市·长兴县`). A value that starts with no division is kept whole.
pub(super) fn region_divisions(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let ends_division = |c: char| "省市区县州盟旗".contains(c);
    // Characters up to `end` are divisions.
    let mut end = 0;
    loop {
        let mut next = end;
        if end > 0 {
            while next < chars.len() && "·・-/ ".contains(chars[next]) {
                next += 1;
            }
        }
        // The longest run of two to ten Han characters that ends a division (`贵州省`, not
        // `贵州`).
        let division_end = (next + 1..chars.len().min(next + 10))
            .take_while(|&k| is_han(chars[k]))
            .filter(|&k| ends_division(chars[k]))
            .last();
        match division_end {
            Some(k) if is_han(chars[next]) => end = k + 1,
            _ => break,
        }
    }
    if end == 0 {
        return value.to_string();
    }
    chars[..end].iter().collect()
}

/// A name from a label's value: the first word, cut before contact details, trimmed of
/// punctuation; `None` for placeholders.
pub(super) fn clean_name(value: &str) -> Option<String> {
    let value = value.trim().trim_matches(|c: char| c.is_whitespace() || "：:；;，,。、".contains(c));
    // One name once for each lot (`济南大学,济南大学,济南大学`) is that name.
    let mut listed = value.split([',', '，', '、', ';', '；']).map(str::trim);
    let first = listed.next().unwrap_or("");
    let value = if value.len() > first.len() && listed.all(|n| n == first) { first } else { value };
    let word = first_word(value)?;
    let cut = NAME_STOPS.iter().filter_map(|w| word.find(w)).min();
    let name = match cut {
        Some(at) => word[..at].to_string(),
        None => word,
    };
    // A trailing space-separated tail (`甲公司 乙`) is a person or a number, not the name.
    let name = match name.split_once(' ') {
        Some((head, _)) if is_organisation(head) => head.to_string(),
        _ => name,
    };
    // `甲公司（统一社会信用代码：…）`: the label in the bracket took the bracket's opening.
    let name =
        name.trim_end_matches(|c: char| "，,；;:：。、（(【[".contains(c) || c.is_whitespace()).to_string();
    (!name.is_empty() && !is_placeholder(&name)).then_some(name)
}

/// A project code from a label's value: the first word, kept while it reads as a code (letters,
/// digits, dashes, brackets, and the Chinese characters codes carry such as `第30号`), with
/// trailing punctuation and unbalanced brackets trimmed. Needs a digit.
pub(super) fn clean_code(value: &str) -> Option<String> {
    let value = value.trim().trim_start_matches(|c: char| c.is_whitespace() || "：:".contains(c));
    // `采购项目名称及编号：甲设备采购（GXZC2018-J1-21797）`: the name, then the code in brackets
    // (a bracket of Latin letters and digits, not the year of `甲公采（2021）第30号`).
    if let Some(open) = value.find(['（', '(']) {
        let (name, bracket) = value.split_at(open);
        let inner = &bracket[bracket.chars().next().map_or(0, char::len_utf8)..];
        if name.chars().filter(|c| is_han(*c)).count() >= 2
            && !name.chars().any(|c| c.is_ascii_alphabetic())
            && inner.chars().take_while(|c| !matches!(c, '）' | ')')).any(|c| c.is_ascii_alphabetic())
        {
            return clean_code(inner);
        }
    }
    let word = first_word(value)?;
    let word = word.split(' ').next().unwrap_or("");
    // A closing bracket with no opening one in the code is the end of the bracket the code
    // sat in (`（项目编号：QZ-2025-GK-017）于2025年7月18日…`).
    let mut depth = 0usize;
    let mut code: String = word
        .chars()
        .take_while(|c| {
            match c {
                '(' | '（' | '[' | '【' | '〔' => depth += 1,
                ')' | '）' | ']' | '】' | '〕' if depth == 0 => return false,
                ')' | '）' | ']' | '】' | '〕' => depth -= 1,
                _ => {}
            }
            c.is_ascii_alphanumeric() || "-_()[]（）【】.#/〔〕－—第号".contains(*c) || is_han(*c)
        })
        .collect();
    // Chinese text after the code (`ABC-123项目名称`): cut where the code's Latin part ends,
    // unless the Chinese is the code's own (`千秋-JXQQGK（2021）第30号`).
    let ascii_end =
        code.char_indices().rev().find(|(_, c)| c.is_ascii_alphanumeric()).map(|(i, c)| i + c.len_utf8());
    if let Some(end) = ascii_end {
        let tail = &code[end..];
        let tail_is_code = tail.trim_start_matches(['）', ')', '〕', ']', '】']).is_empty()
            || tail.starts_with(['）', ')']) && tail.contains('号')
            || tail.starts_with('号');
        if !tail_is_code {
            code.truncate(end);
            // Keep a closing bracket that balances an opening one.
            let rest = &word[end..];
            if let Some(close) = rest.chars().next().filter(|c| matches!(c, '）' | ')')) {
                if code.matches(['(', '（']).count() > code.matches([')', '）']).count() {
                    code.push(close);
                }
            }
        }
    }
    let mut code = code.trim_end_matches(['.', '/', '-', '_', '—', '－']).to_string();
    while code.matches(['(', '（']).count() > code.matches([')', '）']).count() {
        match code.rfind(['(', '（']) {
            Some(at) => code.truncate(at),
            None => break,
        }
    }
    // `（网上竞价编号：GDPX2016Z04048），于…`: the bracket the code sat in is not the code's.
    while code.ends_with([')', '）', ']', '】', '〕'])
        && code.matches(['(', '（', '[', '【', '〔']).count()
            < code.matches([')', '）', ']', '】', '〕']).count()
    {
        code.pop();
    }
    let ascii = code.chars().filter(char::is_ascii_alphanumeric).count();
    (code.chars().any(|c| c.is_ascii_digit()) && ascii >= 3).then_some(code)
}

/// `甲公司（牵头人）、乙公司（成员）`, `甲公司、乙公司联合体` and `联合体牵头人：甲；成员：乙`
/// -> [甲, 乙]: each member of a consortium is a winner of its own.
pub fn split_winners(value: &str) -> Vec<String> {
    let mut text = value.to_string();
    for marker in ["联合体牵头人", "联合体成员", "牵头人", "成员单位", "成员", "联合体"]
    {
        text = text.replace(&format!("（{marker}）"), "、").replace(&format!("({marker})"), "、");
        text = text.replace(&format!("{marker}："), "、").replace(&format!("{marker}:"), "、");
    }
    text.split(['、', '；', ';', '，', ',', '\n', '/'])
        .map(|part| {
            let part = part.trim().trim_end_matches('。');
            let part =
                part.strip_suffix("组成的联合体").or_else(|| part.strip_suffix("联合体")).unwrap_or(part);
            part.strip_suffix('与').or_else(|| part.strip_suffix('和')).unwrap_or(part).to_string()
        })
        .filter_map(|part| clean_name(&part))
        .filter(|name| name.chars().count() >= 2 && !is_person(name))
        .fold(Vec::new(), |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_cut_to_its_divisions() {
        assert_eq!(region_divisions("广东省珠海市招标采购"), "广东省珠海市");
        assert_eq!(region_divisions("贵州省"), "贵州省");
        assert_eq!(region_divisions("湖州市·长兴县"), "湖州市·长兴县");
        assert_eq!(region_divisions("湘西土家族苗族自治州古丈县政府采购"), "湘西土家族苗族自治州古丈县");
        assert_eq!(region_divisions("内蒙古自治区呼和浩特市"), "内蒙古自治区呼和浩特市");
        assert_eq!(region_divisions("全国"), "全国");
        assert_eq!(region_divisions("兴山县"), "兴山县");
    }

    #[test]
    fn organisations_persons_and_placeholders() {
        assert!(is_organisation("长兴县和平镇人民政府"));
        assert!(is_organisation("长兴县体育中心（长兴县少年儿童业余体校）"));
        assert!(is_organisation("青海省环境监察总队"));
        assert!(!is_organisation("廖飞宇"));
        assert!(is_person("廖飞宇"));
        assert!(is_person("张女士"));
        assert!(!is_person("市局"));
        assert!(is_placeholder("（单位章）"));
        assert!(is_placeholder("&&&&&盖章位置&&&&&"));
        assert!(is_placeholder("/"));
        assert!(!is_placeholder("甲公司"));
    }

    #[test]
    fn codes_keep_their_own_characters_and_drop_the_rest() {
        assert_eq!(clean_code("GC（QH）GZ-FW-2014-001").as_deref(), Some("GC（QH）GZ-FW-2014-001"));
        assert_eq!(clean_code("千秋-JXQQGK（2021）第30号").as_deref(), Some("千秋-JXQQGK（2021）第30号"));
        assert_eq!(clean_code("YCZC-2025-0312。").as_deref(), Some("YCZC-2025-0312"));
        assert_eq!(clean_code("ZJ-2025-01项目名称：甲").as_deref(), Some("ZJ-2025-01"));
        assert_eq!(clean_code("XSA070002-202402-01(2)").as_deref(), Some("XSA070002-202402-01(2)"));
        assert_eq!(clean_code("（见附件）"), None);
    }

    #[test]
    fn names_are_cut_before_contact_details() {
        assert_eq!(clean_name("甲建设有限公司地址：某路1号").as_deref(), Some("甲建设有限公司"));
        assert_eq!(clean_name("（盖章）"), None);
        assert_eq!(split_winners("甲公司（牵头人）、乙公司（成员）"), ["甲公司", "乙公司"]);
    }
}
