//! The extraction rules of issue 13, one test each: on small taxonomies built here where a rule is about labels,
//! and on the embedded taxonomy where it is about what the real labels do to real text.

use super::eval::extractor;
use super::*;

fn row(skill_id: &str, label: &str, lang: &str) -> LabelRow {
    LabelRow { skill_id: skill_id.to_owned(), label: label.to_owned(), lang: lang.to_owned() }
}

fn small(rows: &[(&str, &str, &str)]) -> SkillExtractor {
    SkillExtractor::new(rows.iter().map(|(id, label, lang)| row(id, label, lang))).expect("compiles")
}

fn ids(extraction: &Extraction) -> Vec<&str> {
    extraction.skills.iter().map(|s| s.skill_id.as_str()).collect()
}

fn found(extractor: &SkillExtractor, text: &str) -> Vec<String> {
    extractor.extract(text, &[]).skills.into_iter().map(|s| s.skill_id).collect()
}

/// The false hits `../shared/data/jobads/README.md` lists, by the skill they went to.
const README_FALSE_HITS: [(&str, &str); 9] = [
    ("AR (augmented reality)", "esco:abdc7ac8-151f-40c6-bc1a-1e9b4b073290"),
    ("MAN (truck make)", "jobtech:7V5Q_KNK_m6a"),
    ("Chef (configuration tool)", "esco:49f85a99-086c-45b6-a6fa-eb90305af7b1"),
    ("LAN", "jobtech:MTxX_S7e_dpp"),
    ("Bas", "jobtech:G97L_WC9_Ybm"),
    ("Mission", "jobtech:Phd3_dMW_BLu"),
    ("Kollektivavtal", "jobtech:z7wE_9xb_3jX"),
    ("think creatively", "esco:c624c6a3-b0ba-4a31-a296-0d433fe47e41"),
    ("computer programming", "esco:21d2f96d-35f7-4e3f-9745-c533d2dd6e97"),
];

#[test]
fn the_readme_false_hits_do_not_appear() {
    let swedish = "Är du en chef som vill arbeta i Västra Götalands län? Man får kollektivavtal, en bas i Göteborg \
                   och LAN-kvällar. ÄR DU REDO? Design av nya lokaler pågår. Du tolkar CT-bilder.";
    let english = "We are on a mission to design great products. Our chef cooks lunch, and CT scans are read here.";
    for text in [swedish, english] {
        let extraction = extractor().extract(text, &[]);
        for (what, id) in README_FALSE_HITS {
            assert!(!ids(&extraction).contains(&id), "{what} found in {text:?}");
        }
    }
}

#[test]
fn the_readme_false_hits_do_not_appear_on_the_real_ads() {
    let set: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/extraction_eval.json")).expect("the evaluation set parses");
    let ads = set["ads"].as_array().expect("ads");
    for ad in ads.iter().filter(|ad| ad["origin"] != "written for Tandem") {
        let found = found(extractor(), ad["text"].as_str().expect("text"));
        for (what, id) in README_FALSE_HITS {
            assert!(!found.iter().any(|f| f == id), "{what} found in {}", ad["id"]);
        }
    }
}

#[test]
fn swedish_inflections_and_compounds_are_found() {
    let e = small(&[
        ("nurse", "Sjuksköterska", "sv"),
        ("pm", "Projektledning", "sv"),
        ("culture", "cellodling", "sv"),
        ("logistics", "Logistik", "sv"),
    ]);
    let text = "Vi söker sjuksköterskor och en barnsjuksköterska.";
    assert_eq!(found(&e, text), ["nurse"]);
    assert_eq!(e.extract(text, &[]).skills[0].label, "sjuksköterskor");
    assert_eq!(found(&e, "Du leder projektledningen och ansvarar för våra cellodlingar."), ["pm", "culture"]);
    assert_eq!(found(&e, "Erfarenhet av projektledningsmetodik krävs."), ["pm"]);
    assert_eq!(e.extract("Hon är barnsjuksköterska.", &[]).skills[0].label, "barnsjuksköterska");
    // A short label is neither the end nor the start of a compound, and takes only real inflections.
    assert!(found(&e, "Vi är ett logistikföretag med stadslogistik och logistikerfarenhet.").is_empty());
    assert_eq!(found(&e, "Du ansvarar för logistiken."), ["logistics"]);
    assert!(found(&e, "Sjukskötersk och sjuksköterskeri är inga ord.").is_empty());
}

#[test]
fn swedish_letters_stay_distinct() {
    let e = small(&[("vessel", "kärl", "sv"), ("man", "karl", "sv")]);
    assert_eq!(found(&e, "Du ansvarar för kontroll av kärl och rör på anläggningen."), ["vessel"]);
    assert_eq!(found(&e, "Han är en riktig karl som arbetar här hos oss."), ["man"]);
}

#[test]
fn short_and_capital_labels_match_case_sensitively_as_whole_words() {
    let e = small(&[
        ("sql", "SQL", "en"),
        ("gmp", "GMP", "en"),
        ("r", "R", "en"),
        ("python", "Python", "en"),
        ("oss", "OSS", "en"),
        ("ada", "Ada", "en"),
    ]);
    assert_eq!(found(&e, "Erfarenhet av SQL och GMP-tillverkning."), ["sql", "gmp"]);
    assert!(found(&e, "Vi använder sql och mysql; NoSQLdb, gmps.").is_empty());
    // One letter, or a short word that is not an acronym, needs a product or acronym beside it in a list.
    assert_eq!(found(&e, "Analysis in R, Python and SQL."), ["r", "python", "sql"]);
    assert_eq!(found(&e, "Our R&D team uses Python."), ["python"]);
    assert!(found(&e, "Grade R applies. Ada met Bo.").is_empty());
    assert_eq!(found(&e, "Languages: Ada, Python"), ["ada", "python"]);
    // A heading in capitals is no list of acronyms.
    assert!(found(&e, "OM OSS Vi är ett bolag.").is_empty());
    assert_eq!(found(&e, "Vi bidrar till OSS, SQL-verktyg med mera."), ["oss", "sql"]);
}

#[test]
fn the_embedded_taxonomy_reads_acronyms_and_versions() {
    let extraction = extractor().extract("Vi söker dig som kan HTML5, CSS3 och SQL. Är du redo?", &[]);
    let found = ids(&extraction);
    assert!(found.contains(&"jobtech:K8eq_sEz_eXV"), "HTML5 is HTML: {found:?}");
    assert!(found.contains(&"jobtech:Xnmr_kYS_YKY"), "SQL: {found:?}");
    assert!(!found.contains(&"esco:abdc7ac8-151f-40c6-bc1a-1e9b4b073290"), "Är is not AR");
}

#[test]
fn each_language_reads_its_own_labels_and_product_names_in_both() {
    let e = small(&[
        ("qc-en", "quality control", "en"),
        ("qc-sv", "kvalitetskontroll", "sv"),
        ("java", "Java, programmeringsspråk", "sv"),
    ]);
    let swedish = "Du arbetar med kvalitetskontroll (quality control) och programmerar i Java varje dag.";
    let english = "You work in quality control (kvalitetskontroll) and write Java every day of the week.";
    let sv = e.extract(swedish, &[]);
    assert_eq!(sv.language, Some("sv"));
    assert_eq!(ids(&sv), ["qc-sv", "java"]);
    let en = e.extract(english, &[]);
    assert_eq!(en.language, Some("en"));
    assert_eq!(ids(&en), ["qc-en", "java"]);
    // Too short to tell: both languages' labels count.
    let short = e.extract("kvalitetskontroll", &[]);
    assert_eq!((short.language, ids(&short)), (None, vec!["qc-sv"]));
    assert_eq!(ids(&e.extract("quality control", &[])), ["qc-en"]);
}

#[test]
fn a_listed_skill_takes_precedence_and_is_resolved_by_id_then_label() {
    let e = small(&[("jobtech:jCsR_WQX_CKD", "Java, programmeringsspråk", "sv"), ("sql", "SQL", "en")]);
    let listed = [
        ListedSkill { concept_id: Some("made_up_id".to_owned()), label: "SQL".to_owned() },
        ListedSkill { concept_id: Some("jCsR_WQX_CKD".to_owned()), label: "Programmering i Java".to_owned() },
        ListedSkill { concept_id: None, label: "Bagare".to_owned() },
    ];
    let extraction = e.extract("Vi söker en utvecklare som kan Java och SQL sedan flera år tillbaka.", &listed);
    let skills: Vec<(&str, Found, bool)> =
        extraction.skills.iter().map(|s| (s.skill_id.as_str(), s.found, s.snippet.is_some())).collect();
    assert_eq!(skills, [("sql", Found::Listed, true), ("jobtech:jCsR_WQX_CKD", Found::Listed, true)]);
    assert_eq!(extraction.skills[1].label, "Programmering i Java");
    assert_eq!(extraction.unresolved, ["Bagare"]);
    let not_in_text = e.extract("Inget här.", &listed[..1]);
    assert_eq!((not_in_text.skills[0].found, not_in_text.skills[0].snippet.as_deref()), (Found::Listed, None));
}

#[test]
fn snippets_show_about_a_hundred_characters_around_the_first_mention() {
    let e = small(&[("culture", "cellodling", "sv")]);
    let before = "Åäö ".repeat(40);
    let text = format!("{before}Du   arbetar med\ncellodling i renrum. {}", "Övrigt å ä ö. ".repeat(20));
    let skill = &e.extract(&text, &[]).skills[0];
    let snippet = skill.snippet.as_deref().expect("a snippet");
    assert!(snippet.contains("Du arbetar med cellodling i renrum."), "{snippet}");
    assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
    assert!((90..=110).contains(&snippet.chars().count()), "{} chars: {snippet}", snippet.chars().count());
    let short = e.extract("Cellodling.", &[]).skills[0].snippet.clone();
    assert_eq!(short.as_deref(), Some("Cellodling."));
}

#[test]
fn each_skill_is_found_once_in_order_of_first_mention() {
    let e = small(&[("gmp", "GMP", "en"), ("culture", "cell culture", "en"), ("culture", "cell cultures", "en")]);
    let extraction =
        e.extract("We need cell culture under GMP. You will run more cell cultures, and more GMP work.", &[]);
    assert_eq!(ids(&extraction), ["culture", "gmp"]);
}

#[test]
fn the_longest_mention_wins_over_a_label_inside_it() {
    let e = small(&[("pp", "project planning", "en"), ("planning", "planning", "en")]);
    assert_eq!(found(&e, "Strong project planning skills are needed for this role."), ["pp"]);
    assert_eq!(found(&e, "Strong planning skills are needed for this role."), ["planning"]);
    let js = small(&[("java", "Java", "en"), ("js", "JavaScript", "en")]);
    assert_eq!(found(&js, "We write JavaScript every day in our team."), ["js"]);
}

#[test]
fn words_run_together_by_scraping_are_split_at_capitals() {
    let e = small(&[("linux", "Linux", "en"), ("pg", "PostgreSQL", "en")]);
    assert_eq!(
        found(&e, "Experience with Kubernetes and LinuxWays to stand out: PostgreSQLSo, what next?"),
        ["linux", "pg"]
    );
    assert!(found(&e, "Linuxways").is_empty());
}

#[test]
fn long_texts_are_read_up_to_the_limit() {
    let e = small(&[("culture", "cellodling", "sv")]);
    let text = format!("{}cellodling", "å".repeat(MAX_TEXT_BYTES / 2));
    assert!(e.extract(&text, &[]).skills.is_empty(), "beyond the limit");
    let text = format!("cellodling {}", "ä".repeat(MAX_TEXT_BYTES));
    assert_eq!(ids(&e.extract(&text, &[])), ["culture"]);
}

#[test]
fn the_extractor_is_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<SkillExtractor>();
    let e = std::sync::Arc::new(small(&[("culture", "cellodling", "sv")]));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let e = std::sync::Arc::clone(&e);
            std::thread::spawn(move || e.extract("Vi odlar celler: cellodling varje dag.", &[]).skills.len())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("thread"), 1);
    }
}
