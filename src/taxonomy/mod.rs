//! The skills taxonomy: ESCO, JobTech and the curated bilingual life-science list, with English and Swedish
//! labels and synonyms, and the resolution of names such as "cellodling" to one skill.
//!
//! Other features use the face below: [`resolve`] for skill references, [`resolve_ids_or_names`] for lists whose
//! items are each an id or a name, [`skill_labels`] for every label of some skills, [`every_label`] for all of
//! them, [`extraction_labels`] for the skill extractor, [`jobtech_concepts`] for reading imported ads, and
//! [`LiveTaxonomy`]: the same resolution from memory for the hot paths, with the [`SkillLinks`] that make skills of
//! different sources one for matching, reloaded by [`watch`] whenever the taxonomy changes.

pub mod bulk;
pub mod links;
pub mod load;
pub mod mappings;
pub mod model;
pub mod routes;
pub mod snapshot;
pub mod sources;
mod store;
pub mod watch;

pub use links::{Relation, SkillLinks};
pub use model::{normalize, Label, ResolvedSkill, SkillLabels, SkillRef};
pub use snapshot::{LiveTaxonomy, Snapshot};
pub use store::{
    every_label, extraction_labels, jobtech_concepts, resolve, resolve_ids_or_names, skill_labels, ResolveError,
};
