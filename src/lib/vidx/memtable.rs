//! The memtable: the records written since the last flush, held in memory and searched
//! exactly (it is small next to the segments, and a graph would be rebuilt at every
//! insert). A flush inserts it into the largest segment's graph, or writes it as a
//! segment of its own (`store::Index::flush`).

use std::collections::HashMap;

use super::bitset::Bitset;
use super::hnsw::Vectors;

#[derive(Default)]
pub struct Memtable {
    dim: usize,
    pub ids: Vec<String>,
    pub vectors: Vec<f32>,
    pub metas: Vec<String>,
    pub seqs: Vec<u64>,
    pub deleted: Vec<bool>,
    by_id: HashMap<String, u32>,
}

impl Memtable {
    pub fn new(dim: usize) -> Memtable {
        Memtable {
            dim,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn max_seq(&self) -> u64 {
        self.seqs.iter().copied().max().unwrap_or(0)
    }

    fn slot(&mut self, id: &str) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            return i as usize;
        }
        let i = self.ids.len();
        self.ids.push(id.to_string());
        self.vectors.resize(self.vectors.len() + self.dim, 0.0);
        self.metas.push(String::new());
        self.seqs.push(0);
        self.deleted.push(false);
        self.by_id.insert(id.to_string(), i as u32);
        i
    }

    /// Adds or replaces `id` (the vector is already prepared for the metric).
    pub fn put(&mut self, seq: u64, id: &str, vector: &[f32], meta: &str) {
        let i = self.slot(id);
        self.vectors[i * self.dim..(i + 1) * self.dim].copy_from_slice(vector);
        self.metas[i] = meta.to_string();
        self.seqs[i] = seq;
        self.deleted[i] = false;
    }

    /// Records a deletion of `id` (kept as a tombstone until flushed).
    pub fn delete(&mut self, seq: u64, id: &str) {
        let i = self.slot(id);
        self.vectors[i * self.dim..(i + 1) * self.dim].fill(0.0);
        self.metas[i].clear();
        self.seqs[i] = seq;
        self.deleted[i] = true;
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn vecs(&self) -> Vectors<'_> {
        Vectors {
            data: &self.vectors,
            dim: self.dim,
        }
    }

    /// Rows that are not tombstones.
    pub fn live(&self) -> Bitset {
        let mut b = Bitset::new(self.len(), false);
        for (i, d) in self.deleted.iter().enumerate() {
            b.set(i as u32, !d);
        }
        b
    }
}
