//! The built-in starter knowledge base: embedded in the binary and indexed on first use, so
//! Evident answers on a fresh machine with no setup and no network.

use crate::error::EngineError;
use crate::ingest::{IngestOptions, IngestReport, ingest};
use crate::progress::Progress;
use evident_search::{SearchError, Snapshot};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::path::Path;

static KB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../kb");

/// Marker in the data directory: the hash of the starter base its index was built from.
/// Any other ingest removes it, so a directory holding the user's documents is never rebuilt.
pub(crate) const MARKER: &str = "starter-kb.sha256";

/// SHA-256 over the embedded files' names and contents.
pub fn starter_hash() -> String {
    let mut files: Vec<_> = KB.files().collect();
    files.sort_by_key(|f| f.path());
    let mut h = Sha256::new();
    for f in files {
        h.update(f.path().to_string_lossy().as_bytes());
        h.update([0]);
        h.update(f.contents());
    }
    hex::encode(h.finalize())
}

pub fn starter_documents() -> usize {
    KB.files().count()
}

/// If `data_dir` has no index, or holds a starter index built from another version of the
/// starter base, (re)build it from the embedded files. Returns the report when it built.
pub fn ensure_starter(
    data_dir: &Path,
    progress: &dyn Progress,
) -> Result<Option<IngestReport>, EngineError> {
    let marker = data_dir.join(MARKER);
    let hash = starter_hash();
    match Snapshot::current(data_dir) {
        Ok(_) => {
            let built_from = std::fs::read_to_string(&marker).ok();
            if built_from.is_none() || built_from.as_deref().map(str::trim) == Some(&hash) {
                return Ok(None);
            }
        }
        Err(SearchError::NoIndex(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let staging = data_dir.join("starter-staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(EngineError::io(&staging))?;
    KB.extract(&staging).map_err(EngineError::io(&staging))?;
    let options = IngestOptions {
        replace_all: true,
        ..Default::default()
    };
    let report = ingest(data_dir, std::slice::from_ref(&staging), &options, progress);
    let _ = std::fs::remove_dir_all(&staging);
    let report = report?;
    std::fs::write(&marker, &hash).map_err(EngineError::io(&marker))?;
    Ok(Some(report))
}
