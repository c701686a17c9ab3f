//! Share-freeze announcements (股权冻结 / 轮候冻结 / 解除冻结): a listed company tells the market
//! that a court (or a police or arbitration body) has frozen shares one of its holders owns.
//! For a bank the holder is the news: a controlling shareholder whose shares are frozen is in a
//! dispute or in default, and control of the company may change.
//!
//! The announcements come as text run together from PDFs — tables flattened into their cells —
//! so the rules read the sentences and take a table's cells only where a label names them
//! (`冻结机关：…`, `被冻结人：…`):
//! - **holders**: a name after a holder's role (`控股股东甲集团有限公司`, not `…之一致行动人`'s
//!   `致行动人甲`) that a sentence about the freeze names; any name — defined with its short form
//!   (`甲集团有限公司（以下简称“甲集团”）`), a person (`张三先生`), or nothing — that such a sentence
//!   says holds the shares (`…所持`, `…持有`); the one a label names (`被冻结人：`). The announcing
//!   company itself (its name before `关于`, or defined as `公司`) is none, nor the registrar;
//! - **authorities**: a court, police bureau or arbitration commission named from its place
//!   (`辽宁省沈阳市中级人民法院`, `杭州市公安局余杭区分局`), in a sentence about the freeze and
//!   not about earlier ones (`此前已先后被…冻结`, `详见…公告`);
//! - **shares**: share counts a sentence about the freeze ties to holding or freezing
//!   (`持有…`, `冻结数量：`), not to pledges, the company's total or what the holder holds
//!   as of the announcement (`截至本公告日，甲持有…股`); a flattened table's first row's count;
//! - **start / end**: the dates a label or a phrase gives (`冻结起始日期：`, `自…起`, `至…止`,
//!   `冻结期限为…至…`; never `截至…`), the first row of a table with a start column whose cells
//!   PDF extraction ran together, and the term (`冻结期限为三年`, `36个月`).

use crate::model::Date;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// What a share-freeze announcement says.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Freeze {
    /// The listed company that announces it.
    pub issuer: Option<String>,
    /// A release (解除冻结) rather than a freeze.
    pub release: bool,
    pub holders: Vec<Holder>,
    pub authorities: Vec<String>,
    pub shares: Vec<u64>,
    pub start: Vec<Date>,
    pub end: Vec<Date>,
    pub term_months: Vec<u32>,
}

/// A holder whose shares are frozen: the name as first written in full, and the short form the
/// announcement defines for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holder {
    pub name: String,
    pub alias: Option<String>,
}

/// Whether a title announces a share freeze (or its release).
pub fn is_freeze_title(title: &str) -> bool {
    title.contains("冻结")
}

/// Whether a share-freeze title announces its release (解除冻结, 解冻).
pub fn is_release_title(title: &str) -> bool {
    title.contains("解除") || title.contains("解冻")
}

const ROLE: &str = r"(?:控股股东|第[一二三四五六七八九十]大股东|大股东|实际控制人|持股5[%％]以上(?:的)?股东|5[%％]以上股东|一致行动人|股东|被冻结人|被执行人|补偿承诺方)";
const ORG_SUFFIX: &str = r"(?:有限责任公司|股份有限公司|有限公司|集团公司|总公司|（有限合伙）|\(有限合伙\)|合伙企业|公司|集团|中心|研究院|基金会|合作社)";
const NAME_CH: &str = r"[\p{Han}A-Za-z0-9（）()·]";
const DATE: &str =
    r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日|([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})";
/// A term in years or months (up to three figures: `期限为2018年…` is a date, not 24,216 months).
const TERM: &str = r"([0-9]{1,3}|[一二两三四五六七八九十]+)\s*(年|个月)";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

static ROLE_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(&format!("{ROLE}(?:之一)?[：:]?({NAME_CH}{{2,45}})")));
static ROLE_AT_END: LazyLock<Regex> = LazyLock::new(|| re(&format!("{ROLE}$")));
static ROLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| re(&format!("^(?:、|及|暨)?{ROLE}")));
static ALIAS: LazyLock<Regex> =
    LazyLock::new(|| re(r#"[（(](?:以下)?(?:简称|下称)[：:]?[“"]([^”"]{2,12})[”"]"#));
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| re(ORG_SUFFIX));
static SUFFIX_AT: LazyLock<Regex> = LazyLock::new(|| re(&format!("^[）)]?{ORG_SUFFIX}")));
static SUFFIX_END: LazyLock<Regex> = LazyLock::new(|| re(&format!("{ORG_SUFFIX}$")));
static NAME_RUN_END: LazyLock<Regex> = LazyLock::new(|| re(&format!("({NAME_CH}{{2,45}})$")));
static NAME_RUN: LazyLock<Regex> = LazyLock::new(|| re(&format!("^{NAME_CH}{{2,45}}")));
static ROLE_PERSON: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:及|和|、)?(\p{Han}{2,4}?)(?:先生|女士|所持|持有|因|（|\()"));
/// Where a run of name characters before a name stops belonging to it.
static BOUNDARY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:[0-9]|诉|称|股和|担保方|孙公司|行动人|子公司|名单|其|关于|获悉|获知|得知|知悉|收到|被执行人|申请人|接到|通知|查询|股东|控制人|冻结|被冻结人|：|:|，|,|、|及|——|—|为|系|对|将|因|的|暨|之一)",
    )
});
static LABELLED_HOLDER: LazyLock<Regex> = LazyLock::new(|| re(r"(?:被冻结人|被执行人)[：:]"));
static COURT_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:高级人民法院|中级人民法院|人民法院|金融法院|海事法院|互联网法院|知识产权法院|铁路运输(?:中级)?法院|仲裁委员会|公安局(?:\p{Han}{1,8}?分局)?|监察委员会|人民检察院)",
    )
});
/// Levels a court's name may hold between its place and its kind.
static COURT_LEVEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:自治区|自治州|高级|中级|第[一二三四五六七八九十]+中级|人民)"));
/// Words that cannot stand between a court's place and its kind (the place is then another's).
static NOT_IN_COURT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"被|向|据|的|日|于|至|及|与|和|由|对|在|为|因|称|是|股份|月|年|情况|收到|上述|该|其|法|院|，|》|《|“|”|（|）|\(|\)|通过|证券|指定|申请|、|：|[0-9]",
    )
});
static SHARES: LazyLock<Regex> = LazyLock::new(|| re(r"([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万)?股"));
static GROUPED: LazyLock<Regex> = LazyLock::new(|| re(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"));
static SHARES_TIED: LazyLock<Regex> = LazyLock::new(|| re("持有|所持|冻结|轮候|数量"));
/// Counts that are not this freeze's: pledged, sold, the company's total, released.
static SHARES_OTHER: LazyLock<Regex> = LazyLock::new(|| re("质押|减持|总股本|股本总|解除"));
static START_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?:(?:冻结)?(?:起始|开始)(?:日期|日|时间)|冻结日期|委托日期)[：:为]?\s*(?:{DATE})"))
});
static START_FROM: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(?:自|从)\s*(?:{DATE})\s*(?:起|至|到)")));
/// A term stated as two dates (`冻结期限为2014年8月12日至2016年8月11日`, `期间：…—…`).
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:期限|期间|时间|日期)[：:为]?\s*(?:为|从|自)?\s*(?:{DATE})\s*(?:起)?\s*(?:至|到|—|－|~|～)\s*(?:{DATE})"
    ))
});
static START_ON: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"于\s*(?:{DATE})\s*(?:被|对|进行|办理|予以|司法|轮候|冻结)")));
/// A table's start column (`冻结开始日期`) and its end column, whose values come after every
/// header of the table when its rows are flattened into the text.
static START_COLUMN: LazyLock<Regex> = LazyLock::new(|| re(r"(?:冻结)?(?:开始|起始)(?:日期|日|时间)"));
static END_COLUMN: LazyLock<Regex> = LazyLock::new(|| re(r"(?:到期|终止|截止|解冻)(?:日期|日|时间)"));
static DATE_RE: LazyLock<Regex> = LazyLock::new(|| re(DATE));
static EARLIER: LazyLock<Regex> = LazyLock::new(|| re("此前|先后|曾被|详见|发布了|披露了|已披露"));
static TABLE_SHARES: LazyLock<Regex> =
    LazyLock::new(|| re(r"([0-9]{1,3}(?:,[0-9]{3})+)(?:\.00)?[0-9]{4}(?:年|-|/|\.)[0-9]{1,2}"));
static CUT_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"[0-9]{4}\s*年\s*(?:[0-9]{1,2}\s*月?)?$"));
static END_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?:冻结终止日|冻结到期日|到期日|终止日期?|解冻日期)[：:为]?\s*(?:{DATE})"))
});
static END_UNTIL: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"至\s*(?:{DATE})\s*(?:止|$|，)")));
static TERM_LABELLED: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:冻结期限|轮候期限|期限)[：:为]?\s*(?:为)?\s*(?:{TERM})")));
static TERM_RE: LazyLock<Regex> = LazyLock::new(|| re(TERM));

/// Words no holder's name holds (the legal form `股份有限公司` aside).
const NOT_IN_NAME: [&str; 44] = [
    "的",
    "致函",
    "可交换",
    "债券",
    "持有",
    "所持",
    "先生",
    "女士",
    "冻结",
    "公告",
    "股份",
    "股权",
    "情况",
    "提示",
    "本次",
    "累计",
    "合计",
    "名称",
    "数量",
    "比例",
    "通知",
    "收到",
    "获悉",
    "接到",
    "核实",
    "及其",
    "风险",
    "影响",
    "原因",
    "查询",
    "人民法院",
    "证券登记",
    "质押",
    "本公司",
    "上市公司",
    "因与",
    "与",
    "简称",
    "以下",
    "行动人",
    "控制人",
    "为公司",
    "是公司",
    "系公司",
];

/// The short forms an announcement gives itself (`以下简称“公司”`).
const THE_ISSUER: [&str; 4] = ["公司", "本公司", "上市公司", "发行人"];

/// Names that are the announcing company or its registrar, never a holder.
const NOT_HOLDER: [&str; 7] =
    ["本公司", "公司", "上市公司", "中国证券登记结算", "证券登记结算", "人民法院", "法院"];

/// How a holder was found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Found {
    Role,
    Alias,
    Person,
    Labelled,
    Holds,
}

struct Mention {
    name: String,
    alias: Option<String>,
    found: Found,
    /// Where the mention is in the text: holders are listed in the order the text names them.
    at: usize,
}

static SURNAMES: LazyLock<std::collections::HashSet<char>> = LazyLock::new(|| {
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由开".chars().collect()
});

static REGIONS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    crate::resolve::REGIONS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
});

/// Reads a page (HTML or text, any encoding) as a share-freeze announcement when `title` — the
/// page's as its notice extraction read it — or a heading among its first lines announces one.
pub fn freeze_of_page(bytes: &[u8], title: &str) -> Option<Freeze> {
    let decoded = super::encoding::decode(bytes);
    let looks_html = decoded.trim_start().starts_with('<');
    let text = if looks_html {
        let document = super::html::parse(&decoded);
        document.root_element().text().map(str::trim).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n")
    } else {
        decoded
    };
    freeze_of_text(title, &text)
}

/// Reads `text` (a line per block) as a share-freeze announcement when `title` or a heading
/// among its first lines announces one.
pub fn freeze_of_text(title: &str, text: &str) -> Option<Freeze> {
    let heading = || {
        text.lines()
            .take(15)
            .map(str::trim)
            .find(|l| is_freeze_title(l) && l.ends_with("公告") && l.chars().count() <= 80)
    };
    let title = if is_freeze_title(title) { Some(title) } else { heading() }?;
    Some(extract_freeze(title, text))
}

/// Reads a share-freeze announcement: `title` as listed, `text` its body.
pub fn extract_freeze(title: &str, text: &str) -> Freeze {
    let mentions = mentions(text);
    let aliases: Vec<(&str, &str)> =
        mentions.iter().filter_map(|m| Some((m.alias.as_deref()?, m.name.as_str()))).collect();
    let issuer = issuer(text);
    let is_issuer = |name: &str| {
        issuer.as_deref() == Some(name)
            || aliases.iter().any(|(alias, full)| *full == name && THE_ISSUER.contains(alias))
    };
    let sentences: Vec<&str> = text.split(['。', '；', ';']).filter(|s| s.contains("冻结")).collect();
    let about_freeze = sentences.join("。");
    // `甲（以下简称…）所持…`: the form, a title, a bracket of up to 30 characters, a verb of holding.
    let holds = |form: &str| {
        about_freeze.match_indices(form).any(|(at, _)| {
            let after = &about_freeze[at + form.len()..];
            let after = after.strip_prefix("先生").or_else(|| after.strip_prefix("女士")).unwrap_or(after);
            let after = after
                .strip_prefix(['（', '('])
                .and_then(|inner| {
                    let (bracket, rest) = inner.split_once(['）', ')'])?;
                    (bracket.chars().count() <= 30 && !bracket.contains(['（', '('])).then_some(rest)
                })
                .unwrap_or(after);
            ["所持", "持有", "名下", "直接持有", "合计持有", "共持有"]
                .iter()
                .any(|verb| after.starts_with(verb))
        })
    };
    let mut holders: Vec<Holder> = Vec::new();
    for mention in &mentions {
        let name = mention.name.as_str();
        // A short form with words before it (`了大东南集团`) is no name of its own.
        // (`北京甲投资有限公司` is no `公司`, the issuer's short form, with words before it.)
        let words_and_alias = mention.found == Found::Holds
            && aliases
                .iter()
                .any(|(alias, full)| name != *full && !THE_ISSUER.contains(alias) && name.ends_with(alias));
        let not_a_holder = NOT_HOLDER.iter().any(|n| name.starts_with(n)) || !clean(name) || words_and_alias;
        if not_a_holder || aliases.iter().any(|(alias, _)| *alias == name) || is_issuer(name) {
            continue;
        }
        if holders.iter().any(|h| h.name == name) {
            continue;
        }
        let alias = aliases.iter().find(|(_, full)| *full == name).map(|(alias, _)| alias.to_string());
        let forms: Vec<&str> = std::iter::once(name)
            .chain(aliases.iter().filter(|(_, full)| *full == name).map(|(alias, _)| *alias))
            .collect();
        let by_role =
            mention.found == Found::Role || mentions.iter().any(|m| m.name == name && m.found == Found::Role);
        let named = about_freeze.contains(&format!("被冻结人：{name}"))
            || about_freeze.contains(&format!("被执行人：{name}"));
        let mentioned = by_role && forms.iter().any(|f| about_freeze.contains(f));
        if forms.iter().any(|f| holds(f)) || named || mentioned {
            holders.push(Holder { name: name.to_string(), alias });
        }
    }
    // A name cut at an inner legal form (`甲企业集团` beside `甲企业集团总公司`) is the longer one.
    let names: Vec<String> = holders.iter().map(|h| h.name.clone()).collect();
    // And a name with words before it (`被执行人甲有限公司` beside `甲有限公司`) is the shorter one.
    holders.retain(|h| {
        !names.iter().any(|n| {
            (n.len() > h.name.len() && n.starts_with(&h.name))
                || (h.name.len() > n.len() && h.name.ends_with(n.as_str()))
        })
    });
    let mut freeze = Freeze { issuer, release: is_release_title(title), holders, ..Freeze::default() };
    for sentence in &sentences {
        // A sentence about earlier freezes (`此前已被…冻结（详见…公告）`) names their authorities.
        if !EARLIER.is_match(sentence) {
            for court in authorities_in(sentence) {
                push_new(&mut freeze.authorities, court);
            }
        }
        for found in SHARES.captures_iter(sentence) {
            let whole = found.get(0).expect("a match");
            let before = tail(sentence, whole.start(), 22);
            let after = &sentence[whole.end()..];
            let pledged =
                after.starts_with("已质押") || after.starts_with("已办理质押") || after.starts_with("质押");
            if !SHARES_TIED.is_match(before) || SHARES_OTHER.is_match(before) || pledged {
                continue;
            }
            // `截至本公告日，甲持有公司股份…股` is what the holder holds now, not what was frozen.
            let so_far = sentence[..whole.start()]
                .rfind("截至")
                .or_else(|| sentence[..whole.start()].rfind("截止"))
                .is_some_and(|at| !sentence[at..whole.start()].contains("冻结"));
            if so_far && !head(after, 12).contains("冻结") {
                continue;
            }
            if let Some(count) = share_count(&found) {
                push_new(&mut freeze.shares, count);
            }
        }
        for pattern in [&*START_LABELLED, &*START_FROM, &*START_ON] {
            for found in pattern.captures_iter(sentence) {
                if let Some(date) = date_of(&found, 1) {
                    push_new(&mut freeze.start, date);
                }
            }
        }
        if let Some(cells) = table_cells(sentence) {
            if let Some(count) = table_shares(cells) {
                push_new(&mut freeze.shares, count);
            }
            if let Some((start, end)) = table_dates(cells) {
                push_new(&mut freeze.start, start);
                if let Some(end) = end {
                    push_new(&mut freeze.end, end);
                }
            }
        }
        for found in RANGE.captures_iter(sentence) {
            if let (Some(start), Some(end)) = (date_of(&found, 1), date_of(&found, 7)) {
                push_new(&mut freeze.start, start);
                push_new(&mut freeze.end, end);
            }
        }
        for pattern in [&*END_LABELLED, &*END_UNTIL] {
            for found in pattern.captures_iter(sentence) {
                // `截至…，` is the day a figure is counted to, not the end of a term.
                let counted_to = sentence[..found.get(0).expect("a match").start()].ends_with('截');
                if let Some(date) = date_of(&found, 1).filter(|_| !counted_to) {
                    push_new(&mut freeze.end, date);
                }
            }
        }
        for found in TERM_LABELLED.find_iter(sentence) {
            if let Some(months) = term_months(found.as_str()) {
                push_new(&mut freeze.term_months, months);
            }
        }
    }
    freeze
}

/// The first row's start (and end) date of a table whose headers name a start column, its
/// cells (`rest`, from [`table_cells`]) run together as PDF extraction gives them
/// (`冻结开始日期轮候期限…中弘卓业是400,000,0002018年8月16日36月`): the first date after the headers,
/// and the date right after it when an end column is named between the two. A start label
/// followed by its date is not a table.
fn table_dates(rest: &str) -> Option<(Date, Option<Date>)> {
    let labelled = rest.trim_start_matches(['：', ':', '为', ' ']);
    if DATE_RE.find(labelled).is_some_and(|d| d.start() == 0) {
        return None;
    }
    let mut dates = DATE_RE.captures_iter(rest).take(2);
    let first = dates.next()?;
    let first_at = first.get(0).expect("a match");
    // Far from the headers, or after a date cut across cells (`2018年102021年10月11日`: the
    // first row's start and end each broken in two), the first whole date is not the start.
    let before = &rest[..first_at.start()];
    if before.chars().count() > 160 || CUT_DATE.is_match(before) {
        return None;
    }
    let start = date_of(&first, 1)?;
    let end = dates.next().filter(|second| {
        let between = &rest[first_at.end()..second.get(0).expect("a match").start()];
        END_COLUMN.is_match(&rest[..first_at.start()]) && between.chars().count() <= 2
    });
    Some((start, end.and_then(|second| date_of(&second, 1)).filter(|end| *end > start)))
}

/// The rest of `sentence` after the first start column of a freeze's table (a pledge's table,
/// `质押开始日期`, is not the freeze's): the headers after it, then the rows.
fn table_cells(sentence: &str) -> Option<&str> {
    let header = START_COLUMN.find_iter(sentence).find(|h| !sentence[..h.start()].ends_with("质押"))?;
    Some(&sentence[header.end()..])
}

/// The share count of such a table's first row (`rest`, from [`table_cells`]): a count whose
/// cell ran into the start date's (`是2,227,657,4102018年7月19日`), read by its grouping.
fn table_shares(rest: &str) -> Option<u64> {
    TABLE_SHARES
        .captures_iter(rest)
        .filter_map(|found| found[1].replace(',', "").parse().ok())
        .find(|count| *count >= 100)
}

/// Adds `value` to `list` unless it is there.
pub(crate) fn push_new<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The first `chars` characters of `text`.
fn head(text: &str, chars: usize) -> &str {
    &text[..text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i)]
}

/// The last `chars` characters of `text` before byte `end`.
fn tail(text: &str, end: usize, chars: usize) -> &str {
    let start = text[..end].char_indices().rev().nth(chars - 1).map_or(0, |(i, _)| i);
    &text[start..end]
}

/// Every name the text gives a holder's place: after a role, defined with a short form, a person
/// addressed as 先生/女士, or after `被冻结人：`.
fn mentions(text: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    for found in ALIAS.captures_iter(text) {
        let at = found.get(0).expect("a match").start();
        if let Some(name) = org_before(text, at).or_else(|| person_before(text, at)) {
            out.push(Mention { name, alias: Some(found[1].to_string()), found: Found::Alias, at });
        }
    }
    for (at, _) in text.match_indices("先生").chain(text.match_indices("女士")) {
        if let Some(name) = person_before(text, at) {
            out.push(Mention { name, alias: None, found: Found::Person, at });
        }
    }
    // Whoever a sentence about the freeze says holds shares (`甲有限公司所持本公司股权冻结`,
    // `张三持有的…被司法冻结`), named by nothing else.
    for sentence in text.split(['。', '；', ';']).filter(|s| s.contains("冻结")) {
        let offset = sentence.as_ptr() as usize - text.as_ptr() as usize;
        for (at, word) in sentence.match_indices("所持").chain(sentence.match_indices("持有")) {
            let mut end = offset + at;
            if word == "持有" && text[..end].ends_with("所") {
                continue;
            }
            for adverb in ["共", "合计", "直接", "分别", "累计", "先生", "女士"] {
                if let Some(stem) = text[..end].strip_suffix(adverb) {
                    end = stem.len();
                }
            }
            let name = org_before(text, end).or_else(|| {
                // A person only where the name starts after a role or a stop (`控股股东张三持有`,
                // `，张三所持`): `长富瑞华所持` is no 富瑞华.
                let name = person_before(text, end)?;
                let before = &text[..end - name.len()];
                let stop = before.ends_with(['，', '。', '、', '：', ':', '；', '及', '和']);
                (stop || ROLE_AT_END.is_match(before)).then_some(name)
            });
            if let Some(name) = name {
                out.push(Mention { name, alias: None, found: Found::Holds, at: end });
            }
        }
    }
    for found in LABELLED_HOLDER.find_iter(text) {
        if let Some(run) = NAME_RUN.find(&text[found.end()..]) {
            if let Some(name) = org_name(run.as_str()).filter(|n| clean(n)) {
                out.push(Mention { name, alias: None, found: Found::Labelled, at: found.end() });
            }
        }
    }
    for found in ROLE_NAME.captures_iter(text) {
        let group = found.get(1).expect("a group");
        let mut run = group.as_str();
        for _ in 0..2 {
            // `控股股东之一甲` is one of them; `控股股东之一致行动人甲` the party acting with them.
            if let Some(rest) = run.strip_prefix("之") {
                run = rest.strip_prefix("一").filter(|r| !r.starts_with("致")).unwrap_or(rest);
            }
            if let Some(role) = ROLE_PREFIX.find(run) {
                run = &run[role.end()..];
            }
        }
        let name = match org_name(run).filter(|n| n.chars().count() >= 4 && clean(n)) {
            Some(name) => Some(name),
            None => ROLE_PERSON
                .captures(run)
                .map(|p| p[1].to_string())
                .filter(|p| p.chars().next().is_some_and(|c| SURNAMES.contains(&c))),
        };
        let Some(name) = name else { continue };
        if NOT_HOLDER.iter().any(|n| name.starts_with(n)) || !clean(&name) {
            continue;
        }
        let end =
            group.start() + (group.as_str().len() - run.len()) + run.find(&name).unwrap_or(0) + name.len();
        let alias = ALIAS
            .captures(&text[end..])
            .filter(|a| a.get(0).expect("a match").start() == 0)
            .map(|a| a[1].to_string());
        out.push(Mention { name, alias, found: Found::Role, at: group.start() });
    }
    out.sort_by_key(|m| m.at);
    out
}

/// Whether `name` reads as a name and not as words of the sentence around it.
fn clean(name: &str) -> bool {
    let bare = name.replace("股份有限公司", "").replace("股份合作", "");
    !NOT_IN_NAME.iter().any(|w| bare.contains(w))
}

/// The organisation a run of name characters starts with: up to its first legal form, and
/// the forms that follow it (`甲集团` + `有限公司`, `甲（集团` + `）有限公司`).
fn org_name(run: &str) -> Option<String> {
    let mut end = SUFFIX.find(run)?.end();
    while let Some(more) = SUFFIX_AT.find(&run[end..]) {
        end += more.end();
    }
    Some(run[..end].to_string())
}

/// The organisation whose name ends at byte `at`.
fn org_before(text: &str, at: usize) -> Option<String> {
    let window = tail(text, at, 50);
    let run = NAME_RUN_END.captures(window)?.get(1)?.as_str();
    if !SUFFIX_END.is_match(run) {
        return None;
    }
    let stem_end = run.char_indices().rev().nth(1).map_or(0, |(i, _)| i);
    let cut = BOUNDARY.find_iter(&run[..stem_end]).last().map_or(0, |b| b.end());
    let name = &run[cut..];
    (name.chars().count() >= 4 && clean(name)).then(|| name.to_string())
}

/// The person whose name ends at byte `at` (two or three characters, a surname first).
fn person_before(text: &str, at: usize) -> Option<String> {
    for len in [3, 2] {
        let name = tail(text, at, len);
        let all_han =
            name.chars().count() == len && name.chars().all(|c| ('\u{4e00}'..='\u{9fa5}').contains(&c));
        let word = ["公司", "集团", "股份", "本人", "其"].iter().any(|w| name.contains(w));
        if all_han && !word && name.chars().next().is_some_and(|c| SURNAMES.contains(&c)) {
            return Some(name.to_string());
        }
    }
    None
}

/// The announcing company: the organisation named right before the heading's `关于`.
fn issuer(text: &str) -> Option<String> {
    let head_end = text.char_indices().nth(300).map_or(text.len(), |(i, _)| i);
    let at = text[..head_end].find("关于")?;
    org_before(text, at)
}

/// Courts, police bureaus and arbitration commissions named in `sentence`, each from its place.
fn authorities_in(sentence: &str) -> Vec<String> {
    let mut out = Vec::new();
    for kind in COURT_END.find_iter(sentence) {
        if sentence[kind.end()..].starts_with("关于") {
            continue;
        }
        let before = tail(sentence, kind.start(), 24);
        let place = before.char_indices().map(|(i, _)| &before[i..]).find(|body| {
            REGIONS.iter().any(|r| body.starts_with(r))
                && !NOT_IN_COURT.is_match(&COURT_LEVEL.replace_all(body, ""))
        });
        if let Some(place) = place {
            out.push(format!("{place}{}", kind.as_str()));
        }
    }
    out
}

/// The count a [`SHARES`] match gives: its figure (in 万 when it says so), unless its thousands
/// are grouped wrongly (a table's cells run together) or it is under 100.
fn share_count(found: &regex::Captures<'_>) -> Option<u64> {
    let digits = &found[1];
    if digits.contains(',') && !GROUPED.is_match(digits) {
        return None;
    }
    let value: f64 = digits.replace([',', '，'], "").parse().ok()?;
    let value = if found.get(2).is_some() { value * 10_000.0 } else { value };
    (value.is_finite() && value >= 0.0).then(|| value.round() as u64).filter(|count| *count >= 100)
}

/// The first share count `text` states (`520,000,000股`, `4000万股`).
pub(crate) fn shares_in(text: &str) -> Option<u64> {
    SHARES.captures_iter(text).find_map(|found| share_count(&found))
}

/// The months of the first term a label gives in `text` (`冻结期限为三年`: 36).
pub(crate) fn labelled_term(text: &str) -> Option<u32> {
    TERM_LABELLED.find_iter(text).find_map(|found| term_months(found.as_str()))
}

/// The date of the [`DATE`] whose groups start at `first` in `found`.
fn date_of(found: &regex::Captures<'_>, first: usize) -> Option<Date> {
    let group = |i: usize| found.get(first + i).and_then(|g| g.as_str().parse::<u32>().ok());
    let (y, m, d) = match group(0) {
        Some(y) => (y, group(1)?, group(2)?),
        None => (group(3)?, group(4)?, group(5)?),
    };
    Date::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn term_months(text: &str) -> Option<u32> {
    let found = TERM_RE.captures(text)?;
    let count = match found[1].parse::<u32>() {
        Ok(n) => n,
        Err(_) => super::date::chinese_small_number(&found[1])?,
    };
    Some(if &found[2] == "年" { count * 12 } else { count })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_controlling_shareholder_frozen_by_a_court() {
        let text = "证券代码：600000证券简称：甲股份公告编号：临2018-001甲乙丙股份有限公司关于控股股东股份被司法冻结的公告\
            本公司董事会及全体董事保证本公告内容不存在任何虚假记载。甲乙丙股份有限公司（以下简称“公司”）于近日收到通知，\
            公司控股股东大连长富瑞华集团有限公司（以下简称“长富瑞华”）因借贷纠纷，被辽宁省沈阳市中级人民法院于2018年12月18日\
            司法冻结长富瑞华持有的上市公司520,000,000股，冻结期限为3年。截至本公告日，长富瑞华持有本公司股份520,000,000股，\
            其中已质押300,000,000股。特此公告。";
        let freeze = extract_freeze("甲股份：关于控股股东股份被司法冻结的公告", text);
        assert_eq!(freeze.issuer.as_deref(), Some("甲乙丙股份有限公司"));
        assert_eq!(
            freeze.holders,
            vec![Holder {
                name: "大连长富瑞华集团有限公司".into(), alias: Some("长富瑞华".into())
            }]
        );
        assert_eq!(freeze.authorities, vec!["辽宁省沈阳市中级人民法院".to_string()]);
        assert_eq!(freeze.shares, vec![520_000_000]);
        assert_eq!(freeze.start, vec![date("2018-12-18")]);
        assert_eq!(freeze.term_months, vec![36]);
        assert!(!freeze.release);
    }

    #[test]
    fn labels_name_the_holder_the_authority_and_the_dates() {
        let text = "乙公司（以下简称“公司”）收到协助执行通知书，具体内容如下：一、股份冻结的基本情况1、冻结机关：重庆市第五中级人民法院；\
            2、被冻结人：漯河银鸽实业集团有限公司；3、冻结数量：768,870,054股（无限售流通股，冻结，其中768,870,052股已质押）；\
            4、冻结期限：自2018年7月31日至2021年7月30日止。";
        let freeze = extract_freeze("乙公司：关于控股股东股份被司法冻结的公告", text);
        assert_eq!(freeze.holders[0].name, "漯河银鸽实业集团有限公司");
        assert_eq!(freeze.authorities, vec!["重庆市第五中级人民法院".to_string()]);
        assert_eq!(freeze.shares, vec![768_870_054]);
        assert_eq!(freeze.start, vec![date("2018-07-31")]);
        assert_eq!(freeze.end, vec![date("2021-07-30")]);
    }

    #[test]
    fn a_person_and_a_police_bureau_and_a_release() {
        let text = "公司近日获悉，彭海帆先生所持公司股份被杭州市公安局余杭区分局轮候冻结，冻结期限三年。\
            根据《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》办理。";
        let freeze = extract_freeze("丙公司：关于股东股份解除冻结的公告", text);
        assert_eq!(freeze.holders, vec![Holder { name: "彭海帆".into(), alias: None }]);
        assert_eq!(freeze.authorities, vec!["杭州市公安局余杭区分局".to_string()]);
        assert_eq!(freeze.term_months, vec![36]);
        assert!(freeze.release, "解除 in the title");
    }

    #[test]
    fn the_issuer_its_registrar_and_pledgees_are_no_holders() {
        let text = "丁科技股份有限公司关于股东股份冻结的公告。丁科技股份有限公司（以下简称“公司”）通过中国证券登记结算有限责任公司\
            深圳分公司系统查询获悉，公司持有的子公司股权未被冻结；公司股东戊投资有限公司将其持有的公司1,000,000股股份质押给己银行。";
        let freeze = extract_freeze("丁科技：关于股东股份冻结的公告", text);
        assert!(freeze.holders.is_empty(), "{:?}", freeze.holders);
        assert!(freeze.shares.is_empty(), "a pledge's count: {:?}", freeze.shares);
    }

    #[test]
    fn a_holder_ending_in_the_issuers_short_form_is_still_a_holder() {
        // The issuer calls itself `公司`: `…咨询有限公司` ends with it and is no short form of it.
        let text = "陕西宝光真空电器股份有限公司（以下简称“公司”）接到通知，人民法院通知中国证券登记结算有限责任公司上海分公司\
            协助轮候冻结北京融昌航投资咨询有限公司持有的本公司45,300,374股无限售流通股份。\
            公司收到通知，称鼎立控股集团股份有限公司持有的全部200,276,020股股份被司法冻结。";
        let freeze = extract_freeze("宝光股份：关于股东股份轮候冻结的公告", text);
        let names: Vec<&str> = freeze.holders.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["北京融昌航投资咨询有限公司", "鼎立控股集团股份有限公司"]);
        // A person after a role with a cause after the name; an alias right after `知悉`.
        let text = "公司获悉本公司自然人股东崔中兴因与光大证券股份有限公司质押式证券回购纠纷一案，其持有的本公司限售流通股\
            101,694,915股被司法冻结。公司从网站上知悉成都金宇控股集团有限公司（以下简称“金宇控股”）持有的公司\
            30,026,000股股份全部被四川省自贡市中级人民法院司法冻结。";
        let freeze = extract_freeze("关于股东股权司法冻结的公告", text);
        let names: Vec<&str> = freeze.holders.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["崔中兴", "成都金宇控股集团有限公司"]);
    }

    #[test]
    fn a_plaintiff_and_a_letter_are_no_part_of_a_holders_name() {
        let text = "公司收到通知，根据中融国际信托有限公司诉隆鑫控股有限公司（以下简称“控股股东”）保证合同一案的民事裁定，\
            北京市高级人民法院对公司控股股东所持有的公司413,776,051股无限售流通股进行冻结。\
            2018年6月20日，前海粤美特及其一致行动人致函公司称：我方合计持有的贵公司12,979,309股被司法冻结。";
        let freeze = extract_freeze("关于控股股东股份被冻结的公告", text);
        let names: Vec<&str> = freeze.holders.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["隆鑫控股有限公司"]);
    }

    #[test]
    fn holders_named_only_by_what_they_hold_and_parties_acting_with_them() {
        let text = "近日，公司接到控股股东孙洁晓通知，孙洁晓持有的本公司股份835,914股被司法冻结。\
            公司控股股东之一致行动人西藏棕枫创业投资有限公司（以下简称“西藏棕枫”）持有本公司的股份被轮候冻结，\
            西藏棕枫持有公司股份155,605,106股。另据《关于甲投资控股有限公司所持本公司股权冻结情况变化的公告》。";
        let freeze = extract_freeze("戊：关于股东股份冻结的公告", text);
        let names: Vec<&str> = freeze.holders.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["孙洁晓", "西藏棕枫创业投资有限公司", "甲投资控股有限公司"]);
        assert_eq!(freeze.holders[1].alias.as_deref(), Some("西藏棕枫"));
    }

    #[test]
    fn a_page_is_an_announcement_by_its_title_or_its_heading() {
        let page = "<html><head><title>甲股份公告</title></head><body><p>甲股份有限公司关于控股股东股份被司法冻结的公告</p>\
            <p>公司控股股东乙集团有限公司所持本公司股份1,000股被北京市第一中级人民法院司法冻结。</p></body></html>";
        let freeze = freeze_of_page(page.as_bytes(), "甲股份公告").expect("the heading announces a freeze");
        assert_eq!(freeze.holders[0].name, "乙集团有限公司");
        assert_eq!(freeze.authorities, vec!["北京市第一中级人民法院".to_string()]);
        assert_eq!(
            freeze_of_page(
                "<p>某某工程中标结果公告</p><p>中标人：丙公司</p>".as_bytes(),
                "某某工程中标结果公告"
            ),
            None
        );
    }

    #[test]
    fn a_term_given_as_two_dates_and_a_day_counted_to() {
        let freeze = extract_freeze(
            "关于股东股份被司法冻结的公告",
            "甲集团持有的公司1,700万股股份被冻结，冻结期限从2017年3月24日至2020年3月23日止。\
             乙公司持有的公司500万股被冻结，冻结期限为2014年8月12日至2016年8月11日。\
             截至2018年12月3日，甲集团累计被冻结股数为17,000,000股。",
        );
        assert_eq!(freeze.start, vec![date("2017-03-24"), date("2014-08-12")]);
        assert_eq!(freeze.end, vec![date("2020-03-23"), date("2016-08-11")]);
        // A label with its day (`冻结起始日期：`), and a term whose figure is a year: no term.
        let freeze = extract_freeze(
            "关于股东股份被轮候冻结的公告",
            "丙控股持有的公司885,737,591股被轮候冻结，冻结起始日期：2018年12月20日，冻结期限为2018年起。",
        );
        assert_eq!(freeze.start, vec![date("2018-12-20")]);
        assert!(freeze.end.is_empty() && freeze.term_months.is_empty(), "{freeze:?}");
    }

    #[test]
    fn a_flattened_tables_first_row_gives_the_start_and_end() {
        let table = "一、股东股份被冻结的基本情况股东名称是否为第一大股东冻结股数（股）冻结开始日冻结到期日执行人名称\
            龙跃集团是94,876,3692018-11-012021-10-31北京市高级人民法院";
        let freeze = extract_freeze("关于控股股东股份被冻结的公告", table);
        assert_eq!((freeze.start, freeze.end), (vec![date("2018-11-01")], vec![date("2021-10-31")]));
        // Without an end column the date after the start is no end.
        let freeze = extract_freeze(
            "关于控股股东股份被轮候冻结的公告",
            "股东名称冻结数量冻结开始日期轮候期限轮候机关中弘卓业是400,000,0002018年8月16日36月北京市高级人民法院冻结",
        );
        assert_eq!((freeze.start, freeze.end), (vec![date("2018-08-16")], vec![]));
        // The count whose cell ran into the date's is the row's shares.
        assert_eq!(freeze.shares, vec![400_000_000]);
        // A pledge's table, and a table whose dates are cut across cells, give none.
        for text in [
            "股东名称质押股数质押开始日期质押解除日期质权人6,263,6002015年12月10日2016年7月5日中植融云，所持股份被冻结",
            "股东名称冻结开始日冻结到期日执行人名称新光控股2018年102021年10北京市高级人民法院月8日月7日冻结",
        ] {
            let freeze = extract_freeze("关于股东股份被冻结的公告", text);
            assert!(freeze.start.is_empty() && freeze.end.is_empty(), "{text}: {freeze:?}");
        }
    }

    #[test]
    fn what_a_holder_holds_now_and_earlier_freezes_are_not_this_one() {
        let freeze = extract_freeze(
            "关于控股股东股份被轮候冻结的公告",
            "甲集团持有的公司100,000,000股被浙江省杭州市中级人民法院轮候冻结。\
             甲集团所持股份此前已先后被北京市第一中级人民法院、上海市浦东新区人民法院冻结（详见公司临2018-028号公告）。\
             山西证券股份有限公司（以下简称“山西证券”）通过山西省高级人民法院对甲集团持有的股份申请冻结。\
             截至本公告日，甲集团持有公司股份520,000,000股，其中已质押500,000,000股。",
        );
        assert_eq!(freeze.shares, vec![100_000_000]);
        assert_eq!(
            freeze.authorities,
            vec!["浙江省杭州市中级人民法院".to_string(), "山西省高级人民法院".to_string()]
        );
    }

    #[test]
    fn terms_in_figures_and_words() {
        assert_eq!(term_months("冻结期限为三年"), Some(36));
        assert_eq!(term_months("期限：36个月"), Some(36));
        assert_eq!(term_months("期限两年"), Some(24));
        assert_eq!(term_months("冻结期限二十四个月"), Some(24));
    }
}
