//! Index semantics on an in-memory index: stemming, skills, filters, ranking and explanations.

use chrono::{Duration, NaiveDate, Utc};
use tantivy::{Index, IndexWriter};
use uuid::Uuid;

use super::document::{CandidateSource, DesiredLocation, JobSource, Source};
use super::fields::{self, Fields};
use super::model::{HitJobSkill, HitLanguage, HitOrganization, HitSkill};
use super::query::{CandidateFilter, CandidatePreference, CandidateSearch, JobSearch, WantedLanguage, WantedSkill};
use super::vocabulary::Vocabulary;
use super::SearchIndex;
use crate::taxonomy::normalize;

fn skill(id: &str, name: &str) -> HitSkill {
    HitSkill { skill_id: Some(id.to_owned()), name: name.to_owned(), level: Some(3), years: None }
}

fn lang(code: &str, level: &str) -> HitLanguage {
    HitLanguage { code: code.to_owned(), level: Some(level.to_owned()) }
}

fn wanted(id: &str, name: &str, required: bool) -> WantedSkill {
    WantedSkill { skill_id: Some(id.to_owned()), name: name.to_owned(), required }
}

fn candidate(headline: &str, skills: Vec<HitSkill>) -> CandidateSource {
    CandidateSource {
        candidate_id: Uuid::new_v4(),
        headline: headline.to_owned(),
        summary: String::new(),
        city: "Göteborg".to_owned(),
        country: "SE".to_owned(),
        work_permit: "eu_eea_citizen".to_owned(),
        searchable: true,
        skills,
        languages: vec![lang("en", "C1")],
        ..Default::default()
    }
}

fn job(title: &str, skills: Vec<HitJobSkill>) -> JobSource {
    JobSource {
        id: Uuid::new_v4(),
        organization: HitOrganization { id: Uuid::new_v4(), name: "Sahlgrenska Labs".to_owned() },
        title: title.to_owned(),
        description: String::new(),
        city: "Göteborg".to_owned(),
        country: "SE".to_owned(),
        remote: "hybrid".to_owned(),
        employment_type: "full_time".to_owned(),
        sector: "life_science".to_owned(),
        status: "published".to_owned(),
        published_at: Some(Utc::now() - Duration::days(1)),
        closes_at: None,
        skills,
        languages: vec![],
    }
}

fn job_skill(id: &str, name: &str, required: bool) -> HitJobSkill {
    HitJobSkill { skill_id: Some(id.to_owned()), name: name.to_owned(), required }
}

fn vocabulary() -> Vocabulary {
    let labels = [
        ("ls:cell", "cell culture"),
        ("ls:cell", "cellodling"),
        ("ls:pcr", "PCR"),
        ("ls:pcr", "polymerase chain reaction"),
        ("ls:gmp", "GMP"),
        ("ls:gmp", "god tillverkningssed"),
    ];
    Vocabulary::new(labels.map(|(id, label)| (normalize(label), id.to_owned())))
}

fn build(candidates: &[CandidateSource], jobs: &[JobSource]) -> SearchIndex {
    let index = Index::create_in_ram(Fields::schema());
    fields::register_analyzers(&index);
    let f = Fields::of(&index.schema()).expect("fields");
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
    for c in candidates.iter().filter(|c| c.is_visible()) {
        writer.add_document(c.document(&f)).expect("add");
    }
    for j in jobs.iter().filter(|j| j.is_visible()) {
        writer.add_document(j.document(&f)).expect("add");
    }
    writer.commit().expect("commit");
    let search = SearchIndex::over(index).expect("index");
    search.set_vocabulary(vocabulary());
    search
}

fn search(skills: Vec<WantedSkill>) -> CandidateSearch {
    CandidateSearch { skills, limit: 10, ..Default::default() }
}

fn ids(index: &SearchIndex, s: &CandidateSearch) -> Vec<Uuid> {
    index.search_candidates(s).expect("search").items.into_iter().map(|h| h.candidate_id).collect()
}

#[test]
fn skill_ids_match_whatever_name_the_profile_used() {
    let ana = candidate("Lab technician", vec![skill("ls:cell", "Cellodling")]);
    let bo = candidate("Chemist", vec![skill("ls:pcr", "PCR")]);
    let index = build(&[ana.clone(), bo], &[]);
    let hits = index.search_candidates(&search(vec![wanted("ls:cell", "cell culture", false)])).expect("search");
    assert_eq!(hits.total, 1);
    assert_eq!(hits.items[0].candidate_id, ana.candidate_id);
    assert_eq!(hits.items[0].explanation.matched_skills[0].name, "cell culture");
}

#[test]
fn free_text_finds_english_and_swedish_forms_and_skill_labels() {
    let mut ana = candidate("Forskare", vec![]);
    ana.summary = "Jag har analyserat proteinerna i många år".to_owned();
    let mut bo = candidate("Researcher", vec![skill("ls:cell", "Cell culture")]);
    bo.experience = vec!["Cultivated stem cells for organoid studies".to_owned()];
    let index = build(&[ana.clone(), bo.clone()], &[]);
    let text = |q: &str| CandidateSearch { text: Some(q.to_owned()), limit: 10, ..Default::default() };
    assert_eq!(ids(&index, &text("proteiner")), vec![ana.candidate_id]);
    assert_eq!(ids(&index, &text("cultivating cell")), vec![bo.candidate_id]);
    // A Swedish synonym of a profile's taxonomy skill is text the profile can be found by.
    assert_eq!(ids(&index, &text("cellodling")), vec![bo.candidate_id]);
}

#[test]
fn unknown_skill_names_search_skill_labels() {
    let ana = candidate(
        "Engineer",
        vec![HitSkill { skill_id: None, name: "Flow cytometry".to_owned(), level: None, years: None }],
    );
    let bo = candidate("Engineer", vec![]);
    let index = build(&[ana.clone(), bo], &[]);
    let s = search(vec![WantedSkill { skill_id: None, name: "flow cytometry".to_owned(), required: false }]);
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(hits.items.iter().map(|h| h.candidate_id).collect::<Vec<_>>(), vec![ana.candidate_id]);
    assert_eq!(hits.items[0].explanation.matched_skills.len(), 1);
}

#[test]
fn a_candidate_with_every_required_skill_ranks_above_one_missing_some() {
    let all = candidate("A", vec![skill("ls:cell", "Cell culture"), skill("ls:pcr", "PCR")]);
    // Many optional skills and a better text match do not make up for a missing required skill.
    let mut some = candidate("B", vec![skill("ls:cell", "Cell culture"), skill("ls:gmp", "GMP")]);
    some.summary = "cell culture cell culture PCR".to_owned();
    let index = build(&[some.clone(), all.clone()], &[]);
    let s = search(vec![
        wanted("ls:cell", "cell culture", true),
        wanted("ls:pcr", "PCR", true),
        wanted("ls:gmp", "GMP", false),
    ]);
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(
        hits.items.iter().map(|h| h.candidate_id).collect::<Vec<_>>(),
        vec![all.candidate_id, some.candidate_id]
    );
    let second = &hits.items[1].explanation;
    assert_eq!(second.missing_skills.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["PCR"]);
    assert_eq!(second.matched_skills.len(), 2);
    assert!(hits.items[0].score > hits.items[1].score);
}

#[test]
fn must_skills_and_filters_exclude() {
    let mut ana = candidate("A", vec![skill("ls:cell", "Cell culture")]);
    ana.languages = vec![lang("sv", "B2"), lang("en", "native")];
    ana.available_from = Some(NaiveDate::from_ymd_opt(2030, 1, 1).expect("date"));
    let mut bo = candidate("B", vec![skill("ls:cell", "Cell culture"), skill("ls:pcr", "PCR")]);
    bo.languages = vec![lang("sv", "A2")];
    bo.work_permit = "needs_sponsorship".to_owned();
    bo.city = "Lund".to_owned();
    bo.desired_locations =
        vec![DesiredLocation { city: Some("Göteborg".to_owned()), region: None, country: "SE".to_owned() }];
    let index = build(&[ana.clone(), bo.clone()], &[]);
    let with = |filter: CandidateFilter| CandidateSearch { filter, limit: 10, ..Default::default() };
    let must = with(CandidateFilter { skill_ids: vec!["ls:pcr".to_owned()], ..Default::default() });
    assert_eq!(ids(&index, &must), vec![bo.candidate_id]);
    let swedish = vec![WantedLanguage { code: "sv".to_owned(), level: Some("B1".to_owned()) }];
    assert_eq!(
        ids(&index, &with(CandidateFilter { languages: swedish, ..Default::default() })),
        vec![ana.candidate_id]
    );
    let soon = NaiveDate::from_ymd_opt(2029, 12, 31);
    assert_eq!(
        ids(&index, &with(CandidateFilter { available_before: soon, ..Default::default() })),
        vec![bo.candidate_id]
    );
    let permits = vec!["eu_eea_citizen".to_owned()];
    assert_eq!(
        ids(&index, &with(CandidateFilter { work_permits: permits, ..Default::default() })),
        vec![ana.candidate_id]
    );
    // Wanting to work in a city counts as being found there.
    let city = CandidateFilter { city: Some("goteborg".to_owned()), ..Default::default() };
    assert_eq!(ids(&index, &with(city)).len(), 2);
    let lund = CandidateFilter { city: Some("Lund".to_owned()), ..Default::default() };
    assert_eq!(ids(&index, &with(lund)), vec![bo.candidate_id]);
}

#[test]
fn non_searchable_seekers_are_never_indexed() {
    let mut hidden = candidate("Hidden", vec![skill("ls:cell", "Cell culture")]);
    hidden.searchable = false;
    let index = build(&[hidden], &[]);
    assert_eq!(index.search_candidates(&search(vec![])).expect("search").total, 0);
}

#[test]
fn query_syntax_is_only_text() {
    let mut ana = candidate("Researcher", vec![skill("ls:cell", "Cell culture")]);
    ana.in_partner_pool = true;
    let bo = candidate("Researcher", vec![]);
    let index = build(&[ana.clone(), bo.clone()], &[]);
    let text = |q: &str| CandidateSearch { text: Some(q.to_owned()), limit: 10, ..Default::default() };
    assert_eq!(ids(&index, &text("partner_pool:true")), Vec::<Uuid>::new(), "no field:value");
    assert_eq!(ids(&index, &text("kind:candidate")), Vec::<Uuid>::new());
    assert_eq!(ids(&index, &text(&"(".repeat(5000))), Vec::<Uuid>::new(), "no words, no stack overflow");
    assert_eq!(ids(&index, &text("researcher -researcher")).len(), 2, "no operators");
    assert_eq!(ids(&index, &text("(cell-culture)")), vec![ana.candidate_id], "a hyphenated word is a phrase");
    let named = WantedSkill { skill_id: None, name: "cell:culture".to_owned(), required: false };
    assert_eq!(ids(&index, &search(vec![named])), vec![ana.candidate_id], "skill names are words too");
}

#[test]
fn pool_members_are_indexed_but_found_only_by_pool_searches_unless_searchable() {
    let mut ana = candidate("Pooled", vec![]);
    (ana.searchable, ana.in_partner_pool) = (false, true);
    let mut bo = candidate("Pooled and searchable", vec![]);
    bo.in_partner_pool = true;
    let cy = candidate("Searchable", vec![]);
    let index = build(&[ana.clone(), bo.clone(), cy.clone()], &[]);
    let mut found = ids(&index, &search(vec![]));
    found.sort();
    let mut expected = vec![bo.candidate_id, cy.candidate_id];
    expected.sort();
    assert_eq!(found, expected, "ordinary searches: searchable seekers only");
    let pool =
        CandidateSearch { filter: CandidateFilter { partner_pool: true, ..Default::default() }, ..search(vec![]) };
    let mut found = ids(&index, &pool);
    found.sort();
    let mut expected = vec![ana.candidate_id, bo.candidate_id];
    expected.sort();
    assert_eq!(found, expected, "pool searches: pool members, searchable or not");
}

#[test]
fn preferences_add_explained_factors() {
    let mut ana = candidate("A", vec![skill("ls:cell", "Cell culture")]);
    ana.languages = vec![lang("sv", "C1")];
    let bo = candidate("B", vec![skill("ls:cell", "Cell culture")]);
    let index = build(&[bo.clone(), ana.clone()], &[]);
    let s = CandidateSearch {
        skills: vec![wanted("ls:cell", "cell culture", true)],
        prefer: CandidatePreference {
            languages: vec![WantedLanguage { code: "sv".to_owned(), level: Some("B2".to_owned()) }],
            city: Some("Göteborg".to_owned()),
            country: Some("SE".to_owned()),
            available_now: true,
            work_permit: true,
            ..Default::default()
        },
        limit: 10,
        ..Default::default()
    };
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(hits.items[0].candidate_id, ana.candidate_id);
    let language = hits.items[0].explanation.other.iter().find(|f| f.factor == "language").expect("language factor");
    assert_eq!((language.detail.as_str(), language.effect), ("sv C1", super::query::W_LANGUAGE));
    let explained: f32 = 1000.0 + hits.items[0].explanation.other.iter().map(|f| f.effect).sum::<f32>();
    assert!((explained - hits.items[0].score).abs() < 0.01, "{explained} vs {}", hits.items[0].score);
}

#[test]
fn jobs_closed_or_unpublished_never_match_and_newest_come_first() {
    let old = job("Old", vec![]);
    let mut new = job("New", vec![]);
    new.published_at = Some(Utc::now());
    let mut closed = job("Closed", vec![]);
    closed.closes_at = Some(Utc::now() - Duration::hours(1));
    let mut draft = job("Draft", vec![]);
    draft.status = "draft".to_owned();
    let index = build(&[candidate("c", vec![])], &[old.clone(), new.clone(), closed, draft]);
    let hits = index.search_jobs(&JobSearch { limit: 10, ..Default::default() }).expect("search");
    assert_eq!(hits.items.iter().map(|h| h.id).collect::<Vec<_>>(), vec![new.id, old.id]);
    assert!(hits.items[0].score.is_none());
}

#[test]
fn profile_matching_ranks_jobs_by_missing_required_skills() {
    let fits = job("Fits", vec![job_skill("ls:cell", "Cell culture", true)]);
    let lacks = job(
        "Lacks",
        vec![
            job_skill("ls:cell", "Cell culture", true),
            job_skill("ls:gmp", "GMP", true),
            job_skill("ls:pcr", "PCR", false),
        ],
    );
    let unrelated = job("Unrelated", vec![job_skill("ls:gmp", "GMP", true)]);
    let index = build(&[], &[lacks.clone(), fits.clone(), unrelated]);
    let s = JobSearch {
        skills: vec![wanted("ls:cell", "Cell culture", false), wanted("ls:pcr", "PCR", false)],
        rank_by_missing_required: true,
        limit: 10,
        ..Default::default()
    };
    let hits = index.search_jobs(&s).expect("search");
    assert_eq!(hits.items.iter().map(|h| h.id).collect::<Vec<_>>(), vec![fits.id, lacks.id]);
    let lacking = hits.items[1].explanation.as_ref().expect("explained");
    assert_eq!(lacking.missing_skills.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["GMP"]);
    assert_eq!(lacking.matched_skills.len(), 2);
    assert!(hits.items[1].score.is_some_and(|s| s > 1000.0));
}

#[test]
fn job_text_search_uses_both_stemmers() {
    let mut sv = job("Laboratorieingenjör", vec![]);
    sv.description = "Du kommer att arbeta med cellodlingar och analyser".to_owned();
    let en = job("Bioinformatician", vec![]);
    let index = build(&[], &[sv.clone(), en.clone()]);
    let text = |q: &str| JobSearch { text: Some(q.to_owned()), limit: 10, ..Default::default() };
    assert_eq!(index.search_jobs(&text("cellodling")).expect("search").items[0].id, sv.id);
    assert_eq!(index.search_jobs(&text("bioinformaticians")).expect("search").items[0].id, en.id);
}

#[test]
fn far_dates_are_clamped_rather_than_overflowing() {
    let far = NaiveDate::from_ymd_opt(9999, 1, 1).expect("date");
    assert!(super::document::date_value(far) > super::document::instant_value(Utc::now()));
    let s = CandidateSearch {
        filter: CandidateFilter { available_before: Some(far), ..Default::default() },
        limit: 10,
        ..Default::default()
    };
    assert_eq!(build(&[candidate("A", vec![])], &[]).search_candidates(&s).expect("search").total, 1);
}

fn leveled(id: &str, name: &str, level: i16, years: Option<f32>) -> HitSkill {
    HitSkill { skill_id: Some(id.to_owned()), name: name.to_owned(), level: Some(level), years }
}

#[test]
fn a_stronger_skill_ranks_first_and_the_explanation_adds_up_to_the_score() {
    let novice = candidate("Novice", vec![leveled("ls:pcr", "PCR", 1, None)]);
    let expert = candidate("Expert", vec![leveled("ls:pcr", "PCR", 5, Some(9.0)), skill("ls:gmp", "GMP")]);
    let index = build(&[novice.clone(), expert.clone()], &[]);
    let s = search(vec![wanted("ls:pcr", "PCR", false), wanted("ls:gmp", "GMP", false)]);
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(
        hits.items.iter().map(|h| h.candidate_id).collect::<Vec<_>>(),
        [expert.candidate_id, novice.candidate_id]
    );
    let weight = super::query::optional_weight(&s.skills);
    let expected = weight + super::query::skill_effect(weight, fields::skill_impact(Some(3), None));
    assert!((hits.items[0].score - expected).abs() < 0.01, "{} vs {expected}", hits.items[0].score);
    assert!(hits.items[1].score < weight, "a level-1 skill earns part of the weight: {}", hits.items[1].score);
    assert!((hits.total, hits.total_exact) == (2, true));
}

#[test]
fn filters_hold_even_when_better_ranked_candidates_fail_them() {
    let mut strong = candidate("Strong", vec![leveled("ls:pcr", "PCR", 5, Some(12.0))]);
    strong.country = "NO".to_owned();
    strong.city = "Oslo".to_owned();
    let weak = candidate("Weak", vec![leveled("ls:pcr", "PCR", 1, None)]);
    let index = build(&[strong, weak.clone()], &[]);
    let s = CandidateSearch {
        filter: CandidateFilter { country: Some("se".to_owned()), ..Default::default() },
        ..search(vec![wanted("ls:pcr", "PCR", false)])
    };
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(hits.items.iter().map(|h| h.candidate_id).collect::<Vec<_>>(), [weak.candidate_id]);
    assert_eq!(hits.total, 1);
}

#[test]
fn totals_are_exact_up_to_ten_thousand_then_a_lower_bound_and_pages_follow_the_ranking() {
    let many: Vec<CandidateSource> = (0..10_050)
        .map(|i| candidate("Technician", vec![leveled("ls:pcr", "PCR", (i % 5 + 1) as i16, Some((i % 13) as f32))]))
        .collect();
    let mut rare = candidate("Rare", vec![skill("ls:gmp", "GMP")]);
    rare.country = "DK".to_owned();
    let mut all = many.clone();
    all.push(rare.clone());
    let index = build(&all, &[]);
    let pcr = CandidateSearch { limit: 20, ..search(vec![wanted("ls:pcr", "PCR", false)]) };
    let first = index.search_candidates(&pcr).expect("search");
    assert_eq!((first.total, first.total_exact), (10_000, false));
    let next = index.search_candidates(&CandidateSearch { offset: 20, ..pcr.clone() }).expect("search");
    assert!(first.items.last().expect("a hit").score >= next.items[0].score, "page two continues page one");
    let seen: std::collections::HashSet<Uuid> = first.items.iter().chain(&next.items).map(|h| h.candidate_id).collect();
    assert_eq!(seen.len(), 40, "no candidate on both pages");
    let top = fields::skill_impact(Some(5), Some(12.0));
    assert!(first
        .items
        .iter()
        .all(|h| h.skills[0].level == Some(5) && fields::skill_impact(h.skills[0].level, h.skills[0].years) == top));
    let gmp = index.search_candidates(&search(vec![wanted("ls:gmp", "GMP", false)])).expect("search");
    assert_eq!((gmp.total, gmp.total_exact), (1, true));
    let everyone = index.search_candidates(&search(vec![])).expect("search");
    assert_eq!((everyone.total, everyone.total_exact), (10_000, false));
    let danes = CandidateFilter { country: Some("DK".to_owned()), ..Default::default() };
    let danes = index.search_candidates(&CandidateSearch { filter: danes, ..search(vec![]) }).expect("search");
    assert_eq!((danes.total, danes.total_exact), (1, true));
}

#[test]
fn every_word_must_match_and_quotes_keep_words_together() {
    let mut both = candidate("Automation", vec![]);
    both.summary = "Built pipette robots and robotics cells for screening".to_owned();
    let mut one = candidate("Lab work", vec![]);
    one.summary = "Pipetting by hand for ten years".to_owned();
    let mut phrase = candidate("Biologist", vec![]);
    phrase.summary = "Routine cell culture in a GMP suite".to_owned();
    let mut apart = candidate("Biologist", vec![]);
    apart.summary = "Culture of cell lines".to_owned();
    let index = build(&[both.clone(), one.clone(), phrase.clone(), apart.clone()], &[]);
    let text = |q: &str| CandidateSearch { text: Some(q.to_owned()), limit: 10, ..Default::default() };
    assert_eq!(ids(&index, &text("pipette robotics")), [both.candidate_id]);
    assert_eq!(ids(&index, &text("robotics pipette")), [both.candidate_id], "in any order");
    let mut loose = ids(&index, &text("culture cell"));
    loose.sort();
    let mut expected = vec![phrase.candidate_id, apart.candidate_id];
    expected.sort();
    assert_eq!(loose, expected);
    assert_eq!(ids(&index, &text("\"cell culture\"")), [phrase.candidate_id]);
    assert_eq!(ids(&index, &text("\"cell culture")).len(), 2, "an unpaired quote is a character");
}

#[test]
fn a_synonym_in_free_text_finds_the_skill_and_says_so() {
    let ana = candidate("Technician", vec![skill("ls:gmp", "GMP")]);
    let index = build(&[ana.clone(), candidate("Other", vec![])], &[]);
    let s = CandidateSearch { text: Some("god tillverkningssed".to_owned()), limit: 10, ..Default::default() };
    let hits = index.search_candidates(&s).expect("search");
    assert_eq!(hits.items.iter().map(|h| h.candidate_id).collect::<Vec<_>>(), [ana.candidate_id]);
    let other = &hits.items[0].explanation.other;
    assert_eq!(other[0].factor, "text");
    assert!(other.iter().any(|f| f.factor == "synonym" && f.detail.contains("GMP")), "{other:?}");
}

#[test]
fn equivalent_skills_score_as_one_and_linked_ones_partly_as_explained() {
    use crate::taxonomy::{Relation, SkillLinks};

    let link = |a: &str, b: &str, r| (a.to_owned(), b.to_owned(), r);
    let links = std::sync::Arc::new(SkillLinks::build([
        link("jobtech:java-ee", "esco:java", Relation::Exact),
        link("jobtech:java", "esco:java", Relation::Broad),
    ]));
    let expert = candidate("Expert", vec![leveled("esco:java", "Java", 5, Some(9.0))]);
    let both =
        candidate("Both", vec![leveled("esco:java", "Java", 1, None), leveled("jobtech:java-ee", "Java EE", 5, None)]);
    let narrower = candidate("Narrower", vec![leveled("jobtech:java", "Java, programmeringsspråk", 5, Some(9.0))]);
    let unrelated = candidate("Unrelated", vec![skill("ls:pcr", "PCR")]);
    let jobs = [
        job("Java EE", vec![job_skill("jobtech:java-ee", "Java EE", true)]),
        job("Java", vec![job_skill("jobtech:java", "Java", true)]),
    ];
    let index = build(&[expert.clone(), both.clone(), narrower.clone(), unrelated], &jobs);

    let s = CandidateSearch { links: links.clone(), ..search(vec![wanted("jobtech:java-ee", "Java EE", false)]) };
    let hits = index.search_candidates(&s).expect("search");
    let weight = super::query::optional_weight(&s.skills);
    let full = |level, years| super::query::skill_effect(weight, fields::skill_impact(Some(level), years));
    let partial = super::query::PARTIAL_NARROWER * super::query::skill_effect(weight, 1);
    let scores: Vec<(Uuid, f32)> = hits.items.iter().map(|h| (h.candidate_id, h.score)).collect();
    let expected = [
        (expert.candidate_id, full(5, Some(9.0))),
        (both.candidate_id, full(5, None)),
        (narrower.candidate_id, partial),
    ];
    assert_eq!(scores.len(), 3, "{scores:?}");
    for ((id, score), (want_id, want)) in scores.iter().zip(expected) {
        assert_eq!(*id, want_id);
        assert!((score - want).abs() < 0.01, "{score} vs {want}: the best of the equivalents, never the sum");
    }
    let partly = &hits.items[2].explanation;
    assert!(partly.matched_skills.is_empty());
    assert_eq!(partly.partial_skills[0].through.as_ref().map(|t| t.relation.as_str()), Some("narrower"));
    let effect: f32 = partly.other.iter().filter(|f| f.factor == "partial_skill").map(|f| f.effect).sum();
    assert!((effect - hits.items[2].score).abs() < 0.01, "the explanation adds up: {effect}");

    let s = JobSearch { skills: vec![wanted("esco:java", "Java", false)], limit: 10, links, ..Default::default() };
    let hits = index.search_jobs(&s).expect("search");
    let scores: Vec<f32> = hits.items.iter().map(|h| h.score.unwrap_or_default()).collect();
    let weight = super::query::optional_weight(&s.skills);
    assert_eq!(hits.items.iter().map(|h| h.id).collect::<Vec<_>>(), [jobs[0].id, jobs[1].id]);
    assert!(
        (scores[0] - weight).abs() < 0.01 && (scores[1] - weight * super::query::PARTIAL_NARROWER).abs() < 0.01,
        "{scores:?}"
    );
    let without = JobSearch { links: Default::default(), ..s };
    assert!(index.search_jobs(&without).expect("search").items.is_empty(), "without links the ids differ");
}
