//! The content-addressed vector cache that makes embedding incremental and resumable.
//!
//! `DATA/vectors/MODEL.bin` is append-only: records of a 32-byte SHA-256 of the embedded text
//! followed by `dim` little-endian f32. Batches are appended and synced as they finish, so an
//! interrupted embedding pass loses at most the batch in flight; a torn trailing record is cut
//! off on open. Unchanged passages are never embedded twice, across ingests too.

use crate::error::SearchError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub type TextHash = [u8; 32];

pub fn text_hash(text: &str) -> TextHash {
    Sha256::digest(text.as_bytes()).into()
}

pub struct VectorCache {
    path: PathBuf,
    dim: usize,
    index: HashMap<TextHash, usize>,
    data: Vec<f32>,
    file: File,
}

impl VectorCache {
    /// Open (or create) the cache for `model_id` under `DATA/vectors`.
    pub fn open(data_dir: &Path, model_id: &str, dim: usize) -> Result<Self, SearchError> {
        let dir = data_dir.join("vectors");
        fs::create_dir_all(&dir).map_err(SearchError::io(&dir))?;
        let safe: String = model_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{safe}-{dim}.bin"));
        let mut bytes = Vec::new();
        if path.exists() {
            File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(SearchError::io(&path))?;
        }
        let record = 32 + dim * 4;
        let whole = bytes.len() / record * record;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(SearchError::io(&path))?;
        if whole != bytes.len() {
            // A torn record from an interrupted append: cut it off.
            file.set_len(whole as u64).map_err(SearchError::io(&path))?;
        }
        let mut index = HashMap::with_capacity(whole / record);
        let mut data = Vec::with_capacity(whole / record * dim);
        for rec in bytes[..whole].chunks_exact(record) {
            let hash: TextHash = rec[..32].try_into().expect("32 bytes");
            let slot = data.len() / dim;
            data.extend(
                rec[32..]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            index.insert(hash, slot);
        }
        Ok(Self {
            path,
            dim,
            index,
            data,
            file,
        })
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains(&self, hash: &TextHash) -> bool {
        self.index.contains_key(hash)
    }

    pub fn get(&self, hash: &TextHash) -> Option<&[f32]> {
        self.index
            .get(hash)
            .map(|&slot| &self.data[slot * self.dim..(slot + 1) * self.dim])
    }

    /// Append a batch and sync it to disk.
    pub fn append(&mut self, batch: &[(TextHash, Vec<f32>)]) -> Result<(), SearchError> {
        let mut buf = Vec::with_capacity(batch.len() * (32 + self.dim * 4));
        for (hash, v) in batch {
            if v.len() != self.dim || self.index.contains_key(hash) {
                continue;
            }
            buf.extend_from_slice(hash);
            for x in v {
                buf.extend_from_slice(&x.to_le_bytes());
            }
            let slot = self.data.len() / self.dim;
            self.data.extend_from_slice(v);
            self.index.insert(*hash, slot);
        }
        self.file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data())
            .map_err(SearchError::io(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_torn_record_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let h1 = text_hash("one");
        let h2 = text_hash("two");
        {
            let mut c = VectorCache::open(dir.path(), "m/x", 2).unwrap();
            c.append(&[(h1, vec![1.0, 2.0]), (h2, vec![3.0, 4.0])])
                .unwrap();
        }
        // Simulate a crash mid-append: half a record at the end.
        let path = dir.path().join("vectors/m_x-2.bin");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[7u8; 20]).unwrap();
        drop(f);
        let c = VectorCache::open(dir.path(), "m/x", 2).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&h2), Some(&[3.0f32, 4.0][..]));
        assert_eq!(fs::metadata(&path).unwrap().len(), 2 * (32 + 8));
    }
}
