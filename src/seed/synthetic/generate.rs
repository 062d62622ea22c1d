//! One synthetic seeker or job, written straight into the owning features' bulk loaders (`auth::bulk`,
//! `seekers::bulk`, `orgs::bulk`, `jobs::bulk`). Each one draws from its own random stream, keyed by the seed and
//! its number, so the data for a given seed is the same however it is split into batches.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::popularity::SkillPicker;
use super::words::*;
use crate::auth::bulk::{UserRow, Users};
use crate::auth::Role;
use crate::jobs::bulk::{JobRow, Jobs, SkillRow as JobSkillRow};
use crate::orgs::bulk::{OrganizationRow, Organizations};
use crate::seekers::bulk::{DesiredLocationRow, EducationRow, ExperienceRow, ProfileRow, Profiles, SkillRow};

/// The day synthetic dates are counted from, fixed so that the data does not change with the calendar.
pub fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
}

/// `date` at `hour`:00 UTC.
fn at_hour(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// The domain of every synthetic email address; `.invalid` can never receive mail.
pub const EMAIL_DOMAIN: &str = "synthetic.invalid";

/// What a synthetic id stands for; part of the id, so the kinds never collide.
#[derive(Clone, Copy)]
pub enum Kind {
    User = 1,
    Candidate = 2,
    Organization = 3,
    Job = 4,
}

/// A deterministic id: `5eed`, the kind and the seed, then the number. Ids of one kind increase with the number,
/// so bulk loading appends to the primary-key indexes instead of writing all over them. Version 8 ("custom")
/// says that these are not random.
pub fn synthetic_id(kind: Kind, seed: u64, number: u64) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[0] = 0x5e;
    bytes[1] = 0xed;
    bytes[2] = kind as u8;
    bytes[3..6].copy_from_slice(&seed.to_be_bytes()[5..8]);
    bytes[6] = 0x80;
    bytes[8..16].copy_from_slice(&((number & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000).to_be_bytes());
    Uuid::from_bytes(bytes)
}

fn stream(seed: u64, kind: Kind, number: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ((kind as u64) << 56));
    rng.set_stream(number);
    rng
}

/// Everything a generator reads and nothing it changes: shared by every batch.
pub struct Generator {
    pub seed: u64,
    pub skills: SkillPicker,
    pub password_hash: String,
}

/// The rows of one batch of seekers: their accounts, then their profiles.
#[derive(Default)]
pub struct SeekerRows {
    pub users: Users,
    pub profiles: Profiles,
}

/// The rows of the organisations, then their jobs.
#[derive(Default)]
pub struct JobRows {
    pub organizations: Organizations,
    pub jobs: Jobs,
}

fn one<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T]) -> &'a T {
    &list[rng.gen_range(0..list.len())]
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, list: &[T]) -> T {
    list[rng.gen_range(0..list.len())]
}

/// Up to `count` different entries of `list`.
fn some<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T], count: usize) -> Vec<&'a T> {
    list.choose_multiple(rng, count).collect()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn seniority(career_years: u32) -> &'static str {
    match career_years {
        0..=2 => "Junior ",
        3..=7 => "",
        8..=14 => "Senior ",
        _ => "Principal ",
    }
}

/// "a, b and c"
fn enumerate(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn language_name(code: &str) -> &'static str {
    match code {
        "sv" => "Swedish",
        "en" => "English",
        "da" => "Danish",
        "no" => "Norwegian",
        "fi" => "Finnish",
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "it" => "Italian",
        "nl" => "Dutch",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "hi" => "Hindi",
        "zh" => "Chinese",
        "fa" => "Persian",
        "tr" => "Turkish",
        "ar" => "Arabic",
        "ko" => "Korean",
        "ja" => "Japanese",
        "uk" => "Ukrainian",
        _ => "another language",
    }
}

const GOOD_ENGLISH: &[&str] = &["B2", "C1", "C1", "C2", "C2"];
const LEARNER_SWEDISH: &[&str] = &["A1", "A2", "A2", "B1", "B1", "B2", "C1"];

/// Where a seeker lives now, and where they come from (the same place for most).
fn home_and_origin(rng: &mut ChaCha8Rng) -> (&'static Place, &'static Place) {
    let roll: f64 = rng.gen();
    let home = if roll < 0.55 {
        one(rng, WEST_SWEDEN)
    } else if roll < 0.70 {
        one(rng, REST_OF_SWEDEN)
    } else {
        one(rng, ABROAD)
    };
    // Four in ten seekers in Sweden came from abroad: the people this portal is for.
    let origin = if home.country == "SE" && rng.gen_bool(0.4) { one(rng, ABROAD) } else { home };
    (home, origin)
}

/// (code, level) pairs, native language first.
fn languages(rng: &mut ChaCha8Rng, home: &Place, origin: &Place) -> Vec<(&'static str, &'static str)> {
    let mut spoken: Vec<(&'static str, &'static str)> = vec![(origin.language, "native")];
    if origin.language != "en" {
        spoken.push(("en", pick(rng, GOOD_ENGLISH)));
    }
    if origin.language != "sv" && (home.country == "SE" || rng.gen_bool(0.3)) {
        spoken.push(("sv", pick(rng, LEARNER_SWEDISH)));
    }
    if rng.gen_bool(0.2) {
        let extra = pick(rng, &["de", "fr", "es", "it", "da", "no"]);
        if spoken.iter().all(|(code, _)| *code != extra) {
            spoken.push((extra, pick(rng, &["A2", "B1", "B2"])));
        }
    }
    spoken
}

fn work_permit(rng: &mut ChaCha8Rng, home: &Place, origin: &Place) -> &'static str {
    if origin.eu_eea {
        "eu_eea_citizen"
    } else if home.country == "SE" {
        if rng.gen_bool(0.7) {
            "has_permit"
        } else {
            "needs_sponsorship"
        }
    } else if rng.gen_bool(0.2) {
        "has_permit"
    } else {
        "needs_sponsorship"
    }
}

impl Generator {
    /// Seeker number `n`: a user, a searchable profile and its skills, languages, experience, education and
    /// desired locations.
    pub fn seeker(&self, n: u64, out: &mut SeekerRows) {
        let rng = &mut stream(self.seed, Kind::User, n);
        let user_id = synthetic_id(Kind::User, self.seed, n);
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let full_name = format!("{first} {last}");
        let (home, origin) = home_and_origin(rng);
        let role = pick(rng, ROLES);
        let domain = pick(rng, DOMAINS);
        let career_years: u32 = rng.gen_range(0..=25);
        let skill_count = rng.gen_range(4..=14);
        let skills = self.skills.pick_distinct(rng, skill_count);
        let labels: Vec<&str> = skills.iter().map(|&r| self.skills.skill(r).label.as_str()).collect();
        let spoken = languages(rng, home, origin);

        let email = format!(
            "s{n:09}.{}.{}@{EMAIL_DOMAIN}",
            deunicode::deunicode(first).to_lowercase().replace(' ', ""),
            deunicode::deunicode(last).to_lowercase().replace(' ', "")
        );
        out.users.push(UserRow {
            id: user_id,
            email: &email,
            password_hash: &self.password_hash,
            display_name: &full_name,
            role: Role::Seeker,
        });

        let headline = format!("{}{role} in {domain}", seniority(career_years));
        let summary = self.summary(rng, role, domain, career_years, &labels, &spoken);
        let available_from = rng.gen_bool(0.8).then(|| base_date() + Days::new(rng.gen_range(0..240)));
        let sector_count = rng.gen_range(1..=3);
        let sectors: Vec<&str> = some(rng, SECTORS, sector_count).into_iter().copied().collect();
        // Fields are evaluated in the order written: keep the draws from `rng` in this order.
        out.profiles.push_profile(ProfileRow {
            user_id,
            candidate_id: synthetic_id(Kind::Candidate, self.seed, n),
            full_name: &full_name,
            headline: &capitalize(&headline),
            summary: &summary,
            city: home.city,
            country: home.country,
            work_permit: work_permit(rng, home, origin),
            available_from,
            open_to_sectors: &sectors,
            searchable: true,
            in_partner_pool: rng.gen_bool(0.15),
        });

        for (position, &rank) in skills.iter().enumerate() {
            let skill = self.skills.skill(rank);
            let years = rng.gen_bool(0.7).then(|| rng.gen_range(1..=2 * career_years.max(1)) as f32 / 2.0);
            out.profiles.push_skill(SkillRow {
                seeker_id: user_id,
                position: position as i32,
                skill_id: Some(&skill.id),
                name: &skill.label,
                level: Some(rng.gen_range(2..=5i16)),
                years,
            });
        }
        for (code, level) in &spoken {
            out.profiles.push_language(user_id, code, level);
        }
        self.experience(rng, user_id, role, domain, career_years, &labels, &mut out.profiles);
        self.education(rng, user_id, career_years, &mut out.profiles);
        let location_count = rng.gen_range(1..=3);
        for (position, (city, region, country)) in some(rng, DESIRED_LOCATIONS, location_count).into_iter().enumerate()
        {
            out.profiles.push_desired_location(DesiredLocationRow {
                seeker_id: user_id,
                position: position as i32,
                city: *city,
                region: *region,
                country,
            });
        }
    }

    fn summary(
        &self,
        rng: &mut ChaCha8Rng,
        role: &str,
        domain: &str,
        career_years: u32,
        labels: &[&str],
        spoken: &[(&str, &str)],
    ) -> String {
        let experience = match career_years {
            0 => format!("{} starting my career in {domain}.", capitalize(role)),
            1 => format!("{} with a year of experience in {domain}.", capitalize(role)),
            y => format!("{} with {y} years of experience in {domain}.", capitalize(role)),
        };
        let strengths = enumerate(&labels[..labels.len().min(3)]);
        let tongues: Vec<String> = spoken
            .iter()
            .map(|(code, level)| match *level {
                "native" => format!("{} (native)", language_name(code)),
                level => format!("{} ({level})", language_name(code)),
            })
            .collect();
        let tongues: Vec<&str> = tongues.iter().map(String::as_str).collect();
        format!("{experience} Skilled in {strengths}. {} I speak {}.", one(rng, MOTIVATIONS), enumerate(&tongues))
    }

    #[allow(clippy::too_many_arguments)]
    fn experience(
        &self,
        rng: &mut ChaCha8Rng,
        user_id: Uuid,
        role: &str,
        domain: &str,
        career_years: u32,
        labels: &[&str],
        out: &mut Profiles,
    ) {
        let count = (1 + career_years / 5).min(4);
        let months_each = (career_years.max(1) * 12 / count).max(6);
        // Seven in ten are in a job now; the others left their last one some months ago.
        let mut end: Option<NaiveDate> = (!rng.gen_bool(0.7)).then(|| base_date() - Months::new(rng.gen_range(1..12)));
        let mut cursor = end.unwrap_or(base_date());
        for position in 0..count {
            let start = cursor - Months::new(rng.gen_range(months_each / 2..=months_each));
            let title = if position == 0 {
                capitalize(role)
            } else {
                format!("{} {role}", pick(rng, &["Junior", "Associate", "Trainee", ""])).trim().to_owned()
            };
            let employer = if rng.gen_bool(0.2) { pick(rng, UNIVERSITIES) } else { one(rng, EMPLOYERS).0 };
            let description = format!(
                "Worked on {domain}, mainly with {}.",
                labels.get(position as usize).unwrap_or(&"team projects")
            );
            out.push_experience(ExperienceRow {
                seeker_id: user_id,
                position: position as i32,
                title: &capitalize(&title),
                organization: employer,
                start_date: start,
                end_date: end,
                description: rng.gen_bool(0.7).then_some(description.as_str()),
            });
            end = Some(start);
            cursor = start;
        }
    }

    /// The highest degree first, then the ones it builds on.
    fn education(&self, rng: &mut ChaCha8Rng, user_id: Uuid, career_years: u32, out: &mut Profiles) {
        let ladder: &[&str] = pick(rng, DEGREE_LADDERS);
        let count = rng.gen_range(1..=ladder.len());
        let mut year = 2026 - career_years as i32;
        for (position, degree) in ladder[..count].iter().enumerate() {
            // Fields are evaluated in the order written: keep the draws from `rng` in this order.
            out.push_education(EducationRow {
                seeker_id: user_id,
                position: position as i32,
                degree,
                field: pick(rng, FIELDS),
                institution: pick(rng, UNIVERSITIES),
                year: rng.gen_bool(0.9).then_some(year),
            });
            year -= if *degree == "PhD" { 4 } else { 2 };
        }
    }

    /// The synthetic organisations, one per invented employer.
    pub fn organizations(&self, out: &mut JobRows) {
        for (n, (name, sector, city)) in EMPLOYERS.iter().enumerate() {
            let rng = &mut stream(self.seed, Kind::Organization, n as u64);
            let member_since = rng.gen_bool(0.5).then(|| at_hour(base_date() - Days::new(400), 9));
            out.organizations.push(OrganizationRow {
                id: synthetic_id(Kind::Organization, self.seed, n as u64),
                name,
                org_number: None,
                sector,
                website: None,
                description: Some(&format!(
                    "{name} is a {sector} employer in {city}. (Synthetic data for load tests.)"
                )),
                city,
                country: "SE",
                network_member_since: member_since,
            });
        }
    }

    /// Job number `n`, published by one of the synthetic organisations.
    pub fn job(&self, n: u64, out: &mut JobRows) {
        let rng = &mut stream(self.seed, Kind::Job, n);
        let org_number = rng.gen_range(0..EMPLOYERS.len());
        let (org_name, sector, city) = EMPLOYERS[org_number];
        let role = pick(rng, ROLES);
        let domain = pick(rng, DOMAINS);
        let title = capitalize(&format!("{}{role}", seniority(rng.gen_range(0..=20))));
        let skill_count = rng.gen_range(3..=8);
        let skills = self.skills.pick_distinct(rng, skill_count);
        let labels: Vec<&str> = skills.iter().map(|&r| self.skills.skill(r).label.as_str()).collect();
        let required = skills.len().div_ceil(2);
        let description = format!(
            "{org_name} is looking for a {role} to join our {domain} team in {city}. You have experience with {}. {} \
             We offer an international workplace, relocation support and help for your partner's job search.",
            enumerate(&labels[..required]),
            if labels.len() > required {
                format!("{} is a plus.", capitalize(&enumerate(&labels[required..])))
            } else {
                String::new()
            }
        );
        let id = synthetic_id(Kind::Job, self.seed, n);
        let published = base_date() - Days::new(rng.gen_range(0..90));
        // Fields are evaluated in the order written: keep the draws from `rng` in this order.
        out.jobs.push_job(JobRow {
            id,
            organization_id: synthetic_id(Kind::Organization, self.seed, org_number as u64),
            title: &title,
            description: &description,
            city,
            country: "SE",
            remote: pick(rng, REMOTE),
            employment_type: pick(rng, EMPLOYMENT_TYPES),
            sector,
            apply_url: None,
            closes_at: None,
            status: "published",
            published_at: Some(at_hour(published, rng.gen_range(7..18))),
            created_by: None,
            source: "synthetic",
            external_id: Some(&format!("synthetic-{n}")),
        });
        for (position, &rank) in skills.iter().enumerate() {
            let skill = self.skills.skill(rank);
            out.jobs.push_skill(JobSkillRow {
                job_id: id,
                position: position as i32,
                skill_id: Some(&skill.id),
                name: &skill.label,
                required: position < required,
            });
        }
        out.jobs.push_language(id, "en", Some(pick(rng, &["B2", "C1"])));
        if rng.gen_bool(0.4) {
            out.jobs.push_language(id, "sv", rng.gen_bool(0.7).then_some("B2"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::synthetic::popularity::TaxonomySkill;

    fn generator() -> Generator {
        let skills = (0..500)
            .map(|i| TaxonomySkill { id: format!("s{i}"), source: "esco".into(), label: format!("skill {i}") })
            .collect();
        Generator {
            seed: 42,
            skills: SkillPicker::new(skills, &mut ChaCha8Rng::seed_from_u64(42)),
            password_hash: "$argon2id$x".into(),
        }
    }

    fn seekers(g: &Generator, range: std::ops::Range<u64>) -> Vec<u8> {
        let mut rows = SeekerRows::default();
        for n in range {
            g.seeker(n, &mut rows);
        }
        let mut bytes = rows.users.into_bytes();
        bytes.extend(rows.profiles.into_bytes());
        bytes
    }

    #[test]
    fn the_same_seed_and_number_give_the_same_seeker() {
        let g = generator();
        assert_eq!(seekers(&g, 0..50), seekers(&g, 0..50));
        assert_ne!(seekers(&g, 0..1), seekers(&g, 1..2));
    }

    #[test]
    fn ids_increase_with_the_number_and_differ_by_kind() {
        let a = synthetic_id(Kind::User, 42, 1);
        assert!(a < synthetic_id(Kind::User, 42, 2));
        assert_ne!(a, synthetic_id(Kind::Candidate, 42, 1));
        assert_eq!(a.get_version_num(), 8);
    }

    #[test]
    fn every_seeker_has_a_user_a_profile_and_its_parts() {
        let g = generator();
        let mut rows = SeekerRows::default();
        for n in 0..100 {
            g.seeker(n, &mut rows);
        }
        let parts = rows.profiles.counts();
        assert_eq!(rows.users.rows(), 100);
        assert_eq!(parts.profiles, 100);
        assert!(parts.skills >= 400 && parts.languages >= 100 && parts.education >= 100);
        assert!(parts.experience >= 100 && parts.desired_locations >= 100);
    }
}
