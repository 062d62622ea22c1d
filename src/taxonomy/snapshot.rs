//! The taxonomy held in memory, so that resolving the skills of a search costs no database round trip: a
//! snapshot swapped whole when the taxonomy changes (see `watch`), resolving exactly as the database does, with
//! the links between skills that make equivalent skills one for matching.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use diesel_async::AsyncPgConnection;

use super::links::SkillLinks;
use super::model::{ids_or_names, resolve_refs, ResolvedSkill};
use super::store::{self, ResolveError};
use crate::db::StoreError;

/// Every skill's display label and which skill each label or synonym names, as of one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// (id, display label), indexed by the numbers below: ids are long (ESCO URIs), so each is kept once.
    skills: Vec<(String, String)>,
    by_id: HashMap<String, u32>,
    /// A normalized label or synonym and the skill it resolves to.
    by_name: HashMap<String, u32>,
    links: Arc<SkillLinks>,
}

/// Which of several skills sharing a label wins it, smallest first: the curated life-science skill, then the
/// skill whose preferred label it is, then the lowest id (as `store::lookup_names` orders them).
type Rank<'a> = (bool, bool, &'a str);

impl Snapshot {
    /// Builds a snapshot from every (id, display label, curated) skill and (normalized, skill id, preferred) name.
    pub fn build(skills: Vec<(String, String, bool)>, names: Vec<(String, String, bool)>) -> Self {
        let by_id: HashMap<String, u32> = skills.iter().enumerate().map(|(i, s)| (s.0.clone(), i as u32)).collect();
        let mut best: HashMap<String, (u32, Rank<'_>)> = HashMap::with_capacity(names.len());
        for (normalized, skill_id, preferred) in &names {
            let Some(&i) = by_id.get(skill_id) else { continue };
            let (id, _, curated) = &skills[i as usize];
            let rank = (!curated, !preferred, id.as_str());
            match best.get(normalized) {
                Some((_, held)) if *held <= rank => {}
                _ => {
                    best.insert(normalized.clone(), (i, rank));
                }
            }
        }
        let by_name = best.into_iter().map(|(name, (i, _))| (name, i)).collect();
        let skills = skills.into_iter().map(|(id, label, _)| (id, label)).collect();
        Self { skills, by_id, by_name, links: Arc::default() }
    }

    /// The snapshot with these links between its skills.
    pub fn with_links(self, links: SkillLinks) -> Self {
        Self { links: Arc::new(links), ..self }
    }

    /// The links between skills, and the classes of equivalent skills they make.
    pub fn links(&self) -> Arc<SkillLinks> {
        self.links.clone()
    }

    /// How many skills it knows.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    fn skill(&self, i: u32) -> (String, String) {
        self.skills[i as usize].clone()
    }

    /// As [`super::resolve_ids_or_names`], from memory.
    pub fn resolve_ids_or_names(&self, field: &str, items: &[String]) -> Result<Vec<ResolvedSkill>, ResolveError> {
        let refs = ids_or_names(items, |item| self.by_id.contains_key(item));
        resolve_refs(
            field,
            &refs,
            |id| self.by_id.get(id).map(|&i| self.skill(i).1),
            |name| self.by_name.get(name).map(|&i| self.skill(i)),
        )
    }

    /// Reads the whole taxonomy: three queries.
    async fn read(conn: &mut AsyncPgConnection) -> Result<Self, StoreError> {
        let skills = store::every_skill(conn).await?;
        let names = store::every_name(conn).await?;
        let links = SkillLinks::build(store::every_link(conn).await?);
        Ok(Self::build(skills, names).with_links(links))
    }
}

/// The current snapshot, shared by every handler; a reload replaces it without holding up readers for longer
/// than an `Arc` clone.
#[derive(Clone, Debug, Default)]
pub struct LiveTaxonomy {
    current: Arc<RwLock<Arc<Snapshot>>>,
}

impl LiveTaxonomy {
    /// Reads the taxonomy from the database.
    pub async fn load(conn: &mut AsyncPgConnection) -> Result<Self, StoreError> {
        Ok(Self { current: Arc::new(RwLock::new(Arc::new(Snapshot::read(conn).await?))) })
    }

    /// Reads the taxonomy again and swaps it in.
    pub async fn reload(&self, conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
        let fresh = Arc::new(Snapshot::read(conn).await?);
        tracing::debug!(skills = fresh.len(), links = fresh.links.len(), "reloaded the skills taxonomy");
        // A poisoned lock only means a reader panicked while cloning an `Arc`; the value is whole.
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// The snapshot as of now.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// As [`super::resolve_ids_or_names`], from memory.
    pub fn resolve_ids_or_names(&self, field: &str, items: &[String]) -> Result<Vec<ResolvedSkill>, ResolveError> {
        self.current().resolve_ids_or_names(field, items)
    }

    /// The links between skills as of now.
    pub fn links(&self) -> Arc<SkillLinks> {
        self.current().links()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(id: &str, label: &str, curated: bool) -> (String, String, bool) {
        (id.to_owned(), label.to_owned(), curated)
    }

    fn name(normalized: &str, id: &str, preferred: bool) -> (String, String, bool) {
        (normalized.to_owned(), id.to_owned(), preferred)
    }

    fn resolved(snapshot: &Snapshot, items: &[&str]) -> Vec<(Option<String>, String)> {
        let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        let skills = snapshot.resolve_ids_or_names("skills", &items).expect("resolves");
        skills.into_iter().map(|s| (s.skill_id, s.name)).collect()
    }

    #[test]
    fn ids_names_and_unknown_names_resolve_as_in_the_database() {
        let snapshot = Snapshot::build(
            vec![skill("ls:cell", "cell culture", true), skill("esco:1", "cell culturing", false)],
            vec![name("cell culture", "ls:cell", true), name("cellodling", "ls:cell", false)],
        );
        let some = |id: &str, label: &str| (Some(id.to_owned()), label.to_owned());
        assert_eq!(
            resolved(&snapshot, &["esco:1", "Cellödling", "GMP-tillverkning "]),
            vec![
                some("esco:1", "cell culturing"),
                some("ls:cell", "cell culture"),
                (None, "GMP-tillverkning".to_owned())
            ]
        );
        let err = snapshot.resolve_ids_or_names("skills", &["-".to_owned()]).expect_err("no name");
        assert!(matches!(err, ResolveError::Invalid(e) if e[0].field == "skills[0]"));
    }

    #[test]
    fn a_shared_label_goes_to_the_curated_then_the_preferred_then_the_lowest_id() {
        let snapshot = Snapshot::build(
            vec![skill("b", "B", false), skill("a", "A", false), skill("z", "Z", true), skill("c", "C", false)],
            vec![
                name("pcr", "b", false),
                name("pcr", "a", false),
                name("assay", "c", true),
                name("assay", "a", false),
                name("qc", "a", true),
                name("qc", "z", false),
            ],
        );
        let ids: Vec<Option<String>> = resolved(&snapshot, &["pcr", "assay", "qc"]).into_iter().map(|s| s.0).collect();
        assert_eq!(ids, vec![Some("a".to_owned()), Some("c".to_owned()), Some("z".to_owned())]);
    }
}
