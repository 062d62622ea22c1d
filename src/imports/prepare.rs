//! Turning one raw ad into what the writer needs, off the async workers: read from its format, skills found
//! (listed, then read from the text), fingerprinted for duplicate detection, and hashed so an unchanged
//! re-import is recognised.

use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::duplicates::AdFingerprint;
use super::jobposting;
use super::jobtech::{self, Concepts};
use super::model::{Ad, Format, Skipped};
use crate::extract::{self, SkillExtractor};
use crate::jobs::model::{JobSkill, SkillFound};
use crate::taxonomy::normalize;

/// An ad ready to be written.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub position: usize,
    pub ad: Ad,
    pub skills: Vec<JobSkill>,
    pub fingerprint: AdFingerprint,
    pub content_hash: Vec<u8>,
}

/// One input position: an ad to write, or why it cannot be.
#[derive(Clone, Debug)]
pub enum Item {
    Ready(Box<Prepared>),
    Skipped(Skipped),
}

/// What preparing needs, built once per run (or once per server) and shared by the threads that prepare.
#[derive(Clone)]
pub struct Preparer {
    extractor: Arc<SkillExtractor>,
    concepts: Arc<Concepts>,
}

impl Preparer {
    pub fn new(extractor: Arc<SkillExtractor>, concepts: Arc<Concepts>) -> Self {
        Self { extractor, concepts }
    }

    /// Reads, extracts and fingerprints one ad. CPU work: call it on a thread of its own.
    pub fn prepare(&self, format: Format, position: usize, value: Value) -> Item {
        if let Value::String(reason) = value {
            return Item::Skipped(Skipped { position, reason });
        }
        let read = match format {
            Format::Jobtech => jobtech::read(value, &self.concepts),
            Format::Jobposting => jobposting::read(value),
        };
        let ad = match read {
            Ok(ad) => ad,
            Err(reason) => return Item::Skipped(Skipped { position, reason }),
        };
        let skills = if ad.removed { Vec::new() } else { self.skills_of(&ad) };
        let fingerprint = AdFingerprint::of(&ad.title, &ad.city, &ad.text);
        let content_hash = serde_json::to_vec(&ad).map(|bytes| Sha256::digest(bytes).to_vec()).unwrap_or_default();
        Item::Ready(Box::new(Prepared { position, ad, skills, fingerprint, content_hash }))
    }

    /// The ad's listed skills first (required when it says they must be had), then those read from its title and
    /// text, never required. A listed skill the taxonomy does not know stays as free text.
    fn skills_of(&self, ad: &Ad) -> Vec<JobSkill> {
        let listed: Vec<extract::ListedSkill> = ad
            .listed_skills
            .iter()
            .map(|l| extract::ListedSkill { concept_id: l.concept_id.clone(), label: l.label.clone() })
            .collect();
        let text = format!("{}\n{}", ad.title, ad.text);
        let extraction = self.extractor.extract(&text, &listed);
        let must_have = |id: &str, label: &str| {
            let label = normalize(label);
            ad.listed_skills.iter().filter(|l| l.required).any(|l| {
                l.concept_id.as_deref().is_some_and(|c| id.strip_prefix("jobtech:") == Some(c))
                    || normalize(&l.label) == label
            })
        };
        let mut skills: Vec<JobSkill> = extraction
            .skills
            .into_iter()
            .map(|s| {
                let found = match s.found {
                    extract::Found::Listed => SkillFound::Listed,
                    extract::Found::Text => SkillFound::Text,
                };
                let required = found == SkillFound::Listed && must_have(&s.skill_id, &s.label);
                JobSkill { skill_id: Some(s.skill_id), name: s.label, required, found: Some(found), snippet: s.snippet }
            })
            .collect();
        // A listed skill the taxonomy does not know is kept as free text.
        for label in extraction.unresolved {
            let required = must_have("", &label);
            skills.push(JobSkill {
                skill_id: None,
                name: label,
                required,
                found: Some(SkillFound::Listed),
                snippet: None,
            });
        }
        // A listed skill the text also names is kept once, as listed.
        let mut seen = std::collections::HashSet::new();
        skills.retain(|s| s.skill_id.as_ref().is_none_or(|id| seen.insert(id.clone())));
        skills.truncate(crate::limits::MAX_JOB_SKILLS);
        skills
    }
}

/// The position of an item in its input.
pub fn position(item: &Item) -> usize {
    match item {
        Item::Ready(p) => p.position,
        Item::Skipped(s) => s.position,
    }
}
