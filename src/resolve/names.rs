//! The resolver's names: every enterprise's registered name, and every normalised name one was
//! inserted under, looked up whole or with its regions set aside.
//!
//! Names live in one [`Arena`]; the lookup tables hold only the number of a name (a `u32`),
//! hashed by the text the number leads to, as the graph's node table does. A registered name
//! that is already in normal form (most are) is kept once for both uses. Per enterprise this
//! costs its name's UTF-8 once or twice, an 8-byte span by slot, a 24-byte key and about 11
//! bytes in the two tables; two `HashMap`s keyed by `String` and a `Box<str>` by slot cost
//! about 250 bytes.

use super::strip_region;
use crate::arena::Arena;
use hashbrown::HashTable;
use xxhash_rust::xxh3::xxh3_64;

/// One normalised name an enterprise was inserted under.
#[derive(Debug, Clone, Copy)]
struct Key {
    span: u64,
    /// The hash of the name with its regions set aside (see [`strip_region`]), kept since
    /// working it out again is far dearer than hashing.
    regionless: u64,
    slot: u32,
}

#[derive(Debug, Default)]
pub(super) struct NameTable {
    text: Arena,
    /// Registered names by slot (a span in `text`; 0, the empty span, for none).
    names: Vec<u64>,
    /// Every normalised name inserted, with the slot it was inserted for. A renamed
    /// enterprise keeps its old key, so a notice written before the rename still finds it.
    keys: Vec<Key>,
    /// Normalised name -> its key of the latest slot inserted under it.
    by_name: HashTable<u32>,
    /// Name without its regions -> every live key whose name reads so.
    by_regionless: HashTable<u32>,
}

fn hash(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

impl NameTable {
    /// Records `registered` (normalised: `normalized`; without its regions: `regionless`, see
    /// [`strip_region`]) as the name of `slot`, the next slot or one already given.
    pub fn insert(&mut self, slot: u32, registered: &str, normalized: &str, regionless: &str) {
        let at = slot as usize;
        if at == self.names.len() {
            self.names.push(0);
        }
        let key = match self.find(normalized) {
            Some(k) if self.keys[k as usize].slot == slot => k,
            found => {
                if let Some(k) = found {
                    // The name goes to the latest enterprise inserted under it; the earlier
                    // one keeps being found without its regions.
                    let h = hash(normalized);
                    if let Ok(entry) = self.by_name.find_entry(h, |&other| other == k) {
                        entry.remove();
                    }
                }
                self.add_key(slot, normalized, regionless)
            }
        };
        if self.text.get(self.names[at]) != registered {
            let span = self.keys[key as usize].span;
            self.names[at] =
                if self.text.get(span) == registered { span } else { self.text.append(registered) };
        }
    }

    fn add_key(&mut self, slot: u32, normalized: &str, regionless: &str) -> u32 {
        let k = self.keys.len() as u32;
        let span = self.text.append(normalized);
        let regionless = hash(regionless);
        self.keys.push(Key { span, regionless, slot });
        let NameTable { text, keys, by_name, by_regionless, .. } = self;
        by_name.insert_unique(hash(normalized), k, |&o| hash(text.get(keys[o as usize].span)));
        by_regionless.insert_unique(regionless, k, |&o| keys[o as usize].regionless);
        k
    }

    /// The key of exactly this normalised name.
    fn find(&self, normalized: &str) -> Option<u32> {
        self.by_name
            .find(hash(normalized), |&k| self.text.get(self.keys[k as usize].span) == normalized)
            .copied()
    }

    /// The slot registered under exactly this normalised name.
    pub fn exact(&self, normalized: &str) -> Option<u32> {
        self.find(normalized).map(|k| self.keys[k as usize].slot)
    }

    /// The slots with a name that reads `regionless` once its regions are set aside, each once,
    /// in the order first inserted.
    pub fn regionless(&self, regionless: &str) -> Vec<u32> {
        // The table yields every key that shares a few bits of the hash: the whole hash, kept
        // in the key, sets the others aside before the dear check of the text.
        let h = hash(regionless);
        let mut keys: Vec<u32> = self
            .by_regionless
            .iter_hash(h)
            .copied()
            .filter(|&k| {
                // A name is mostly its regionless form after its leading places: that suffix
                // spares stripping the places of every name that shares the form.
                let key = &self.keys[k as usize];
                let name = self.text.get(key.span);
                key.regionless == h && (name.ends_with(regionless) || strip_region(name).0 == regionless)
            })
            .collect();
        keys.sort_unstable();
        let mut slots: Vec<u32> = Vec::with_capacity(keys.len());
        for k in keys {
            let slot = self.keys[k as usize].slot;
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
        slots
    }

    /// The registered name of `slot` (empty for a forgotten one).
    pub fn name(&self, slot: u32) -> &str {
        self.text.get(self.names[slot as usize])
    }

    /// Forgets every name of `slot`. Rare, so it scans; the text stays in the arena.
    pub fn forget(&mut self, slot: u32) {
        let keys = &self.keys;
        self.by_name.retain(|k| keys[*k as usize].slot != slot);
        self.by_regionless.retain(|k| keys[*k as usize].slot != slot);
        self.names[slot as usize] = 0;
    }
}

/// 统一社会信用代码 by slot, and the slot of each code: 18 bytes and about 5 in the table per
/// enterprise, where a `HashMap<String, _>` cost about 95.
#[derive(Debug, Default)]
pub(super) struct CodeTable {
    /// By slot; all zero for none.
    codes: Vec<[u8; 18]>,
    by_code: HashTable<u32>,
}

/// A code as kept: validation lets through only 18 ASCII characters, so no other is.
fn code_bytes(code: &str) -> Option<[u8; 18]> {
    code.as_bytes().try_into().ok()
}

impl CodeTable {
    /// Records `code` as `slot`'s (the next slot or one already given). A code goes to the
    /// latest slot inserted with it; a slot's earlier code, if it had another, is dropped (a
    /// code names one legal entity for good, so a change is a correction).
    pub fn insert(&mut self, slot: u32, code: Option<&str>) {
        let at = slot as usize;
        if at == self.codes.len() {
            self.codes.push([0; 18]);
        }
        let Some(code) = code.and_then(code_bytes) else { return };
        if self.codes[at] == code && self.find(&code) == Some(slot) {
            return;
        }
        self.remove(slot);
        if let Some(other) = self.find(&code) {
            self.remove(other);
        }
        self.codes[at] = code;
        let CodeTable { codes, by_code } = self;
        by_code.insert_unique(xxh3_64(&code), slot, |&s| xxh3_64(&codes[s as usize]));
    }

    fn find(&self, code: &[u8; 18]) -> Option<u32> {
        self.by_code.find(xxh3_64(code), |&s| self.codes[s as usize] == *code).copied()
    }

    /// The slot that holds `code`.
    pub fn slot(&self, code: &str) -> Option<u32> {
        self.find(&code_bytes(code)?)
    }

    /// Takes `slot`'s code out of the table.
    pub fn remove(&mut self, slot: u32) {
        let code = self.codes[slot as usize];
        if code != [0; 18] {
            if let Ok(entry) = self.by_code.find_entry(xxh3_64(&code), |&s| s == slot) {
                entry.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::normalize_name;

    fn insert(table: &mut NameTable, slot: u32, name: &str) {
        let normalized = normalize_name(name);
        table.insert(slot, name, &normalized, &strip_region(&normalized).0);
    }

    fn regionless(table: &NameTable, name: &str) -> Vec<u32> {
        table.regionless(&strip_region(&normalize_name(name)).0)
    }

    #[test]
    fn names_keys_and_regions() {
        let mut table = NameTable::default();
        insert(&mut table, 0, "湖北省柳州国联贸易有限公司");
        insert(&mut table, 1, "柳州国联贸易有限责任公司");
        assert_eq!(table.name(1), "柳州国联贸易有限责任公司");
        assert_eq!(table.exact("柳州国联贸易有限公司"), Some(1));
        assert_eq!(table.exact("湖北省柳州国联贸易有限公司"), Some(0));
        assert_eq!(regionless(&table, "柳州国联贸易有限公司"), [0, 1]);
        // Inserted again under the same name: nothing new is kept. A name already in normal
        // form is kept once; one that is not, twice.
        let before = (table.keys.len(), table.text.len());
        assert_eq!(before.1, "湖北省柳州国联贸易有限公司柳州国联贸易有限公司柳州国联贸易有限责任公司".len());
        insert(&mut table, 0, "湖北省柳州国联贸易有限公司");
        assert_eq!((table.keys.len(), table.text.len()), before);
        assert_eq!(regionless(&table, "柳州国联贸易有限公司"), [0, 1]);
    }

    #[test]
    fn renames_keep_the_old_name_and_a_shared_name_goes_to_the_latest() {
        let mut table = NameTable::default();
        insert(&mut table, 0, "甲乙丙丁科技有限公司");
        insert(&mut table, 0, "甲乙丙丁集团有限公司");
        assert_eq!(table.name(0), "甲乙丙丁集团有限公司");
        assert_eq!(table.exact("甲乙丙丁科技有限公司"), Some(0));
        assert_eq!(table.exact("甲乙丙丁集团有限公司"), Some(0));
        insert(&mut table, 1, "甲乙丙丁科技有限公司");
        assert_eq!(table.exact("甲乙丙丁科技有限公司"), Some(1));
        assert_eq!(regionless(&table, "甲乙丙丁科技有限公司"), [0, 1]);
        table.forget(1);
        assert_eq!(table.exact("甲乙丙丁科技有限公司"), None);
        assert_eq!((table.name(1), table.exact("甲乙丙丁集团有限公司")), ("", Some(0)));
        assert_eq!(regionless(&table, "甲乙丙丁科技有限公司"), [0]);
    }

    #[test]
    fn codes_go_to_the_latest_slot() {
        let mut codes = CodeTable::default();
        codes.insert(0, Some("91110108551385082Q"));
        codes.insert(1, None);
        codes.insert(2, Some("91420500MA4900001N"));
        assert_eq!(codes.slot("91110108551385082Q"), Some(0));
        assert_eq!(codes.slot("91420500MA4900001N"), Some(2));
        assert_eq!((codes.slot("9142"), codes.slot("91420500MA4900001X")), (None, None));
        // Slot 1 takes slot 0's code; slot 2 corrects its own.
        codes.insert(1, Some("91110108551385082Q"));
        codes.insert(2, Some("91420500MA4XXXXX0X"));
        assert_eq!(codes.slot("91110108551385082Q"), Some(1));
        assert_eq!((codes.slot("91420500MA4900001N"), codes.slot("91420500MA4XXXXX0X")), (None, Some(2)));
        codes.remove(1);
        assert_eq!(codes.slot("91110108551385082Q"), None);
        assert_eq!(codes.by_code.len(), 1);
    }

    #[test]
    fn many_names_survive_table_growth() {
        let mut table = NameTable::default();
        for i in 0..20_000u32 {
            insert(&mut table, i, &format!("北京市企业{i}有限公司"));
        }
        for i in (0..20_000u32).step_by(101) {
            assert_eq!(table.exact(&format!("北京市企业{i}有限公司")), Some(i));
            assert_eq!(regionless(&table, &format!("企业{i}有限公司")), [i]);
            assert_eq!(table.name(i), format!("北京市企业{i}有限公司"));
        }
        assert_eq!(table.exact("北京市企业20000有限公司"), None);
    }
}
