//! Reference numbering: one reference per cited document (carrying the passages used, verbatim) and one per study cited second-hand, numbered in order of first use.

use std::collections::HashMap;

use super::Candidate;
use crate::answer::{EvidencePassage, Reference};
use crate::document::{CitedStudy, EvidenceKind};

pub(crate) struct Builder<'a> {
    candidates: &'a [Candidate],
    refs: Vec<Reference>,
    by_doc: HashMap<String, usize>,
    by_study: HashMap<String, usize>,
    studies: usize,
    max_studies: usize,
}

impl<'a> Builder<'a> {
    pub fn new(candidates: &'a [Candidate], max_studies: usize) -> Self {
        Builder {
            candidates,
            refs: Vec::new(),
            by_doc: HashMap::new(),
            by_study: HashMap::new(),
            studies: 0,
            max_studies,
        }
    }

    /// The reference numbers for a statement taken from `candidate` that cites `study_keys`:
    /// the document first, then up to two of the studies its sentence cites.
    pub fn cite(&mut self, candidate: usize, study_keys: &[String]) -> Vec<u32> {
        let cand = &self.candidates[candidate];
        let doc = cand.passage.id.doc.as_str().to_string();
        let index = *self.by_doc.entry(doc.clone()).or_insert_with(|| {
            self.refs.push(Reference {
                n: self.refs.len() as u32 + 1,
                kind: cand.kind,
                title: cand.title.clone(),
                source: cand.source.clone(),
                year: cand.year,
                url: cand.url.clone(),
                pmid: doc.strip_prefix("pmid:").map(str::to_string),
                doc_id: Some(doc.clone()),
                evidence: Vec::new(),
            });
            self.refs.len() - 1
        });
        let passage_id = cand.passage.id.to_string();
        let evidence = &mut self.refs[index].evidence;
        if !evidence.iter().any(|e| e.passage_id == passage_id) {
            let section = cand.passage.section_path.join(" › ");
            evidence.push(EvidencePassage {
                passage_id,
                section: (!section.is_empty()).then_some(section),
                text: cand.passage.text.clone(),
            });
        }
        let mut out = vec![self.refs[index].n];
        for key in study_keys.iter().take(2) {
            let Some(study) = cand.studies.iter().find(|s| &s.key == key) else {
                continue;
            };
            let id = study
                .pmid
                .clone()
                .unwrap_or_else(|| format!("{doc}/{}", study.key));
            let n = match self.by_study.get(&id) {
                Some(&i) => self.refs[i].n,
                None if self.studies < self.max_studies => {
                    self.studies += 1;
                    self.refs
                        .push(study_reference(study, self.refs.len() as u32 + 1));
                    self.by_study.insert(id, self.refs.len() - 1);
                    self.refs.len() as u32
                }
                None => continue,
            };
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    pub fn finish(self) -> Vec<Reference> {
        self.refs
    }
}

/// A study from a guideline's reference list, cited second-hand: no evidence passages of
/// its own. Its kind is read from its title where the title says it.
fn study_reference(study: &CitedStudy, n: u32) -> Reference {
    let lower = study.text.to_lowercase();
    let kind = if lower.contains("meta-analysis") || lower.contains("systematic review") {
        EvidenceKind::SystematicReview
    } else if lower.contains("randomi") || lower.contains("trial") {
        EvidenceKind::Trial
    } else if lower.contains("guideline") {
        EvidenceKind::Guideline
    } else {
        EvidenceKind::Study
    };
    let year = study
        .text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<u16>().ok())
        .rfind(|y| (1900..=2100).contains(y));
    Reference {
        n,
        kind,
        title: study.text.clone(),
        source: None,
        year,
        url: study
            .pmid
            .as_ref()
            .map(|p| format!("https://pubmed.ncbi.nlm.nih.gov/{p}/")),
        pmid: study.pmid.clone(),
        doc_id: None,
        evidence: Vec::new(),
    }
}
