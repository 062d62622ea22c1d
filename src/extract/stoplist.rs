//! Labels that are common words in English or Swedish, so a bare occurrence says nothing about a skill.
//!
//! Each entry was seen as a false hit on real ads (`tests/data/extraction_eval.json`, and the 124 ads behind
//! `../shared/data/jobads/README.md`) or is an everyday word of the same kind. The entries are in matching form
//! (lower case, hyphens as spaces, å/ä/ö kept); a label whose matching form is listed is never looked for in text,
//! though an ad's explicit skill list may still name it.

/// Words that are skills' labels in the taxonomy and ordinary words in an ad.
const STOP_WORDS: &[&str] = &[
    // The README's false hits: "man" (one) → MAN the truck make, "chef" (manager) → Chef the configuration tool,
    // "län" (county) → LAN, "bas" (base, or bass) → a JobTech skill, "on a mission", "kollektivavtal" (an employment
    // condition) → a skill, "design" → "think creatively", "CT" (as in CT scan) → computer programming.
    "man",
    "chef",
    "lan",
    "län",
    "bas",
    "mission",
    "kollektivavtal",
    "design",
    "ct",
    // Seen on the ads of tests/data/extraction_eval.json. Swedish: "miljö" (environment, workplace), "vi" (we) →
    // the Vi editor, "med hjälp av teknik" → AV-teknik, "verktyg" (tools), "skånska" (of Skåne), "positiv",
    // "smart" → a travel booking system.
    "miljö",
    "vi",
    "av teknik",
    "verktyg",
    "skånska",
    "positiv",
    "smart",
    // "API Management" → Management (JobTech's "Management/organisation").
    "management",
    // "ett eget ekosystem med egen skola" → ekosystem (ESCO's Swedish label, seen when those labels were tried).
    "ekosystem",
    // English: "in-house" → House, "access to" → Access, "monitor comments" → Monitor (business system), "plan and
    // implement" → planning, "tech giants such as Google" → search engines, "clients like Trello", "be
    // responsible for ensuring" → assume responsibility, "if you have the curiosity", "enjoy working
    // independently" → show commitment.
    "house",
    "access",
    "monitor",
    "plan",
    "google",
    "trello",
    "be responsible",
    "curiosity",
    "enjoy working",
    // "from brainstorming the next big thing" → think creatively, the skill "design" went to.
    "brainstorming",
    // Seen on the ads written for the set: "design of experiments" → think creatively, "report progress" →
    // Progress (a database), "present results" → Present (a referral system), "cells persist" → show determination.
    "experiment",
    "progress",
    "present",
    "persist",
];

/// Acronyms with another common meaning, and words that, anywhere in the same text, show that meaning: "GCP"
/// beside AWS and Azure is Google Cloud Platform, not Good Clinical Practice.
const OTHER_MEANINGS: &[(&str, &[&str])] = &[("GCP", &["aws", "azure", "cloud", "google"])];

/// Whether a mention (as written) is an acronym whose other meaning the text shows.
pub(super) fn has_other_meaning(mention: &str, text: &str) -> bool {
    OTHER_MEANINGS.iter().any(|(acronym, signs)| {
        *acronym == mention && {
            let lowercase = text.to_lowercase();
            signs.iter().any(|sign| lowercase.split(|c: char| !c.is_alphanumeric()).any(|word| word == *sign))
        }
    })
}

/// Whether a label in matching form is a common word, never to be taken from text.
pub(super) fn is_stop_word(normalized_lowercase: &str) -> bool {
    STOP_WORDS.contains(&normalized_lowercase)
}
