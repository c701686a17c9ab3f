//! Name resolution at national scale: a register of generated enterprises (1,000,000 by default)
//! with the development set's real registered names among them, then real short names and
//! generated trade names resolved one at a time.
//!
//! `cargo bench --bench resolve` (`OPPGRAPH_BENCH_ENTERPRISES` to change the register size).
//! Prints one JSON object: build time and memory, latency per name (median, p90, p99), and the
//! development set's precision and recall with the register's distractors around it.

use oppgraph::model::Enterprise;
use oppgraph::resolve::{Resolution, Resolver};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng as StdRng;
use std::time::Instant;

/// Characters common in trade names (字号), and industry words, for generated names.
const TRADE: &str =
    "华信达鑫盛恒通泰宏昌远兴隆丰源瑞祥安康明伟嘉力创联腾凯宇辰博润新正和永利建中海峰金誉德诚荣汇晟卓\
    天地东南西北大明光宝富贵长城江河山川云星月阳春秋美佳好乐欣雅智慧精工众合同心协顺发展旺佳豪威龙凤\
    鸿运宁静清澄蓝绿红紫青白银铜铁钢石玉林森木水火土方圆正元亨贞吉祥";
const INDUSTRY: &[&str] = &[
    "建设工程",
    "路桥工程",
    "机械制造",
    "电子科技",
    "新材料科技",
    "医药",
    "生物科技",
    "医疗器械",
    "物流",
    "供应链管理",
    "运输",
    "能源",
    "新能源科技",
    "电力工程",
    "信息技术",
    "软件",
    "数据科技",
    "商贸",
    "贸易",
    "农业科技",
    "食品",
    "服饰",
    "装饰设计工程",
    "企业管理咨询",
    "房地产开发",
    "广告传媒",
    "环保科技",
];
const FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"];

/// Resident memory, once the allocator has handed back the pages it freed (mimalloc keeps them
/// a while), so that what the build allocated and dropped on the way (hash tables outgrown,
/// each name's working strings) does not count as the resolver's.
fn rss_mib() -> f64 {
    // SAFETY: `mi_collect` takes no pointers; it frees what mimalloc holds and does not use.
    unsafe { libmimalloc_sys::mi_collect(true) };
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0 / (1024.0 * 1024.0))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let size: usize =
        std::env::var("OPPGRAPH_BENCH_ENTERPRISES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let regions: Vec<&str> = oppgraph::resolve::REGIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let trade: Vec<char> = TRADE.chars().filter(|c| !c.is_whitespace()).collect();
    let mut rng = StdRng::seed_from_u64(7);

    // The development set's real names and short names.
    let dev = std::fs::read_to_string("tests/data/names/short_names_dev.tsv").expect("dev set");
    let pairs: Vec<(String, String)> = dev
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.split('\t');
            Some((cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect();

    let mut names: Vec<String> = Vec::with_capacity(size + pairs.len());
    let mut seen = std::collections::HashSet::new();
    for (full, _) in &pairs {
        if seen.insert(oppgraph::resolve::normalize_name(full)) {
            names.push(full.clone());
        }
    }
    let real = names.len();
    let mut trades = Vec::with_capacity(size);
    while names.len() < real + size {
        let len = if rng.random_bool(0.8) { 2 } else { 3 };
        let t: String = (0..len).map(|_| *trade.choose(&mut rng).unwrap_or(&'华')).collect();
        let region = regions.choose(&mut rng).unwrap_or(&"北京");
        let name = format!(
            "{region}{t}{}{}",
            INDUSTRY.choose(&mut rng).unwrap_or(&"科技"),
            FORMS.choose(&mut rng).unwrap_or(&"有限公司")
        );
        if seen.insert(oppgraph::resolve::normalize_name(&name)) {
            names.push(name);
            trades.push(t);
        }
    }
    let enterprises: Vec<Enterprise> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Enterprise {
            id: i as i64 + 1,
            name: name.clone(),
            // Every registered enterprise has its 统一社会信用代码.
            uscc: Some(oppgraph::resolve::uscc::build(110_108, 10_000_000 + i as u32)),
            ..Default::default()
        })
        .collect();
    drop(seen);

    let rss_before = rss_mib();
    let started = Instant::now();
    let resolver = Resolver::from_enterprises(&enterprises);
    let build_seconds = started.elapsed().as_secs_f64();
    let resolver_mib = rss_mib() - rss_before;

    // Queries: every real short name, and generated trade names of registered firms.
    let mut queries: Vec<&str> = pairs.iter().map(|(_, short)| short.as_str()).collect();
    for _ in 0..5_000 {
        queries.push(trades.choose(&mut rng).map(String::as_str).unwrap_or("华信"));
    }
    let mut micros = Vec::with_capacity(queries.len());
    let mut linked = 0usize;
    for query in &queries {
        let started = Instant::now();
        let resolution = resolver.resolve_name(query);
        micros.push(started.elapsed().as_secs_f64() * 1e6);
        linked += matches!(resolution, Resolution::Linked { .. }) as usize;
    }
    micros.sort_by(f64::total_cmp);
    let pct = |p: f64| micros[((micros.len() - 1) as f64 * p) as usize];

    // The development set among a million others: do distractors cost precision?
    let ids: std::collections::HashMap<String, i64> = names
        .iter()
        .take(real)
        .enumerate()
        .map(|(i, n)| (oppgraph::resolve::normalize_name(n), i as i64 + 1))
        .collect();
    let (mut dev_linked, mut dev_correct) = (0usize, 0usize);
    for (full, short) in &pairs {
        if let Resolution::Linked { id, .. } = resolver.resolve_name(short) {
            dev_linked += 1;
            dev_correct += (ids.get(&oppgraph::resolve::normalize_name(full)) == Some(&id)) as usize;
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "enterprises": names.len(),
            "build_seconds": (build_seconds * 100.0).round() / 100.0,
            "resolver_mib": resolver_mib.round(),
            "bytes_per_enterprise": (resolver_mib * 1024.0 * 1024.0 / names.len() as f64).round(),
            "queries": queries.len(),
            "linked": linked,
            "median_us": (pct(0.5) * 10.0).round() / 10.0,
            "p90_us": (pct(0.9) * 10.0).round() / 10.0,
            "p99_us": (pct(0.99) * 10.0).round() / 10.0,
            "dev_short_names": pairs.len(),
            "dev_precision": dev_correct as f64 / dev_linked.max(1) as f64,
            "dev_recall": dev_correct as f64 / pairs.len().max(1) as f64,
        })
    );
}
