//! Names -> enterprises.
//!
//! A reference is a 统一社会信用代码 (checked) or a name. Names are normalised (traditional ->
//! simplified, full -> half width, one bracket style, no spaces, 有限责任公司 ≡ 有限公司), then
//! matched by rules that each carry a weight: a human decision, exact code, exact name, alias
//! (former names and the well-known short names in `dictionaries/aliases.tsv`), the same name
//! without its region prefix, and the trade name (字号) — the short name — found at the start
//! of a registered name's core, blocked on its rarest character pair. The outcome is linked
//! (with confidence), needs review (the candidates, scored), or not found (a new enterprise).
//!
//! Boundary: this module knows enterprises only through [`Resolver::insert`]; it never touches
//! the store.

mod names;
mod short;
pub mod uscc;

pub use short::Costs;

use crate::extract::normalize::{fold, is_han};
use crate::model::{Enterprise, EnterpriseId};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

pub const REGIONS: &str = include_str!("../../dictionaries/regions.txt");
pub const ALIAS_LEXICON: &str = include_str!("../../dictionaries/aliases.tsv");
/// The 同位词库: corporate families (a group, its listed company, their short names), one per
/// line. Resolution reads it for which registered names are related; dedup for which leads may
/// be one event.
pub const FAMILY_LEXICON: &str = include_str!("../../dictionaries/synonyms.tsv");

/// Reads a family lexicon (the 同位词库's format): one family per line, names separated by `|`,
/// `#` comments. Each normalised name -> its family's number.
pub fn families(text: &str) -> HashMap<String, usize> {
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let mut out = HashMap::new();
    for (number, line) in lines.enumerate() {
        for name in line.split('|').map(str::trim).filter(|n| !n.is_empty()) {
            out.insert(normalize_name(name), number);
        }
    }
    out
}

/// Canonical form of an enterprise name for exact matching.
pub fn normalize_name(name: &str) -> String {
    let folded = fold(name);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        let c = match c {
            '（' | '〔' | '［' | '【' | '[' | '{' | '﹙' => '(',
            '）' | '〕' | '］' | '】' | ']' | '}' | '﹚' => ')',
            _ => c,
        };
        if c.is_whitespace() || c == '·' || c == '•' || c == '・' {
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    if let Some(stem) = out.strip_suffix("有限责任公司") {
        out = format!("{stem}有限公司");
    }
    out
}

const REGION_SUFFIXES: &[&str] = &[
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "地区",
    "省",
    "市",
    "州",
    "县",
    "区",
    "盟",
    "旗",
];

fn regions() -> &'static HashSet<String> {
    static REGIONS_SET: OnceLock<HashSet<String>> = OnceLock::new();
    REGIONS_SET.get_or_init(|| {
        REGIONS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(normalize_name)
            .collect()
    })
}

/// The longest listed region that `name` starts with.
fn leading_region(name: &str) -> Option<&'static str> {
    let ends: Vec<usize> = name.char_indices().map(|(i, _)| i).skip(2).take(5).collect();
    let ends = ends.into_iter().chain((name.chars().count() <= 6).then_some(name.len()));
    let mut best: Option<&'static str> = None;
    for end in ends {
        if let Some(region) = regions().get(&name[..end]) {
            best = Some(region.as_str());
        }
    }
    best
}

/// A region name, with or without its administrative suffix.
pub(crate) fn is_region(text: &str) -> bool {
    regions().contains(text)
        || REGION_SUFFIXES.iter().any(|s| text.strip_suffix(s).is_some_and(|stem| regions().contains(stem)))
}

/// Strips leading region names (省, 市, 区, 县 ...) and bracketed regions (`澳妆(上海)国际`)
/// from a normalised name. Returns the rest and whether anything was stripped.
pub fn strip_region(normalized: &str) -> (String, Option<String>) {
    let mut stripped = leading_places(normalized).concat();
    let mut rest = normalized[stripped.len()..].to_string();
    // Bracketed regions anywhere: 澳妆(上海)国际贸易 -> 澳妆国际贸易.
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else { break };
        let inside = &rest[open + 1..close];
        if !is_region(inside) || rest.chars().count() - inside.chars().count() < 5 {
            break;
        }
        stripped.push_str(inside);
        rest = format!("{}{}", &rest[..open], &rest[close + 1..]);
    }
    (rest, (!stripped.is_empty()).then_some(stripped))
}

/// The leading region words of a name (湖北省, 宜昌市), each with its administrative suffix,
/// leaving at least two characters.
fn leading_places(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = name;
    loop {
        let mut taken = None;
        if let Some(region) = leading_region(rest) {
            let mut len = region.len();
            if let Some(suffix) = REGION_SUFFIXES.iter().find(|s| rest[len..].starts_with(**s)) {
                len += suffix.len();
            }
            taken = Some(len);
        } else if let Some((place, _)) = generic_place(rest) {
            taken = Some(place.len());
        }
        match taken {
            Some(len) if rest[len..].chars().count() >= 2 => {
                out.push(rest[..len].to_string());
                rest = &rest[len..];
            }
            _ => return out,
        }
    }
}

/// A place not in the list, recognised by its suffix: 1-3 characters then 县 (容县, 故城县),
/// 2-3 then 市, 区 or 旗 (临海市, 宛城区), 2-4 then 镇, 乡 or 街道 (千灯镇, 奎聚街道). The rest must
/// keep at least 3 characters.
fn generic_place(name: &str) -> Option<(String, String)> {
    let chars: Vec<char> = name.chars().collect();
    let suffix_at = |at: usize| -> Option<usize> {
        match chars.get(at)? {
            '县' => Some(1),
            '市' | '区' | '旗' if at >= 2 => Some(1),
            '镇' | '乡' if at >= 2 => Some(1),
            '街' if at >= 2 && chars.get(at + 1) == Some(&'道') => Some(2),
            _ => None,
        }
    };
    for len in 1..=4usize {
        if !chars.iter().take(len).all(|c| is_han(*c)) || chars.len() < len + 4 {
            break;
        }
        if let Some(suffix_len) = suffix_at(len) {
            // 市政, 市场, 区域, 县城 ... are words, not places.
            let next = chars.get(len + suffix_len).copied().unwrap_or(' ');
            let word = format!("{}{next}", chars[len]);
            if ["市政", "市场", "市民", "市容", "区域", "区块", "县城", "县域", "镇江"]
                .contains(&word.as_str())
            {
                continue;
            }
            if len == 4 && !matches!(chars[len], '镇' | '乡' | '街') {
                continue;
            }
            let end = len + suffix_len;
            return Some((chars[..end].iter().collect(), chars[end..].iter().collect()));
        }
    }
    None
}

/// Short-name fits are scored `SHORT_NAME_BASE - SHORT_NAME_COST_WEIGHT * cost` ([`Costs`]), and
/// an exact fit (every trade-name word whole) `SHORT_NAME_EXACT`. One links when it scores at
/// least [`SHORT_NAME_LINK`] (a cost of at most 1.5) and leads the next by [`SHORT_NAME_MARGIN`]
/// (1.75 less cost); when it is the only fit and scores [`SHORT_NAME_SOLE`] (a cost of at most
/// 3); or when the short name states a form (集团, 股份) and this is its only exact fit. Anything
/// closer goes to a person: a group and its own listed company (中国电信) are never guessed.
pub const SHORT_NAME_EXACT: f64 = 0.95;
pub const SHORT_NAME_BASE: f64 = 0.9;
pub const SHORT_NAME_COST_WEIGHT: f64 = 0.05;
pub const SHORT_NAME_LINK: f64 = 0.825;
pub const SHORT_NAME_MARGIN: f64 = 0.0875;
pub const SHORT_NAME_SOLE: f64 = 0.75;

/// Legal forms that make a name a full registered name rather than a short one.
const FULL_LEGAL_FORMS: &[&str] = &["有限公司", "有限责任公司", "有限合伙", "总公司", "分公司"];

/// The name without region and legal form: `柳州国联运输集团有限公司` -> `国联运输`; the words
/// the short-name model reads, regions left out.
pub fn core_name(normalized: &str) -> String {
    short::core(normalized)
}

/// How a reference was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    HumanDecision,
    ExactUscc,
    ExactName,
    Alias,
    NameWithoutRegion,
    TradeNamePrefix,
    /// The trade name right after a short unrecognised place name (湘阴秋旭服饰 for 秋旭).
    TradeNameAfterPlace,
    /// Words shortened to their first or last character, or left out (国开行, 中国海油).
    Abbreviation,
    /// Several fitted about equally; the record's own region named one of them.
    ContextRegion,
}

impl MatchRule {
    /// A reading of a short name ([`short`]), scored by its cost rather than by the rule.
    pub fn is_short_name(self) -> bool {
        matches!(self, MatchRule::TradeNamePrefix | MatchRule::TradeNameAfterPlace | MatchRule::Abbreviation)
    }

    /// The confidence a match by this rule carries on its own; short-name rules are scored by
    /// the fit's cost instead ([`SHORT_NAME_BASE`]).
    pub fn weight(self) -> f64 {
        match self {
            MatchRule::HumanDecision | MatchRule::ExactUscc | MatchRule::ExactName => 1.0,
            MatchRule::NameWithoutRegion => 0.97,
            MatchRule::Alias => 0.95,
            MatchRule::TradeNamePrefix | MatchRule::TradeNameAfterPlace | MatchRule::Abbreviation => 0.95,
            MatchRule::ContextRegion => 0.9,
        }
    }
}

/// A scored candidate with the rules that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: EnterpriseId,
    pub score: f64,
    pub rules: Vec<MatchRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Resolution {
    Linked {
        id: EnterpriseId,
        confidence: f64,
        rule: MatchRule,
    },
    /// Several enterprises fit about equally well, or one fits only weakly: a person decides.
    NeedsReview {
        candidates: Vec<Candidate>,
    },
    NotFound,
}

/// A reference as written in a record: a 统一社会信用代码 or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntRef {
    Uscc(String),
    Name(String),
}

impl EntRef {
    /// Classifies a reference. A code-shaped reference with a bad check character is an error,
    /// not a name: the row that holds it is rejected.
    pub fn parse(raw: &str) -> Result<Self, uscc::UsccError> {
        let raw = raw.trim();
        if uscc::looks_like_uscc(raw) && raw.bytes().any(|b| b.is_ascii_digit()) {
            return uscc::validate(raw).map(EntRef::Uscc);
        }
        Ok(EntRef::Name(raw.to_string()))
    }
}

/// A person's decision about a name: it is this enterprise, or it is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Decision {
    pub name: String,
    /// `None`: not the same as any known enterprise (a new one).
    pub enterprise: Option<EnterpriseId>,
}

/// What a record says around a name it mentions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The record's region as written (湖北省宜昌市).
    pub region: Option<&'a str>,
}

/// The score of a name that is another's once a place is taken out of the middle of one of them
/// (湖北省石嘴山银行 against 湖北银行): under the link threshold, above review.
const PLACE_INSIDE_NAME: f64 = 0.75;

/// Whether two names' leading places line up from the name's end: one list ends with the
/// other (湖北省, 宜昌市 and 宜昌 do; 湖北省, 石嘴山 and 湖北 do not). Places compare without
/// their administrative suffix.
fn places_align(ours: &[String], theirs: &[String]) -> bool {
    let stems = |places: &[String]| -> Vec<String> {
        places.iter().map(|p| strip_region_suffix(p).to_string()).collect::<Vec<_>>()
    };
    let (ours, theirs) = (stems(ours), stems(theirs));
    ours.ends_with(&theirs) || theirs.ends_with(&ours)
}

/// A region without its administrative suffix: 宜昌市 -> 宜昌.
fn strip_region_suffix(region: &str) -> &str {
    REGION_SUFFIXES
        .iter()
        .find_map(|s| region.strip_suffix(s))
        .filter(|r| r.chars().count() >= 2)
        .unwrap_or(region)
}

/// Thresholds: link at or above `link`, when the runner-up trails by `margin`; review at or
/// above `review`.
#[derive(Debug, Clone, Copy)]
pub struct ResolveConfig {
    pub link: f64,
    pub review: f64,
    pub margin: f64,
}

impl Default for ResolveConfig {
    fn default() -> Self {
        ResolveConfig { link: 0.8, review: 0.5, margin: 0.1 }
    }
}

/// In-memory lookup tables over the known enterprises.
#[derive(Debug, Default)]
pub struct Resolver {
    config: ResolveConfig,
    /// 统一社会信用代码 by slot.
    codes: names::CodeTable,
    by_alias: HashMap<String, Vec<EnterpriseId>>,
    /// Registered names read as words, for short names. Its slots (one per enterprise, see
    /// [`short::ShortNames::insert`]) index `names` and `regions`.
    short: short::ShortNames,
    /// Registered names by slot, and every normalised name whole or without its regions.
    names: names::NameTable,
    /// The region prefix stripped from each enterprise's name, by slot: 0 when none, else
    /// one more than its index in `region_names`.
    regions: Vec<u32>,
    region_names: Vec<Box<str>>,
    region_ids: HashMap<Box<str>, u32>,
    /// Lexicon: normalised alias -> normalised full names.
    lexicon: HashMap<String, Vec<String>>,
    /// Normalised names -> their family in the 同位词库.
    families: HashMap<String, usize>,
    /// Registered enterprises that belong to a family of the 同位词库.
    family_of: HashMap<EnterpriseId, usize>,
    /// Enterprises known to be related by control (a group and its subsidiary), both ways.
    related: HashMap<EnterpriseId, Vec<EnterpriseId>>,
    decisions: HashMap<String, Option<EnterpriseId>>,
    /// An enterprise was inserted again under another name.
    renamed: bool,
}

/// What [`Resolver::insert`] reads from an enterprise before it touches the resolver: its
/// name's words, normalised forms and region, and its aliases normalised. The reading is most
/// of an insert's cost and needs nothing of the resolver, so [`Resolver::bulk`] reads on
/// another thread what it inserts.
struct Prepared {
    id: EnterpriseId,
    name: String,
    uscc: Option<String>,
    shape: short::Shape,
    normalized: String,
    regionless: String,
    region: Option<String>,
    aliases: Vec<String>,
}

impl Prepared {
    fn new(enterprise: &Enterprise) -> Prepared {
        let normalized = normalize_name(&enterprise.name);
        let (regionless, region) = strip_region(&normalized);
        Prepared {
            id: enterprise.id,
            name: enterprise.name.clone(),
            uscc: enterprise.uscc.clone(),
            shape: short::shape(&enterprise.name),
            normalized,
            regionless,
            region,
            aliases: enterprise.aliases.iter().map(|alias| normalize_name(alias)).collect(),
        }
    }
}

/// A bulk insert under way ([`Resolver::bulk`]): [`BulkInsert::push`] chunks, then
/// [`BulkInsert::finish`].
pub struct BulkInsert<'r> {
    resolver: &'r mut Resolver,
    send: Option<std::sync::mpsc::SyncSender<Vec<Enterprise>>>,
    prepared: std::sync::mpsc::Receiver<Vec<Prepared>>,
    worker: Option<std::thread::JoinHandle<()>>,
    /// Chunks given to the reader and not inserted yet.
    in_flight: usize,
}

impl BulkInsert<'_> {
    /// Hands a chunk to the reader, and inserts the one before it once read.
    pub fn push(&mut self, chunk: Vec<Enterprise>) {
        if let Some(send) = &self.send {
            if send.send(chunk).is_ok() {
                self.in_flight += 1;
            }
        }
        while self.in_flight > 1 {
            self.insert_next();
        }
    }

    /// Inserts what is still being read, and ends the reader.
    pub fn finish(mut self) {
        self.send = None;
        while self.in_flight > 0 {
            self.insert_next();
        }
        self.join();
    }

    fn insert_next(&mut self) {
        match self.prepared.recv() {
            Ok(prepared) => {
                self.in_flight -= 1;
                for one in prepared {
                    self.resolver.insert_prepared(one);
                }
            }
            // The reader stopped: it panicked, and so does the caller.
            Err(_) => {
                self.in_flight = 0;
                self.join();
            }
        }
    }

    fn join(&mut self) {
        self.send = None;
        if let Some(worker) = self.worker.take() {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

impl Drop for BulkInsert<'_> {
    /// A bulk insert dropped unfinished (its caller failed) stops its reader.
    fn drop(&mut self) {
        self.send = None;
        while self.in_flight > 0 && self.prepared.recv().is_ok() {
            self.in_flight -= 1;
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Resolver {
    pub fn new() -> Self {
        let mut lexicon = HashMap::new();
        for line in ALIAS_LEXICON.lines().filter(|l| !l.starts_with('#')) {
            if let Some((alias, full)) = line.split_once('\t') {
                lexicon.entry(normalize_name(alias)).or_insert_with(Vec::new).push(normalize_name(full));
            }
        }
        Resolver { lexicon, families: families(FAMILY_LEXICON), ..Default::default() }
    }

    /// Records that one enterprise controls another (a group and its subsidiary): a short name
    /// that fits both goes to a person, whichever fits better.
    pub fn relate(&mut self, a: EnterpriseId, b: EnterpriseId) {
        if a != b {
            push_unique(self.related.entry(a).or_default(), b);
            push_unique(self.related.entry(b).or_default(), a);
        }
    }

    /// Whether two enterprises belong together: the same words under another form (a group and
    /// its listed company), one family of the 同位词库, or control recorded by [`Self::relate`].
    fn are_related(&self, a: EnterpriseId, b: EnterpriseId) -> bool {
        self.related.get(&a).is_some_and(|others| others.contains(&b))
            || self.family_of.get(&a).is_some_and(|f| self.family_of.get(&b) == Some(f))
            || self.short.family(a).contains(&b)
    }

    pub fn with_config(mut self, config: ResolveConfig) -> Self {
        self.config = config;
        self
    }

    pub fn from_enterprises<'a>(enterprises: impl IntoIterator<Item = &'a Enterprise>) -> Self {
        let mut resolver = Self::new();
        for enterprise in enterprises {
            resolver.insert(enterprise);
        }
        resolver
    }

    pub fn len(&self) -> usize {
        self.short.len()
    }

    /// Whether an enterprise was inserted again under another name, so its old name still
    /// resolves here: such a resolver should not outlive the import that renamed it.
    pub fn has_renames(&self) -> bool {
        self.renamed
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Honours a person's decision from now on.
    pub fn decide(&mut self, decision: &Decision) {
        self.decisions.insert(normalize_name(&decision.name), decision.enterprise);
    }

    pub fn insert(&mut self, enterprise: &Enterprise) {
        self.insert_prepared(Prepared::new(enterprise));
    }

    /// Inserts enterprises given a chunk at a time, in their order, as [`Resolver::insert`]
    /// one by one would: each chunk is read ([`Prepared`]) on another thread while the chunk
    /// before it is inserted here, and while the caller fetches the next.
    pub fn bulk(&mut self) -> BulkInsert<'_> {
        let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<Enterprise>>(1);
        let (give, prepared) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(1);
        let worker = std::thread::spawn(move || {
            for chunk in chunks {
                if give.send(chunk.iter().map(Prepared::new).collect()).is_err() {
                    break;
                }
            }
        });
        BulkInsert { resolver: self, send: Some(send), prepared, worker: Some(worker), in_flight: 0 }
    }

    fn insert_prepared(&mut self, prepared: Prepared) {
        let Prepared { id, name: registered, uscc, shape, normalized: name, regionless, region, aliases } =
            prepared;
        // A renamed enterprise keeps its old name here too (nothing takes it out): this
        // resolver now knows more than one built afresh would.
        if self.name_of(id).is_some_and(|old| old != registered) {
            self.renamed = true;
        }
        let slot = self.short.insert(id, shape);
        self.codes.insert(slot, uscc.as_deref());
        self.names.insert(slot, &registered, &name, &regionless);
        if let Some(&family) = self.families.get(&name) {
            self.family_of.insert(id, family);
        }
        let region = self.region_index(region.as_deref().unwrap_or_default());
        let slot = slot as usize;
        if slot == self.regions.len() {
            self.regions.push(0);
        }
        self.regions[slot] = region;
        for alias in aliases {
            push_unique(self.by_alias.entry(alias).or_default(), id);
        }
    }

    /// The number of a region's name (0 for none), added when new: as the graph numbers
    /// officers' roles (`graph::edge::Roles`), in 32 bits, since regions are not capped.
    fn region_index(&mut self, region: &str) -> u32 {
        if region.is_empty() {
            return 0;
        }
        if let Some(&number) = self.region_ids.get(region) {
            return number;
        }
        self.region_names.push(region.into());
        let number = self.region_names.len() as u32;
        self.region_ids.insert(region.into(), number);
        number
    }

    /// The region prefix of a known enterprise's name (empty when it has none).
    fn region_of(&self, id: EnterpriseId) -> Option<&str> {
        let number = self.regions[self.short.slot(id)? as usize];
        Some(number.checked_sub(1).map_or("", |i| &*self.region_names[i as usize]))
    }

    /// Forgets an enterprise inserted by a row that was then rejected, so the import's view
    /// matches the store after the row is rolled back. Rare, so it scans.
    pub fn forget(&mut self, id: EnterpriseId) {
        self.by_alias.retain(|_, ids| {
            ids.retain(|v| *v != id);
            !ids.is_empty()
        });
        self.family_of.remove(&id);
        if let Some(others) = self.related.remove(&id) {
            for other in others {
                if let Some(list) = self.related.get_mut(&other) {
                    list.retain(|v| *v != id);
                }
            }
        }
        // Its slot stays, unreachable: `short` no longer gives it.
        if let Some(slot) = self.short.slot(id) {
            self.names.forget(slot);
            self.codes.remove(slot);
        }
        self.short.forget(id);
    }

    /// The registered name of a known enterprise.
    pub fn name_of(&self, id: EnterpriseId) -> Option<&str> {
        Some(self.names.name(self.short.slot(id)?))
    }

    /// The enterprise registered under exactly this (normalised) name or code, if any: for
    /// keying enterprise rows, where a fuzzy match would merge two real companies.
    pub fn exact(&self, reference: &EntRef) -> Option<EnterpriseId> {
        match reference {
            EntRef::Uscc(code) => self.codes.slot(code).map(|slot| self.short.id_at(slot)),
            EntRef::Name(name) => self.names.exact(&normalize_name(name)).map(|slot| self.short.id_at(slot)),
        }
    }

    pub fn resolve(&self, reference: &EntRef) -> Resolution {
        match reference {
            EntRef::Uscc(code) => match self.codes.slot(code).map(|slot| self.short.id_at(slot)) {
                Some(id) => Resolution::Linked { id, confidence: 1.0, rule: MatchRule::ExactUscc },
                None => Resolution::NotFound,
            },
            EntRef::Name(name) => self.resolve_name(name),
        }
    }

    /// Every candidate with its score, best first.
    pub fn candidates(&self, name: &str) -> Vec<Candidate> {
        self.scored(&normalize_name(name)).0
    }

    /// The candidates for a normalised name, best first, and the short name it was read as when
    /// the short-name model ran.
    fn scored(&self, query: &str) -> (Vec<Candidate>, Option<short::Query>) {
        let mut scored: HashMap<EnterpriseId, (f64, Vec<MatchRule>)> = HashMap::new();
        fn add(
            scored: &mut HashMap<EnterpriseId, (f64, Vec<MatchRule>)>,
            id: EnterpriseId,
            rule: MatchRule,
            score: f64,
        ) {
            let entry = scored.entry(id).or_insert((0.0, Vec::new()));
            entry.0 = entry.0.max(score);
            if !entry.1.contains(&rule) {
                entry.1.push(rule);
            }
        }
        if query.is_empty() {
            return (Vec::new(), None);
        }
        if let Some(slot) = self.names.exact(query) {
            add(&mut scored, self.short.id_at(slot), MatchRule::ExactName, 1.0);
        }
        for &id in self.by_alias.get(query).into_iter().flatten() {
            add(&mut scored, id, MatchRule::Alias, MatchRule::Alias.weight());
        }
        for full in self.lexicon.get(query).into_iter().flatten() {
            if let Some(id) = self.names.exact(full).map(|slot| self.short.id_at(slot)) {
                add(&mut scored, id, MatchRule::Alias, MatchRule::Alias.weight());
                // The lexicon names a family, not always the member: when the group and its own
                // listed company (the same words, another form) are both known, a person decides.
                for other in self.short.family(id) {
                    add(&mut scored, other, MatchRule::Alias, MatchRule::Alias.weight());
                }
            }
        }
        // Same name once regions are set aside, when the regions do not contradict each other
        // (湖北省柳州国联 ~ 柳州国联, but 深圳建新商业 is not 南京建新商业).
        let (regionless, region) = strip_region(query);
        let region = region.unwrap_or_default();
        if regionless.chars().count() >= 4 {
            let our_places = leading_places(query);
            for slot in self.names.regionless(&regionless) {
                let id = self.short.id_at(slot);
                let theirs = self.region_of(id).unwrap_or("");
                if theirs.is_empty()
                    || region.is_empty()
                    || region.contains(theirs)
                    || theirs.contains(region.as_str())
                {
                    // A place is written in front of a name, not inside it: 湖北省石嘴山银行 is
                    // 石嘴山银行 with its province before it, and 湖北银行 only with 石嘴山 taken
                    // out of its middle — a person decides that one.
                    let their_places = leading_places(&normalize_name(self.names.name(slot)));
                    let score = if places_align(&our_places, &their_places) {
                        MatchRule::NameWithoutRegion.weight()
                    } else {
                        PLACE_INSIDE_NAME
                    };
                    add(&mut scored, id, MatchRule::NameWithoutRegion, score);
                }
            }
        }
        // A short name, read against every registered name that holds its characters. Only for
        // short names: a full registered-looking name (with a complete legal form) that matched
        // nothing above is a different company, not a short name of a known one.
        let full_form = FULL_LEGAL_FORMS.iter().any(|form| query.ends_with(form));
        // An alias names an enterprise, but not always alone: 中国中铁 is the group's name in
        // the SASAC list and its listed company's registered name. The short-name model still
        // reads the query, and a fit to an enterprise related to an alias's (its group, its
        // listed company, a subsidiary) competes with it; fits to unrelated names do not.
        let aliased: Vec<EnterpriseId> = scored
            .iter()
            .filter(|(_, (_, rules))| rules.iter().all(|r| *r == MatchRule::Alias))
            .map(|(id, _)| *id)
            .collect();
        let mut read_as = None;
        if (scored.is_empty() || aliased.len() == scored.len()) && !full_form {
            let short_query = short::Query::new(query);
            for (id, fit) in self.short.fits(&short_query) {
                if !aliased.is_empty() && !aliased.iter().any(|&a| a == id || self.are_related(a, id)) {
                    continue;
                }
                let rule = if fit.after_place {
                    MatchRule::TradeNameAfterPlace
                } else if fit.literal {
                    MatchRule::TradeNamePrefix
                } else {
                    MatchRule::Abbreviation
                };
                let score = if fit.exact {
                    SHORT_NAME_EXACT
                } else {
                    (SHORT_NAME_BASE - SHORT_NAME_COST_WEIGHT * fit.cost).max(0.0)
                };
                // Scores are compared for ties: keep them off floating-point noise.
                add(&mut scored, id, rule, (score * 1e6).round() / 1e6);
            }
            read_as = Some(short_query);
        }
        let mut out: Vec<Candidate> =
            scored.into_iter().map(|(id, (score, rules))| Candidate { id, score, rules }).collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        (out, read_as)
    }

    /// Resolves a name as written in a record, with what the record says around it: when
    /// several enterprises fit about equally and exactly one of them is registered in the
    /// record's region (湖北省宜昌市 for 宜昌中环 among 中环 firms), that one is linked, with
    /// the rule [`MatchRule::ContextRegion`] saying why.
    pub fn resolve_in(&self, reference: &EntRef, context: &Context<'_>) -> Resolution {
        let resolution = self.resolve(reference);
        let (Resolution::NeedsReview { candidates }, Some(region)) = (&resolution, context.region) else {
            return resolution;
        };
        let region = normalize_name(region);
        if region.is_empty() {
            return resolution;
        }
        let best = candidates.first().map_or(0.0, |c| c.score);
        let in_region: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| c.score >= self.config.review.max(best - self.config.margin))
            .filter(|c| {
                self.region_of(c.id).is_some_and(|theirs| {
                    let (short, ours) = (strip_region_suffix(theirs), strip_region_suffix(&region));
                    short.chars().count() >= 2 && (region.contains(short) || theirs.contains(ours))
                })
            })
            .collect();
        match in_region.as_slice() {
            [only] => {
                Resolution::Linked { id: only.id, confidence: only.score, rule: MatchRule::ContextRegion }
            }
            _ => resolution,
        }
    }

    pub fn resolve_name(&self, name: &str) -> Resolution {
        let query = normalize_name(name);
        if let Some(decision) = self.decisions.get(&query) {
            return match decision {
                Some(id) => Resolution::Linked { id: *id, confidence: 1.0, rule: MatchRule::HumanDecision },
                None => Resolution::NotFound,
            };
        }
        let resolution = self.resolve_query(&query);
        if !matches!(resolution, Resolution::NotFound) {
            return resolution;
        }
        // Written forms that hide a name: a legal form cut short by a fixed-width field
        // (`…股份有限公`), a stock's short name with its share class and exchange (`深康佳A`).
        for variant in written_variants(&query) {
            let resolution = self.resolve_query(&variant);
            if !matches!(resolution, Resolution::NotFound) {
                return resolution;
            }
        }
        Resolution::NotFound
    }

    /// Whether a candidate related to the best one fits nearly as well.
    fn contested(&self, best: &Candidate, candidates: &[Candidate]) -> bool {
        candidates.iter().any(|c| {
            c.id != best.id && c.score >= best.score - RELATED_MARGIN && self.are_related(best.id, c.id)
        })
    }

    fn resolve_query(&self, query: &str) -> Resolution {
        // A registered name read exactly decides, as `scored` would rank it: no other rule
        // scores 1.0 (`MatchRule::weight`), so the other readings (every city's 财政局 for
        // `宜昌市财政局` once regions are set aside) cannot change the outcome.
        if let Some(slot) = self.names.exact(query) {
            return Resolution::Linked {
                id: self.short.id_at(slot),
                confidence: 1.0,
                rule: MatchRule::ExactName,
            };
        }
        let query = query.to_string();
        let (candidates, read_as) = self.scored(&query);
        let Some(best) = candidates.first() else { return Resolution::NotFound };
        let runner_up = candidates.get(1).map_or(0.0, |c| c.score);
        if best.rules.iter().all(|rule| rule.is_short_name()) {
            // The only fit at all, and a fair one: nothing else in the register reads as it.
            let sole = candidates.len() == 1 && best.score >= SHORT_NAME_SOLE;
            // 招商局集团 is 招商局集团有限公司 without its last words, not 招商局港口集团.
            let exact = best.score >= SHORT_NAME_EXACT
                && runner_up < SHORT_NAME_EXACT
                && read_as.as_ref().is_some_and(short::Query::states_form);
            let leads = best.score >= SHORT_NAME_LINK && best.score - runner_up >= SHORT_NAME_MARGIN - 1e-9;
            if (sole || exact || leads) && !self.contested(best, &candidates) {
                return Resolution::Linked { id: best.id, confidence: best.score, rule: best.rules[0] };
            }
        } else if best.score >= 1.0 && runner_up < 1.0 {
            return Resolution::Linked { id: best.id, confidence: best.score, rule: best.rules[0] };
        }
        if best.score >= self.config.link
            && best.score - runner_up >= self.config.margin
            && !self.contested(best, &candidates)
        {
            // The strongest rule, the first named on a tie (an alias before the short-name
            // reading that agrees with it).
            let rule = best
                .rules
                .iter()
                .copied()
                .reduce(|a, b| if b.weight() > a.weight() { b } else { a })
                .unwrap_or(MatchRule::Alias);
            return Resolution::Linked { id: best.id, confidence: best.score, rule };
        }
        if best.score >= self.config.review {
            let keep: HashSet<EnterpriseId> = candidates.iter().take(10).map(|c| c.id).collect();
            return Resolution::NeedsReview {
                candidates: candidates.into_iter().filter(|c| keep.contains(&c.id)).collect(),
            };
        }
        Resolution::NotFound
    }
}

/// How far below the best candidate a related one (its group, its listed company, a
/// subsidiary) still makes the name ambiguous: 中核 fits 中核国际 literally and 中国核工业集团
/// as an abbreviation, and crediting the subsidiary with the group's business is the wrong
/// link a bank cannot afford.
const RELATED_MARGIN: f64 = 0.15;

/// Other readings of a normalised name that matched nothing: the legal form completed where a
/// field cut it (`甲股份有限公` -> `甲股份有限公司`), and a stock's short name without its share
/// class, risk marker and exchange (`深康佳A` -> `深康佳`, `康佳`; `*ST甲` -> `甲`).
fn written_variants(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (cut, whole) in [
        ("股份有限公", "股份有限公司"),
        ("有限责任公", "有限公司"),
        ("有限公", "有限公司"),
        ("股份有限", "股份有限公司"),
    ] {
        if query.chars().count() >= 8 && query.ends_with(cut) {
            out.push(format!("{}{whole}", &query[..query.len() - cut.len()]));
            break;
        }
    }
    // A bank by its older or everyday name: 张家口市商业银行 and 遂宁商行 for 张家口银行, 重庆农商行
    // for 重庆农村商业银行.
    for (written, registered) in [("农商行", "农村商业银行"), ("商业银行", "银行"), ("商行", "银行")]
    {
        if let Some(place) = query.strip_suffix(written).filter(|p| p.chars().count() >= 2) {
            out.push(format!("{place}{registered}"));
            break;
        }
    }
    let mut stock = query.trim_start_matches("*ST").trim_start_matches("ST").to_string();
    let chars: Vec<char> = stock.chars().collect();
    if chars.len() >= 3 && matches!(chars[chars.len() - 1], 'A' | 'B') && is_han(chars[chars.len() - 2]) {
        stock = chars[..chars.len() - 1].iter().collect();
    }
    if stock != query && stock.chars().count() >= 2 {
        out.push(stock.clone());
    }
    let chars: Vec<char> = stock.chars().collect();
    if chars.len() >= 3 && matches!(chars[0], '深' | '沪') && stock != query {
        out.push(chars[1..].iter().collect());
    }
    out
}

fn push_unique(ids: &mut Vec<EnterpriseId>, id: EnterpriseId) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_norm(input: &str, expected: &str) {
        assert_eq!(normalize_name(input), expected, "{input}");
    }

    fn ent(id: EnterpriseId, name: &str) -> Enterprise {
        Enterprise { id, name: name.into(), ..Default::default() }
    }

    fn linked(r: Resolution) -> Option<(EnterpriseId, MatchRule)> {
        match r {
            Resolution::Linked { id, rule, .. } => Some((id, rule)),
            _ => None,
        }
    }

    #[test]
    fn a_registered_name_read_exactly_decides_among_many_of_its_form() {
        // Every city has a 财政局: set aside their regions and they all read alike; another
        // enterprise's alias is the same text. The registered name still decides.
        let mut enterprises: Vec<Enterprise> = ["宜昌", "武汉", "襄阳", "荆州", "十堰", "黄石"]
            .iter()
            .enumerate()
            .map(|(n, city)| ent(n as i64 + 1, &format!("{city}市财政局")))
            .collect();
        enterprises.push(Enterprise {
            aliases: vec!["宜昌市财政局".into()], ..ent(9, "宜昌市国库支付中心")
        });
        let r = Resolver::from_enterprises(&enterprises);
        assert_eq!(linked(r.resolve_name("宜昌市财政局")), Some((1, MatchRule::ExactName)));
        assert_eq!(linked(r.resolve_name("武汉市财政局")), Some((2, MatchRule::ExactName)));
        // Without its city the name fits them all: a person decides.
        assert!(matches!(r.resolve_name("财政局"), Resolution::NeedsReview { .. } | Resolution::NotFound));
    }

    #[test]
    fn cut_legal_forms_and_stock_names_are_read_through() {
        let r = Resolver::from_enterprises(&[
            ent(1, "达尔罕茂明安联合旗包商村镇银行股份有限公司"),
            ent(2, "康佳集团股份有限公司"),
            ent(3, "天马微电子股份有限公司"),
        ]);
        let id = |name: &str| linked(r.resolve_name(name)).map(|(id, _)| id);
        assert_eq!(id("达尔罕茂明安联合旗包商村镇银行股份有限公"), Some(1));
        assert_eq!(id("深康佳Ａ"), Some(2));
        assert_eq!(id("深天马A"), Some(3));
        assert_eq!(written_variants("甲乙丙"), Vec::<String>::new());
        assert_eq!(written_variants("*ST甲乙"), ["甲乙"]);
    }

    #[test]
    fn normalizes_width_brackets_spaces_script_and_legal_form() {
        check_norm("世纪杰皓（湖北）项目管理有限公司", "世纪杰皓(湖北)项目管理有限公司");
        check_norm("世纪杰皓(湖北) 项目管理有限公司", "世纪杰皓(湖北)项目管理有限公司");
        check_norm("ＡＢＣ科技　有限公司", "ABC科技有限公司");
        check_norm("abc【北京】科技", "ABC(北京)科技");
        check_norm("柳州國聯運輸集團有限公司", "柳州国联运输集团有限公司");
        check_norm("湖北宜化集团有限责任公司", "湖北宜化集团有限公司");
    }

    #[test]
    fn strips_region_prefixes() {
        let core = |s: &str| core_name(&normalize_name(s));
        assert_eq!(core("柳州国联运输集团有限公司"), "国联运输");
        assert_eq!(core("福州市鼓楼区百文斋书店"), "百文斋书店");
        assert_eq!(core("故城县郑口轩帅服装店"), "郑口轩帅服装店");
        assert_eq!(core("澳妆（上海）国际贸易有限公司"), "澳妆国际贸易");
        assert_eq!(core("广西壮族自治区柳州市国联运输集团有限公司"), "国联运输");
        assert_eq!(core("社会化营销广告公司"), "社会化营销广告");
    }

    #[test]
    fn resolves_by_code_name_alias_and_variants() {
        let ent = Enterprise {
            id: 7,
            name: "柳州国联运输集团有限公司".into(),
            uscc: Some("91110108551385082Q".into()),
            aliases: vec!["国联集团".into()],
            ..Default::default()
        };
        let resolver = Resolver::from_enterprises([&ent]);
        assert_eq!(
            linked(resolver.resolve(&EntRef::parse("91110108551385082q").unwrap())),
            Some((7, MatchRule::ExactUscc))
        );
        assert_eq!(
            linked(resolver.resolve_name(" 柳州國聯運輸集團有限責任公司 ")),
            Some((7, MatchRule::ExactName))
        );
        assert_eq!(linked(resolver.resolve_name("国联集团")), Some((7, MatchRule::Alias)));
        assert_eq!(
            linked(resolver.resolve_name("广西柳州国联运输集团有限公司")),
            Some((7, MatchRule::NameWithoutRegion))
        );
        assert_eq!(linked(resolver.resolve_name("国联")), Some((7, MatchRule::TradeNamePrefix)));
        assert_eq!(resolver.resolve_name("别的公司"), Resolution::NotFound);
        // The same trade name in another city, written out in full, is another company.
        assert_eq!(resolver.resolve_name("南宁国联运输集团有限公司"), Resolution::NotFound);
        assert_eq!(resolver.resolve_name("南宁国联"), Resolution::NotFound);
    }

    #[test]
    fn a_place_goes_in_front_of_a_name_not_inside_it() {
        let both =
            Resolver::from_enterprises([&ent(1, "湖北银行股份有限公司"), &ent(2, "石嘴山银行股份有限公司")]);
        // A province written in front of a city's bank: the city's bank, not the province's.
        assert_eq!(
            linked(both.resolve_name("湖北省石嘴山银行股份有限公司")),
            Some((2, MatchRule::NameWithoutRegion))
        );
        assert_eq!(linked(both.resolve_name("湖北银行股份有限公司")), Some((1, MatchRule::ExactName)));
        // Only the province's bank known: it is the query's only with a city taken out of the
        // middle, so a person decides.
        let province = Resolver::from_enterprises([&ent(1, "湖北银行股份有限公司")]);
        match province.resolve_name("湖北省石嘴山银行股份有限公司") {
            Resolution::NeedsReview { candidates } => {
                assert_eq!(candidates.iter().map(|c| c.id).collect::<Vec<_>>(), [1]);
                assert!(candidates[0].score < 0.8, "{candidates:?}");
            }
            other => panic!("expected review, got {other:?}"),
        }
        // Places that line up from the name's end still link either way.
        let city = Resolver::from_enterprises([&ent(3, "宜昌市中环物流有限公司")]);
        assert_eq!(
            linked(city.resolve_name("湖北省宜昌市中环物流有限公司")),
            Some((3, MatchRule::NameWithoutRegion))
        );
    }

    #[test]
    fn the_lexicon_links_group_abbreviations() {
        let resolver = Resolver::from_enterprises([&ent(3, "中国建筑第三工程局有限公司")]);
        assert_eq!(linked(resolver.resolve_name("中建三局")), Some((3, MatchRule::Alias)));
    }

    #[test]
    fn a_code_with_a_bad_check_character_is_an_error() {
        assert!(EntRef::parse("91110108551385083Q").is_err());
        assert_eq!(EntRef::parse("某某公司").unwrap(), EntRef::Name("某某公司".into()));
    }

    #[test]
    fn shared_short_names_need_review() {
        let resolver =
            Resolver::from_enterprises([&ent(1, "上海中环科技有限公司"), &ent(2, "天津中环电子有限公司")]);
        match resolver.resolve_name("中环") {
            Resolution::NeedsReview { candidates } => {
                assert_eq!(candidates.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2]);
            }
            other => panic!("expected review, got {other:?}"),
        }
    }

    fn outcome(resolver: &Resolver, name: &str) -> String {
        match resolver.resolve_name(name) {
            Resolution::Linked { id, .. } => format!("link {}", resolver.name_of(id).unwrap_or("?")),
            Resolution::NeedsReview { candidates } => {
                let mut names: Vec<&str> = candidates.iter().filter_map(|c| resolver.name_of(c.id)).collect();
                names.sort();
                format!("review {}", names.join(" "))
            }
            Resolution::NotFound => "not found".into(),
        }
    }

    /// The register of central groups, their listed companies and banks the short-name cases
    /// below are read against.
    fn register() -> Resolver {
        let names = [
            "中国核工业集团有限公司",
            "中核国际有限公司",
            "中国铁道建筑集团有限公司",
            "中国铁建重工集团股份有限公司",
            "中国电信集团有限公司",
            "中国电信股份有限公司",
            "中国联合网络通信集团有限公司",
            "中国联合网络通信股份有限公司",
            "中国海洋石油集团有限公司",
            "国家开发银行",
            "中国农业发展银行",
            "中国农业银行股份有限公司",
            "国家电力投资集团有限公司",
            "中国广核集团有限公司",
            "中国投资有限责任公司",
            "中国人民保险集团股份有限公司",
            "中国人民财产保险股份有限公司",
            "新华人寿保险股份有限公司",
            "中国航空油料集团有限公司",
            "华润（集团）有限公司",
            "华润医药集团有限公司",
            "招商局集团有限公司",
            "招商局港口集团股份有限公司",
            "马鞍山钢铁股份有限公司",
            "东风汽车集团有限公司",
            "宏华集团有限公司",
            "重庆银行股份有限公司",
            "重庆农村商业银行股份有限公司",
            "重庆三峡银行股份有限公司",
            "湖北银行股份有限公司",
        ];
        let enterprises: Vec<Enterprise> =
            names.iter().enumerate().map(|(i, name)| ent(i as EnterpriseId + 1, name)).collect();
        Resolver::from_enterprises(&enterprises)
    }

    #[test]
    fn short_names_link_by_the_words_they_keep() {
        let resolver = register();
        for (short, full) in [
            ("国开行", "国家开发银行"),
            ("农发行", "中国农业发展银行"),
            ("中国海油", "中国海洋石油集团有限公司"),
            ("国家电投", "国家电力投资集团有限公司"),
            ("中广核", "中国广核集团有限公司"),
            ("中投", "中国投资有限责任公司"),
            ("中航油", "中国航空油料集团有限公司"),
            ("华润集团", "华润（集团）有限公司"),
            ("招商局集团", "招商局集团有限公司"),
            ("马鞍山钢铁股份", "马鞍山钢铁股份有限公司"),
            ("东风公司", "东风汽车集团有限公司"),
            ("宏华集团", "宏华集团有限公司"),
            // One registered bank fits exactly; the others only with words left out.
            ("重庆银行", "重庆银行股份有限公司"),
            ("湖北银行", "湖北银行股份有限公司"),
            // Traditional characters fold before reading.
            ("中國財險", "中国人民财产保险股份有限公司"),
            ("新華保險", "新华人寿保险股份有限公司"),
        ] {
            assert_eq!(outcome(&resolver, short), format!("link {full}"), "{short}");
        }
    }

    #[test]
    fn a_group_and_its_own_company_go_to_review() {
        let mut resolver = register();
        // A group's abbreviation that is a literal prefix of a subsidiary's name: the lexicon
        // names the group, and an unrelated literal fit does not compete with it.
        assert_eq!(linked(resolver.resolve_name("中核")), Some((1, MatchRule::Alias)));
        assert_eq!(outcome(&resolver, "中国铁建"), "link 中国铁道建筑集团有限公司");
        assert_eq!(outcome(&resolver, "人保"), "link 中国人民保险集团股份有限公司");
        // Once the graph says the group controls 中核国际, the two go to a person.
        resolver.relate(1, 2);
        assert_eq!(outcome(&resolver, "中核"), "review 中国核工业集团有限公司 中核国际有限公司");
        // Without a lexicon entry, a related name that fits nearly as well contests a link:
        // 宏钢股份 fits 宏钢包装 literally and 宏山钢铁 by initials.
        let mut small = Resolver::from_enterprises([
            &ent(1, "上海宏钢包装股份有限公司"),
            &ent(2, "宏山钢铁股份有限公司"),
        ]);
        assert_eq!(outcome(&small, "宏钢股份"), "link 上海宏钢包装股份有限公司");
        small.relate(2, 1);
        assert_eq!(outcome(&small, "宏钢股份"), "review 上海宏钢包装股份有限公司 宏山钢铁股份有限公司");
        // A short name that fits a group and its listed company equally.
        assert_eq!(outcome(&resolver, "中国电信"), "review 中国电信股份有限公司 中国电信集团有限公司");
        assert_eq!(
            outcome(&resolver, "中國聯通"),
            "review 中国联合网络通信股份有限公司 中国联合网络通信集团有限公司"
        );
    }

    #[test]
    fn banks_by_their_older_and_everyday_names() {
        let resolver = Resolver::from_enterprises([
            &ent(1, "张家口银行股份有限公司"),
            &ent(2, "遂宁银行股份有限公司"),
            &ent(3, "重庆农村商业银行股份有限公司"),
            &ent(4, "南洋商业银行（中国）有限公司"),
        ]);
        assert_eq!(outcome(&resolver, "张家口市商业银行"), "link 张家口银行股份有限公司");
        assert_eq!(outcome(&resolver, "张家口市银行"), "link 张家口银行股份有限公司");
        assert_eq!(outcome(&resolver, "遂宁商行"), "link 遂宁银行股份有限公司");
        assert_eq!(outcome(&resolver, "重庆农商行"), "link 重庆农村商业银行股份有限公司");
        assert_eq!(outcome(&resolver, "南洋商业银行"), "link 南洋商业银行（中国）有限公司");
        // A place and a generic word name no bank in particular.
        assert_eq!(outcome(&resolver, "泸州市商业银行"), "not found");
    }

    #[test]
    fn the_records_region_breaks_a_tie_and_says_so() {
        let resolver =
            Resolver::from_enterprises([&ent(1, "宜昌中环科技有限公司"), &ent(2, "天津中环电子有限公司")]);
        let name = EntRef::Name("中环".into());
        assert!(matches!(resolver.resolve(&name), Resolution::NeedsReview { .. }));
        let context = Context { region: Some("湖北省宜昌市") };
        assert_eq!(linked(resolver.resolve_in(&name, &context)), Some((1, MatchRule::ContextRegion)));
        // A region neither is in leaves the tie to a person.
        let elsewhere = Context { region: Some("广东省深圳市") };
        assert!(matches!(resolver.resolve_in(&name, &elsewhere), Resolution::NeedsReview { .. }));
    }

    #[test]
    fn human_decisions_win() {
        let mut resolver =
            Resolver::from_enterprises([&ent(1, "上海中环科技有限公司"), &ent(2, "天津中环电子有限公司")]);
        resolver.decide(&Decision { name: "中环".into(), enterprise: Some(2) });
        assert_eq!(linked(resolver.resolve_name("中环")), Some((2, MatchRule::HumanDecision)));
        resolver.decide(&Decision { name: "上海中环科技有限公司".into(), enterprise: None });
        assert_eq!(resolver.resolve_name("上海中环科技有限公司"), Resolution::NotFound);
    }

    /// Names and regions are kept by slot: a rename replaces the name shown (and is noted), a
    /// forgotten enterprise is unknown, and one inserted again is known afresh.
    #[test]
    fn names_and_regions_follow_renames_and_forgetting() {
        let mut resolver =
            Resolver::from_enterprises([&ent(1, "宜昌中环科技有限公司"), &ent(2, "天津中环电子有限公司")]);
        assert_eq!((resolver.len(), resolver.has_renames()), (2, false));
        assert_eq!(resolver.region_of(1), Some("宜昌"));
        resolver.insert(&ent(3, "中环精密有限公司"));
        assert_eq!((resolver.region_of(3), resolver.region_of(4)), (Some(""), None));
        resolver.forget(3);
        resolver.insert(&ent(1, "宜昌中环新材料有限公司"));
        assert_eq!(resolver.name_of(1), Some("宜昌中环新材料有限公司"));
        assert_eq!((resolver.len(), resolver.has_renames()), (2, true));
        resolver.forget(2);
        assert_eq!((resolver.name_of(2), resolver.region_of(2), resolver.len()), (None, None, 1));
        assert_eq!(resolver.resolve_name("天津中环电子有限公司"), Resolution::NotFound);
        resolver.insert(&ent(2, "天津中环电子有限公司"));
        assert_eq!(
            (resolver.name_of(2), resolver.region_of(2)),
            (Some("天津中环电子有限公司"), Some("天津"))
        );
        assert_eq!(linked(resolver.resolve_name("天津中环电子有限公司")).map(|(id, _)| id), Some(2));
    }
}
