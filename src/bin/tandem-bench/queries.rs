//! The benchmark's queries, by class, drawn deterministically from the loaded data so that both engines (and the
//! HTTP benchmark, through `--write-paths`) get the same ones in the same order. Every class holds hundreds of
//! distinct queries where the data allows, so no result cache can serve a run.

use rand::distributions::WeightedIndex;
use rand::prelude::Distribution;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tokio_postgres::Client;

use tandem::seed::synthetic::{synthetic_id, Kind, DEFAULT_SEED};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    RareSkill,
    CommonSkill,
    ThreeSkills,
    FreeText,
    Filtered,
    JobText,
    JobSkills,
}

/// What a class searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Candidates,
    Jobs,
}

impl Class {
    pub const ALL: [Class; 7] = [
        Class::RareSkill,
        Class::CommonSkill,
        Class::ThreeSkills,
        Class::FreeText,
        Class::Filtered,
        Class::JobText,
        Class::JobSkills,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Class::RareSkill => "rare skill",
            Class::CommonSkill => "common skill",
            Class::ThreeSkills => "three skills",
            Class::FreeText => "free text",
            Class::Filtered => "skill + country + language",
            Class::JobText => "jobs: free text",
            Class::JobSkills => "jobs: skills",
        }
    }

    /// The name in the JSON summary and in the HTTP paths file.
    pub fn key(self) -> &'static str {
        match self {
            Class::RareSkill => "rare_skill",
            Class::CommonSkill => "common_skill",
            Class::ThreeSkills => "three_skills",
            Class::FreeText => "free_text",
            Class::Filtered => "filtered",
            Class::JobText => "job_text",
            Class::JobSkills => "job_skills",
        }
    }

    pub fn target(self) -> Target {
        match self {
            Class::JobText | Class::JobSkills => Target::Jobs,
            _ => Target::Candidates,
        }
    }
}

/// A taxonomy skill as a query names it.
#[derive(Clone, Debug)]
pub struct Skill {
    pub id: String,
    pub name: String,
}

/// One search, as both engines (and `GET /candidates` or `GET /jobs`) run it: all words of `text`, any of
/// `skills` (the more the better), and the filters.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub text: Option<String>,
    pub skills: Vec<Skill>,
    /// Where the candidate lives or wants to work.
    pub country: Option<String>,
    /// A language code and the lowest CEFR level accepted (`native` above C2).
    pub language: Option<(String, String)>,
}

impl Query {
    fn skills(skills: Vec<Skill>) -> Self {
        Self { skills, ..Self::default() }
    }

    fn text(text: String) -> Self {
        Self { text: Some(text), ..Self::default() }
    }

    /// The request path `GET /api/v1/candidates` or `GET /api/v1/jobs` takes for it.
    pub fn http_path(&self, target: Target) -> String {
        let mut params = Vec::new();
        if let Some(text) = &self.text {
            params.push(format!("q={}", encode(text)));
        }
        if !self.skills.is_empty() {
            let ids: Vec<&str> = self.skills.iter().map(|s| s.id.as_str()).collect();
            params.push(format!("skills={}", encode(&ids.join(","))));
        }
        if let Some(country) = &self.country {
            params.push(format!("country={}", encode(country)));
        }
        if let Some((code, level)) = &self.language {
            params.push(format!("languages={}", encode(&format!("{code}:{level}"))));
        }
        let path = match target {
            Target::Candidates => "/api/v1/candidates",
            Target::Jobs => "/api/v1/jobs",
        };
        format!("{path}?{}", params.join("&"))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// How many queries each class's list holds at most; runs draw from it at random.
const LIST_LEN: usize = 400;
/// Common skills: on at least one profile in this many. The Zipf-like skew of the synthetic data puts some 200
/// skills above it at any scale; the draws favour the most common in proportion to their holders.
const COMMON_ONE_IN: i64 = 200;
/// Three-skill queries combine skills from this many of the most common.
const THREE_FROM: usize = 300;
/// Profiles and jobs sampled for free text and filtered queries.
const SAMPLE: usize = 2 * LIST_LEN;
/// Words too frequent or too generic to make a free-text query.
const FILLER: [&str; 14] = [
    "with",
    "and",
    "for",
    "from",
    "the",
    "senior",
    "junior",
    "principal",
    "associate",
    "trainee",
    "team",
    "join",
    "looking",
    "our",
];

/// One class's queries and how often each is drawn.
pub struct ClassQueries {
    pub class: Class,
    pub queries: Vec<Query>,
    weights: Option<WeightedIndex<f64>>,
}

pub struct QuerySet {
    pub lists: Vec<ClassQueries>,
    /// Profiles the rare skills have, at most.
    pub rare_ceiling: i64,
    /// Profiles the common skills have, at least.
    pub common_floor: i64,
}

/// A skill's id, name and how many profiles hold it.
struct Held {
    skill: Skill,
    profiles: i64,
}

impl QuerySet {
    /// Skill frequencies come from the database; free text and filters from sampled profiles and jobs.
    pub async fn build(client: &Client, profiles: u64) -> anyhow::Result<Self> {
        let rows = client
            .query(
                "SELECT skill_id, min(name), count(*) FROM profile_skills WHERE skill_id IS NOT NULL \
                 GROUP BY skill_id ORDER BY count(*) DESC, skill_id",
                &[],
            )
            .await?;
        let held: Vec<Held> =
            rows.iter().map(|r| Held { skill: Skill { id: r.get(0), name: r.get(1) }, profiles: r.get(2) }).collect();
        anyhow::ensure!(held.len() >= THREE_FROM, "too few distinct skills in the data ({})", held.len());
        let rng = &mut ChaCha8Rng::seed_from_u64(7);
        // Rare: on at most one profile in five thousand.
        let rare_ceiling = (profiles as i64 / 5_000).max(2);
        let mut rare: Vec<&Held> = held.iter().filter(|s| s.profiles <= rare_ceiling).collect();
        rare.shuffle(rng);
        let rare = rare.into_iter().take(LIST_LEN).map(|s| Query::skills(vec![s.skill.clone()])).collect();
        let common_floor = (profiles as i64 / COMMON_ONE_IN).max(1);
        let mut common: Vec<&Held> =
            held.iter().enumerate().filter(|(i, s)| *i < 10 || s.profiles >= common_floor).map(|(_, s)| s).collect();
        common.truncate(LIST_LEN);
        let common_weights = WeightedIndex::new(common.iter().map(|s| s.profiles as f64)).ok();
        let common = common.into_iter().map(|s| Query::skills(vec![s.skill.clone()])).collect();
        let three = (0..LIST_LEN)
            .map(|_| Query::skills(held[..THREE_FROM].choose_multiple(rng, 3).map(|h| h.skill.clone()).collect()))
            .collect();
        let sampled = sample_profiles(client, profiles, rng).await?;
        let text = distinct(sampled.iter().filter_map(|p| text_query(&p.primary, &p.skills, rng)).map(Query::text));
        let filtered = distinct(sampled.iter().filter_map(|p| filtered_query(p, rng)));
        let jobs = sample_jobs(client, rng).await?;
        let job_text = distinct(jobs.iter().filter_map(|j| text_query(&j.primary, &j.skills, rng)).map(Query::text));
        let job_skills = distinct(jobs.iter().map(|j| {
            let count = rng.gen_range(1..=3).min(j.skills.len());
            Query::skills(j.skills.choose_multiple(rng, count).cloned().collect())
        }));
        let plain = |class, queries| ClassQueries { class, queries, weights: None };
        Ok(Self {
            lists: vec![
                plain(Class::RareSkill, rare),
                ClassQueries { class: Class::CommonSkill, queries: common, weights: common_weights },
                plain(Class::ThreeSkills, three),
                plain(Class::FreeText, text),
                plain(Class::Filtered, filtered),
                plain(Class::JobText, job_text),
                plain(Class::JobSkills, job_skills),
            ],
            rare_ceiling,
            common_floor,
        })
    }

    pub fn of(&self, class: Class) -> Option<&ClassQueries> {
        self.lists.iter().find(|l| l.class == class)
    }

    /// `count` queries of `class`, drawn with a fixed seed: the same sequence for every engine.
    pub fn draw(&self, class: Class, count: usize, seed: u64) -> Vec<Query> {
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        let Some(list) = self.of(class).filter(|l| !l.queries.is_empty()) else { return Vec::new() };
        (0..count)
            .map(|_| match &list.weights {
                Some(weights) => list.queries[weights.sample(rng)].clone(),
                None => list.queries[rng.gen_range(0..list.queries.len())].clone(),
            })
            .collect()
    }
}

/// Each query once, in first-seen order, at most `LIST_LEN`.
fn distinct(queries: impl Iterator<Item = Query>) -> Vec<Query> {
    let mut seen = std::collections::HashSet::new();
    queries.filter(|q| seen.insert(q.http_path(Target::Candidates))).take(LIST_LEN).collect()
}

/// A sampled profile or job: the text free-text queries take words from, its skills, and (profiles) its
/// places and languages.
struct Sampled {
    primary: String,
    skills: Vec<Skill>,
    countries: Vec<String>,
    languages: Vec<(String, String)>,
}

/// Profiles picked at random by their synthetic number (ids are deterministic, see `seed::synthetic`).
async fn sample_profiles(client: &Client, profiles: u64, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<Sampled>> {
    let ids: Vec<String> = (0..SAMPLE)
        .map(|_| synthetic_id(Kind::Candidate, DEFAULT_SEED, rng.gen_range(0..profiles.max(1))).to_string())
        .collect();
    let rows = client
        .query(
            "SELECT p.headline,
                    coalesce((SELECT array_agg(s.skill_id ORDER BY s.position) FROM profile_skills s
                              WHERE s.seeker_id = p.user_id AND s.skill_id IS NOT NULL), '{}'),
                    coalesce((SELECT array_agg(s.name ORDER BY s.position) FROM profile_skills s
                              WHERE s.seeker_id = p.user_id AND s.skill_id IS NOT NULL), '{}'),
                    array_prepend(p.country, coalesce((SELECT array_agg(d.country) FROM profile_desired_locations d
                                                       WHERE d.seeker_id = p.user_id), '{}')),
                    coalesce((SELECT array_agg(l.code || ':' || l.level ORDER BY l.code) FROM profile_languages l
                              WHERE l.seeker_id = p.user_id), '{}')
             FROM seeker_profiles p
             WHERE p.candidate_id = ANY($1::text[]::uuid[]) AND p.searchable
             ORDER BY array_position($1::text[]::uuid[], p.candidate_id)",
            &[&ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let languages: Vec<String> = r.get(4);
            Sampled {
                primary: r.get(0),
                skills: skills_of(r.get(1), r.get(2)),
                countries: r.get(3),
                languages: languages
                    .iter()
                    .filter_map(|l| l.split_once(':').map(|(c, v)| (c.to_owned(), v.to_owned())))
                    .collect(),
            }
        })
        .collect())
}

/// Published jobs picked at random; the text is the title and what the description says the team works on.
async fn sample_jobs(client: &Client, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<Sampled>> {
    let count: i64 = client.query_one("SELECT count(*) FROM jobs WHERE status = 'published'", &[]).await?.get(0);
    let offsets: Vec<i64> = (0..SAMPLE).map(|_| rng.gen_range(0..count.max(1))).collect();
    let rows = client
        .query(
            "WITH numbered AS (SELECT j.*, row_number() OVER (ORDER BY j.id) - 1 AS n FROM jobs j
                               WHERE j.status = 'published')
             SELECT j.title || ' ' || coalesce(substring(j.description FROM 'join our (.*) team'), ''),
                    coalesce((SELECT array_agg(s.skill_id ORDER BY s.position) FROM job_skills s
                              WHERE s.job_id = j.id AND s.skill_id IS NOT NULL), '{}'),
                    coalesce((SELECT array_agg(s.name ORDER BY s.position) FROM job_skills s
                              WHERE s.job_id = j.id AND s.skill_id IS NOT NULL), '{}')
             FROM numbered j WHERE j.n = ANY($1) ORDER BY array_position($1, j.n)",
            &[&offsets],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Sampled {
            primary: r.get(0),
            skills: skills_of(r.get(1), r.get(2)),
            countries: Vec::new(),
            languages: Vec::new(),
        })
        .collect())
}

fn skills_of(ids: Vec<String>, names: Vec<String>) -> Vec<Skill> {
    ids.into_iter().zip(names).map(|(id, name)| Skill { id, name }).collect()
}

/// The words of `text` a free-text query may use: letters only, four or more, not filler.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect()
}

/// Three words the document has, all required: two of its headline or title (role and domain) and one of a skill
/// it lists. `None` when it has too few usable words.
fn text_query(primary: &str, skills: &[Skill], rng: &mut ChaCha8Rng) -> Option<String> {
    let mut own = words(primary);
    own.dedup();
    let skill_words: Vec<String> = skills.iter().take(3).flat_map(|s| words(&s.name)).collect();
    let first = own.first()?.clone();
    let last = own.last().filter(|w| **w != first)?.clone();
    let skill = skill_words.iter().filter(|w| **w != first && **w != last).collect::<Vec<_>>().choose(rng)?.to_string();
    Some(format!("{first} {last} {skill}"))
}

/// A skill the profile has, one of its countries, and one of its languages at a level it reaches.
fn filtered_query(p: &Sampled, rng: &mut ChaCha8Rng) -> Option<Query> {
    const LEVELS: [&str; 7] = ["A1", "A2", "B1", "B2", "C1", "C2", "native"];
    let skill = p.skills.choose(rng)?.clone();
    let country = p.countries.choose(rng)?.to_uppercase();
    let (code, level) = p.languages.choose(rng)?;
    let reached = LEVELS.iter().position(|l| l.eq_ignore_ascii_case(level))?;
    // Employers ask for B1 or better far more often than for A-levels.
    let asked = LEVELS[rng.gen_range(reached.min(2)..=reached)];
    Some(Query {
        skills: vec![skill],
        country: Some(country),
        language: Some((code.to_lowercase(), asked.to_owned())),
        ..Query::default()
    })
}

impl QuerySet {
    /// The requests the HTTP benchmark rotates through for `class`: each distinct query once, or, for a class
    /// drawn by weight, a long weighted draw (so the rotation keeps the class's mix).
    pub fn http_rotation(&self, class: Class) -> Vec<Query> {
        match self.of(class) {
            Some(list) if list.weights.is_some() => self.draw(class, 5 * LIST_LEN, 3),
            Some(list) => list.queries.clone(),
            None => Vec::new(),
        }
    }

    /// Writes `class<TAB>path` lines for every class: what `scripts/bench-http.sh` requests.
    pub fn write_paths(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let mut out = String::new();
        for class in Class::ALL {
            for query in self.http_rotation(class) {
                out.push_str(&format!("{}\t{}\n", class.key(), query.http_path(class.target())));
            }
        }
        std::fs::write(path, out)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(id: &str, name: &str) -> Skill {
        Skill { id: id.to_owned(), name: name.to_owned() }
    }

    #[test]
    fn a_query_becomes_the_request_the_api_takes() {
        let query = Query {
            text: Some("cell biologist".to_owned()),
            skills: vec![skill("esco:a/b", "x"), skill("ls-gmp", "GMP")],
            country: Some("SE".to_owned()),
            language: Some(("sv".to_owned(), "B1".to_owned())),
        };
        assert_eq!(
            query.http_path(Target::Candidates),
            "/api/v1/candidates?q=cell%20biologist&skills=esco%3Aa%2Fb%2Cls-gmp&country=SE&languages=sv%3AB1"
        );
        assert!(query.http_path(Target::Jobs).starts_with("/api/v1/jobs?"));
    }

    #[test]
    fn free_text_takes_three_words_the_document_has() {
        let skills = [skill("a", "Python (computer programming)")];
        let rng = &mut ChaCha8Rng::seed_from_u64(1);
        let text = text_query("Senior bioinformatician in oncology research", &skills, rng);
        let words: Vec<String> = text.unwrap_or_default().split(' ').map(str::to_owned).collect();
        assert_eq!(words[..2], ["bioinformatician", "research"]);
        assert!(["python", "computer", "programming"].contains(&words[2].as_str()), "{words:?}");
        assert_eq!(text_query("QC", &skills, rng), None, "too few words for a query");
    }
}
