//! Every alert's criteria in memory as roaring bitmaps over dense alert numbers, so one job is matched against a
//! million alerts by a few bitmap unions and intersections instead of a query per alert.
//!
//! Each criterion keeps, per value, the alerts that ask for it, and beside them the alerts that leave it out
//! ("any"): a job in pharma meets `sector[pharma] | sector_any`. A search's free-text words must all occur in the
//! job; it is filed under its first word (a job lacking that word cannot meet it), and the few candidates left are
//! tested exactly ([`words_occur`]). Profile alerts are filed under each skill their owner's profile holds, so
//! [`profile_fit`](super::criteria::profile_fit)'s rule (a shared skill, and at least half of the job's required
//! skills) is counted over the bitmaps of the job's skills.
//!
//! A job's skill meets an alert asking for any skill equivalent to it (the taxonomy's exact and close links): the
//! bitmaps stay keyed by the ids alerts and profiles name, and a job's skill is looked up under each id of its
//! class, so a change of links needs no reload of the alerts.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use roaring::RoaringBitmap;
use uuid::Uuid;

use super::criteria::{words_occur, Analyzers, JobFacts, Word};
use super::matcher::AlertMatch;
use super::model::{AlertQuery, AlertSkill, Frequency};
use crate::search::fields;
use crate::taxonomy::SkillLinks;

/// An alert as the matcher needs it: its criteria, whether it follows its owner's profile, and how it mails.
#[derive(Clone, Debug)]
pub struct AlertEntry {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub frequency: Frequency,
    pub query: Option<AlertQuery>,
    pub match_profile: bool,
}

/// The alerts asking for each value of one criterion, and those that leave it out.
#[derive(Default)]
struct Postings {
    by: HashMap<String, RoaringBitmap>,
    any: RoaringBitmap,
}

impl Postings {
    fn add(&mut self, slot: u32, values: impl Iterator<Item = String>) {
        let mut empty = true;
        for value in values {
            self.by.entry(value).or_default().insert(slot);
            empty = false;
        }
        if empty {
            self.any.insert(slot);
        }
    }

    /// The alerts the criterion holds for when the job has one of `values`.
    fn holding<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> RoaringBitmap {
        let mut held = self.any.clone();
        for value in values {
            if let Some(alerts) = self.by.get(value) {
                held |= alerts;
            }
        }
        held
    }

    fn remove(&mut self, gone: &RoaringBitmap) {
        self.any -= gone;
        self.by.retain(|_, alerts| {
            *alerts -= gone;
            !alerts.is_empty()
        });
    }
}

/// What the matcher keeps of one alert number.
struct Slot {
    id: Uuid,
    frequency: Frequency,
    /// The words of the search's `q`, for the exact test.
    words: Option<Box<[Word]>>,
}

/// A seeker with profile alerts: those alerts, and the skills their profile holds (as skill numbers).
#[derive(Default)]
struct Owner {
    alerts: Vec<u32>,
    skills: Vec<u32>,
}

/// Every alert's criteria, indexed for matching. Owned by one matcher; not shared.
#[derive(Default)]
pub struct Percolator {
    analyzers: Analyzers,
    slot_of: HashMap<Uuid, u32>,
    /// By alert number; a deleted alert's slot stays, out of `live`, until the next load.
    slots: Vec<Slot>,
    live: RoaringBitmap,
    /// Alerts with a saved search.
    searches: RoaringBitmap,
    /// Alerts that follow their owner's profile.
    profile: RoaringBitmap,
    skill: Postings,
    sector: Postings,
    country: Postings,
    city: Postings,
    remote: Postings,
    /// Searches by the first word of `q` (`en:` and `sv:` forms); `any` holds those without words.
    first_word: Postings,
    skill_number: HashMap<String, u32>,
    /// Per skill number: the profile alerts whose owner's profile holds the skill.
    held: Vec<RoaringBitmap>,
    owners: HashMap<Uuid, Owner>,
    /// Which skills are one for matching.
    links: Arc<SkillLinks>,
}

fn en_key(word: &str) -> String {
    format!("en:{word}")
}

fn sv_key(word: &str) -> String {
    format!("sv:{word}")
}

impl Percolator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn analyzers(&self) -> &Analyzers {
        &self.analyzers
    }

    /// How many alerts are held.
    pub fn len(&self) -> u64 {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Puts the taxonomy's links in use for the jobs matched from now on.
    pub fn set_links(&mut self, links: Arc<SkillLinks>) {
        self.links = links;
    }

    /// Whether the alert is held.
    pub fn contains(&self, id: Uuid) -> bool {
        self.slot_of.contains_key(&id)
    }

    /// Adds an alert (alerts never change, so one already held is left as it is). A profile alert of a seeker
    /// not seen before holds no skills until [`Percolator::set_profile`] gives them.
    pub fn insert(&mut self, alert: &AlertEntry) {
        if self.slot_of.contains_key(&alert.id) {
            return;
        }
        let Ok(slot) = u32::try_from(self.slots.len()) else {
            tracing::error!("the alert matcher holds 4 billion alerts; no more are matched until it restarts");
            return;
        };
        let words = alert.query.as_ref().and_then(|q| q.q.as_deref()).map(|q| self.analyzers.words(q));
        if let Some(query) = &alert.query {
            self.searches.insert(slot);
            self.skill.add(slot, query.skills.iter().map(|s| s.skill_id.clone()));
            self.sector.add(slot, query.sectors.iter().map(|s| fields::keyword(s)));
            self.country.add(slot, query.country.iter().map(|c| fields::country_key(c)));
            self.city.add(slot, query.city.iter().map(|c| fields::city_key(c)));
            self.remote.add(slot, query.remote.iter().map(|r| r.as_str().to_owned()));
            let first = words.as_ref().and_then(|w| w.first());
            self.first_word.add(slot, first.into_iter().flat_map(|w| [en_key(&w.en), sv_key(&w.sv)]));
        }
        if alert.match_profile {
            self.profile.insert(slot);
            let owner = self.owners.entry(alert.seeker_id).or_default();
            owner.alerts.push(slot);
            for &skill in &owner.skills {
                self.held[skill as usize].insert(slot);
            }
        }
        self.live.insert(slot);
        self.slot_of.insert(alert.id, slot);
        let words = words.filter(|w| !w.is_empty()).map(Vec::into_boxed_slice);
        self.slots.push(Slot { id: alert.id, frequency: alert.frequency, words });
    }

    /// Whether the seeker has profile alerts here (and so whether their profile's skills matter).
    pub fn follows_profile(&self, seeker_id: Uuid) -> bool {
        self.owners.contains_key(&seeker_id)
    }

    /// Replaces the skills of the seeker's profile (taxonomy ids) that their profile alerts match with.
    pub fn set_profile(&mut self, seeker_id: Uuid, skill_ids: &[String]) {
        let Some(mut owner) = self.owners.remove(&seeker_id) else { return };
        for &skill in &owner.skills {
            for &slot in &owner.alerts {
                self.held[skill as usize].remove(slot);
            }
        }
        owner.skills = skill_ids.iter().map(|id| self.skill_number(id)).collect();
        owner.skills.sort_unstable();
        owner.skills.dedup();
        for &skill in &owner.skills {
            self.held[skill as usize].extend(owner.alerts.iter().copied());
        }
        self.owners.insert(seeker_id, owner);
    }

    fn skill_number(&mut self, skill_id: &str) -> u32 {
        if let Some(&n) = self.skill_number.get(skill_id) {
            return n;
        }
        // The taxonomy has thousands of skills, never billions.
        let n = self.held.len() as u32;
        self.held.push(RoaringBitmap::new());
        self.skill_number.insert(skill_id.to_owned(), n);
        n
    }

    /// Forgets alerts (deleted ones).
    pub fn remove(&mut self, ids: &[Uuid]) {
        let mut gone = RoaringBitmap::new();
        for id in ids {
            if let Some(slot) = self.slot_of.remove(id) {
                gone.insert(slot);
            }
        }
        if gone.is_empty() {
            return;
        }
        for set in [&mut self.live, &mut self.searches, &mut self.profile] {
            *set -= &gone;
        }
        for postings in [
            &mut self.skill,
            &mut self.sector,
            &mut self.country,
            &mut self.city,
            &mut self.remote,
            &mut self.first_word,
        ] {
            postings.remove(&gone);
        }
        for held in &mut self.held {
            *held -= &gone;
        }
        self.owners.retain(|_, owner| {
            owner.alerts.retain(|slot| !gone.contains(*slot));
            !owner.alerts.is_empty()
        });
        for slot in &gone {
            if let Some(s) = self.slots.get_mut(slot as usize) {
                s.words = None;
            }
        }
    }

    /// Every alert the job satisfies, with the job's skills that made it match.
    pub fn matches(&self, job: &JobFacts) -> Vec<AlertMatch> {
        let searches = self.searches_met(job);
        let fit = self.profile_fit(job);
        // A search that also follows the profile needs both; a profile-only alert needs the fit alone.
        let mut met = &searches - &(&self.profile - &fit);
        met |= &fit - &self.searches;
        met &= &self.live;
        let slots: Vec<u32> = met.iter().collect();
        let why = self.matched_skills(job, &met, &slots);
        slots
            .iter()
            .zip(why)
            .map(|(&slot, matched_skills)| {
                let s = &self.slots[slot as usize];
                AlertMatch { alert_id: s.id, frequency: s.frequency, matched_skills, commute: None }
            })
            .collect()
    }

    /// For each of `slots` (the members of `met`, ascending): the job's skills its search asks for, then those its
    /// owner's profile holds, each once, in the job's order. Each skill's bitmap is walked once against `slots`.
    fn matched_skills(&self, job: &JobFacts, met: &RoaringBitmap, slots: &[u32]) -> Vec<Vec<AlertSkill>> {
        let mut why = vec![Vec::new(); slots.len()];
        let job_skills: Vec<(AlertSkill, &str)> = job
            .skills
            .iter()
            .filter_map(|s| {
                let id = s.skill_id.as_deref()?;
                Some((AlertSkill { skill_id: id.to_owned(), name: s.name.clone() }, id))
            })
            .collect();
        let asked = job_skills.iter().filter_map(|(skill, id)| Some((skill, self.asking_for(id)?)));
        let held = job_skills.iter().filter_map(|(skill, id)| Some((skill, self.holding(id)?)));
        for (skill, alerts) in asked.chain(held) {
            let mut at = 0;
            for slot in &(alerts.as_ref() & met) {
                at += slots[at..].partition_point(|&s| s < slot);
                let Some(list) = why.get_mut(at) else { break };
                if !list.iter().any(|m: &AlertSkill| m.skill_id == skill.skill_id) {
                    list.push(skill.clone());
                }
            }
        }
        why
    }

    /// The searches asking for the skill or an equivalent of it; `None` when none does.
    fn asking_for(&self, skill_id: &str) -> Option<Cow<'_, RoaringBitmap>> {
        union(self.links.equivalents(skill_id).into_iter().filter_map(|id| self.skill.by.get(id)))
    }

    /// The profile alerts whose owners' profiles hold the skill or an equivalent of it; `None` when no profile
    /// alert's owner has ever held one.
    fn holding(&self, skill_id: &str) -> Option<Cow<'_, RoaringBitmap>> {
        let numbers = self.links.equivalents(skill_id).into_iter().filter_map(|id| self.skill_number.get(id));
        union(numbers.map(|&n| &self.held[n as usize]))
    }

    /// The searches whose every criterion holds for the job.
    fn searches_met(&self, job: &JobFacts) -> RoaringBitmap {
        let skill_ids =
            job.skills.iter().filter_map(|s| s.skill_id.as_deref()).flat_map(|id| self.links.equivalents(id));
        let mut met = &self.searches & &self.skill.holding(skill_ids);
        met &= &self.sector.holding([job.sector.as_str()]);
        met &= &self.country.holding([job.country.as_str()]);
        met &= &self.city.holding([job.city.as_str()]);
        met &= &self.remote.holding([job.remote.as_str()]);
        let terms: Vec<String> =
            job.en_terms.iter().map(|t| en_key(t)).chain(job.sv_terms.iter().map(|t| sv_key(t))).collect();
        met &= &self.first_word.holding(terms.iter().map(String::as_str));
        let worded = &met - &self.first_word.any;
        for slot in &worded {
            let words = self.slots[slot as usize].words.as_deref().unwrap_or_default();
            if !words_occur(words, job) {
                met.remove(slot);
            }
        }
        met
    }

    /// The profile alerts whose owners' profiles fit the job: a shared skill, and at least half of its required
    /// skills (required skills without a taxonomy id count, and no profile holds them).
    fn profile_fit(&self, job: &JobFacts) -> RoaringBitmap {
        let mut shared = RoaringBitmap::new();
        let mut required = Vec::new();
        for s in &job.skills {
            if let Some(held) = s.skill_id.as_deref().and_then(|id| self.holding(id)) {
                shared |= held.as_ref();
                if s.required {
                    required.push(held);
                }
            }
        }
        let need = job.skills.iter().filter(|s| s.required).count().div_ceil(2);
        if need == 0 {
            return shared;
        }
        let required: Vec<&RoaringBitmap> = required.iter().map(AsRef::as_ref).collect();
        at_least(&required, need)
    }
}

/// The union of the bitmaps, borrowed when there is only one; `None` when there are none.
fn union<'a>(mut bitmaps: impl Iterator<Item = &'a RoaringBitmap>) -> Option<Cow<'a, RoaringBitmap>> {
    let first = bitmaps.next()?;
    match bitmaps.next() {
        None => Some(Cow::Borrowed(first)),
        Some(second) => Some(Cow::Owned(bitmaps.fold(first | second, |all, more| all | more))),
    }
}

/// The members of at least `k` (≥ 1) of the sets: `counts[j]` gathers those seen in more than `j` so far.
fn at_least(sets: &[&RoaringBitmap], k: usize) -> RoaringBitmap {
    if sets.len() < k {
        return RoaringBitmap::new();
    }
    let mut counts = vec![RoaringBitmap::new(); k];
    for set in sets {
        for j in (1..k).rev() {
            let more = &counts[j - 1] & *set;
            counts[j] |= more;
        }
        counts[0] |= *set;
    }
    counts.pop().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::model::{JobSkill, Remote};

    fn job(skills: &[(&str, bool)], text: &str) -> JobFacts {
        let analyzers = Analyzers::new();
        let (en_terms, sv_terms) = analyzers.terms(text);
        JobFacts {
            id: Uuid::nil(),
            skills: skills
                .iter()
                .map(|(id, required)| JobSkill {
                    skill_id: Some((*id).to_owned()),
                    name: (*id).to_owned(),
                    required: *required,
                    ..JobSkill::default()
                })
                .collect(),
            sector: "pharma".to_owned(),
            country: "SE".to_owned(),
            city: fields::city_key("Göteborg"),
            remote: Remote::No,
            en_terms,
            sv_terms,
        }
    }

    fn skills(ids: &[&str]) -> Vec<AlertSkill> {
        ids.iter().map(|id| AlertSkill { skill_id: (*id).to_owned(), name: (*id).to_owned() }).collect()
    }

    fn search(id: Uuid, query: AlertQuery) -> AlertEntry {
        AlertEntry {
            id,
            seeker_id: Uuid::new_v4(),
            frequency: Frequency::Daily,
            query: Some(query),
            match_profile: false,
        }
    }

    fn found(p: &Percolator, job: &JobFacts) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = p.matches(job).into_iter().map(|m| m.alert_id).collect();
        ids.sort();
        ids
    }

    fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
        ids.sort();
        ids
    }

    #[test]
    fn finds_exactly_the_searches_a_job_satisfies() {
        let mut p = Percolator::new();
        let ids: Vec<Uuid> = (0..7).map(|_| Uuid::new_v4()).collect();
        let queries = [
            AlertQuery { skills: skills(&["ls-a", "ls-x"]), ..Default::default() },
            AlertQuery { skills: skills(&["ls-x"]), ..Default::default() },
            AlertQuery { country: Some("SE".to_owned()), city: Some("goteborg".to_owned()), ..Default::default() },
            AlertQuery { country: Some("NO".to_owned()), ..Default::default() },
            AlertQuery { q: Some("cell therapy".to_owned()), ..Default::default() },
            AlertQuery { q: Some("cell chemistry".to_owned()), ..Default::default() },
            AlertQuery { sectors: vec!["Pharma".to_owned()], remote: Some(Remote::Full), ..Default::default() },
        ];
        for (id, query) in ids.iter().zip(queries) {
            p.insert(&search(*id, query));
        }
        assert_eq!(p.len(), 7);
        let matched = p.matches(&job(&[("ls-a", true)], "Cell therapies for everyone"));
        let first = matched.iter().find(|m| m.alert_id == ids[0]).expect("the skill search");
        assert_eq!(first.matched_skills, skills(&["ls-a"]));
        assert_eq!(
            found(&p, &job(&[("ls-a", true)], "Cell therapies for everyone")),
            sorted(vec![ids[0], ids[2], ids[4]])
        );

        p.remove(&[ids[0], ids[4]]);
        assert_eq!(found(&p, &job(&[("ls-a", true)], "Cell therapies")), vec![ids[2]]);
        assert_eq!(p.len(), 5);
    }

    #[test]
    fn a_profile_alert_needs_a_shared_skill_and_half_the_required_ones() {
        let mut p = Percolator::new();
        let (alert, seeker) = (Uuid::new_v4(), Uuid::new_v4());
        p.insert(&AlertEntry {
            id: alert,
            seeker_id: seeker,
            frequency: Frequency::Instant,
            query: None,
            match_profile: true,
        });
        let three_required = job(&[("ls-a", true), ("ls-b", true), ("ls-c", true), ("ls-d", false)], "");
        assert!(found(&p, &three_required).is_empty(), "no skills known yet");
        p.set_profile(seeker, &["ls-a".to_owned(), ("ls-d").to_owned()]);
        assert!(found(&p, &three_required).is_empty(), "one of three required is less than half");
        p.set_profile(seeker, &["ls-a".to_owned(), "ls-c".to_owned(), "ls-d".to_owned()]);
        let matched = p.matches(&three_required);
        assert_eq!(matched.len(), 1);
        assert_eq!(matched[0].matched_skills, skills(&["ls-a", "ls-c", "ls-d"]));
        assert_eq!(found(&p, &job(&[("ls-d", false)], "")), vec![alert], "no required skills: one shared will do");
        assert!(found(&p, &job(&[("ls-z", false)], "")).is_empty(), "nothing shared");
    }

    #[test]
    fn a_search_that_follows_the_profile_needs_both() {
        let mut p = Percolator::new();
        let (alert, seeker) = (Uuid::new_v4(), Uuid::new_v4());
        let query = AlertQuery { country: Some("SE".to_owned()), ..Default::default() };
        p.insert(&AlertEntry {
            id: alert,
            seeker_id: seeker,
            frequency: Frequency::Daily,
            query: Some(query),
            match_profile: true,
        });
        p.set_profile(seeker, &["ls-a".to_owned()]);
        assert_eq!(found(&p, &job(&[("ls-a", true)], "")), vec![alert]);
        assert!(found(&p, &job(&[("ls-b", true)], "")).is_empty(), "the search holds, the profile does not fit");
        let mut abroad = job(&[("ls-a", true)], "");
        abroad.country = "NO".to_owned();
        assert!(found(&p, &abroad).is_empty(), "the profile fits, the search does not hold");
    }

    #[test]
    fn a_job_skill_meets_alerts_on_its_equivalents_only() {
        use crate::taxonomy::Relation;

        let mut p = Percolator::new();
        let link = |a: &str, b: &str, r| (a.to_owned(), b.to_owned(), r);
        p.set_links(Arc::new(SkillLinks::build([
            link("jobtech:java-ee", "esco:java", Relation::Exact),
            link("jobtech:java", "esco:java", Relation::Broad),
        ])));
        let (by_search, by_profile, seeker) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        p.insert(&search(by_search, AlertQuery { skills: skills(&["esco:java"]), ..Default::default() }));
        p.insert(&AlertEntry {
            id: by_profile,
            seeker_id: seeker,
            frequency: Frequency::Instant,
            query: None,
            match_profile: true,
        });
        p.set_profile(seeker, &["esco:java".to_owned()]);
        let equivalent = job(&[("jobtech:java-ee", true)], "");
        assert_eq!(found(&p, &equivalent), sorted(vec![by_search, by_profile]));
        let matched = p.matches(&equivalent);
        assert!(matched.iter().all(|m| m.matched_skills == skills(&["jobtech:java-ee"])), "the job's own skill");
        assert!(found(&p, &job(&[("jobtech:java", true)], "")).is_empty(), "a narrower skill is not the same one");
        assert!(found(&p, &job(&[("ls-a", true)], "")).is_empty(), "an unrelated skill");
        p.set_links(Arc::default());
        assert!(found(&p, &equivalent).is_empty(), "without the link the skills differ");
    }

    #[test]
    fn at_least_counts_membership() {
        let sets: Vec<RoaringBitmap> =
            [vec![1, 2, 3], vec![2, 3], vec![3, 4]].into_iter().map(RoaringBitmap::from_iter).collect();
        let refs: Vec<&RoaringBitmap> = sets.iter().collect();
        assert_eq!(at_least(&refs, 1).iter().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(at_least(&refs, 2).iter().collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(at_least(&refs, 3).iter().collect::<Vec<_>>(), vec![3]);
        assert!(at_least(&refs, 4).is_empty());
    }

    /// The bitmaps decide exactly as the per-alert test of `criteria` does, on random alerts, profiles and jobs.
    #[test]
    fn matches_exactly_what_the_per_alert_test_accepts() {
        use std::collections::HashSet;

        use rand::seq::SliceRandom;
        use rand::{Rng, SeedableRng};

        use crate::alerts::criteria::profile_fit;

        let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(12);
        let pool = ["ls-a", "ls-b", "ls-c", "ls-d", "ls-e", "ls-f"];
        let texts = ["cell therapy in Göteborg", "gene therapies", "cell culture and cellodlingar", "quality"];
        let some = |rng: &mut rand_chacha::ChaCha8Rng, items: &[&str], most: usize| -> Vec<String> {
            let n = rng.gen_range(0..=most);
            items.choose_multiple(rng, n).map(|s| (*s).to_owned()).collect()
        };
        let seekers: Vec<(Uuid, Vec<String>)> = (0..40).map(|_| (Uuid::new_v4(), some(rng, &pool[..], 4))).collect();
        let mut p = Percolator::new();
        let mut alerts = Vec::new();
        for _ in 0..400 {
            let (seeker_id, _) = seekers.choose(rng).expect("seekers");
            let query = rng.gen_bool(0.7).then(|| AlertQuery {
                q: [None, Some("cell"), Some("cell therapy"), Some("gene"), Some("odling")]
                    .choose(rng)
                    .copied()
                    .flatten()
                    .map(str::to_owned),
                skills: skills(&some(rng, &pool[..], 2).iter().map(String::as_str).collect::<Vec<_>>()),
                sectors: some(rng, &["Pharma", "biotech"][..], 1),
                country: some(rng, &["se", "NO"][..], 1).pop(),
                city: some(rng, &["Göteborg", "Lund"][..], 1).pop(),
                remote: [None, Some(Remote::No), Some(Remote::Full)].choose(rng).copied().flatten(),
            });
            let match_profile = query.is_none() || rng.gen_bool(0.3);
            let alert = AlertEntry {
                id: Uuid::new_v4(),
                seeker_id: *seeker_id,
                frequency: Frequency::Daily,
                query,
                match_profile,
            };
            p.insert(&alert);
            alerts.push(alert);
        }
        for (seeker, held) in &seekers {
            p.set_profile(*seeker, held);
        }
        let profiles: std::collections::HashMap<Uuid, &Vec<String>> = seekers.iter().map(|(s, h)| (*s, h)).collect();
        let mut matched_any = 0;
        for _ in 0..200 {
            let chosen = some(rng, &pool[..], 5);
            let flags: Vec<(&str, bool)> = chosen.iter().map(|s| (s.as_str(), rng.gen_bool(0.5))).collect();
            let mut facts = job(&flags, texts.choose(rng).expect("texts"));
            facts.country = ["SE", "NO"].choose(rng).expect("countries").to_string();
            facts.city = fields::city_key(["Göteborg", "Lund"].choose(rng).expect("cities"));
            facts.sector = ["pharma", "biotech"].choose(rng).expect("sectors").to_string();
            facts.remote = *[Remote::No, Remote::Hybrid, Remote::Full].choose(rng).expect("remote");
            let mut expected: Vec<(Uuid, HashSet<String>)> = alerts
                .iter()
                .filter_map(|a| {
                    let mut why = HashSet::new();
                    if let Some(query) = &a.query {
                        let words = query.q.as_deref().map(|q| p.analyzers().words(q)).unwrap_or_default();
                        why.extend(query.test(&words, &facts)?.into_iter().map(|s| s.skill_id));
                    }
                    if a.match_profile {
                        let held: HashSet<&str> = profiles[&a.seeker_id].iter().map(String::as_str).collect();
                        why.extend(profile_fit(&facts, &held)?.into_iter().map(|s| s.skill_id));
                    }
                    Some((a.id, why))
                })
                .collect();
            let mut got: Vec<(Uuid, HashSet<String>)> = p
                .matches(&facts)
                .into_iter()
                .map(|m| (m.alert_id, m.matched_skills.into_iter().map(|s| s.skill_id).collect()))
                .collect();
            expected.sort_by_key(|(id, _)| *id);
            got.sort_by_key(|(id, _)| *id);
            assert_eq!(got, expected, "job {flags:?}");
            matched_any += got.len();
        }
        assert!(matched_any > 200, "the random jobs meet some alerts: {matched_any}");
    }
}
