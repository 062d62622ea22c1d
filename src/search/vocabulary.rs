//! The taxonomy's labels and synonyms held in memory for free-text search: a phrase that names a skill (in
//! English or Swedish, any synonym) also finds the profiles and jobs that list that skill, without every label
//! being indexed into every document.

use std::collections::HashMap;

use crate::taxonomy::normalize;

/// Labels in [`normalize`] form, each with the skills it names.
#[derive(Debug, Default)]
pub struct Vocabulary {
    skills: HashMap<String, Vec<String>>,
    /// Words in the longest label: how far a phrase is looked for.
    longest: usize,
}

/// Phrases longer than this are not looked up: labels are rarely longer, and the lookup stays linear.
const LONGEST_PHRASE: usize = 6;

impl Vocabulary {
    /// From (normalised label, skill id) pairs, as `taxonomy::every_label` gives them.
    pub fn new(labels: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut skills: HashMap<String, Vec<String>> = HashMap::new();
        let mut longest = 0;
        for (label, skill_id) in labels {
            let words = label.split_whitespace().count();
            if words == 0 || words > LONGEST_PHRASE {
                continue;
            }
            longest = longest.max(words);
            let ids = skills.entry(label).or_default();
            if !ids.contains(&skill_id) {
                ids.push(skill_id);
            }
        }
        Self { skills, longest }
    }

    /// The skills `words` name together, if they are a label or synonym.
    pub fn skills_named(&self, words: &[String]) -> &[String] {
        if words.is_empty() || words.len() > self.longest {
            return &[];
        }
        let phrase = normalize(&words.join(" "));
        self.skills.get(&phrase).map_or(&[], Vec::as_slice)
    }

    /// How many words the longest label has.
    pub fn longest(&self) -> usize {
        self.longest
    }

    pub fn len(&self) -> usize {
        self.skills.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_synonym_in_any_case_and_accent_names_its_skill() {
        let v = Vocabulary::new([
            ("cell culture".to_owned(), "ls-cell-culture".to_owned()),
            ("cellodling".to_owned(), "ls-cell-culture".to_owned()),
        ]);
        assert_eq!(v.skills_named(&words("Cell  Culture")), ["ls-cell-culture"]);
        assert_eq!(v.skills_named(&words("CELLODLING")), ["ls-cell-culture"]);
        assert!(v.skills_named(&words("culture")).is_empty());
        assert_eq!(v.longest(), 2);
    }
}
