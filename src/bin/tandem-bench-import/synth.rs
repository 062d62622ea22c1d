//! The synthetic input: a JobStream file (a JSON array in the 2024 schema) of ads about 60 % Swedish and 40 %
//! English, 1.5–4 KB of text each, with ~3 % `removed: true` re-sends of earlier ads and ~2 % reposts of an earlier
//! ad (new id, lightly edited); and a JobPosting file from two other boards, half of it copies of JobStream ads
//! with light edits (what duplicate merging must find), half other jobs. Each ad is made from its own random
//! stream, so a copy is rebuilt from its number and the files depend only on the seed, the sizes and the day.

use std::io::Write;

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::templates::{self, Language};
use crate::vocabulary::{Concept, Municipality, Vocabulary};

/// Shares of the JobStream file.
const REMOVED_SHARE: f64 = 0.03;
const REPOST_SHARE: f64 = 0.02;
const SWEDISH_SHARE: f64 = 0.6;
/// Ads that list skills themselves (8 of 124 real ads did, most only a language).
const LISTING_SHARE: f64 = 0.06;
/// Ads in Västra Götaland or Halland; the rest anywhere in Sweden.
const WEST_SHARE: f64 = 0.6;
/// Ad text length in bytes.
const TEXT_BYTES: std::ops::Range<usize> = 1_500..4_000;
/// The JobPosting boards (their host names become the ads' sources).
const BOARDS: [&str; 2] = ["jobb.example.se", "karriar.example.com"];

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub ads: usize,
    pub postings: usize,
    pub seed: u64,
    /// Publication dates lie up to a month before it, deadlines one to eight weeks after.
    pub today: NaiveDate,
}

/// What a file holds, so the bench can say what an import should report.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Counts {
    /// Entries in the file.
    pub entries: usize,
    /// Distinct ads published (each a new job on the first import).
    pub published: usize,
    /// `removed: true` re-sends of an earlier ad of the file.
    pub removed: usize,
    /// Of the published, reposts of an earlier ad under a new id (same board: not merged).
    pub reposts: usize,
    /// Of the published, copies of a JobStream ad (another board: merged once duplicates are detected).
    pub copies: usize,
    pub swedish: usize,
    pub english: usize,
    pub text_bytes: usize,
}

/// One entry of the JobStream file.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// Ad `number`, made from its own number, or a repost: ad `original` edited.
    Published { number: u64, original: u64 },
    /// The withdrawal of an earlier ad.
    Removed { number: u64 },
}

/// The JobStream file's entries in order, from the seed alone.
fn plan(spec: &Spec) -> impl Iterator<Item = Entry> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut open: Vec<u64> = Vec::new();
    let mut originals: Vec<u64> = Vec::new();
    (0..spec.ads as u64).map(move |number| {
        let roll: f64 = rng.gen();
        if roll < REMOVED_SHARE && !open.is_empty() {
            let index = rng.gen_range(0..open.len());
            originals.swap_remove(index);
            return Entry::Removed { number: open.swap_remove(index) };
        }
        let original = if roll < REMOVED_SHARE + REPOST_SHARE && !open.is_empty() {
            originals[rng.gen_range(0..open.len())]
        } else {
            number
        };
        open.push(number);
        originals.push(original);
        Entry::Published { number, original }
    })
}

/// Writes the JobStream file to `out`.
pub fn write_jobstream(spec: &Spec, vocabulary: &Vocabulary, out: &mut impl Write) -> anyhow::Result<Counts> {
    let maker = Maker { spec, vocabulary };
    let mut counts = Counts::default();
    out.write_all(b"[\n")?;
    for (position, entry) in plan(spec).enumerate() {
        let value = match entry {
            Entry::Removed { number } => {
                counts.removed += 1;
                maker.removal(number)
            }
            Entry::Published { number, original } => {
                let job = maker.published(number, original);
                counts.reposts += usize::from(number != original);
                counts.add(&job);
                maker.jobstream(&job)
            }
        };
        if position > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &value)?;
        counts.entries += 1;
    }
    out.write_all(b"\n]\n")?;
    Ok(counts)
}

/// Writes the JobPosting file to `out`: half copies of JobStream ads still open at its end, half other jobs.
pub fn write_postings(spec: &Spec, vocabulary: &Vocabulary, out: &mut impl Write) -> anyhow::Result<Counts> {
    let mut open: Vec<(u64, u64)> = Vec::new();
    for entry in plan(spec) {
        match entry {
            Entry::Published { number, original } => open.push((number, original)),
            Entry::Removed { number } => open.retain(|(n, _)| *n != number),
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x706f_7374);
    let maker = Maker { spec, vocabulary };
    let mut counts = Counts::default();
    out.write_all(b"[\n")?;
    for position in 0..spec.postings {
        let number = (spec.ads + position) as u64;
        let job = if rng.gen_bool(0.5) && !open.is_empty() {
            let (copied, original) = open[rng.gen_range(0..open.len())];
            counts.copies += 1;
            maker.published(copied, original).edited(number)
        } else {
            maker.ad(number)
        };
        counts.add(&job);
        if position > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &maker.posting(&job, BOARDS[position % BOARDS.len()]))?;
        counts.entries += 1;
    }
    out.write_all(b"\n]\n")?;
    Ok(counts)
}

impl Counts {
    fn add(&mut self, job: &Job) {
        self.published += 1;
        self.text_bytes += job.text.len();
        if job.swedish {
            self.swedish += 1;
        } else {
            self.english += 1;
        }
    }
}

/// One synthetic job, before it is written in a format.
#[derive(Clone, Debug)]
struct Job {
    number: u64,
    swedish: bool,
    title: String,
    /// Paragraphs.
    paragraphs: Vec<String>,
    text: String,
    employer: Employer,
    municipality: Municipality,
    occupation: Concept,
    field: Concept,
    employment_type: Concept,
    listed: Vec<Concept>,
    published: NaiveDate,
    deadline: NaiveDate,
}

impl Job {
    /// The same job under another number: a sentence dropped, a word changed, spacing changed.
    fn edited(mut self, number: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(number ^ 0x6564_6974);
        let paragraph = rng.gen_range(0..self.paragraphs.len());
        if let Some((kept, _)) = self.paragraphs[paragraph].rsplit_once(". ") {
            self.paragraphs[paragraph] = format!("{kept}.");
        }
        let note = if self.swedish { "Välkommen med din ansökan!" } else { "We look forward to your application!" };
        self.paragraphs.push(note.to_owned());
        self.text = self.paragraphs.join("\n\n");
        self.number = number;
        self
    }
}

#[derive(Clone, Debug)]
struct Employer {
    name: String,
    org_number: Option<String>,
}

/// Builds jobs and writes them in either format.
struct Maker<'a> {
    spec: &'a Spec,
    vocabulary: &'a Vocabulary,
}

impl Maker<'_> {
    /// Entry `number` of the JobStream file: ad `original`, edited when it is a repost.
    fn published(&self, number: u64, original: u64) -> Job {
        let job = self.ad(original);
        if number == original {
            job
        } else {
            job.edited(number)
        }
    }

    /// Job `number`, always the same for the same seed.
    fn ad(&self, number: u64) -> Job {
        let mut rng = ChaCha8Rng::seed_from_u64(self.spec.seed);
        rng.set_stream(number);
        let v = self.vocabulary;
        let swedish = rng.gen_bool(SWEDISH_SHARE);
        let municipality =
            if rng.gen_bool(WEST_SHARE) { pick(&mut rng, &v.west) } else { pick(&mut rng, &v.municipalities) }.clone();
        let occupation = pick(&mut rng, &v.occupations).clone();
        let title = if swedish {
            occupation.label.clone()
        } else {
            format!("{}, {}", pick(&mut rng, templates::ENGLISH_TITLES), pick(&mut rng, templates::ENGLISH_TEAMS))
        };
        let employer = employer(&mut rng, self.employers());
        let listed = if rng.gen_bool(LISTING_SHARE) {
            let mut listed = vec![if swedish { v.swedish.clone() } else { v.english.clone() }];
            if rng.gen_bool(0.3) {
                listed.push(pick(&mut rng, &v.listed_skills).clone());
            }
            listed
        } else {
            Vec::new()
        };
        let context = Context {
            employer: &employer.name,
            town: &municipality.concept.label,
            region: &municipality.region.label,
            title: &title,
        };
        let paragraphs = text(&mut rng, v, swedish, &context);
        let published = self.spec.today - Duration::days(rng.gen_range(0..30));
        let deadline = self.spec.today + Duration::days(rng.gen_range(7..60));
        Job {
            number,
            swedish,
            title,
            text: paragraphs.join("\n\n"),
            paragraphs,
            employer,
            field: pick(&mut rng, &v.occupation_fields).clone(),
            employment_type: pick(&mut rng, &v.employment_types).clone(),
            municipality,
            occupation,
            listed,
            published,
            deadline,
        }
    }

    /// Distinct employers: a few thousand at 50,000 ads.
    fn employers(&self) -> u64 {
        (self.spec.ads as u64 / 16).clamp(20, 3_000)
    }

    fn jobstream(&self, job: &Job) -> Value {
        let m = &job.municipality;
        let concept = |c: &Concept| json!({"concept_id": c.id, "label": c.label});
        let (must, nice): (Vec<&Concept>, Vec<&Concept>) =
            job.listed.iter().partition(|c| c.label == "Svenska" || c.label == "Engelska");
        json!({
            "id": job_id(job.number),
            "external_id": format!("46-{}", job.number),
            "webpage_url": format!("https://arbetsformedlingen.se/platsbanken/annonser/{}", job_id(job.number)),
            "headline": job.title,
            "application_deadline": format!("{}T23:59:59", job.deadline),
            "number_of_vacancies": 1,
            "description": {"text": job.text, "company_information": null, "needs": null, "requirements": null,
                            "conditions": null},
            "employment_type": concept(&job.employment_type),
            "employer": {"name": job.employer.name, "organization_number": job.employer.org_number,
                         "url": null, "workplace": job.employer.name},
            "application_details": {"url": format!("https://jobs.example.se/apply/{}", job.number), "via_af": false},
            "occupation": concept(&job.occupation),
            "occupation_field": concept(&job.field),
            "workplace_address": {
                "municipality": m.concept.label, "municipality_code": m.code, "municipality_concept_id": m.concept.id,
                "region": m.region.label, "region_code": m.region_code, "region_concept_id": m.region.id,
                "country": "Sverige", "country_code": "199", "country_concept_id": "i46j_HmG_v64", "city": null,
            },
            "must_have": {"skills": [], "languages": must.into_iter().map(concept).collect::<Vec<_>>(),
                          "work_experiences": []},
            "nice_to_have": {"skills": nice.into_iter().map(concept).collect::<Vec<_>>(), "languages": [],
                             "work_experiences": []},
            "publication_date": format!("{}T08:00:00", job.published),
            "removed": false,
            "removed_date": null,
            "source_type": "VIA_PLATSBANKEN_DXA",
            "timestamp": timestamp(job.published),
        })
    }

    /// A withdrawal as JobStream sends it: the id, `removed`, and little else.
    fn removal(&self, number: u64) -> Value {
        json!({
            "id": job_id(number),
            "removed": true,
            "removed_date": format!("{}T12:00:00", self.spec.today),
            "timestamp": timestamp(self.spec.today),
        })
    }

    fn posting(&self, job: &Job, board: &str) -> Value {
        let html: String = job.paragraphs.iter().map(|p| format!("<p>{}</p>", p.replace('\n', "<br>"))).collect();
        json!({
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "identifier": format!("{board}-{}", job.number),
            "url": format!("https://{board}/jobs/{}", job.number),
            "title": job.title,
            "description": html,
            "hiringOrganization": {"@type": "Organization", "name": job.employer.name},
            "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
                "addressLocality": job.municipality.concept.label, "addressRegion": job.municipality.region.label,
                "addressCountry": "SE"}},
            "employmentType": "FULL_TIME",
            "datePosted": job.published.to_string(),
            "validThrough": job.deadline.to_string(),
        })
    }
}

/// JobTech ids are eight-digit numbers written as strings.
fn job_id(number: u64) -> String {
    (30_000_000 + number).to_string()
}

fn timestamp(day: NaiveDate) -> i64 {
    day.and_hms_opt(8, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis())
}

/// What the templates' slots are filled with, besides skills.
struct Context<'a> {
    employer: &'a str,
    town: &'a str,
    region: &'a str,
    title: &'a str,
}

/// An ad text of 1.5–4 KB: a paragraph per section, with filler until the drawn length is reached.
fn text(rng: &mut ChaCha8Rng, v: &Vocabulary, swedish: bool, context: &Context) -> Vec<String> {
    let language: &Language = if swedish { &templates::SWEDISH } else { &templates::ENGLISH };
    let target = rng.gen_range(TEXT_BYTES);
    let sections = [
        (language.intro, 2..4),
        (language.duties, 2..5),
        (language.qualifications, 2..5),
        (language.merits, 1..3),
        (language.conditions, 1..3),
        (language.application, 1..3),
    ];
    let mut paragraphs: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, (templates, count))| {
            let count = rng.gen_range(count.clone());
            let sentences: Vec<String> =
                templates.choose_multiple(rng, count).map(|t| fill(rng, v, swedish, t, context)).collect();
            let body = sentences.join(" ");
            match language.headings.get(i) {
                Some(heading) => format!("{heading}\n{body}"),
                None => body,
            }
        })
        .collect();
    let mut length: usize = paragraphs.iter().map(|p| p.len() + 2).sum();
    // Longer ads say more about the workplace (each filler sentence once), then ask for more skills.
    let mut filler = language.filler.to_vec();
    filler.shuffle(rng);
    let mut filler = filler.into_iter();
    while length < target {
        let (index, sentence) = match filler.next() {
            Some(sentence) => (rng.gen_range(0..paragraphs.len()), sentence.to_owned()),
            None => {
                let index = rng.gen_range(1..3);
                let templates = if index == 1 { language.duties } else { language.qualifications };
                let template = *pick(rng, templates);
                (index, fill(rng, v, swedish, template, context))
            }
        };
        paragraphs[index].push(' ');
        paragraphs[index].push_str(&sentence);
        length += sentence.len() + 1;
    }
    paragraphs
}

/// A template with its slots filled; a skill is from the life-science list a third of the time.
fn fill(rng: &mut ChaCha8Rng, v: &Vocabulary, swedish: bool, template: &str, context: &Context) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else { break };
        match &rest[start + 1..start + end] {
            "s" => {
                let pool = match (swedish, rng.gen_bool(1.0 / 3.0)) {
                    (true, true) => &v.life_science_sv,
                    (true, false) => &v.skills_sv,
                    (false, true) => &v.life_science_en,
                    (false, false) => &v.skills_en,
                };
                let skill: &String = pick(rng, pool);
                out.push_str(&in_sentence(skill));
            }
            "e" => out.push_str(context.employer),
            "c" => out.push_str(context.town),
            "r" => out.push_str(context.region),
            "t" => out.push_str(context.title),
            other => out.push_str(other),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// A label as a sentence writes it: a capitalised common noun ("Prydnadsföremål") in lower case, names and
/// acronyms ("Java", "VVS") as they are.
fn in_sentence(label: &str) -> std::borrow::Cow<'_, str> {
    let first_word = label.split_whitespace().next().unwrap_or_default();
    let mut chars = first_word.chars();
    let capitalised = chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase);
    if capitalised && first_word.chars().count() > 4 {
        let mut chars = label.chars();
        let first: String = chars.next().map(|c| c.to_lowercase().collect()).unwrap_or_default();
        std::borrow::Cow::Owned(first + chars.as_str())
    } else {
        std::borrow::Cow::Borrowed(label)
    }
}

/// An employer of the pool, a few posting many ads; three in four with an organisation number.
fn employer(rng: &mut ChaCha8Rng, pool: u64) -> Employer {
    let skew: f64 = rng.gen::<f64>().powi(2);
    let k = (skew * pool as f64) as usize;
    let org_number = (k % 4 != 3).then(|| org_number(k));
    Employer { name: employer_name(k), org_number }
}

/// Employer `k`'s name: distinct for the first 4,800.
fn employer_name(k: usize) -> String {
    let (first, second, form) = (templates::EMPLOYER_FIRST, templates::EMPLOYER_SECOND, templates::EMPLOYER_FORM);
    format!(
        "{} {} {}",
        first[k % first.len()],
        second[(k / first.len()) % second.len()],
        form[(k / (first.len() * second.len())) % form.len()]
    )
}

/// A Swedish organisation number (ten digits, the last a Luhn check digit) for employer `k`.
fn org_number(k: usize) -> String {
    let body = format!("55{:07}", 1_000_000 + k);
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use tandem::imports::feed::each_ad;
    use tandem::imports::jobtech::Concepts;
    use tandem::imports::model::Ad;
    use tandem::imports::{jobposting, jobtech, Format};
    use tandem::taxonomy::sources::Taxonomy;

    use super::*;

    const SPEC: Spec = Spec {
        ads: 1_000,
        postings: 200,
        seed: 7,
        today: match NaiveDate::from_ymd_opt(2026, 12, 4) {
            Some(day) => day,
            None => NaiveDate::MIN,
        },
    };

    fn files(spec: &Spec) -> (Vec<u8>, Counts, Vec<u8>, Counts, Concepts) {
        let taxonomy = Taxonomy::embedded().expect("the embedded taxonomy parses");
        let vocabulary = Vocabulary::of(&taxonomy).expect("the taxonomy has what ads are made of");
        let (mut stream, mut postings) = (Vec::new(), Vec::new());
        let stream_counts = write_jobstream(spec, &vocabulary, &mut stream).expect("writes to memory");
        let postings_counts = write_postings(spec, &vocabulary, &mut postings).expect("writes to memory");
        let concepts = taxonomy
            .jobtech_concepts
            .iter()
            .map(|c| (c.concept_id.clone(), (c.concept_type.clone(), c.label.clone())))
            .collect();
        (stream, stream_counts, postings, postings_counts, concepts)
    }

    fn read_all(format: Format, input: &[u8], concepts: &Concepts) -> Vec<Ad> {
        let mut ads = Vec::new();
        each_ad(format, input, |position, value| {
            let ad = match format {
                Format::Jobtech => jobtech::read(value, concepts),
                Format::Jobposting => jobposting::read(value),
            };
            ads.push(ad.unwrap_or_else(|e| panic!("entry {position} does not import: {e}")));
        })
        .expect("the file is a JSON array");
        ads
    }

    #[test]
    fn every_jobstream_entry_imports_with_the_shares_asked_for() {
        let (stream, counts, _, _, concepts) = files(&SPEC);
        let ads = read_all(Format::Jobtech, &stream, &concepts);
        assert_eq!(ads.len(), SPEC.ads);
        assert_eq!(counts.published + counts.removed, SPEC.ads);
        let removed = ads.iter().filter(|ad| ad.removed).count();
        assert_eq!(removed, counts.removed);
        assert!((15..=50).contains(&removed), "about 3 % withdrawals, got {removed}");
        assert!((8..=35).contains(&counts.reposts), "about 2 % reposts, got {}", counts.reposts);
        let published: Vec<&Ad> = ads.iter().filter(|ad| !ad.removed).collect();
        for ad in &published {
            assert!((1_400..4_300).contains(&ad.text.len()), "text of {} bytes", ad.text.len());
            assert!(ad.closes_at.is_some_and(|at| at.date_naive() > SPEC.today), "deadline in the future");
            assert_eq!(ad.country, "SE");
        }
        let swedish = published.iter().filter(|ad| whatlang::detect_lang(&ad.text) == Some(whatlang::Lang::Swe)).count()
            as f64
            / published.len() as f64;
        assert!((0.55..0.65).contains(&swedish), "about 60 % Swedish by whatlang, got {swedish:.2}");
        // Places come from known concept ids: the town is the municipality's label, not an id.
        assert!(published.iter().all(|ad| !ad.city.contains('_')));
    }

    #[test]
    fn withdrawals_name_ads_published_earlier_in_the_file() {
        let (stream, _, _, _, concepts) = files(&SPEC);
        let mut published = HashSet::new();
        for ad in read_all(Format::Jobtech, &stream, &concepts) {
            if ad.removed {
                assert!(published.remove(&ad.external_id), "{} withdrawn before it was published", ad.external_id);
            } else {
                assert!(published.insert(ad.external_id.clone()), "{} published twice", ad.external_id);
            }
        }
    }

    #[test]
    fn employers_are_a_few_thousand_at_full_size_most_with_an_organisation_number() {
        let (stream, _, _, _, concepts) = files(&SPEC);
        let ads = read_all(Format::Jobtech, &stream, &concepts);
        let employers: HashMap<String, Option<String>> =
            ads.iter().filter_map(|ad| ad.employer.as_ref()).map(|e| (e.name.clone(), e.org_number.clone())).collect();
        assert!(employers.len() > 30, "{} employers for 1,000 ads", employers.len());
        let numbered = employers.values().filter(|n| n.is_some()).count() as f64 / employers.len() as f64;
        assert!((0.6..0.9).contains(&numbered), "three in four with a number, got {numbered:.2}");
        let names: HashSet<String> = (0..3_000).map(employer_name).collect();
        assert_eq!(names.len(), 3_000, "the employer pool at 50,000 ads has distinct names");
    }

    #[test]
    fn postings_copy_open_jobstream_ads_from_other_boards() {
        let (stream, _, postings, counts, concepts) = files(&SPEC);
        let open: HashMap<(String, String), ()> = read_all(Format::Jobtech, &stream, &concepts)
            .into_iter()
            .filter(|ad| !ad.removed)
            .map(|ad| ((ad.title, ad.city), ()))
            .collect();
        let postings = read_all(Format::Jobposting, &postings, &concepts);
        assert_eq!(postings.len(), SPEC.postings);
        assert!(postings.iter().all(|p| BOARDS.contains(&p.source.as_str())));
        let copies = postings.iter().filter(|p| open.contains_key(&(p.title.clone(), p.city.clone()))).count();
        assert!(copies >= counts.copies, "{copies} postings share title and town with a JobStream ad");
        assert!((60..140).contains(&counts.copies), "about half copies, got {}", counts.copies);
    }

    #[test]
    fn the_same_seed_gives_the_same_files_and_another_seed_others() {
        let (a, _, p, _, _) = files(&SPEC);
        let (b, _, q, _, _) = files(&SPEC);
        let (c, _, _, _, _) = files(&Spec { seed: 8, ..SPEC });
        assert!(a == b && p == q);
        assert!(a != c);
    }

    #[test]
    fn organisation_numbers_carry_a_valid_check_digit() {
        // 556074-3089 (Volvo Personvagnar) is a real number with a valid Luhn digit; ours follow the same rule.
        for k in [0, 1, 17, 2_999] {
            let number = org_number(k);
            assert_eq!(number.len(), 10);
            let sum: u32 = number
                .chars()
                .filter_map(|c| c.to_digit(10))
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { (d * 2) / 10 + (d * 2) % 10 } else { d })
                .sum();
            assert_eq!(sum % 10, 0, "{number}");
        }
    }
}
