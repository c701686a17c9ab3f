//! Dates as notices write them: `2019年7月12日`, `2019-7-12`, `2019/07/12`, `2019.07.12`,
//! full-width digits, and Chinese numerals (`二〇一一年四月二十日`).

use crate::model::Date;

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '○' | '零' | 'О' | 'Ｏ' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// `二十` -> 20, `十二` -> 12, `三十一` -> 31, `七` -> 7, `两` -> 2.
pub(crate) fn chinese_small_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        ['十'] => Some(10),
        ['十', d] => Some(10 + chinese_digit(*d)?),
        [d, '十'] => Some(chinese_digit(*d)? * 10),
        [a, '十', b] => Some(chinese_digit(*a)? * 10 + chinese_digit(*b)?),
        [d] => chinese_digit(*d),
        _ => None,
    }
}

fn to_ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | '－' | '／' | '．' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The first date in `text`, if any.
pub fn find_date(text: &str) -> Option<Date> {
    let text = to_ascii_digits(text);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            if let Some((date, _)) = arabic_date_at(&chars[i..]) {
                return Some(date);
            }
            // Skip the rest of this number.
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        if chinese_digit(chars[i]).is_some() {
            if let Some((date, _)) = chinese_date_at(&chars[i..]) {
                return Some(date);
            }
        }
        i += 1;
    }
    None
}

fn take_number(chars: &[char], at: &mut usize, max_len: usize) -> Option<u32> {
    let start = *at;
    while *at < chars.len() && chars[*at].is_ascii_digit() && *at - start < max_len {
        *at += 1;
    }
    if *at == start {
        return None;
    }
    chars[start..*at].iter().collect::<String>().parse().ok()
}

/// The date `text` starts with, if it starts with one, and how many characters it takes
/// (`2021年 5 月 12 日 附件` -> 2021-05-12 in 15; `附件 2021年5月12日` starts with none).
pub fn date_at_start(text: &str) -> Option<(Date, usize)> {
    let text = to_ascii_digits(text);
    let chars: Vec<char> = text.chars().collect();
    match chars.first() {
        Some(c) if c.is_ascii_digit() => arabic_date_at(&chars),
        Some(&c) if chinese_digit(c).is_some() => chinese_date_at(&chars),
        _ => None,
    }
}

fn arabic_date_at(chars: &[char]) -> Option<(Date, usize)> {
    let mut at = 0;
    let year = take_number(chars, &mut at, 4)?;
    // `20 21年`: a year Word's spans broke in two, only ever before its 年.
    if at == 2 && chars.get(2) == Some(&' ') {
        let mut rest_at = 3;
        while chars.get(rest_at) == Some(&' ') {
            rest_at += 1;
        }
        let from = rest_at;
        if let Some(rest) = take_number(chars, &mut rest_at, 2) {
            let mut year_sign = rest_at;
            while chars.get(year_sign) == Some(&' ') {
                year_sign += 1;
            }
            if rest_at - from == 2 && chars.get(year_sign) == Some(&'年') {
                return arabic_date_after_year(chars, year * 100 + rest, year_sign, '年');
            }
        }
    }
    if at != 4 {
        return None;
    }
    // `2011 年09月20日`: a space the markup left between the year and its 年.
    let mut sep = *chars.get(at)?;
    if sep == ' ' {
        let mut after = at;
        while chars.get(after) == Some(&' ') {
            after += 1;
        }
        if chars.get(after) == Some(&'年') {
            at = after;
            sep = '年';
        }
    }
    if !matches!(sep, '年' | '-' | '/' | '.') {
        return None;
    }
    arabic_date_after_year(chars, year, at, sep)
}

/// The month and day after a year, `at` on the separator `sep` that follows it.
fn arabic_date_after_year(chars: &[char], year: u32, mut at: usize, sep: char) -> Option<(Date, usize)> {
    if !(1990..=2100).contains(&year) {
        return None;
    }
    at += 1;
    while chars.get(at) == Some(&' ') {
        at += 1;
    }
    let month = take_number(chars, &mut at, 2)?;
    if sep == '年' {
        // `2021年 5 月 12 日`: spaces a page's markup left around the numbers.
        while chars.get(at) == Some(&' ') {
            at += 1;
        }
    }
    let sep2 = *chars.get(at)?;
    let expected = if sep == '年' { '月' } else { sep };
    if sep2 != expected {
        return None;
    }
    at += 1;
    while chars.get(at) == Some(&' ') {
        at += 1;
    }
    let day = take_number(chars, &mut at, 2)?;
    if sep == '年' {
        while chars.get(at) == Some(&' ') && matches!(chars.get(at + 1), Some(' ' | '日' | '号')) {
            at += 1;
        }
        if matches!(chars.get(at), Some('日' | '号')) {
            at += 1;
        }
    }
    Some((Date::from_ymd_opt(year as i32, month, day)?, at))
}

fn chinese_date_at(chars: &[char]) -> Option<(Date, usize)> {
    if chars.get(4) != Some(&'年') {
        return None;
    }
    let year_end = 4;
    let year: String = chars[..4]
        .iter()
        .map(|&c| char::from_digit(chinese_digit(c).unwrap_or(99), 10).unwrap_or('x'))
        .collect();
    let year: u32 = year.parse().ok()?;
    let rest: String = chars[year_end + 1..].iter().take(8).collect();
    let (month, rest) = rest.split_once('月')?;
    let (day, _) = rest.split_once(['日', '号'])?;
    let taken = year_end + 1 + month.chars().count() + 1 + day.chars().count() + 1;
    Some((Date::from_ymd_opt(year as i32, chinese_small_number(month)?, chinese_small_number(day)?)?, taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        assert_eq!(find_date(text).map(|d| d.to_string()).as_deref(), expected, "{text:?}");
    }

    #[test]
    fn finds_dates_in_common_forms() {
        check("发布日期：2025-05-28　来源：宜昌市", Some("2025-05-28"));
        check("2019年7月12日", Some("2019-07-12"));
        check("2019年 7月 12日", Some("2019-07-12"));
        check("2021年 5 月 12 日", Some("2021-05-12"));
        // A year broken in two by Word's spans, before its 年 only.
        check("公司 20 21年 5 月 12 日 附件", Some("2021-05-12"));
        check("第20 21年", None);
        check("共20 21-5-12", None);
        let at_start = |text: &str| date_at_start(text).map(|(date, taken)| (date.to_string(), taken));
        assert_eq!(at_start("2021年5月12日 附件"), Some(("2021-05-12".into(), 10)));
        assert_eq!(at_start("20 21年 5 月 12 日 附件"), Some(("2021-05-12".into(), 15)));
        assert_eq!(at_start("2023-8-7 公示"), Some(("2023-08-07".into(), 8)));
        assert_eq!(at_start("二〇二五年五月六日。"), Some(("2025-05-06".into(), 9)));
        assert_eq!(date_at_start("附件 2021年5月12日"), None);
        check("于 2011 年09月20日 在", Some("2011-09-20"));
        check("2011 12 05", None);
        check("2019/07/12 10:00", Some("2019-07-12"));
        check("2019.7.1", Some("2019-07-01"));
        check("２０２５－０３－２４", Some("2025-03-24"));
        check("二〇一一年四月二十日", Some("2011-04-20"));
        check("二〇二四年十二月三十一日", Some("2024-12-31"));
    }

    #[test]
    fn ignores_what_is_not_a_date() {
        check("项目编号 ZJA990044-202501-01", None);
        check("2025-13-01", None);
        check("电话 0717-4203410", None);
        check("", None);
    }
}
