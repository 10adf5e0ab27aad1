//! The built-in starter knowledge base: embedded in the binary and indexed on first use, so
//! Evident answers on a fresh machine with no setup and no network.

use crate::error::EngineError;
use crate::ingest::{IngestOptions, IngestReport, ingest};
use crate::progress::Progress;
use evident_core::article::DocumentEntry;
use evident_core::document::DocId;
use evident_core::readers::{Format, ReadOptions, read_markdown};
use evident_search::{SearchError, Snapshot};
use include_dir::{Dir, File, include_dir};
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

/// The embedded Markdown files, in path order, at any depth.
fn markdown_files() -> Vec<&'static File<'static>> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<&'static File<'static>>) {
        out.extend(dir.files().filter(|f| {
            Format::from_path_name(&f.path().to_string_lossy()) == Some(Format::Markdown)
        }));
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    walk(&KB, &mut files);
    files.sort_by_key(|f| f.path());
    files
}

/// The starter documents as review registers them: the index's document id (the path
/// without its extension, as ingest names a Markdown file), the title and source the reader
/// takes from the file, and the SHA-256 of its bytes.
pub fn starter_entries() -> Vec<DocumentEntry> {
    markdown_files()
        .into_iter()
        .map(|f| {
            let path = f.path().to_string_lossy().replace('\\', "/");
            let doc_id = path
                .rsplit_once('.')
                .map_or(path.as_str(), |(stem, _)| stem)
                .to_string();
            // The embedded files are read by the starter test; a file the reader refused
            // would still be listed under its id.
            let (title, source) = match read_markdown(
                &path,
                f.contents(),
                DocId::new(&doc_id),
                &ReadOptions::default(),
            ) {
                Ok(doc) => (doc.title, doc.source),
                Err(_) => (doc_id.clone(), None),
            };
            DocumentEntry {
                doc_id,
                title,
                source,
                sha256: hex::encode(Sha256::digest(f.contents())),
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_entries_name_every_document_as_the_index_does() {
        let entries = starter_entries();
        assert_eq!(entries.len(), starter_documents());
        let ids: std::collections::HashSet<_> = entries.iter().map(|e| &e.doc_id).collect();
        assert_eq!(ids.len(), entries.len());
        let rectal = entries
            .iter()
            .find(|e| e.doc_id == "rectal-cancer-local-recurrence")
            .expect("the rectal cancer summary");
        assert!(rectal.title.to_lowercase().contains("rectal"), "{rectal:?}");
        for e in &entries {
            assert!(!e.doc_id.ends_with(".md"), "{e:?}");
            assert!(e.source.is_some() && !e.title.is_empty(), "{e:?}");
            assert_eq!(e.sha256.len(), 64);
        }
    }
}
