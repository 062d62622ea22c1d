//! Saved searches in a small tantivy index of their own, in RAM: a job is turned into a query over the searches'
//! criteria, so the searches it may satisfy are found through the index rather than by testing every one.
//!
//! Each criterion is indexed as terms, and an absent criterion as the term `*` ("any"): a search for sector
//! pharma has `sector:pharma`, one without a sector has `sector:*`. A job in pharma then asks for
//! `sector IN (pharma, *)` and likewise for every other criterion. Only the words of `q` need a second, exact
//! test (every word must occur, not just one), made here from the words kept in memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::schema::{Field, Schema, FAST, STRING};
use tantivy::{DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};
use uuid::Uuid;

use super::criteria::{words_occur, Analyzers, JobFacts, Word};
use super::model::AlertQuery;
use crate::search::fields;

/// The "any" term of an absent criterion.
const ANY: &str = "*";
/// Writer memory: the smallest tantivy takes is 15 MB; a bulk load of a million searches is quicker with more.
const WRITER_MEMORY: usize = 64_000_000;

#[derive(Clone, Copy)]
struct PercolatorFields {
    id: Field,
    skill: Field,
    sector: Field,
    country: Field,
    city: Field,
    remote: Field,
    word: Field,
}

const ID_HIGH: &str = "id_high";
const ID_LOW: &str = "id_low";

impl PercolatorFields {
    fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING);
        b.add_u64_field(ID_HIGH, FAST);
        b.add_u64_field(ID_LOW, FAST);
        let fields = Self {
            id,
            skill: b.add_text_field("skill", STRING),
            sector: b.add_text_field("sector", STRING),
            country: b.add_text_field("country", STRING),
            city: b.add_text_field("city", STRING),
            remote: b.add_text_field("remote", STRING),
            word: b.add_text_field("word", STRING),
        };
        (b.build(), fields)
    }
}

/// The saved-search index. Cheap to share behind an `Arc`; writes are serialised inside.
pub struct Percolator {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    schema: Schema,
    f: PercolatorFields,
    /// The words of each search that has a `q`, for the exact test.
    words: RwLock<HashMap<Uuid, Vec<Word>>>,
    analyzers: Analyzers,
}

fn en_term(word: &str) -> String {
    format!("en:{word}")
}

fn sv_term(word: &str) -> String {
    format!("sv:{word}")
}

impl Percolator {
    pub fn new() -> tantivy::Result<Self> {
        let (schema, f) = PercolatorFields::schema();
        let index = Index::create_in_ram(schema.clone());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            schema,
            f,
            words: RwLock::new(HashMap::new()),
            analyzers: Analyzers::new(),
        })
    }

    pub fn analyzers(&self) -> &Analyzers {
        &self.analyzers
    }

    /// Adds a search, or replaces it if it is there; visible after [`Percolator::commit`].
    pub fn upsert(&self, id: Uuid, query: &AlertQuery) -> tantivy::Result<()> {
        let f = self.f;
        let words = query.q.as_deref().map(|q| self.analyzers.words(q)).unwrap_or_default();
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, id.to_string());
        let (high, low) = id.as_u64_pair();
        doc.add_u64(self.schema.get_field(ID_HIGH)?, high);
        doc.add_u64(self.schema.get_field(ID_LOW)?, low);
        add_terms(&mut doc, f.skill, query.skills.iter().map(|s| s.skill_id.clone()));
        add_terms(&mut doc, f.sector, query.sectors.iter().map(|s| fields::keyword(s)));
        add_terms(&mut doc, f.country, query.country.iter().map(|c| fields::country_key(c)));
        add_terms(&mut doc, f.city, query.city.iter().map(|c| fields::city_key(c)));
        add_terms(&mut doc, f.remote, query.remote.iter().map(|r| r.as_str().to_owned()));
        add_terms(&mut doc, f.word, words.iter().flat_map(|w| [en_term(&w.en), sv_term(&w.sv)]));
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.delete_term(Term::from_field_text(f.id, &id.to_string()));
        writer.add_document(doc)?;
        drop(writer);
        let mut known = self.words.write().unwrap_or_else(PoisonError::into_inner);
        if words.is_empty() {
            known.remove(&id);
        } else {
            known.insert(id, words);
        }
        Ok(())
    }

    /// Forgets searches (deleted alerts); visible after [`Percolator::commit`].
    pub fn remove(&self, ids: &[Uuid]) {
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            writer.delete_term(Term::from_field_text(self.f.id, &id.to_string()));
        }
        drop(writer);
        let mut known = self.words.write().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            known.remove(id);
        }
    }

    /// Makes every upsert and removal so far visible to [`Percolator::candidates`].
    pub fn commit(&self) -> tantivy::Result<()> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner).commit()?;
        self.reader.reload()
    }

    /// How many searches the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The searches whose every criterion holds for the job.
    pub fn candidates(&self, job: &JobFacts) -> tantivy::Result<Vec<Uuid>> {
        let found = self.reader.searcher().search(&self.query(job), &AlertIds)?;
        let known = self.words.read().unwrap_or_else(PoisonError::into_inner);
        Ok(found.into_iter().filter(|id| known.get(id).is_none_or(|words| words_occur(words, job))).collect())
    }

    fn query(&self, job: &JobFacts) -> BooleanQuery {
        let f = self.f;
        let words = job.en_terms.iter().map(|t| en_term(t)).chain(job.sv_terms.iter().map(|t| sv_term(t)));
        let clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            any_of(f.skill, job.skill_ids()),
            any_of(f.sector, [job.sector.clone()]),
            any_of(f.country, [job.country.clone()]),
            any_of(f.city, [job.city.clone()]),
            any_of(f.remote, [job.remote.as_str().to_owned()]),
            any_of(f.word, words),
        ];
        BooleanQuery::new(clauses)
    }
}

/// Indexes the values, or "any" when there are none.
fn add_terms(doc: &mut TantivyDocument, field: Field, values: impl Iterator<Item = String>) {
    let mut empty = true;
    for value in values {
        doc.add_text(field, value);
        empty = false;
    }
    if empty {
        doc.add_text(field, ANY);
    }
}

/// A criterion that holds for the job: the search asks for one of the job's values, or for any.
fn any_of(field: Field, values: impl IntoIterator<Item = String>) -> (Occur, Box<dyn Query>) {
    let terms = values.into_iter().chain([ANY.to_owned()]).map(|v| Term::from_field_text(field, &v));
    (Occur::Must, Box::new(TermSetQuery::new(terms)))
}

/// Collects the alert ids of every hit, read from the fast fields.
struct AlertIds;

struct SegmentAlertIds {
    high: Column<u64>,
    low: Column<u64>,
    ids: Vec<Uuid>,
}

impl Collector for AlertIds {
    type Fruit = Vec<Uuid>;
    type Child = SegmentAlertIds;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentAlertIds> {
        let fast = segment.fast_fields();
        Ok(SegmentAlertIds { high: fast.u64(ID_HIGH)?, low: fast.u64(ID_LOW)?, ids: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Uuid>>) -> tantivy::Result<Vec<Uuid>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentAlertIds {
    type Fruit = Vec<Uuid>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let (Some(high), Some(low)) = (self.high.first(doc), self.low.first(doc)) {
            self.ids.push(Uuid::from_u64_pair(high, low));
        }
    }

    fn harvest(self) -> Vec<Uuid> {
        self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::AlertSkill;
    use crate::jobs::model::Remote;

    fn job(skills: &[&str], text: &str) -> JobFacts {
        let analyzers = Analyzers::new();
        let (en_terms, sv_terms) = analyzers.terms(text);
        JobFacts {
            id: Uuid::nil(),
            skills: skills
                .iter()
                .map(|id| crate::jobs::model::JobSkill {
                    skill_id: Some((*id).to_owned()),
                    name: (*id).to_owned(),
                    required: true,
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

    #[test]
    fn finds_exactly_the_searches_a_job_satisfies() {
        let p = Percolator::new().expect("percolator");
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
        for (id, query) in ids.iter().zip(&queries) {
            p.upsert(*id, query).expect("upsert");
        }
        p.commit().expect("commit");
        assert_eq!(p.len(), 7);

        let mut found = p.candidates(&job(&["ls-a"], "Cell therapies for everyone")).expect("search");
        found.sort();
        let mut expected = vec![ids[0], ids[2], ids[4]];
        expected.sort();
        assert_eq!(found, expected);

        p.remove(&[ids[0]]);
        p.upsert(ids[1], &AlertQuery { skills: skills(&["ls-a"]), ..Default::default() }).expect("replace");
        p.commit().expect("commit");
        let mut found = p.candidates(&job(&["ls-a"], "Cell therapies")).expect("search");
        found.sort();
        let mut expected = vec![ids[1], ids[2], ids[4]];
        expected.sort();
        assert_eq!(found, expected);
        assert_eq!(p.len(), 6);
    }
}
