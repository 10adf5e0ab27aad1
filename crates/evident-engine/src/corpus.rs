//! Finding corpus files on disk and streaming their documents through the core readers.

use crate::error::EngineError;
use evident_core::readers::{
    Format, JsonlFlavor, JsonlReader, PubmedReader, ReadOptions, read_markdown,
};
use evident_core::{DocId, Document, ReadError};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One file to read, with the format it will be read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    pub path: PathBuf,
    pub format: Format,
    /// Path relative to the argument it was found under, without extensions: the document
    /// id of a Markdown file.
    pub rel_id: String,
}

/// Files found under `paths` (directories are recursed, in name order), and how many files
/// were ignored because their format is unknown. A directory holding a BEIR `corpus.jsonl`
/// contributes only that file (its `queries.jsonl` is not corpus).
pub fn discover(
    paths: &[PathBuf],
    forced: Option<Format>,
) -> Result<(Vec<CorpusFile>, usize), EngineError> {
    let mut files = Vec::new();
    let mut ignored = 0;
    for root in paths {
        let meta = std::fs::metadata(root).map_err(EngineError::io(root))?;
        if meta.is_file() {
            let format = forced
                .or_else(|| Format::from_path_name(&root.to_string_lossy()))
                .ok_or_else(|| {
                    EngineError::Usage(format!(
                        "{}: unknown file type; pass --format markdown|pubmed-xml|jsonl|beir",
                        root.display()
                    ))
                })?;
            files.push(CorpusFile {
                path: root.clone(),
                format,
                rel_id: strip_extensions(
                    &root
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                ),
            });
        } else {
            walk(root, root, forced, &mut files, &mut ignored)?;
        }
    }
    Ok((files, ignored))
}

fn walk(
    root: &Path,
    dir: &Path,
    forced: Option<Format>,
    files: &mut Vec<CorpusFile>,
    ignored: &mut usize,
) -> Result<(), EngineError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(EngineError::io(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(EngineError::io(dir))?;
    entries.sort();
    let beir = entries
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n == "corpus.jsonl"));
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, forced, files, ignored)?;
            continue;
        }
        if beir && name != "corpus.jsonl" {
            *ignored += 1;
            continue;
        }
        let Some(format) = forced.or_else(|| Format::from_path_name(&name)) else {
            *ignored += 1;
            continue;
        };
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel = rel
            .iter()
            .map(|c| c.to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join("/");
        files.push(CorpusFile {
            path,
            format,
            rel_id: strip_extensions(&rel),
        });
    }
    Ok(())
}

fn strip_extensions(name: &str) -> String {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    match name.rfind('.') {
        Some(p) if p > 0 && !name[p..].contains('/') => name[..p].to_string(),
        _ => name.to_string(),
    }
}

/// Open a file for reading, transparently decompressing gzip (by magic bytes).
fn open(path: &Path) -> Result<Box<dyn BufRead>, EngineError> {
    let mut file = BufReader::new(File::open(path).map_err(EngineError::io(path))?);
    let head = file.fill_buf().map_err(EngineError::io(path))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            file,
        ))))
    } else {
        Ok(Box::new(file))
    }
}

/// Stream the documents of `file` into `sink`, one result per record. IO failures end the
/// file with an error; record problems are passed to the sink to decide.
pub fn read_file(
    file: &CorpusFile,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Document, ReadError>) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    let name = file.path.display().to_string();
    let reader = open(&file.path)?;
    match file.format {
        Format::Markdown => {
            let mut bytes = Vec::new();
            let mut reader = reader;
            reader
                .read_to_end(&mut bytes)
                .map_err(EngineError::io(&file.path))?;
            sink(read_markdown(
                &name,
                &bytes,
                DocId::new(file.rel_id.clone()),
                options,
            ))
        }
        Format::PubmedXml => {
            for doc in PubmedReader::new(&name, reader, options.clone()) {
                sink(doc)?;
            }
            Ok(())
        }
        Format::Jsonl | Format::Beir => {
            let flavor = if file.format == Format::Beir {
                JsonlFlavor::Beir
            } else {
                JsonlFlavor::Evident
            };
            for doc in JsonlReader::new(&name, reader, flavor, options.clone()) {
                sink(doc)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_by_extension_and_keeps_beir_corpus_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("guides/sub")).unwrap();
        std::fs::create_dir_all(p.join("beir")).unwrap();
        std::fs::write(p.join("guides/a.md"), "x").unwrap();
        std::fs::write(p.join("guides/sub/b.md"), "x").unwrap();
        std::fs::write(p.join("guides/notes.txt"), "x").unwrap();
        std::fs::write(p.join("beir/corpus.jsonl"), "x").unwrap();
        std::fs::write(p.join("beir/queries.jsonl"), "x").unwrap();
        std::fs::write(p.join("set.xml.gz"), "x").unwrap();
        let (files, ignored) = discover(&[p.to_path_buf()], None).unwrap();
        let got: Vec<(String, Format)> =
            files.iter().map(|f| (f.rel_id.clone(), f.format)).collect();
        assert_eq!(
            got,
            vec![
                ("beir/corpus".to_string(), Format::Beir),
                ("guides/a".to_string(), Format::Markdown),
                ("guides/sub/b".to_string(), Format::Markdown),
                ("set".to_string(), Format::PubmedXml),
            ]
        );
        assert_eq!(ignored, 2);
        let err = discover(&[p.join("guides/notes.txt")], None).unwrap_err();
        assert!(err.to_string().contains("unknown file type"), "{err}");
        let err = discover(&[p.join("missing")], None).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

    #[test]
    fn reads_gzip_transparently() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"id\":\"a\",\"title\":\"T\",\"text\":\"Body text.\"}\n")
            .unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let (files, _) = discover(&[path], None).unwrap();
        let mut docs = Vec::new();
        read_file(&files[0], &ReadOptions::default(), &mut |d| {
            docs.push(d.unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(docs[0].id.as_str(), "a");
    }
}
