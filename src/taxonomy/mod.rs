//! The skills taxonomy: ESCO, JobTech and the curated bilingual life-science list, with English and Swedish
//! labels and synonyms, and the resolution of names such as "cellodling" to one skill.

pub mod load;
pub mod model;
pub mod routes;
pub mod sources;
pub mod store;

pub use model::{normalize, ResolvedSkill, SkillRef};
pub use store::{resolve, ResolveError};
