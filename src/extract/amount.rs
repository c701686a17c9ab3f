//! Money amounts as notices write them: `20,797,381.58元`, `１２３４.５万元`, `¥1.2亿`,
//! `人民币壹佰贰拾万元整`, with the unit possibly given by the label (`金额（万元）`). A rate
//! (`下浮率 5%`, `费率`), a unit price or a commitment is not an amount: `None`.

/// The unit a label or table header gives its values, e.g. `中标价（万元）`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Yuan,
    TenThousand,
    HundredMillion,
}

impl Unit {
    pub fn factor(self) -> f64 {
        match self {
            Unit::Yuan => 1.0,
            Unit::TenThousand => 1e4,
            Unit::HundredMillion => 1e8,
        }
    }

    /// The unit named in a label, if any.
    pub fn from_label(label: &str) -> Option<Unit> {
        if label.contains("亿元") {
            Some(Unit::HundredMillion)
        } else if label.contains("万元") || label.contains("(万)") || label.contains("（万）") {
            Some(Unit::TenThousand)
        } else if label.contains("元") {
            Some(Unit::Yuan)
        } else {
            None
        }
    }
}

/// Words in a label or value that mean the figure is not a money amount.
const NOT_AN_AMOUNT: &[&str] = &[
    "%",
    "％",
    "下浮",
    "费率",
    "折扣",
    "报价承诺",
    "单价",
    "元/",
    "元／",
    "每吨",
    "每米",
    "综合单价",
    "优惠率",
];

/// True when a label says its value is a rate, unit price or commitment rather than an amount.
pub fn label_is_not_amount(label: &str) -> bool {
    NOT_AN_AMOUNT.iter().any(|w| label.contains(w))
}

fn digit_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' | '○' | 'Ｏ' => 0,
        '壹' | '一' => 1,
        '贰' | '貳' | '二' | '两' | '兩' => 2,
        '叁' | '參' | '三' => 3,
        '肆' | '四' => 4,
        '伍' | '五' => 5,
        '陆' | '陸' | '六' => 6,
        '柒' | '七' => 7,
        '捌' | '八' => 8,
        '玖' | '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u64> {
    Some(match c {
        '拾' | '十' => 10,
        '佰' | '百' => 100,
        '仟' | '千' => 1000,
        _ => return None,
    })
}

/// Parses Chinese numerals in money form: `叁佰玖拾万零伍仟壹佰壹拾元`, `壹佰贰拾万元整`,
/// `贰拾元伍角陆分`, `一亿二千万`. Returns the amount in yuan. Characters other than numerals
/// and units (人民币, 大写, 整, 正, punctuation) are skipped; returns `None` when there is no
/// numeral at all.
pub fn parse_chinese_money(text: &str) -> Option<f64> {
    let mut total: u64 = 0; // completed 亿 and 万 groups
    let mut section: u64 = 0; // below 万
    let mut number: u64 = 0; // pending digit
    let mut seen = false;
    let mut yuan: Option<u64> = None;
    let mut fraction = 0.0;
    let mut last_digit: Option<u32> = None;
    for c in text.chars() {
        if let Some(d) = digit_value(c) {
            number = u64::from(d);
            last_digit = Some(d);
            seen = true;
        } else if let Some(unit) = small_unit(c) {
            // A leading 拾 means 壹拾.
            let n = if number == 0 && last_digit.is_none() { 1 } else { number };
            section = section.saturating_add(n.saturating_mul(unit));
            number = 0;
            last_digit = None;
            seen = true;
        } else if c == '万' || c == '萬' {
            total = total.saturating_add(section.saturating_add(number).saturating_mul(10_000));
            section = 0;
            number = 0;
            last_digit = None;
        } else if c == '亿' || c == '億' {
            total = total.saturating_add(section).saturating_add(number).saturating_mul(100_000_000);
            section = 0;
            number = 0;
            last_digit = None;
        } else if c == '元' || c == '圆' || c == '圓' {
            yuan = Some(total.saturating_add(section).saturating_add(number));
            total = 0;
            section = 0;
            number = 0;
            last_digit = None;
        } else if c == '角' {
            fraction += f64::from(last_digit.unwrap_or(0)) * 0.1;
            number = 0;
            last_digit = None;
        } else if c == '分' {
            fraction += f64::from(last_digit.unwrap_or(0)) * 0.01;
            number = 0;
            last_digit = None;
        }
    }
    if !seen {
        return None;
    }
    // Sums saturate: a run of units (`三仟亿亿`) is absurd, not a crash, and the caller
    // drops amounts past any real contract.
    let integer = yuan.unwrap_or(total.saturating_add(section).saturating_add(number));
    Some(integer as f64 + (fraction * 100.0).round() / 100.0)
}

/// Writes an amount in 大写 money form (`壹佰贰拾万元整`); the inverse of
/// [`parse_chinese_money`], used by the generator and property tests.
pub fn to_chinese_money(amount: f64) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    let cents = (amount * 100.0).round() as u64;
    let integer = cents / 100;
    let (jiao, fen) = ((cents / 10 % 10) as usize, (cents % 10) as usize);
    let group = |value: u64| -> String {
        // value < 10000; zeros inside are written once.
        let mut out = String::new();
        let mut zero = false;
        for pos in (0..4).rev() {
            let d = (value / 10u64.pow(pos) % 10) as usize;
            if d == 0 {
                zero = !out.is_empty();
            } else {
                if zero {
                    out.push('零');
                    zero = false;
                }
                out.push(DIGITS[d]);
                out.push_str(UNITS[pos as usize]);
            }
        }
        out
    };
    let mut out = String::new();
    let groups = [(integer / 100_000_000, "亿"), (integer / 10_000 % 10_000, "万"), (integer % 10_000, "")];
    let mut pending_zero = false;
    for (value, unit) in groups {
        if value == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        // 零 between groups when a zero digit stands between them (叁佰玖拾万零伍仟).
        if !out.is_empty() && (pending_zero || value < 1000) {
            out.push('零');
        }
        pending_zero = value % 10 == 0;
        out.push_str(&group(value));
        out.push_str(unit);
    }
    if out.is_empty() {
        out.push('零');
    }
    out.push('元');
    if jiao == 0 && fen == 0 {
        out.push('整');
    } else {
        if jiao > 0 {
            out.push(DIGITS[jiao]);
            out.push('角');
        } else {
            out.push('零');
        }
        if fen > 0 {
            out.push(DIGITS[fen]);
            out.push('分');
        }
    }
    out
}

/// The largest amount a notice can mean: 10 trillion yuan (10万亿), far above any contract.
const MAX_PLAUSIBLE_YUAN: f64 = 1e13;

/// `amount` unless it is beyond any real contract (a typo, an exponent, a code).
fn plausible(amount: f64) -> Option<f64> {
    (amount.is_finite() && amount <= MAX_PLAUSIBLE_YUAN).then_some(amount)
}

/// Full-width digits and punctuation to ASCII.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | '．' | '，' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '萬' => '万',
            '億' => '亿',
            '圓' | '圆' => '元',
            _ => c,
        })
        .collect()
}

/// Parses the first money amount in `text`. `unit` is what the label says when the value
/// carries no unit of its own.
pub fn parse_amount(text: &str, unit: Option<Unit>) -> Option<f64> {
    if NOT_AN_AMOUNT.iter().any(|w| text.contains(w)) {
        // A value with both an amount and a rate (`中标价：100万元，下浮率5%`) still has an
        // amount before the rate.
        let cut = NOT_AN_AMOUNT.iter().filter_map(|w| text.find(w)).min().unwrap_or(0);
        let head = &text[..cut];
        if !head.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
            return None;
        }
        // Only an amount with its own unit counts: `3.5%` under a 元 label is still a rate.
        let head_has_unit = head.contains('元') || head.contains('万') || head.contains('亿');
        if !head_has_unit {
            return None;
        }
        return parse_amount_plain(head, unit);
    }
    parse_amount_plain(text, unit)
}

fn parse_amount_plain(text: &str, unit: Option<Unit>) -> Option<f64> {
    let text = ascii_digits(text);
    let bytes: Vec<char> = text.chars().collect();
    // Find the first number: digits with optional commas and a decimal point.
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            let mut number = String::new();
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == ',' || bytes[i] == '.') {
                if bytes[i] != ',' {
                    number.push(bytes[i]);
                }
                i += 1;
            }
            let number = number.trim_end_matches('.');
            let Ok(value) = number.parse::<f64>() else { continue };
            // Skip numbers that are part of a date, a code or a percentage.
            let after: String = bytes[i..].iter().take(4).collect();
            let after = after.trim_start();
            if after.starts_with('年')
                || after.starts_with('月')
                || after.starts_with('日')
                || after.starts_with('-')
                || after.starts_with('/')
                || after.starts_with('%')
            {
                continue;
            }
            let before = if start > 0 { bytes[start - 1] } else { ' ' };
            // Part of a code or an exponent (`A123`, `1e308`): no amount. A currency's code
            // before the figure (`RMB2,288,231.72`, `CNY 1200`) is no code.
            let code_before = before.is_ascii_alphabetic() && {
                let letters: String =
                    bytes[..start].iter().rev().take_while(|c| c.is_ascii_alphabetic()).collect();
                !["bmr", "ync"].contains(&letters.to_ascii_lowercase().as_str())
            };
            if code_before || bytes.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // A negative amount is no award or budget: unknown, never its absolute value.
            if matches!(before, '-' | '－' | '负' | '−') {
                return None;
            }
            // `100（万元）`: the unit in brackets after the figure is its own.
            let unit_text = after.trim_start_matches(['(', '（', '[', '【']).trim_start();
            let own_unit = if unit_text.starts_with("亿") {
                Some(Unit::HundredMillion)
            } else if unit_text.starts_with("万") {
                Some(Unit::TenThousand)
            } else if unit_text.starts_with('元') {
                Some(Unit::Yuan)
            } else {
                None
            };
            let factor = own_unit.or(unit).unwrap_or(Unit::Yuan).factor();
            return plausible(round_cents(value * factor));
        }
        i += 1;
    }
    // No arabic digits: Chinese numerals.
    if text.chars().any(|c| (digit_value(c).is_some() && c != '零') || small_unit(c).is_some()) {
        let value = parse_chinese_money(&text)?;
        let has_own_unit = text.contains('元') || text.contains('万') || text.contains('亿');
        let factor = if has_own_unit { 1.0 } else { unit.unwrap_or(Unit::Yuan).factor() };
        return plausible(round_cents(value * factor));
    }
    None
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, unit: Option<Unit>, expected: Option<f64>) {
        assert_eq!(parse_amount(text, unit), expected, "{text:?}");
    }

    #[test]
    fn parses_arabic_amounts_with_units() {
        check("20,797,381.58", None, Some(20797381.58));
        check("502000.00", Some(Unit::Yuan), Some(502000.0));
        check("１２３４.５万元", None, Some(12345000.0));
        check("￥1.2亿元", None, Some(120000000.0));
        check("人民币 356.8", Some(Unit::TenThousand), Some(3568000.0));
        check("2,680.5萬元", None, Some(26805000.0));
        check("中标金额：98.5万元（大写：玖拾捌万伍仟元整）", None, Some(985000.0));
        check("2025年3月1日签订，金额120000元", None, Some(120000.0));
        check("RMB2,288,231.72", None, Some(2288231.72));
        check("100（万元）", None, Some(1_000_000.0));
        check("98 (万元)", Some(Unit::Yuan), Some(980_000.0));
        check("（rmb 1,200.50元）", None, Some(1200.5));
        check("CNY56000", Some(Unit::Yuan), Some(56000.0));
        check("GXGZ2018", None, None);
    }

    #[test]
    fn rates_and_unit_prices_are_not_amounts() {
        check("下浮率5%", None, None);
        check("3.5%", Some(Unit::Yuan), None);
        check("费率：0.8%", None, None);
        check("6400元/吨", None, None);
        check("无", None, None);
    }

    /// Found by the fuzzer: repeated units overflowed the sum.
    #[test]
    fn runs_of_units_do_not_overflow() {
        check("三仟亿亿", None, None);
        check("玖仟玖佰亿亿亿亿元", None, None);
    }

    #[test]
    fn negative_and_absurd_amounts_are_unknown() {
        check("中标金额：-1234万元", None, None);
        check("中标金额：－1234万元", None, None);
        check("1e308亿元", None, None);
        check("99999999999亿元", None, None);
        check("中标金额：1234万元", None, Some(12_340_000.0));
    }

    #[test]
    fn parses_chinese_numerals() {
        check("壹佰贰拾万元整", None, Some(1_200_000.0));
        check("叁佰玖拾万零伍仟壹佰壹拾元", None, Some(3_905_110.0));
        check("人民币贰仟零伍拾万元", None, Some(20_500_000.0));
        check("壹亿贰仟万元", None, Some(120_000_000.0));
        check("拾万元整", None, Some(100_000.0));
        check("贰拾元伍角陆分", None, Some(20.56));
        check("伍拾陆万", None, Some(560_000.0));
    }

    #[test]
    fn writes_chinese_numerals() {
        assert_eq!(to_chinese_money(1_200_000.0), "壹佰贰拾万元整");
        assert_eq!(to_chinese_money(3_905_110.0), "叁佰玖拾万零伍仟壹佰壹拾元整");
        assert_eq!(to_chinese_money(100_020_000.5), "壹亿零贰万元伍角");
        assert_eq!(to_chinese_money(20.06), "贰拾元零陆分");
    }

    proptest! {
        #[test]
        fn chinese_numerals_round_trip(yuan in 0u64..1_000_000_000_000, cents in 0u64..100) {
            let amount = yuan as f64 + cents as f64 / 100.0;
            let text = to_chinese_money(amount);
            prop_assert_eq!(parse_chinese_money(&text), Some(round_cents(amount)), "{}", text);
        }

        #[test]
        fn arabic_amounts_round_trip(yuan in 0u64..10_000_000_000, cents in 0u64..100) {
            let amount = yuan as f64 + cents as f64 / 100.0;
            let text = format!("{amount:.2}元");
            prop_assert_eq!(parse_amount(&text, None), Some(round_cents(amount)));
            let wan = format!("{}万元", amount / 1e4);
            let parsed = parse_amount(&wan, None).unwrap();
            prop_assert!((parsed - amount).abs() <= 0.011, "{} -> {}", wan, parsed);
        }
    }
}
