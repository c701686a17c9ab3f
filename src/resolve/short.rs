//! The short-name model: how a registered name can be shortened, and how well a short name fits.
//!
//! A registered name is read as words: leading regions (湖北, 柳州市), a national prefix (中国,
//! 国家, 中华), the trade name and industry words (split by jieba: 铁道 / 建筑, 国家开发银行 ->
//! 国家 / 开发 / 银行), and an organisational form (集团, 股份, 控股, 有限公司), kept aside as
//! flags. A short name is the words' characters in order, each word giving all of itself, a
//! prefix, its first character (国开行 ← 国家开发银行), its last character (中国海油 ← 海洋石油)
//! or nothing. Each choice costs (see [`Costs`]); the cheapest reading of the short name against
//! a registered name is its fit. Forms the short name carries (宏华集团, 马鞍山钢铁股份) must be
//! the registered name's: a 集团 short name never fits a company that is not one.
//!
//! Candidates come from a character index: the short name's rarest character's postings, kept
//! only where a 64-bit character signature holds every other character, then read exactly.

use super::{is_region, leading_places, normalize_name};
use crate::extract::tokenize::jieba;
use hashbrown::HashTable;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64;

/// What a word of a registered name is, for what leaving it out costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A place (湖北省, 柳州, a bracketed 上海): free to leave out.
    Region,
    /// 中国, 国家, 中华 at the start: free to leave out, or shortened to its first character.
    Nation,
    /// The trade name and industry words.
    Core,
    /// 控股 at the end: free to leave out, or shortened to 控 (中远海控 ← 中远海运控股).
    Form,
}

/// Organisational forms, as flags.
const GROUP: u8 = 1;
const SHARES: u8 = 2;
const HOLDING: u8 = 4;

/// The forms a name ends with (longest first), and the flags each carries.
const FORMS: &[(&str, u8)] = &[
    ("集团股份有限公司", GROUP | SHARES),
    ("控股集团有限公司", HOLDING | GROUP),
    ("集团控股有限公司", GROUP | HOLDING),
    ("控股股份有限公司", HOLDING | SHARES),
    ("股份有限公司", SHARES),
    ("集团有限公司", GROUP),
    ("控股有限公司", HOLDING),
    ("有限责任公司", 0),
    ("股份公司", SHARES),
    ("集团公司", GROUP),
    ("有限公司", 0),
    ("有限合伙", 0),
    ("总公司", 0),
    ("公司", 0),
    ("集团", GROUP),
    ("股份", SHARES),
    ("控股", HOLDING),
];

/// What each reading choice costs. A fit costs the sum over the words of the registered name.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    /// A word shortened to its first character or a prefix (中国 -> 中, 核工业 -> 核).
    pub first: f64,
    /// A word shortened to a longer prefix (太平 for 太平洋): mostly another name.
    pub partial: f64,
    /// A word shortened to its last character (石油 -> 油, 银行 -> 行).
    pub last: f64,
    /// A word of the trade name left out after the short name ended (国联 for 国联运输).
    pub trailing: f64,
    /// A word left out inside the short name (三峡集团 for 长江三峡集团).
    pub inner: f64,
    /// A trade-name word left out before the short name starts (秋旭 for 湘阴秋旭服饰, with 湘阴
    /// an unlisted place): the short name may be the tail of another trade name.
    pub leading: f64,
    /// A region the short name names but the registered name does not carry.
    pub extra_region: f64,
    /// 中国 or 国家 shortened to 中 or 国: how the national groups are named (中核, 国药).
    pub nation: f64,
    /// A two-character short name made only of initials of trade-name words (同建 against
    /// 同方建设): coincidences of two characters are common, so such a reading is weak.
    pub initials_pair: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            first: 0.5,
            partial: 1.5,
            last: 0.75,
            trailing: 0.25,
            inner: 0.75,
            leading: 1.0,
            extra_region: 0.5,
            nation: 0.25,
            initials_pair: 1.0,
        }
    }
}

/// How a short name was read against a registered name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub cost: f64,
    /// Every word used was used whole or as a prefix, from the first trade-name word on.
    pub literal: bool,
    /// A trade-name word before the short name's first one was left out (湘阴秋旭 for 秋旭).
    pub after_place: bool,
    /// Every trade-name word was used whole: the short name is the registered name without its
    /// form (and perhaps regions): 招商局集团 for 招商局集团有限公司.
    pub exact: bool,
}

/// A registered name read as words.
#[derive(Debug, Clone)]
pub struct Shape {
    chars: Box<[char]>,
    /// End (exclusive, in chars) of each word.
    /// End (exclusive, in chars) and kind of each word.
    words: Box<[(u8, Kind)]>,
    forms: u8,
}

impl Shape {
    fn words(&self) -> impl Iterator<Item = (&[char], Kind)> + '_ {
        let mut start = 0usize;
        self.words.iter().map(move |&(end, kind)| {
            let word = &self.chars[start..end as usize];
            start = end as usize;
            (word, kind)
        })
    }

    fn has_region(&self) -> bool {
        self.words.iter().any(|(_, kind)| *kind == Kind::Region)
    }
}

/// The organisational form at the end of a normalised name (brackets removed): the rest and the
/// flags. Repeats, so 集团股份 and (集团)有限公司 both come off.
fn split_forms(name: &str) -> (String, u8) {
    let mut rest = name.to_string();
    let mut flags = 0u8;
    loop {
        let before = rest.len();
        for (form, flag) in FORMS {
            if let Some(stem) = rest.strip_suffix(form) {
                if stem.chars().count() >= 2 {
                    rest = stem.to_string();
                    flags |= flag;
                    break;
                }
            }
        }
        if rest.len() == before {
            return (rest, flags);
        }
    }
}

/// Words of a trade-name part: jieba's words, with words of four or more characters split into
/// their dictionary sub-words (国家开发银行 -> 国家 / 开发 / 银行), so that each can be shortened.
fn core_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in jieba().cut(text, true) {
        let chars: Vec<char> = word.word.chars().collect();
        if chars.len() < 4 {
            out.push(word.word.to_string());
            continue;
        }
        let parts: Vec<Vec<char>> = jieba()
            .cut_for_search(word.word, false)
            .into_iter()
            .map(|t| t.word.chars().collect::<Vec<char>>())
            .filter(|w| w.len() >= 2 && w.len() < chars.len())
            .collect();
        // The partition into sub-words that leaves the fewest characters alone, then has the most
        // words (电子科技 -> 电子 / 科技, not 电子科 / 技).
        let n = chars.len();
        let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; n + 1]; // (singles, -words, from)
        best[0] = Some((0, 0, 0));
        for at in 0..n {
            let Some((singles, words, _)) = best[at] else { continue };
            let mut offer = |to: usize, single: bool| {
                let candidate = (singles + single as usize, words + 1, at);
                let better = best[to]
                    .is_none_or(|(s, w, _)| (candidate.0, usize::MAX - candidate.1) < (s, usize::MAX - w));
                if better {
                    best[to] = Some(candidate);
                }
            };
            offer(at + 1, true);
            for part in &parts {
                if chars[at..].starts_with(part) {
                    offer(at + part.len(), false);
                }
            }
        }
        let mut cuts = vec![n];
        let mut at = n;
        while at > 0 {
            at = best[at].map_or(0, |(_, _, from)| from);
            cuts.push(at);
        }
        cuts.reverse();
        // Characters left alone next to each other stay one word (an unknown trade name).
        let mut pending = String::new();
        for pair in cuts.windows(2) {
            let piece: String = chars[pair[0]..pair[1]].iter().collect();
            if pair[1] - pair[0] == 1 {
                pending.push_str(&piece);
            } else {
                if !pending.is_empty() {
                    out.push(std::mem::take(&mut pending));
                }
                out.push(piece);
            }
        }
        if !pending.is_empty() {
            out.push(pending);
        }
    }
    out
}

/// Reads a registered (or short) name as words.
pub(super) fn shape(name: &str) -> Shape {
    let normalized = normalize_name(name);
    // The form comes off the end first, a bracketed one too: 华润(集团)有限公司 is a group, but
    // 三峡新能源(集团)股份有限公司 is a joint-stock company. 控股 stays readable as a word.
    let (mut rest, mut flags) = split_forms(&normalized);
    let holding = flags & HOLDING != 0 && normalized[rest.len()..].starts_with("控股");
    while let Some(open) = rest.strip_suffix(')').and_then(|r| r.rfind('(')) {
        let inside = &rest[open + 1..rest.len() - 1];
        let (stem, inner) = split_forms(inside);
        if !(stem.is_empty() || FORMS.iter().any(|(form, _)| *form == inside)) || open < 2 {
            break;
        }
        if flags == 0 {
            flags |= inner | FORMS.iter().find(|(form, _)| *form == inside).map_or(0, |f| f.1);
        }
        rest = rest[..open].to_string();
    }
    // Bracketed parts inside: a region stays a region word, anything else is text.
    let mut pieces: Vec<(String, Option<Kind>)> = Vec::new();
    let mut tail = rest.as_str();
    while let Some(open) = tail.find('(') {
        let Some(close) = tail[open..].find(')').map(|c| open + c) else { break };
        pieces.push((tail[..open].to_string(), None));
        let inside = &tail[open + 1..close];
        if let Some((_, flag)) = FORMS.iter().find(|(form, _)| *form == inside) {
            // 中国通用技术(集团)控股 is a group too.
            flags |= flag;
        } else if is_region(inside) {
            pieces.push((inside.to_string(), Some(Kind::Region)));
        } else {
            pieces.push((inside.to_string(), None));
        }
        tail = &tail[close + 1..];
    }
    pieces.push((tail.to_string(), None));
    if holding {
        pieces.push(("控股".to_string(), Some(Kind::Form)));
    }
    let mut words: Vec<(String, Kind)> = Vec::new();
    let mut first_plain = true;
    for (text, kind) in pieces {
        if text.is_empty() {
            continue;
        }
        if let Some(kind) = kind {
            words.push((text, kind));
            continue;
        }
        let mut text = text;
        if first_plain {
            // Leading places: 湖北省 / 宜昌市 / 夷陵区 ...
            for place in leading_places(&text) {
                text = text[place.len()..].to_string();
                words.push((place, Kind::Region));
            }
            for nation in ["中华人民共和国", "中国", "国家", "中华"] {
                if text.starts_with(nation) && text.chars().count() > nation.chars().count() + 1 {
                    words.push((nation.to_string(), Kind::Nation));
                    text = text[nation.len()..].to_string();
                    break;
                }
            }
            first_plain = false;
        }
        for word in core_words(&text) {
            words.push((word, Kind::Core));
        }
    }
    let mut chars = Vec::new();
    let mut ends: Vec<(u8, Kind)> = Vec::new();
    for (word, kind) in words {
        chars.extend(word.chars());
        // Names longer than 255 characters are not short-name material; stop there.
        if chars.len() > u8::MAX as usize {
            chars.truncate(ends.last().map_or(0, |e| e.0 as usize));
            break;
        }
        ends.push((chars.len() as u8, kind));
    }
    Shape { chars: chars.into(), words: ends.into(), forms: flags }
}

/// The name's words without its regions (and without its form, which a shape sets aside).
pub(super) fn core(name: &str) -> String {
    shape(name).words().filter(|(_, kind)| *kind != Kind::Region).flat_map(|(word, _)| word.iter()).collect()
}

/// A short name as written: its characters with the form it carries taken off.
#[derive(Debug, Clone)]
pub struct Query {
    chars: Vec<char>,
    forms: u8,
    /// Characters of a leading region, which a registered name without regions may lack.
    region_len: usize,
}

impl Query {
    pub fn new(short: &str) -> Self {
        let normalized: String = normalize_name(short).chars().filter(|c| !matches!(c, '(' | ')')).collect();
        let normalized = strip_stock_marks(&normalized);
        let (stem, forms) = split_forms(&normalized);
        let region_len = leading_places(&stem).iter().map(|p| p.chars().count()).sum();
        Query { chars: stem.chars().collect(), forms, region_len }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// The short name says what the enterprise is (集团, 股份, 控股).
    pub fn states_form(&self) -> bool {
        self.forms != 0
    }
}

/// A stock short name's trading marks: *ST, ST, S*ST, XD, XR, DR, N and C in front, the share
/// class (A, B, H) behind: `*ST沈机` -> `沈机`, `万科A` -> `万科`. Only when Han characters remain.
fn strip_stock_marks(name: &str) -> String {
    let mut rest = name;
    for mark in ["*ST", "XST", "S*ST", "SST", "ST", "XD", "XR", "DR", "N", "C"] {
        if let Some(tail) = rest.strip_prefix(mark) {
            if tail.chars().next().is_some_and(super::is_han) {
                rest = tail;
                break;
            }
        }
    }
    if let Some(head) = rest.strip_suffix(['A', 'B', 'H']) {
        if head.chars().last().is_some_and(super::is_han) {
            rest = head;
        }
    }
    rest.to_string()
}

/// The cheapest reading of `query` against `shape`, if there is one that uses a trade-name word.
fn fit(shape: &Shape, query: &Query, costs: &Costs) -> Option<Fit> {
    // A form the short name states must be the registered name's (公司 is everybody's).
    if query.forms & !shape.forms != 0 {
        return None;
    }
    let whole = read(shape, &query.chars, query.region_len, query.forms, costs);
    // The rest must still name something (南昌银行 without 南昌 is any bank), from the trade
    // name's start: 张家口市商业银行 is not 南洋商业银行 with 南洋 left out.
    let without_region = (query.region_len > 0 && query.len() - query.region_len >= 3 && !shape.has_region())
        .then(|| read(shape, &query.chars[query.region_len..], 0, query.forms, costs))
        .flatten()
        .filter(|f| !f.after_place)
        .map(|f| Fit { cost: f.cost + costs.extra_region, ..f });
    match (whole, without_region) {
        (Some(a), Some(b)) => Some(if b.cost < a.cost { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The level a place may be written with or without (张家口市 for 张家口).
fn is_level(c: &char) -> bool {
    matches!(c, '市' | '省' | '县' | '区')
}

/// Short names longer than this are not read (a registered name is matched exactly instead).
const MAX_QUERY: usize = 16;

/// The dynamic programme over (word, query position). Each state keeps the cheapest cost and
/// whether that reading is literal so far; `used_core` says a trade-name word was used.
/// `place` is the length of the place the query starts with (0 when none).
fn read(shape: &Shape, query: &[char], place: usize, forms: u8, costs: &Costs) -> Option<Fit> {
    #[derive(Clone, Copy)]
    struct State {
        cost: f64,
        literal: bool,
        after_place: bool,
        used_core: bool,
        /// Every character came from a word's first or last character alone.
        initials: bool,
        /// A national prefix (中国 -> 中) was used.
        nation: bool,
        /// No trade-name word left out or shortened.
        whole: bool,
    }
    let m = query.len();
    if !(2..MAX_QUERY).contains(&m) {
        return None;
    }
    let mut states: [Option<State>; MAX_QUERY + 1] = [None; MAX_QUERY + 1];
    states[0] = Some(State {
        cost: 0.0,
        literal: true,
        after_place: false,
        used_core: false,
        initials: true,
        nation: false,
        whole: true,
    });
    for (word, kind) in shape.words() {
        let kind = &kind;
        let mut next: [Option<State>; MAX_QUERY + 1] = [None; MAX_QUERY + 1];
        let mut offer = |at: usize, state: State| {
            if next[at].is_none_or(|s| state.cost < s.cost) {
                next[at] = Some(state);
            }
        };
        for (i, state) in states.iter().enumerate().take(m + 1) {
            let Some(state) = *state else { continue };
            // Leave the word out.
            let skip = match kind {
                Kind::Region | Kind::Nation => 0.0,
                // 国药控股 is not 国药股份: leaving 控股 out is leaving a word out, unless the short
                // name states it as its form.
                Kind::Form if forms & HOLDING != 0 => 0.0,
                Kind::Form => costs.trailing,
                Kind::Core if i == m => costs.trailing,
                Kind::Core if !state.used_core => costs.leading,
                Kind::Core => costs.inner,
            };
            let leading = *kind == Kind::Core && !state.used_core && i < m;
            offer(
                i,
                State {
                    cost: state.cost + skip,
                    literal: state.literal && !(*kind == Kind::Core && i > 0 && i < m),
                    after_place: state.after_place || leading,
                    whole: state.whole
                        && (*kind != Kind::Core)
                        && (*kind != Kind::Form || forms & HOLDING != 0),
                    ..state
                },
            );
            if i == m {
                continue;
            }
            let rest = &query[i..];
            let used = State {
                used_core: state.used_core || *kind == Kind::Core,
                nation: state.nation || *kind == Kind::Nation,
                ..state
            };
            // The whole word, or a prefix of it.
            let common = word.iter().zip(rest).take_while(|(a, b)| a == b).count();
            for len in 1..=common {
                let cost = if len == word.len() {
                    0.0
                } else {
                    match kind {
                        // 柳州 for 柳州市, free; 马 for 马鞍山 (马钢), 哈 for 哈尔滨 (哈电) cost.
                        Kind::Region if len >= 2 => 0.0,
                        Kind::Region | Kind::Form => costs.first,
                        Kind::Nation => costs.nation,
                        Kind::Core if len == 1 => costs.first,
                        Kind::Core => costs.partial,
                    }
                };
                let literal = used.literal && (len == word.len() || *kind == Kind::Region || len > 1);
                let initials = used.initials && len == 1 && (word.len() > 1 || *kind != Kind::Core);
                let whole = used.whole && (len == word.len() || *kind == Kind::Region);
                offer(i + len, State { cost: used.cost + cost, literal, initials, whole, ..used });
            }
            // A place written with its level where the registered name has none (张家口市银行
            // for 张家口银行).
            if (*kind == Kind::Region || (i == 0 && place == common + 1))
                && common == word.len()
                && rest.get(common).is_some_and(is_level)
                && word.last().is_some_and(|c| !is_level(c))
            {
                offer(i + common + 1, State { cost: used.cost, ..used });
            }
            // The first character and later ones of a long word (储粮 for 储备粮, 研院 for 研究院).
            if *kind == Kind::Core && word.len() >= 3 && word.first() == rest.first() {
                let mut at = 1usize;
                for (k, c) in word.iter().enumerate().skip(1) {
                    if rest.get(at) == Some(c) {
                        at += 1;
                        // Contiguous prefixes were offered above.
                        if at < k + 1 {
                            let state = State {
                                cost: used.cost + costs.partial,
                                literal: false,
                                whole: false,
                                ..used
                            };
                            offer(i + at, state);
                        }
                    }
                }
            }
            // The last character (油 for 石油, 行 for 银行, 国 for 中国).
            let may_start = *kind == Kind::Nation || i > 0;
            if matches!(kind, Kind::Core | Kind::Nation)
                && may_start
                && word.len() >= 2
                && word.last() == rest.first()
            {
                let cost = if *kind == Kind::Nation { 2.0 * costs.nation } else { costs.last };
                offer(i + 1, State { cost: used.cost + cost, literal: false, whole: false, ..used });
            }
        }
        states = next;
    }
    let end = states[m]?;
    let weak = m == 2 && end.initials && !end.nation;
    let cost = end.cost + if weak { costs.initials_pair } else { 0.0 };
    end.used_core.then_some(Fit {
        cost,
        literal: end.literal,
        after_place: end.after_place,
        exact: end.whole,
    })
}

/// Registered names read as words, with an index of the character pairs a short name can start
/// with.
#[derive(Debug, Default)]
pub struct ShortNames {
    costs: Costs,
    shapes: Vec<Shape>,
    ids: Vec<i64>,
    signatures: Vec<u64>,
    /// Enterprise id -> its slot: the table holds the slot, hashed by `ids[slot]`.
    slots: HashTable<u32>,
    /// (first, second) character of a reading -> names. A reading's first character is a word's
    /// first character (or 国 of 中国); its second is later in that word, or the first or last
    /// character of one of the next words.
    starts: HashMap<u64, Vec<u32>>,
    /// Names with the same words once forms are set aside (a group and its listed company), by
    /// a hash of the words: the first name, and any others (rare) apart.
    families: HashMap<u64, u32>,
    family_more: HashMap<u64, Vec<u32>>,
}

/// How many words a reading may leave out between two characters and still be found.
const REACH: usize = 4;

fn signature(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |s, c| s | 1u64 << ((*c as u32).wrapping_mul(0x9E37_79B1) >> 26))
}

fn id_hash(id: i64) -> u64 {
    xxh3_64(&id.to_le_bytes())
}

fn pair(a: char, b: char) -> u64 {
    (a as u64) << 32 | b as u64
}

fn words_hash(chars: &[char]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    chars.hash(&mut hasher);
    hasher.finish()
}

/// The (first, second) character pairs a reading of `shape` can start with.
fn start_pairs(shape: &Shape) -> Vec<u64> {
    let words: Vec<(&[char], Kind)> = shape.words().collect();
    let mut out = Vec::new();
    for (i, (word, kind)) in words.iter().enumerate() {
        let mut anchors = vec![0usize];
        if *kind == Kind::Nation && word.len() >= 2 {
            anchors.push(word.len() - 1);
        }
        for at in anchors {
            let first = word[at];
            for c in &word[at + 1..] {
                out.push(pair(first, *c));
            }
            for (next, next_kind) in words.iter().skip(i + 1).take(REACH) {
                out.push(pair(first, next[0]));
                if matches!(next_kind, Kind::Core | Kind::Nation) && next.len() >= 2 {
                    out.push(pair(first, next[next.len() - 1]));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl ShortNames {
    /// Files a name read as words ([`shape`]) under `id`, and returns the slot that holds it: one per
    /// enterprise, given in order from 0 and kept when it is inserted again (a new one after
    /// [`ShortNames::forget`]).
    pub(super) fn insert(&mut self, id: i64, shape: Shape) -> u32 {
        let slot = match self.slot(id) {
            Some(slot) => slot,
            None => {
                let slot = self.shapes.len() as u32;
                let ids = &self.ids;
                self.slots.insert_unique(id_hash(id), slot, |&s| id_hash(ids[s as usize]));
                self.shapes.push(shape.clone());
                self.ids.push(id);
                self.signatures.push(0);
                slot
            }
        };
        // A renamed enterprise keeps its old postings: harmless, the exact reading decides.
        for key in start_pairs(&shape) {
            let list = self.starts.entry(key).or_default();
            if list.last() != Some(&slot) {
                list.push(slot);
            }
        }
        self.signatures[slot as usize] = signature(&shape.chars);
        let hash = words_hash(&shape.chars);
        match self.families.get(&hash) {
            None => {
                self.families.insert(hash, slot);
            }
            Some(&first) if first != slot => {
                let more = self.family_more.entry(hash).or_default();
                if !more.contains(&slot) {
                    more.push(slot);
                }
            }
            Some(_) => {}
        }
        self.shapes[slot as usize] = shape;
        slot
    }

    /// The slot [`ShortNames::insert`] gave `id`, unless it was forgotten.
    pub fn slot(&self, id: i64) -> Option<u32> {
        self.slots.find(id_hash(id), |&s| self.ids[s as usize] == id).copied()
    }

    /// The enterprise a slot was given to (a forgotten one's too).
    pub fn id_at(&self, slot: u32) -> i64 {
        self.ids[slot as usize]
    }

    /// How many enterprises are known (inserted and not forgotten).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// The other known names with the same words as `id`'s, forms set aside.
    pub fn family(&self, id: i64) -> Vec<i64> {
        let Some(slot) = self.slot(id) else { return Vec::new() };
        let chars = &self.shapes[slot as usize].chars;
        let hash = words_hash(chars);
        self.families
            .get(&hash)
            .into_iter()
            .chain(self.family_more.get(&hash).into_iter().flatten())
            .filter(|&&other| other != slot && self.shapes[other as usize].chars == *chars)
            .map(|&other| self.ids[other as usize])
            .collect()
    }

    pub fn forget(&mut self, id: i64) {
        let ids = &self.ids;
        if let Ok(entry) = self.slots.find_entry(id_hash(id), |&s| ids[s as usize] == id) {
            let slot = entry.remove().0;
            // A forgotten slot keeps its family entry; its emptied shape never matches a family.
            self.signatures[slot as usize] = 0;
            self.shapes[slot as usize] = Shape { chars: [].into(), words: [].into(), forms: 0 };
        }
    }

    /// Every registered name `query` fits, with the fit, cheapest first.
    pub fn fits(&self, query: &Query) -> Vec<(i64, Fit)> {
        if query.len() < 2 {
            return Vec::new();
        }
        let q = &query.chars;
        // The first pair of characters after a leading region or 中国 / 国家 in the short name:
        // those align with the registered name's own region and national words, so the pair
        // after them starts a word (重庆银行 is looked up by 银行, not by 重庆).
        let lead = query.region_len + usize::from(q[query.region_len..].starts_with(&['中', '国'])) * 2;
        let lead = if q.len() >= lead + 2 { lead } else { 0 };
        let slots: &[u32] = self.starts.get(&pair(q[lead], q[lead + 1])).map_or(&[], Vec::as_slice);
        // Characters every fit holds: all of them, or those past a region the name may lack.
        let r = query.region_len;
        // A region's level (市, 省) may be the query's alone (张家口市银行 for 张家口银行).
        let from = if r > 0 && q.len() - r >= 3 { r } else { 0 };
        let level = r.checked_sub(1).filter(|&at| from == 0 && is_level(&q[at]));
        let held: Vec<char> =
            q[from..].iter().enumerate().filter(|(i, _)| Some(from + i) != level).map(|(_, c)| *c).collect();
        let wanted = signature(&held);
        let mut out: Vec<(i64, Fit)> = Vec::new();
        // Two fits this good already make the answer a review whatever else fits (see
        // `super::SHORT_NAME_MARGIN`); past that, a common trade name's hundreds of firms
        // need not all be read. A short name that states a form can still link an exact fit.
        let settled = |fit: &Fit| fit.exact || (!query.states_form() && fit.cost < TIE_COST);
        let mut good = 0usize;
        for &slot in slots {
            if self.signatures[slot as usize] & wanted != wanted {
                continue;
            }
            if let Some(fit) = fit(&self.shapes[slot as usize], query, &self.costs) {
                good += settled(&fit) as usize;
                out.push((self.ids[slot as usize], fit));
                if good >= 2 && out.len() >= MAX_FITS {
                    break;
                }
            }
        }
        out.sort_by(|a, b| a.1.cost.total_cmp(&b.1.cost).then(a.0.cmp(&b.0)));
        // A person reviews a handful; a common trade name fits hundreds of firms.
        out.truncate(MAX_FITS);
        out
    }
}

/// The most fits returned for one short name.
const MAX_FITS: usize = 32;

/// A fit cheaper than this ties any other for the link decision: the best possible fit (exact,
/// scored [`super::SHORT_NAME_EXACT`]) would not lead it by [`super::SHORT_NAME_MARGIN`].
const TIE_COST: f64 = (super::SHORT_NAME_BASE - super::SHORT_NAME_EXACT + super::SHORT_NAME_MARGIN)
    / super::SHORT_NAME_COST_WEIGHT;

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> Vec<String> {
        shape(name).words().map(|(w, _)| w.iter().collect()).collect()
    }

    fn cost(short: &str, name: &str) -> Option<f64> {
        fit(&shape(name), &Query::new(short), &Costs::default()).map(|f| f.cost)
    }

    #[test]
    fn names_read_as_words_with_forms_aside() {
        assert_eq!(words("国家开发银行"), ["国家", "开发", "银行"]);
        assert_eq!(words("中国铁道建筑集团有限公司"), ["中国", "铁道", "建筑"]);
        let s = shape("华润（集团）有限公司");
        assert_eq!(s.forms, GROUP);
        assert_eq!(words("湖北银行股份有限公司"), ["湖北", "银行"]);
    }

    #[test]
    fn abbreviations_fit_by_word_initials_and_finals() {
        let c = Costs::default();
        assert_eq!(cost("国开行", "国家开发银行"), Some(c.nation + c.first + c.last));
        assert_eq!(cost("中国海油", "中国海洋石油集团有限公司"), Some(c.first + c.last));
        assert_eq!(cost("中储粮集团", "中国储备粮管理集团有限公司"), Some(c.nation + c.partial + c.trailing));
        assert_eq!(cost("中远海控", "中远海运控股股份有限公司"), Some(c.first + c.first));
        // Two initials alone are a weak reading (同建 also fits 同方建设).
        assert_eq!(cost("马钢股份", "马鞍山钢铁股份有限公司"), Some(c.first + c.first + c.initials_pair));
        assert_eq!(cost("重庆银行", "重庆银行股份有限公司"), Some(0.0));
        assert!(cost("重庆银行", "湖北银行股份有限公司").is_none());
        // 南昌银行 without 南昌 is any bank.
        assert!(cost("南昌银行", "中国银行股份有限公司").is_none());
        // A short name that says 集团 is a group.
        assert!(cost("中核集团", "中核国际有限公司").is_none());
        assert!(cost("中核集团", "中国核工业集团有限公司").is_some());
        assert!(cost("三峡集团", "中国三峡新能源（集团）股份有限公司").is_none());
        assert_eq!(cost("东风公司", "东风汽车集团有限公司"), Some(c.trailing));
        // Trading marks and share classes are not part of the name.
        assert_eq!(cost("*ST沈机", "沈阳机床股份有限公司"), cost("沈机", "沈阳机床股份有限公司"));
        assert!(cost("万科A", "万科企业股份有限公司").is_some());
    }

    #[test]
    fn the_index_finds_fits_cheapest_first() {
        let mut names = ShortNames::default();
        names.insert(1, shape("中国铁道建筑集团有限公司"));
        names.insert(2, shape("中国铁建重工集团股份有限公司"));
        names.insert(3, shape("湖北铁建科技有限公司"));
        let fits = names.fits(&Query::new("中国铁建"));
        let ids: Vec<i64> = fits.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.len(), 2, "{fits:?}");
        assert!(ids.contains(&1) && ids.contains(&2));
    }
}
