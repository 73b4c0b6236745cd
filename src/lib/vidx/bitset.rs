//! A fixed-size bitset over a segment's rows: which rows are live (not deleted or
//! overwritten by a newer write) and which pass a filter.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub fn new(len: usize, value: bool) -> Bitset {
        let fill = if value { u64::MAX } else { 0 };
        let mut b = Bitset {
            words: vec![fill; len.div_ceil(64)],
            len,
        };
        b.trim();
        b
    }

    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= u64::MAX >> extra;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, i: u32) -> bool {
        let i = i as usize;
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    #[inline]
    pub fn set(&mut self, i: u32, value: bool) {
        let i = i as usize;
        if i >= self.len {
            return;
        }
        if value {
            self.words[i / 64] |= 1 << (i % 64);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Rows in both sets.
    pub fn and(&self, other: &Bitset) -> Bitset {
        Bitset {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
            len: self.len.min(other.len),
        }
    }

    /// Rows in either set.
    pub fn or(&self, other: &Bitset) -> Bitset {
        Bitset {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a | b)
                .collect(),
            len: self.len.min(other.len),
        }
    }

    /// The set rows, ascending.
    pub fn ones(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some(wi as u32 * 64 + b)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Bitset;

    #[test]
    fn set_get_count_ones() {
        let mut b = Bitset::new(130, false);
        for i in [0, 63, 64, 129] {
            b.set(i, true);
        }
        assert_eq!(b.count(), 4);
        assert_eq!(b.ones().collect::<Vec<_>>(), vec![0, 63, 64, 129]);
        assert!(!b.get(130));
        let full = Bitset::new(130, true);
        assert_eq!(full.count(), 130);
        assert_eq!(full.and(&b), b);
    }
}
