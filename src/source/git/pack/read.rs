//! One object by id, for the history walk's commits and trees. A delta chain is resolved
//! from the nearest version the caller's [`Cache`] holds, and every version on the way is
//! cached: walking history in commit order rebuilds each tree once, where asking libgit2
//! tree by tree re-read chains and parsed every entry into its own allocation.

use super::delta;
use super::index::{IndexError, Kind};
use super::Pack;
use git2::Oid;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Longest delta chain followed; git writes at most 4095 (`pack.depth`). A longer one is
/// a hostile pack (or a cycle), and its object is read the slow way.
const MAX_CHAIN: usize = 4096;

/// Resolved objects by (pack, entry).
type Generation = HashMap<(usize, u32), (Kind, Arc<[u8]>)>;

/// Resolved objects of one worker, by (pack, entry), within a byte budget. Two generations:
/// what is used again moves to the newer one, and the older one is dropped whole when the
/// newer one fills, so a look-up and an insertion are O(1) and memory stays bounded.
pub struct Cache {
    new: Generation,
    old: Generation,
    bytes: usize,
    budget: usize,
    /// Entries that could not be resolved: a hostile chain is followed once, not once per
    /// commit that names the object.
    failed: rustc_hash::FxHashSet<(usize, u32)>,
    inflater: super::Inflater,
}

impl Cache {
    /// A cache holding about `budget` bytes of objects.
    pub fn new(budget: usize) -> Cache {
        Cache {
            new: HashMap::default(),
            old: HashMap::default(),
            bytes: 0,
            budget,
            failed: Default::default(),
            inflater: Default::default(),
        }
    }

    fn get(&mut self, key: (usize, u32)) -> Option<(Kind, Arc<[u8]>)> {
        if let Some(hit) = self.new.get(&key) {
            return Some(hit.clone());
        }
        let hit = self.old.remove(&key)?;
        self.put(key, hit.clone());
        Some(hit)
    }

    fn put(&mut self, key: (usize, u32), value: (Kind, Arc<[u8]>)) {
        self.bytes += value.1.len();
        self.new.insert(key, value);
        if self.bytes > self.budget / 2 {
            self.old = std::mem::take(&mut self.new);
            self.bytes = 0;
        }
    }
}

impl Pack {
    /// The entry holding `oid`, if this pack has it.
    pub fn find(&self, oid: &Oid) -> Option<u32> {
        self.by_oid
            .binary_search_by(|(o, _)| o.cmp(oid))
            .ok()
            .map(|i| self.by_oid[i].1)
    }

    /// The type and content of entry `i` of this pack (numbered `key` in `cache`), refused
    /// over `max` bytes. A delta's base must be in this pack.
    pub fn object(
        &self,
        key: usize,
        i: u32,
        max: u64,
        cache: &mut Cache,
    ) -> Result<(Kind, Arc<[u8]>), IndexError> {
        if cache.failed.contains(&(key, i)) {
            return Err(IndexError::Corrupt("object could not be resolved"));
        }
        let got = self.resolve(key, i, max, cache);
        if got.is_err() {
            cache.failed.insert((key, i));
        }
        got
    }

    fn resolve(
        &self,
        key: usize,
        i: u32,
        max: u64,
        cache: &mut Cache,
    ) -> Result<(Kind, Arc<[u8]>), IndexError> {
        let mut chain = Vec::new();
        let mut at = i;
        let (kind, mut bytes) = loop {
            if let Some(hit) = cache.get((key, at)) {
                break hit;
            }
            let e = &self.entries[at as usize];
            if e.kind != Kind::Delta {
                let whole: Arc<[u8]> = self.inflate(at, max, &mut cache.inflater)?.into();
                cache.put((key, at), (e.kind, whole.clone()));
                break (e.kind, whole);
            }
            if chain.len() == MAX_CHAIN {
                return Err(IndexError::Corrupt("delta chain too long"));
            }
            chain.push(at);
            at = e
                .base
                .ok_or(IndexError::Corrupt("delta base not in the pack"))?;
        };
        for &d in chain.iter().rev() {
            let delta = self.inflate(d, max, &mut cache.inflater)?;
            let (out, _) = delta::apply(&bytes, &delta, max)
                .map_err(|_| IndexError::Corrupt("delta does not apply"))?;
            bytes = out.into();
            cache.put((key, d), (kind, bytes.clone()));
        }
        Ok((kind, bytes))
    }
}
