//! The node table: a compact key per node, every name in one string arena, and a hash index
//! from key to node that stores nothing but the node number.
//!
//! Per node this costs 8 bytes of key, 8 bytes of name span plus the name's UTF-8, and about
//! 6 bytes of index (a `u32` and a control byte at hashbrown's load factor); persons add their
//! id to a second arena. A `String` per name and a `HashMap<NodeRef, NodeIndex>` cost about
//! 90 bytes more per node, which is what kept 60M enterprises out of 16 GB.

use super::NodeRef;
use crate::arena::{Arena, Strings};
use hashbrown::HashTable;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// A [`NodeRef`] borrowed from the node table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyRef<'a> {
    Enterprise(i64),
    Person(&'a str),
}

#[derive(Debug, Default, Clone)]
pub(super) struct Nodes {
    /// By node number: the enterprise id (ids are positive) or `!n` for the n-th person, and
    /// the span of its name in `names`. Side by side, so that naming a node a walk reached
    /// reads one cache line for both.
    entries: Vec<(i64, u64)>,
    /// Every name; a renamed node's old name stays until the next snapshot compacts it.
    names: Arena,
    person_ids: Strings,
    index: HashTable<u32>,
}

fn hash_key(key: &NodeRef) -> u64 {
    match key {
        NodeRef::Enterprise(id) => xxh3_64(&id.to_le_bytes()),
        NodeRef::Person(id) => xxh3_64_with_seed(id.as_bytes(), 1),
    }
}

fn hash_raw(raw: i64, person_ids: &Strings) -> u64 {
    if raw >= 0 {
        xxh3_64(&raw.to_le_bytes())
    } else {
        xxh3_64_with_seed(person_ids.get(!raw as usize).as_bytes(), 1)
    }
}

impl Nodes {
    pub fn reserve(&mut self, nodes: usize) {
        self.entries.reserve(nodes);
        let Nodes { index, entries, person_ids, .. } = self;
        index.reserve(nodes, |&m| hash_raw(entries[m as usize].0, person_ids));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn find(&self, key: &NodeRef) -> Option<usize> {
        self.index.find(hash_key(key), |&n| self.matches(n as usize, key)).map(|&n| n as usize)
    }

    fn matches(&self, n: usize, key: &NodeRef) -> bool {
        let raw = self.entries[n].0;
        match key {
            NodeRef::Enterprise(id) => raw >= 0 && raw == *id,
            NodeRef::Person(id) => raw < 0 && self.person_ids.get(!raw as usize) == id,
        }
    }

    /// The node for `key`, added (as the next node number) when new; `None` for an enterprise
    /// id below zero, which the store never hands out.
    pub fn insert(&mut self, key: &NodeRef, name: &str) -> Option<(usize, bool)> {
        if let Some(n) = self.find(key) {
            return Some((n, false));
        }
        let raw = match key {
            NodeRef::Enterprise(id) if *id < 0 => return None,
            NodeRef::Enterprise(id) => *id,
            NodeRef::Person(id) => !(self.person_ids.push(id) as i64),
        };
        let n = self.entries.len();
        let span = self.names.append(name);
        self.entries.push((raw, span));
        let Nodes { index, entries, person_ids, .. } = self;
        index.insert_unique(hash_key(key), n as u32, |&m| hash_raw(entries[m as usize].0, person_ids));
        Some((n, true))
    }

    pub fn key(&self, n: usize) -> NodeRef {
        match self.key_ref(n) {
            KeyRef::Enterprise(id) => NodeRef::Enterprise(id),
            KeyRef::Person(id) => NodeRef::Person(id.to_string()),
        }
    }

    /// Node `n`'s key, borrowed: no allocation for a person.
    pub fn key_ref(&self, n: usize) -> KeyRef<'_> {
        let raw = self.entries[n].0;
        if raw >= 0 {
            KeyRef::Enterprise(raw)
        } else {
            KeyRef::Person(self.person_ids.get(!raw as usize))
        }
    }

    /// Node `n`'s entry, to name it later with [`Nodes::named`]: a walk's nodes read as one
    /// loop of loads, whose cache misses overlap, and named in a second.
    pub fn entry(&self, n: usize) -> (i64, u64) {
        self.entries[n]
    }

    /// The key and name of a node from its [`Nodes::entry`].
    pub fn named(&self, (raw, span): (i64, u64)) -> (KeyRef<'_>, &str) {
        let key = if raw >= 0 {
            KeyRef::Enterprise(raw)
        } else {
            KeyRef::Person(self.person_ids.get(!raw as usize))
        };
        (key, self.names.get(span))
    }

    pub fn is_person(&self, n: usize) -> bool {
        self.entries[n].0 < 0
    }

    pub fn name(&self, n: usize) -> &str {
        self.names.get(self.entries[n].1)
    }

    pub fn rename(&mut self, n: usize, name: &str) {
        if self.name(n) != name {
            self.entries[n].1 = self.names.append(name);
        }
    }

    /// The raw key of node `n` (enterprise id, or `!person number`), for snapshots.
    pub fn raw_key(&self, n: usize) -> i64 {
        self.entries[n].0
    }

    pub fn person_count(&self) -> usize {
        self.person_ids.len()
    }

    pub fn person_id_at(&self, p: usize) -> &str {
        self.person_ids.get(p)
    }

    /// Adds a person id read from a snapshot (person ids come first, in person order).
    pub fn push_person_id(&mut self, id: &str) {
        self.person_ids.push(id);
    }

    /// Adds the next node read from a snapshot, by its raw key.
    pub fn push_loaded(&mut self, raw: i64, name: &str) -> Result<(), &'static str> {
        if raw < 0 && (!raw as usize) >= self.person_ids.len() {
            return Err("person number out of range in graph snapshot");
        }
        let n = self.entries.len();
        let Nodes { index, entries, person_ids, names } = self;
        let hash = hash_raw(raw, person_ids);
        if index.find(hash, |&m| entries[m as usize].0 == raw).is_some() {
            return Err("duplicate node in graph snapshot");
        }
        entries.push((raw, names.append(name)));
        index.insert_unique(hash, n as u32, |&m| hash_raw(entries[m as usize].0, person_ids));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_names_and_renames() {
        let mut nodes = Nodes::default();
        assert_eq!(nodes.insert(&NodeRef::Enterprise(7), "甲公司"), Some((0, true)));
        assert_eq!(nodes.insert(&NodeRef::Person("p1".into()), "张三"), Some((1, true)));
        assert_eq!(nodes.insert(&NodeRef::Enterprise(7), "其他"), Some((0, false)));
        assert_eq!(nodes.insert(&NodeRef::Enterprise(-3), "坏"), None);
        assert_eq!(nodes.find(&NodeRef::Person("p1".into())), Some(1));
        assert_eq!(nodes.find(&NodeRef::Person("p2".into())), None);
        // A person's raw key is negative; an enterprise id of the same value never matches it.
        assert_eq!(nodes.find(&NodeRef::Enterprise(-1)), None);
        assert_eq!(nodes.key(1), NodeRef::Person("p1".into()));
        nodes.rename(0, "甲集团有限公司");
        assert_eq!((nodes.name(0), nodes.name(1)), ("甲集团有限公司", "张三"));
        let long = "长".repeat(30_000);
        nodes.insert(&NodeRef::Enterprise(8), &long);
        assert!(nodes.name(2).len() <= crate::arena::MAX_LEN && long.starts_with(nodes.name(2)));
    }

    #[test]
    fn many_nodes_survive_index_growth() {
        let mut nodes = Nodes::default();
        for i in 0..10_000i64 {
            nodes.insert(&NodeRef::Enterprise(i * 3), &format!("企业{i}"));
            nodes.insert(&NodeRef::Person(format!("p{i}")), &format!("人{i}"));
        }
        for i in (0..10_000i64).step_by(97) {
            let n = nodes.find(&NodeRef::Enterprise(i * 3)).unwrap();
            assert_eq!(nodes.name(n), format!("企业{i}"));
            let p = nodes.find(&NodeRef::Person(format!("p{i}"))).unwrap();
            assert_eq!(nodes.name(p), format!("人{i}"));
        }
        assert_eq!(nodes.find(&NodeRef::Enterprise(1)), None);
    }
}
