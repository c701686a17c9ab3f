//! Per-node marks for the breadth-first walks, kept between queries.
//!
//! A walk remembers, for each node it meets, a small number (a depth, a flag). In a hash map
//! that is a hash and a probe per edge looked at; here it is one byte pair in an array indexed
//! by node, read in place. The array costs 2 bytes per node of the graph (15 MB at 7.5M
//! nodes) and is not cleared whole between walks: a walk notes every node it marks and only
//! those are cleared when it hands the array back, so a walk costs what it touches, not the
//! graph's size. Concurrent walks each take their own array from a small pool.
//!
//! A mark can hold a distance ([`Marks::distance`]): up to 253 in the byte itself, farther in a
//! map beside it, so that only walks along very long chains pay for hashing.

use super::IndexMap;
use petgraph::graph::NodeIndex;
use std::sync::Mutex;

/// Two marks per node, both 0 until a walk sets them.
#[derive(Debug, Default)]
pub(super) struct Marks {
    values: Vec<[u8; 2]>,
    /// Every node whose marks are not both 0.
    touched: Vec<u32>,
    /// Distances too far for a byte, by mark (the byte says [`FAR`]).
    far: [IndexMap<usize>; 2],
}

/// The byte of a distance kept in [`Marks::far`].
const FAR: u8 = u8::MAX;

impl Marks {
    pub(super) fn get(&self, node: usize) -> [u8; 2] {
        self.values[node]
    }

    pub(super) fn set(&mut self, node: usize, marks: [u8; 2]) {
        let slot = &mut self.values[node];
        if *slot == [0, 0] {
            self.touched.push(node as u32);
        }
        *slot = marks;
    }

    /// Sets the second mark, keeping the first.
    pub(super) fn set_second(&mut self, node: usize, mark: u8) {
        let first = self.values[node][0];
        self.set(node, [first, mark]);
    }

    /// The distance mark `which` (0 or 1) of `node` holds, if it was set with
    /// [`Marks::set_distance`].
    pub(super) fn distance(&self, node: usize, which: usize) -> Option<usize> {
        match self.values[node][which] {
            0 => None,
            FAR => self.far[which].get(&NodeIndex::new(node)).copied(),
            byte => Some(usize::from(byte) - 1),
        }
    }

    /// Sets mark `which` (0 or 1) of `node` to hold `distance`.
    pub(super) fn set_distance(&mut self, node: usize, which: usize, distance: usize) {
        let mut marks = self.values[node];
        marks[which] = match u8::try_from(distance + 1) {
            Ok(byte) if byte < FAR => byte,
            _ => {
                self.far[which].insert(NodeIndex::new(node), distance);
                FAR
            }
        };
        self.set(node, marks);
    }

    fn clear(&mut self) {
        for &node in &self.touched {
            self.values[node as usize] = [0, 0];
        }
        self.touched.clear();
        self.far.iter_mut().for_each(IndexMap::clear);
    }
}

/// The arrays not in use, each cleared. A clone of the graph starts with none.
#[derive(Debug, Default)]
pub(super) struct MarkPool(Mutex<Vec<Marks>>);

impl Clone for MarkPool {
    fn clone(&self) -> Self {
        MarkPool::default()
    }
}

/// How many cleared arrays the pool keeps; more concurrent walks allocate and drop their own.
const KEPT: usize = 4;

impl MarkPool {
    /// Runs `walk` with an array of all-zero marks for `nodes` nodes. A walk that panics drops
    /// its array instead of handing back one half marked.
    pub(super) fn with<T>(&self, nodes: usize, walk: impl FnOnce(&mut Marks) -> T) -> T {
        let mut marks = self.0.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default();
        if marks.values.len() < nodes {
            marks.values.resize(nodes, [0, 0]);
        }
        let out = walk(&mut marks);
        marks.clear();
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < KEPT {
            kept.push(marks);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_gets_its_marks_cleared_whatever_the_last_one_left() {
        let pool = MarkPool::default();
        pool.with(10, |marks| {
            marks.set(3, [2, 0]);
            marks.set_second(3, 1);
            marks.set(7, [5, 0]);
            assert_eq!(marks.get(3), [2, 1]);
            assert_eq!(marks.get(7), [5, 0]);
        });
        // The same array comes back, all zero, and grows with the graph.
        pool.with(20, |marks| {
            assert_eq!(marks.values.len(), 20);
            assert!(marks.values.iter().all(|&m| m == [0, 0]));
            assert!(marks.touched.is_empty());
            marks.set(19, [1, 1]);
        });
        assert_eq!(pool.0.lock().unwrap().len(), 1);
        // Two at once: each has its own.
        pool.with(20, |outer| {
            outer.set(1, [1, 0]);
            pool.with(20, |inner| assert_eq!(inner.get(1), [0, 0]));
        });
        assert_eq!(pool.0.lock().unwrap().len(), 2);
    }

    #[test]
    fn distances_fit_a_byte_or_go_beside_it() {
        let pool = MarkPool::default();
        pool.with(4, |marks| {
            assert_eq!(marks.distance(0, 0), None);
            for (node, distance) in [(0, 0), (1, 253), (2, 254), (3, 1_000_000)] {
                marks.set_distance(node, 1, distance);
                assert_eq!(marks.distance(node, 1), Some(distance));
                assert_eq!(marks.distance(node, 0), None);
            }
            assert_eq!(marks.far[1].len(), 2);
        });
        pool.with(4, |marks| {
            assert!(marks.far.iter().all(|far| far.is_empty()));
            assert_eq!(marks.distance(3, 1), None);
        });
    }
}
