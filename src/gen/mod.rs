//! A realistic synthetic dataset in the import formats, deterministic by seed, at any scale.
//!
//! Enterprises with Chinese names built from region + trade name + industry + legal form and
//! valid 统一社会信用代码; corporate groups with layered shareholdings and person controllers;
//! officers; guarantees including guarantee circles; invoices around core customers; award
//! notices with the noise real feeds have (the same award from two sources, agencies listed as
//! winners, tiny amounts, corrections, terminations); pledges with expiry dates around `as_of`;
//! risk events; account managers. Dates are relative to `as_of`.

use crate::csv_out::CsvWriter as Csv;
use crate::model::Date;
use crate::resolve::uscc;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct GenConfig {
    pub enterprises: usize,
    pub seed: u64,
    pub as_of: Date,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct GenSummary {
    pub as_of: Date,
    pub seed: u64,
    pub enterprises: usize,
    pub persons: usize,
    pub relations: usize,
    pub tenders: usize,
    pub filings: usize,
    pub pledges: usize,
    pub invoices: usize,
    pub risk_events: usize,
    pub managers: usize,
}

const REGIONS: &[(&str, &str, u32)] = &[
    ("湖北省", "宜昌市", 420500),
    ("湖北省", "武汉市", 420100),
    ("湖北省", "襄阳市", 420600),
    ("广东省", "深圳市", 440300),
    ("广东省", "广州市", 440100),
    ("上海市", "上海市", 310000),
    ("北京市", "北京市", 110000),
    ("浙江省", "杭州市", 330100),
    ("江苏省", "南京市", 320100),
    ("江苏省", "苏州市", 320500),
    ("四川省", "成都市", 510100),
    ("山东省", "青岛市", 370200),
];

const INDUSTRIES: &[(&str, &[&str])] = &[
    ("建筑业", &["建设工程", "路桥工程", "建筑安装工程", "市政工程"]),
    ("制造业", &["机械制造", "电子科技", "新材料科技", "精密制造"]),
    ("医药", &["医药", "生物科技", "医疗器械"]),
    ("交通运输", &["物流", "供应链管理", "运输"]),
    ("能源", &["能源", "新能源科技", "电力工程"]),
    ("信息技术", &["信息技术", "软件", "数据科技"]),
    ("批发零售", &["商贸", "贸易", "商业"]),
    ("农业", &["农业科技", "生态农业", "农产品"]),
];

const TRADE_CHARS: &[&str] = &[
    "华", "信", "达", "鑫", "盛", "恒", "通", "泰", "宏", "昌", "远", "兴", "隆", "丰", "源", "瑞", "祥",
    "安", "康", "明", "伟", "嘉", "力", "创", "联", "腾", "凯", "宇", "辰", "博", "润", "新", "正", "和",
    "永", "利", "建", "中", "海", "峰", "金", "誉", "德", "诚", "荣", "汇", "晟", "卓",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华",
    "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文", "斌", "鹏", "丹", "玲", "浩然",
];

const BANKS: &[&str] = &[
    "中国工商银行股份有限公司",
    "中国建设银行股份有限公司",
    "中国农业银行股份有限公司",
    "中国银行股份有限公司",
    "交通银行股份有限公司",
    "招商银行股份有限公司",
];

const BUYER_KINDS: &[&str] = &[
    "教育局",
    "人民医院",
    "住房和城乡建设局",
    "交通运输局",
    "水利和湖泊局",
    "城市建设投资有限公司",
    "第一中学",
    "自然资源和规划局",
];

const PROJECTS: &[&str] = &[
    "道路改造工程",
    "校园运动服采购",
    "污水处理厂提标改造",
    "医疗设备采购",
    "智慧城市信息化建设",
    "河道综合治理工程",
    "办公家具采购",
    "供水管网改造",
    "学校食堂设备采购",
    "老旧小区改造工程",
    "监理服务",
    "安置房建设工程",
    "路灯节能改造",
    "数据中心建设",
    "桥梁维修加固工程",
];

struct Ent {
    name: String,
    uscc: String,
    region: usize,
    industry: usize,
    customer: bool,
}

fn days(date: Date, offset: i64) -> String {
    (date + chrono::Duration::days(offset)).to_string()
}

fn amount(rng: &mut ChaCha8Rng, min_exp: f64, max_exp: f64) -> f64 {
    let exp = rng.random_range(min_exp..max_exp);
    (10f64.powf(exp) * 100.0).round() / 100.0
}

fn money(x: f64) -> String {
    format!("{x:.2}")
}

pub fn generate(config: &GenConfig, dir: &Path) -> std::io::Result<GenSummary> {
    std::fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let n = config.enterprises.max(20);
    let as_of = config.as_of;
    let mut summary = GenSummary { as_of, seed: config.seed, ..Default::default() };

    // Enterprises: companies, public buyers, banks.
    let mut ents: Vec<Ent> = Vec::with_capacity(n + 64);
    let mut names = std::collections::HashSet::new();
    let mut org = 10_000_000u32 + (config.seed % 1000) as u32 * 10_000;
    let mut make_uscc = |region: usize| {
        org += 1;
        uscc::build(REGIONS[region].2, org)
    };
    while ents.len() < n {
        let region = rng.random_range(0..REGIONS.len());
        let industry = rng.random_range(0..INDUSTRIES.len());
        let trade: String = (0..2).map(|_| *TRADE_CHARS.choose(&mut rng).unwrap_or(&"华")).collect();
        let word = INDUSTRIES[industry].1.choose(&mut rng).unwrap_or(&"科技");
        let form = if rng.random_bool(0.15) {
            "股份有限公司"
        } else if rng.random_bool(0.3) {
            "有限责任公司"
        } else {
            "有限公司"
        };
        let city = REGIONS[region].1.trim_end_matches('市');
        let mut name = format!("{city}{trade}{word}{form}");
        // Unique as resolution sees names (有限责任公司 ≡ 有限公司).
        if !names.insert(crate::resolve::normalize_name(&name)) {
            // Beyond the name space: add a distinguisher, as real registries do.
            name = format!("{city}{trade}{word}({}){form}", ents.len());
            names.insert(crate::resolve::normalize_name(&name));
        }
        ents.push(Ent { name, uscc: make_uscc(region), region, industry, customer: rng.random_bool(0.1) });
    }
    let company_count = ents.len();
    let mut buyers = Vec::new();
    for (region, (_, city, _)) in REGIONS.iter().enumerate() {
        for kind in BUYER_KINDS {
            let name = format!("{city}{kind}");
            buyers.push(ents.len());
            ents.push(Ent { name, uscc: make_uscc(region), region, industry: 0, customer: false });
        }
    }
    let mut banks = Vec::new();
    for (i, bank) in BANKS.iter().enumerate() {
        let (_, city, _) = REGIONS[i % REGIONS.len()];
        let branch = format!("{bank}{}分行", city.trim_end_matches('市'));
        banks.push(ents.len());
        ents.push(Ent {
            name: branch,
            uscc: make_uscc(i % REGIONS.len()),
            region: i % REGIONS.len(),
            industry: 6,
            customer: false,
        });
    }

    // Managers.
    let manager_count = (n / 500).clamp(3, 200);
    let mut managers = Csv::create(
        &dir.join("managers.csv"),
        &["id", "name", "branch", "regions", "industries", "capacity"],
    )?;
    for m in 0..manager_count {
        let region = m % REGIONS.len();
        let name = format!("{}{}", SURNAMES[m % SURNAMES.len()], GIVEN[(m * 7) % GIVEN.len()]);
        let industries =
            format!("{}|{}", INDUSTRIES[m % INDUSTRIES.len()].0, INDUSTRIES[(m + 3) % INDUSTRIES.len()].0);
        managers.row(&[
            &format!("m{:03}", m + 1),
            &name,
            &format!("{}分行", REGIONS[region].1),
            REGIONS[region].1,
            &industries,
            "25",
        ])?;
    }
    summary.managers = managers.finish()?;

    let mut out = Csv::create(
        &dir.join("enterprises.csv"),
        &[
            "name",
            "uscc",
            "aliases",
            "legal_rep",
            "region",
            "industry",
            "registered_capital",
            "established",
            "size",
            "listed",
            "is_customer",
            "manager_id",
        ],
    )?;
    let person_count = n / 2 + 10;
    let person_name =
        |i: usize| format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len()) % GIVEN.len()]);
    let mut legal_of: Vec<usize> = Vec::with_capacity(ents.len());
    let mut capital_of: Vec<f64> = Vec::with_capacity(ents.len());
    for (i, e) in ents.iter().enumerate() {
        let size = match rng.random_range(0..100) {
            0..5 => "large",
            5..25 => "medium",
            25..70 => "small",
            _ => "micro",
        };
        let alias = if i < company_count && rng.random_bool(0.3) {
            // Short name: trade name + industry word.
            let city = REGIONS[e.region].1.trim_end_matches('市');
            e.name.trim_start_matches(city).chars().take(4).collect::<String>()
        } else {
            String::new()
        };
        // Registered capital fits the size (log10 yuan): large 10^8.5–10^9.5 … micro 10^5.5–10^6.5.
        let (lo, hi) = match size {
            "large" => (8.5, 9.5),
            "medium" => (7.5, 8.5),
            "small" => (6.5, 7.5),
            _ => (5.5, 6.5),
        };
        let capital = amount(&mut rng, lo, hi).round();
        capital_of.push(capital);
        let (province, city, _) = REGIONS[e.region];
        let manager = if e.customer { format!("m{:03}", 1 + (i % manager_count)) } else { String::new() };
        // The legal representative named here is the one the relations name.
        let legal = rng.random_range(0..person_count);
        legal_of.push(legal);
        out.row(&[
            &e.name,
            &e.uscc,
            &alias,
            &person_name(legal),
            &format!("{province}{city}"),
            INDUSTRIES[e.industry].0,
            &money(capital),
            &days(as_of, -rng.random_range(365..365 * 25)),
            size,
            if size == "large" && rng.random_bool(0.3) { "true" } else { "false" },
            if e.customer { "true" } else { "false" },
            &manager,
        ])?;
    }
    summary.enterprises = out.finish()?;

    let mut persons = Csv::create(&dir.join("persons.csv"), &["id", "name", "id_number"])?;
    for p in 0..person_count {
        let birth = format!(
            "19{:02}{:02}{:02}",
            rng.random_range(50..99),
            rng.random_range(1..13),
            rng.random_range(1..29)
        );
        let id_number = format!(
            "{}{}{:03}{}",
            REGIONS[p % REGIONS.len()].2,
            birth,
            rng.random_range(0..1000),
            rng.random_range(0..10)
        );
        persons.row(&[&format!("p{p}"), &person_name(p), &id_number])?;
    }
    summary.persons = persons.finish()?;

    // Relations.
    let mut rel = Csv::create(
        &dir.join("relations.csv"),
        &["from", "to", "kind", "share", "role", "amount", "start", "end", "source"],
    )?;
    let start = |rng: &mut ChaCha8Rng| days(as_of, -rng.random_range(200..3000));
    // Groups: a head owned by a person, subsidiaries in layers.
    let mut order: Vec<usize> = (0..company_count).collect();
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut cursor = 0;
    // Shares held in each enterprise so far: holdings never add up to more than 100%.
    let mut held = vec![0.0f64; company_count];
    let group_count = company_count / 12;
    let mut heads = Vec::new();
    for g in 0..group_count {
        if cursor + 4 > order.len() {
            break;
        }
        let head = order[cursor];
        cursor += 1;
        heads.push(head);
        let controller = format!("person:p{}", (g * 13) % person_count);
        let s = start(&mut rng);
        let share: f64 = rng.random_range(0.51..0.9);
        held[head] += (share * 100.0).round() / 100.0;
        rel.row(&[
            &controller,
            &ents[head].uscc,
            "shareholder",
            &format!("{share:.2}"),
            "",
            "",
            &s,
            "",
            "gen",
        ])?;
        let mut layer = vec![head];
        for _depth in 0..2 {
            let mut next = Vec::new();
            for &parent in &layer {
                for _ in 0..rng.random_range(1..4) {
                    if cursor >= order.len() {
                        break;
                    }
                    let child = order[cursor];
                    cursor += 1;
                    let share: f64 = rng.random_range(0.3..1.0);
                    held[child] += (share * 100.0).round() / 100.0;
                    let s = start(&mut rng);
                    rel.row(&[
                        &ents[parent].uscc,
                        &ents[child].uscc,
                        "shareholder",
                        &format!("{share:.2}"),
                        "",
                        "",
                        &s,
                        "",
                        "gen",
                    ])?;
                    if share < 0.5 {
                        // A second holder, sometimes another group's company.
                        let other = order[rng.random_range(0..cursor)];
                        if other != child && other != parent {
                            let second = ((1.0 - held[child]) * 0.6 * 100.0).floor() / 100.0;
                            held[child] += second;
                            rel.row(&[
                                &ents[other].uscc,
                                &ents[child].uscc,
                                "shareholder",
                                &format!("{second:.2}"),
                                "",
                                "",
                                &s,
                                "",
                                "gen",
                            ])?;
                        }
                    }
                    next.push(child);
                }
            }
            layer = next;
        }
    }
    // Independent companies owned by persons; officers everywhere.
    for (i, e) in ents.iter().enumerate().take(company_count) {
        let wanted: f64 = if i % 3 == 0 { rng.random_range(0.2..0.7) } else { 0.0 };
        // What is left of the company after its group holders, to the cent of a percent.
        let share = wanted.min(((1.0 - held[i]) * 100.0).floor() / 100.0);
        if share >= 0.01 {
            held[i] += share;
            let holder = format!("person:p{}", rng.random_range(0..person_count));
            let s = start(&mut rng);
            rel.row(&[&holder, &e.uscc, "shareholder", &format!("{share:.2}"), "", "", &s, "", "gen"])?;
        }
        let legal = format!("person:p{}", legal_of[i]);
        let s = start(&mut rng);
        rel.row(&[&legal, &e.uscc, "legal_rep", "", "法定代表人", "", &s, "", "gen"])?;
        rel.row(&[&legal, &e.uscc, "officer", "", "董事长", "", &s, "", "gen"])?;
        if rng.random_bool(0.5) {
            let officer = format!("person:p{}", rng.random_range(0..person_count));
            rel.row(&[&officer, &e.uscc, "officer", "", "总经理", "", &s, "", "gen"])?;
        }
        if rng.random_bool(0.05) {
            // A past officer: history, not current.
            let past = format!("person:p{}", rng.random_range(0..person_count));
            rel.row(&[
                &past,
                &e.uscc,
                "officer",
                "",
                "监事",
                "",
                &days(as_of, -2000),
                &days(as_of, -400),
                "gen",
            ])?;
        }
    }
    // Guarantees: random pairs in the same region, and circles of 3-4.
    for _ in 0..company_count / 10 {
        let a = rng.random_range(0..company_count);
        let b = rng.random_range(0..company_count);
        if a != b {
            let s = start(&mut rng);
            rel.row(&[
                &ents[a].uscc,
                &ents[b].uscc,
                "guarantee",
                "",
                "",
                &money(amount(&mut rng, 6.0, 8.5)),
                &s,
                "",
                "gen",
            ])?;
        }
    }
    for _ in 0..(company_count / 200).max(1) {
        let size = rng.random_range(3..5);
        let members: Vec<usize> = (0..size).map(|_| rng.random_range(0..company_count)).collect();
        for w in 0..size {
            let (a, b) = (members[w], members[(w + 1) % size]);
            if a != b {
                let s = start(&mut rng);
                rel.row(&[
                    &ents[a].uscc,
                    &ents[b].uscc,
                    "guarantee",
                    "",
                    "",
                    &money(amount(&mut rng, 6.5, 8.5)),
                    &s,
                    "",
                    "gen",
                ])?;
            }
        }
    }
    summary.relations = rel.finish()?;

    // Invoices around core customers.
    let mut inv =
        Csv::create(&dir.join("invoices.csv"), &["id", "seller", "buyer", "amount", "issued", "category"])?;
    let categories = ["原材料", "设备", "工程服务", "运输服务", "技术服务", "办公用品"];
    let mut invoice_id = 0usize;
    for (i, e) in ents.iter().enumerate().take(company_count) {
        if !e.customer {
            continue;
        }
        for _ in 0..rng.random_range(2..8) {
            let supplier = rng.random_range(0..company_count);
            if supplier == i {
                continue;
            }
            for _ in 0..rng.random_range(1..10) {
                invoice_id += 1;
                let cat = categories.choose(&mut rng).unwrap_or(&"原材料");
                inv.row(&[
                    &format!("inv{invoice_id}"),
                    &ents[supplier].uscc,
                    &e.uscc,
                    &money(amount(&mut rng, 3.5, 6.5)),
                    &days(as_of, -rng.random_range(1..360)),
                    cat,
                ])?;
            }
        }
    }
    summary.invoices = inv.finish()?;

    // Tender notices.
    let agencies: Vec<&str> = crate::workspace::AGENCIES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut ten = Csv::create(
        &dir.join("tenders.csv"),
        &[
            "id",
            "kind",
            "title",
            "published",
            "buyer",
            "winner",
            "agency",
            "amount",
            "budget",
            "region",
            "url",
            "source",
            "text",
            "project_code",
        ],
    )?;
    let award_count = n * 6 / 10;
    for t in 0..award_count {
        let buyer = &ents[buyers[rng.random_range(0..buyers.len())]];
        let winner_index = rng.random_range(0..company_count);
        let joint = rng.random_bool(0.05);
        let mut winners = vec![ents[winner_index].name.clone()];
        if joint {
            winners.push(ents[rng.random_range(0..company_count)].name.clone());
        }
        let agency = agencies.choose(&mut rng).copied().unwrap_or("某招标代理有限公司");
        if rng.random_bool(0.04) {
            // Noise: the agency listed as the winner.
            winners = vec![agency.to_string()];
        }
        let project = PROJECTS.choose(&mut rng).unwrap_or(&"工程");
        let title = format!("{}{}项目中标结果公告", buyer.name, project);
        // An award fits the winner: 10% to 300% of its registered capital (a few tiny ones).
        let scale = capital_of[winner_index].max(1.0).log10();
        let value = if rng.random_bool(0.05) {
            amount(&mut rng, 3.5, 4.9)
        } else {
            amount(&mut rng, scale - 1.0, scale + 0.5)
        };
        let published = days(as_of, -rng.random_range(0..120));
        let code = format!("{}-{}-{:05}", REGIONS[buyer.region].2, &published[..4], t);
        let (province, city, _) = REGIONS[buyer.region];
        let region = format!("{province}{city}");
        let text = format!(
            "{}{}项目（项目编号：{code}）已完成评标，现将中标结果公告如下：中标人：{}；中标金额：{}元；采购代理机构：{agency}。",
            buyer.name, project, winners.join("、"), money(value)
        );
        let id = format!("t{t}");
        let url = format!("https://ggzy.example.gov.cn/jyxx/{}/{id}.html", &published[..7]);
        let winner_field = winners.join("|");
        let amount_text = money(value);
        let budget_text = money((value * 1.1).round());
        ten.row(&[
            &id,
            "award",
            &title,
            &published,
            &buyer.name,
            &winner_field,
            agency,
            &amount_text,
            &budget_text,
            &region,
            &url,
            "ggzy",
            &text,
            &code,
        ])?;
        if rng.random_bool(0.08) {
            // The same award reported by a second site, a day later, with a reformatted title.
            let title2 = format!("{}{}项目（中标公示）", buyer.name, project);
            let url2 = format!("https://ccgp.example.gov.cn/cggg/{id}.htm");
            ten.row(&[
                &format!("{id}-ccgp"),
                "award",
                &title2,
                &days(as_of, -rng.random_range(0..120)).min(published.clone()),
                &buyer.name,
                &winner_field,
                agency,
                &amount_text,
                "",
                &region,
                &url2,
                "ccgp",
                &text,
                &code,
            ])?;
        }
        if rng.random_bool(0.03) {
            let title3 = format!("{}{}项目终止公告", buyer.name, project);
            ten.row(&[
                &format!("{id}-term"),
                "termination",
                &title3,
                &published,
                &buyer.name,
                "",
                agency,
                "",
                "",
                &region,
                "",
                "ggzy",
                "因故终止本项目采购。",
                &code,
            ])?;
        }
        if rng.random_bool(0.03) {
            let title4 = format!("{}{}项目更正公告", buyer.name, project);
            ten.row(&[
                &format!("{id}-corr"),
                "correction",
                &title4,
                &published,
                &buyer.name,
                &winner_field,
                agency,
                &amount_text,
                "",
                &region,
                "",
                "ggzy",
                "更正开标时间。",
                &code,
            ])?;
        }
    }
    summary.tenders = ten.finish()?;

    // Filings.
    let mut fil = Csv::create(
        &dir.join("filings.csv"),
        &["id", "enterprise", "kind", "title", "published", "amount", "counterparty", "url", "text"],
    )?;
    let filing_kinds = [
        ("eia_approval", "环境影响评价批复"),
        ("bond_issue", "债券发行"),
        ("merger", "并购重组"),
        ("capital_increase", "增资扩股"),
        ("new_branch", "设立分公司"),
        ("financing_elsewhere", "他行融资"),
        ("registration_change", "工商变更"),
    ];
    for f in 0..n / 10 {
        let e = &ents[rng.random_range(0..company_count)];
        let (kind, label) = filing_kinds[rng.random_range(0..filing_kinds.len())];
        let counterparty = if kind == "merger" {
            ents[rng.random_range(0..company_count)].name.clone()
        } else {
            String::new()
        };
        let value = money(amount(&mut rng, 6.0, 9.3));
        fil.row(&[
            &format!("f{f}"),
            &e.uscc,
            kind,
            &format!("{}{}公告", e.name, label),
            &days(as_of, -rng.random_range(0..150)),
            &value,
            &counterparty,
            "",
            &format!("{}{}，金额{}元。", e.name, label, value),
        ])?;
    }
    summary.filings = fil.finish()?;

    // Pledges: expiry spread around as_of, so some fall in the 30-180 day window.
    let mut ple = Csv::create(
        &dir.join("pledges.csv"),
        &[
            "id",
            "kind",
            "pledgor",
            "pledgee",
            "subject",
            "amount",
            "registered",
            "expires",
            "status",
            "source",
        ],
    )?;
    let pledge_kinds = [
        ("equity", "股权"),
        ("chattel", "生产设备"),
        ("real_estate", "厂房及土地使用权"),
        ("receivable", "应收账款"),
    ];
    for p in 0..n / 5 {
        let e = &ents[rng.random_range(0..company_count)];
        let bank = &ents[banks[rng.random_range(0..banks.len())]];
        let (kind, subject) = pledge_kinds[rng.random_range(0..pledge_kinds.len())];
        let registered = -rng.random_range(200..1100);
        let expires = rng.random_range(-200..400);
        let status = if expires < 0 && rng.random_bool(0.7) { "released" } else { "active" };
        ple.row(&[
            &format!("pl{p}"),
            kind,
            &e.uscc,
            &bank.name,
            subject,
            &money(amount(&mut rng, 6.0, 8.8)),
            &days(as_of, registered),
            &days(as_of, expires),
            status,
            "samr",
        ])?;
    }
    summary.pledges = ple.finish()?;

    // Risk events: on companies (group heads more often, so risk propagates) and on persons.
    let mut risk = Csv::create(
        &dir.join("risk_events.csv"),
        &["id", "subject", "kind", "severity", "published", "amount", "title", "text"],
    )?;
    let risk_kinds = [
        ("litigation", "涉诉", 3),
        ("enforcement", "被执行", 4),
        ("dishonest", "失信被执行", 5),
        ("credit_rejection", "授信被拒", 3),
        ("admin_penalty", "行政处罚", 2),
        ("equity_freeze", "股权冻结", 4),
        ("abnormal_operation", "经营异常", 3),
    ];
    for r in 0..n / 20 {
        let subject_index = if !heads.is_empty() && rng.random_bool(0.3) {
            heads[rng.random_range(0..heads.len())]
        } else {
            rng.random_range(0..company_count)
        };
        let e = &ents[subject_index];
        let (kind, label, severity) = risk_kinds[rng.random_range(0..risk_kinds.len())];
        let value = money(amount(&mut rng, 5.0, 8.0));
        risk.row(&[
            &format!("r{r}"),
            &e.uscc,
            kind,
            &severity.to_string(),
            &days(as_of, -rng.random_range(0..700)),
            &value,
            &format!("{}{}", e.name, label),
            &format!("{}{}，涉及金额{}元。", e.name, label, value),
        ])?;
    }
    for r in 0..n / 100 {
        let person = rng.random_range(0..person_count);
        risk.row(&[
            &format!("rp{r}"),
            &format!("person:p{person}"),
            "share_reduction",
            "2",
            &days(as_of, -rng.random_range(0..300)),
            "",
            &format!("{}减持股份", person_name(person)),
            "董监高减持计划实施。",
        ])?;
    }
    summary.risk_events = risk.finish()?;

    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&summary).unwrap_or_default())?;
    Ok(summary)
}

/// The `as_of` date a generated dataset was made for, from its `manifest.json`.
pub fn manifest_as_of(dir: &Path) -> Option<Date> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("as_of")?.as_str()?.parse().ok()
}

/// `count` synthetic award notices in memory (for index benchmarks), deterministic by seed.
pub fn synthetic_notices(count: usize, seed: u64, as_of: Date) -> Vec<crate::model::Record> {
    use crate::model::{NamedEnterprise, Record, Tender, TenderKind};
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let company = |rng: &mut ChaCha8Rng| {
        let (_, city, _) = REGIONS[rng.random_range(0..REGIONS.len())];
        let trade: String = (0..2).map(|_| *TRADE_CHARS.choose(rng).unwrap_or(&"华")).collect();
        let (_, words) = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())];
        format!("{}{trade}{}有限公司", city.trim_end_matches('市'), words.choose(rng).unwrap_or(&"科技"))
    };
    (0..count)
        .map(|i| {
            let (province, city, _) = REGIONS[rng.random_range(0..REGIONS.len())];
            let buyer = format!("{city}{}", BUYER_KINDS.choose(&mut rng).unwrap_or(&"教育局"));
            let winner = company(&mut rng);
            let project = PROJECTS.choose(&mut rng).unwrap_or(&"工程");
            let value = amount(&mut rng, 5.0, 8.5);
            let published = as_of - chrono::Duration::days(rng.random_range(0..1500));
            let kind = match rng.random_range(0..20) {
                0 => TenderKind::Correction,
                1 => TenderKind::Termination,
                2..=5 => TenderKind::Tender,
                _ => TenderKind::Award,
            };
            let text = format!(
                "{buyer}{project}项目（项目编号：{i:08}）已完成评审。中标人：{winner}；中标金额：{}元；服务期限{}天。\
                 本项目位于{province}{city}，采购内容包括{}及相关配套服务，供应商须具备相应资质，履约保证金为合同金额的{}%。",
                money(value),
                rng.random_range(30..720),
                PROJECTS.choose(&mut rng).unwrap_or(&"工程"),
                rng.random_range(1..10)
            );
            Record::Tender(Tender {
                id: format!("n{i}"),
                kind,
                title: format!("{buyer}{project}项目{}", if kind == TenderKind::Award { "中标结果公告" } else { "公告" }),
                published,
                buyer: Some(NamedEnterprise { name: buyer, id: 0 }),
                winners: vec![NamedEnterprise { name: winner, id: 0 }],
                agency: None,
                amount: Some(value),
                budget: None,
                region: Some(format!("{province}{city}")),
                url: None,
                source: Some("bench".into()),
                text: Some(text),
                extra: Default::default(),
            })
        })
        .collect()
}
