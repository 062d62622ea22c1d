//! The benchmark's queries, by class, drawn deterministically from the loaded data so that both engines get the
//! same ones in the same order.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tokio_postgres::Client;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    RareSkill,
    CommonSkill,
    ThreeSkills,
    FreeText,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::RareSkill, Class::CommonSkill, Class::ThreeSkills, Class::FreeText];

    pub fn label(self) -> &'static str {
        match self {
            Class::RareSkill => "rare skill",
            Class::CommonSkill => "common skill",
            Class::ThreeSkills => "three skills",
            Class::FreeText => "free text",
        }
    }
}

/// A taxonomy skill as a query names it.
#[derive(Clone, Debug)]
pub struct Skill {
    pub id: String,
    pub name: String,
    /// Profiles that have it.
    pub profiles: i64,
}

#[derive(Clone, Debug)]
pub enum Query {
    /// Any of these skills; the more a profile has, the better it ranks.
    Skills(Vec<Skill>),
    Text(String),
}

/// How many queries each class's list holds; runs draw from it at random.
const LIST_LEN: usize = 200;
/// The most common skills: the "common skill" class.
const COMMON: usize = 10;
/// Three-skill queries combine skills from this many of the most common.
const THREE_FROM: usize = 300;

pub struct QuerySet {
    pub lists: Vec<(Class, Vec<Query>)>,
    /// Profiles the rare skills have, at most.
    pub rare_ceiling: i64,
}

impl QuerySet {
    /// Skill frequencies come from the database; free text from the generator's vocabulary.
    pub async fn build(client: &Client, profiles: u64) -> anyhow::Result<Self> {
        let rows = client
            .query(
                "SELECT skill_id, min(name), count(*) FROM profile_skills WHERE skill_id IS NOT NULL \
                 GROUP BY skill_id ORDER BY count(*) DESC, skill_id",
                &[],
            )
            .await?;
        let skills: Vec<Skill> =
            rows.iter().map(|r| Skill { id: r.get(0), name: r.get(1), profiles: r.get(2) }).collect();
        anyhow::ensure!(skills.len() >= THREE_FROM, "too few distinct skills in the data ({})", skills.len());
        let rng = &mut ChaCha8Rng::seed_from_u64(7);
        // Rare: on at most one profile in five thousand.
        let rare_ceiling = (profiles as i64 / 5_000).max(2);
        let mut rare: Vec<&Skill> = skills.iter().filter(|s| s.profiles <= rare_ceiling).collect();
        rare.shuffle(rng);
        let rare = rare.into_iter().take(LIST_LEN).map(|s| Query::Skills(vec![s.clone()])).collect();
        let common = skills.iter().take(COMMON).map(|s| Query::Skills(vec![s.clone()])).collect();
        let three = (0..LIST_LEN)
            .map(|_| Query::Skills(skills[..THREE_FROM].choose_multiple(rng, 3).cloned().collect()))
            .collect();
        let text = tandem::seed::synthetic::free_text_queries().into_iter().map(Query::Text).collect();
        Ok(Self {
            lists: vec![
                (Class::RareSkill, rare),
                (Class::CommonSkill, common),
                (Class::ThreeSkills, three),
                (Class::FreeText, text),
            ],
            rare_ceiling,
        })
    }

    /// `count` queries of `class`, drawn with a fixed seed: the same sequence for every engine.
    pub fn draw(&self, class: Class, count: usize, seed: u64) -> Vec<&Query> {
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        let list = self.lists.iter().find(|(c, _)| *c == class).map(|(_, l)| l.as_slice()).unwrap_or_default();
        (0..count).filter_map(|_| list.choose(rng)).collect()
    }
}
