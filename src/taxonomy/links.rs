//! Skills of different sources that mean the same thing: the links between them, and the classes that exact and
//! close links make, so that matching treats a class as one skill ("Java (computer programming)" from ESCO and
//! "Java Enterprise Edition, programmeringsspråk" from JobTech).

use std::collections::HashMap;

/// What a linked skill is to the skill it is linked from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The same skill.
    Exact,
    /// Near enough to be the same for matching.
    Close,
    /// The linked skill is broader.
    Broad,
    /// The linked skill is narrower.
    Narrow,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Close => "close",
            Self::Broad => "broad",
            Self::Narrow => "narrow",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "exact" => Some(Self::Exact),
            "close" => Some(Self::Close),
            "broad" => Some(Self::Broad),
            "narrow" => Some(Self::Narrow),
            _ => None,
        }
    }

    /// The same link read from the other end: broad and narrow swap.
    pub fn reversed(self) -> Self {
        match self {
            Self::Broad => Self::Narrow,
            Self::Narrow => Self::Broad,
            same => same,
        }
    }

    /// Exact and close links make one skill for matching.
    pub fn is_equivalence(self) -> bool {
        matches!(self, Self::Exact | Self::Close)
    }
}

/// The links of the whole taxonomy, as of one snapshot.
#[derive(Debug, Default)]
pub struct SkillLinks {
    /// The class of each skill with an exact or close link: an index into `classes`.
    class_of: HashMap<String, u32>,
    /// The members of each class (two or more), sorted.
    classes: Vec<Vec<String>>,
    /// Each direct link, both ways: (a, b) → what b is to a.
    relations: HashMap<(String, String), Relation>,
    /// Each skill's broad and narrow links, both ways: the linked skill and what it is to the skill.
    partial: HashMap<String, Vec<(String, Relation)>>,
}

impl SkillLinks {
    /// Builds the classes (the connected parts of the exact and close links, by union-find) from every
    /// (skill, linked skill, what the linked skill is to the skill).
    pub fn build(links: impl IntoIterator<Item = (String, String, Relation)>) -> Self {
        let mut relations = HashMap::new();
        let mut partial: HashMap<String, Vec<(String, Relation)>> = HashMap::new();
        let mut number: HashMap<String, usize> = HashMap::new();
        let mut parent: Vec<usize> = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        let mut node = |id: &str, parent: &mut Vec<usize>| {
            *number.entry(id.to_owned()).or_insert_with(|| {
                ids.push(id.to_owned());
                parent.push(parent.len());
                parent.len() - 1
            })
        };
        for (a, b, relation) in links {
            if a == b {
                continue;
            }
            if relation.is_equivalence() {
                let (x, y) = (node(&a, &mut parent), node(&b, &mut parent));
                let (rx, ry) = (root(&mut parent, x), root(&mut parent, y));
                parent[rx.max(ry)] = rx.min(ry);
            } else {
                partial.entry(a.clone()).or_default().push((b.clone(), relation));
                partial.entry(b.clone()).or_default().push((a.clone(), relation.reversed()));
            }
            relations.insert((b.clone(), a.clone()), relation.reversed());
            relations.insert((a, b), relation);
        }
        let mut by_root: HashMap<usize, Vec<String>> = HashMap::new();
        for (i, id) in ids.into_iter().enumerate() {
            by_root.entry(root(&mut parent, i)).or_default().push(id);
        }
        let mut classes: Vec<Vec<String>> = by_root.into_values().collect();
        classes.iter_mut().for_each(|c| c.sort());
        classes.sort();
        let class_of = classes
            .iter()
            .enumerate()
            .flat_map(|(i, members)| members.iter().map(move |id| (id.clone(), i as u32)))
            .collect();
        Self { class_of, classes, relations, partial }
    }

    /// How many direct links there are.
    pub fn len(&self) -> usize {
        self.relations.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }

    /// The skill and every skill equivalent to it (the skill itself alone when it has no exact or close link).
    pub fn equivalents<'a>(&'a self, skill_id: &'a str) -> Vec<&'a str> {
        match self.class_of.get(skill_id) {
            Some(&class) => self.classes[class as usize].iter().map(String::as_str).collect(),
            None => vec![skill_id],
        }
    }

    /// Whether two skills are one for matching: the same skill, or in one class.
    pub fn are_equivalent(&self, a: &str, b: &str) -> bool {
        a == b || self.class_of.get(a).is_some_and(|class| self.class_of.get(b) == Some(class))
    }

    /// One id for each class (its smallest member), the skill itself for a skill without equivalents.
    pub fn canonical<'a>(&'a self, skill_id: &'a str) -> &'a str {
        match self.class_of.get(skill_id) {
            Some(&class) => self.classes[class as usize][0].as_str(),
            None => skill_id,
        }
    }

    /// The skills that partly meet `skill`: those a broad or narrow link joins to it or to an equivalent of it, and
    /// their equivalents, each once with what it is to `skill` (narrower wins where a skill is both ways). Neither
    /// the skill nor its equivalents are among them.
    pub fn partials<'a>(&'a self, skill_id: &'a str) -> Vec<(&'a str, Relation)> {
        let own = self.equivalents(skill_id);
        let mut found: Vec<(&str, Relation)> = Vec::new();
        for member in &own {
            for (linked, relation) in self.partial.get(*member).into_iter().flatten() {
                for id in self.equivalents(linked) {
                    if own.contains(&id) {
                        continue;
                    }
                    match found.iter_mut().find(|(seen, _)| *seen == id) {
                        Some(seen) if *relation == Relation::Narrow => seen.1 = Relation::Narrow,
                        Some(_) => {}
                        None => found.push((id, *relation)),
                    }
                }
            }
        }
        found
    }

    /// What `other` is to `skill` by a direct link, if one joins them.
    pub fn relation(&self, skill: &str, other: &str) -> Option<Relation> {
        self.relations.get(&(skill.to_owned(), other.to_owned())).copied()
    }
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: &str, b: &str, relation: Relation) -> (String, String, Relation) {
        (a.to_owned(), b.to_owned(), relation)
    }

    #[test]
    fn exact_and_close_links_make_classes_and_broad_ones_do_not() {
        let links = SkillLinks::build([
            link("jobtech:a", "esco:1", Relation::Exact),
            link("jobtech:b", "esco:1", Relation::Close),
            link("jobtech:c", "esco:1", Relation::Broad),
            link("ls-x", "jobtech:d", Relation::Exact),
        ]);
        assert_eq!(links.equivalents("jobtech:b"), vec!["esco:1", "jobtech:a", "jobtech:b"]);
        assert!(links.are_equivalent("jobtech:a", "jobtech:b"), "through esco:1");
        assert!(!links.are_equivalent("jobtech:a", "jobtech:c"), "a broader skill is not the same skill");
        assert!(!links.are_equivalent("jobtech:a", "jobtech:d"));
        assert_eq!(links.equivalents("jobtech:c"), vec!["jobtech:c"]);
        assert_eq!(links.equivalents("unknown"), vec!["unknown"]);
        assert_eq!(links.canonical("jobtech:a"), "esco:1");
        assert_eq!(links.canonical("ls-x"), links.canonical("jobtech:d"));
        assert_eq!(links.relation("jobtech:c", "esco:1"), Some(Relation::Broad));
        assert_eq!(links.relation("esco:1", "jobtech:c"), Some(Relation::Narrow));
        assert_eq!(links.relation("jobtech:a", "jobtech:b"), None, "equivalent, but not linked directly");
        assert_eq!(links.len(), 4);
        assert_eq!(links.partials("jobtech:a"), vec![("jobtech:c", Relation::Narrow)], "through its equivalent esco:1");
        let broader = |id| (id, Relation::Broad);
        assert_eq!(links.partials("jobtech:c"), vec![broader("esco:1"), broader("jobtech:a"), broader("jobtech:b")]);
        assert!(links.partials("ls-x").is_empty());
    }
}
