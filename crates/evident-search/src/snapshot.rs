//! The data directory: immutable index snapshots, the `CURRENT` pointer, manifests and
//! atomic publication.
//!
//! Layout:
//! ```text
//! DATA/CURRENT                    name of the published snapshot (replaced by rename)
//! DATA/snapshots/NAME/manifest.json
//! DATA/snapshots/NAME/tantivy/    BM25 index
//! DATA/snapshots/NAME/documents.jsonl   every document, for rebuilds and reference lists
//! DATA/snapshots/NAME/dense.f32   dense matrix, added (by rename) once embedding completes
//! DATA/snapshots/NAME/dense.hnsw  HNSW graph over it, for large corpora
//! DATA/vectors/MODEL.bin          content-addressed vector cache (see `vectors`)
//! DATA/tmp/                       snapshots being built
//! ```
//! Invariant: a snapshot directory is complete before `CURRENT` names it, and `CURRENT` only
//! ever changes by an atomic rename, so a crash at any point leaves the old index readable.

use crate::error::SearchError;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub const MANIFEST: &str = "manifest.json";
pub const TANTIVY_DIR: &str = "tantivy";
pub const DOCUMENTS: &str = "documents.jsonl";
pub const DENSE: &str = "dense.f32";
pub const ANN: &str = "dense.hnsw";

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// SHA-256 over the documents' ids and content, in id order: equal corpora, equal version.
    pub corpus_version: String,
    pub documents: u64,
    pub passages: u64,
    /// The model whose vectors `dense.f32` holds, once embedding is complete.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub dim: Option<usize>,
    /// Whether `dense.hnsw` holds an approximate nearest-neighbour graph.
    #[serde(default)]
    pub ann: bool,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
}

/// A published (or about to be published) snapshot directory.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Snapshot {
    /// The snapshot `CURRENT` names, or `NoIndex`.
    pub fn current(data_dir: &Path) -> Result<Snapshot, SearchError> {
        let pointer = data_dir.join("CURRENT");
        let name = match fs::read_to_string(&pointer) {
            Ok(n) => n.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SearchError::NoIndex(data_dir.to_path_buf()));
            }
            Err(e) => return Err(SearchError::io(&pointer)(e)),
        };
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(SearchError::Corrupt {
                path: pointer,
                message: format!("CURRENT names an invalid snapshot '{name}'"),
            });
        }
        Snapshot::open(&data_dir.join("snapshots").join(name))
    }

    pub fn open(dir: &Path) -> Result<Snapshot, SearchError> {
        let path = dir.join(MANIFEST);
        let text = fs::read_to_string(&path).map_err(SearchError::io(&path))?;
        let manifest = serde_json::from_str(&text).map_err(|e| SearchError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Snapshot {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Replace the manifest atomically (used when dense vectors are added).
    pub fn write_manifest(&mut self, manifest: Manifest) -> Result<(), SearchError> {
        write_atomic(
            &self.dir.join(MANIFEST),
            serde_json::to_string_pretty(&manifest)
                .expect("manifest serialises")
                .as_bytes(),
        )?;
        self.manifest = manifest;
        Ok(())
    }

    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    }
}

/// Move a finished snapshot from `tmp` into `snapshots/` and point `CURRENT` at it. Older
/// snapshots except the previous one are removed.
pub fn publish(data_dir: &Path, built: &Path, name: &str) -> Result<Snapshot, SearchError> {
    let snapshots = data_dir.join("snapshots");
    fs::create_dir_all(&snapshots).map_err(SearchError::io(&snapshots))?;
    let target = snapshots.join(name);
    fs::rename(built, &target).map_err(SearchError::io(&target))?;
    sync_dir(&snapshots);
    let previous = fs::read_to_string(data_dir.join("CURRENT")).ok();
    write_atomic(&data_dir.join("CURRENT"), name.as_bytes())?;
    // Keep the previous snapshot for readers that still have it open; drop older ones.
    if let Ok(entries) = fs::read_dir(&snapshots) {
        for entry in entries.flatten() {
            let n = entry.file_name().to_string_lossy().to_string();
            if n != name && Some(n.as_str()) != previous.as_deref().map(str::trim) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    Snapshot::open(&target)
}

/// Exclusive lock on the data directory for writers (ingest, embedding), released when the
/// returned file is dropped or the process dies. Readers never lock.
pub fn lock_for_writing(data_dir: &Path) -> Result<fs::File, SearchError> {
    fs::create_dir_all(data_dir).map_err(SearchError::io(data_dir))?;
    let path = data_dir.join(".write.lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(SearchError::io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(SearchError::Busy(data_dir.to_path_buf())),
        Err(fs::TryLockError::Error(e)) => Err(SearchError::io(&path)(e)),
    }
}

/// A fresh directory under `DATA/tmp` for building a snapshot; leftovers of crashed builds are
/// removed first.
pub fn temp_build_dir(data_dir: &Path) -> Result<PathBuf, SearchError> {
    let tmp = data_dir.join("tmp");
    if tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    let dir = tmp.join(format!("build-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(SearchError::io(&dir))?;
    Ok(dir)
}

/// Write `bytes` to `path` by writing a sibling temp file, syncing it and renaming it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SearchError> {
    let tmp = path.with_extension("tmp-write");
    {
        let mut f = fs::File::create(&tmp).map_err(SearchError::io(&tmp))?;
        f.write_all(bytes).map_err(SearchError::io(&tmp))?;
        f.sync_all().map_err(SearchError::io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(SearchError::io(path))?;
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Now, as RFC 3339 UTC (second precision).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Format Unix seconds as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_651_200), "2026-11-26T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn missing_current_is_no_index() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Snapshot::current(dir.path()),
            Err(SearchError::NoIndex(_))
        ));
    }
}
