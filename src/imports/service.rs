//! The rules of an import: each ad is new, a change, a withdrawal, the same job from another board (merged), or
//! nothing new. A chunk of ads is written in one transaction, through the jobs feature, so imported jobs reach
//! the index and the alerts through the same outbox as any job.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::duplicates::{similarity, AdFingerprint};
use super::model::Skipped;
use super::model::{Ad, ImportSummary};
use super::prepare::{Item, Prepared};
use super::store::{self, NewFingerprint};
use crate::db::StoreError;
use crate::jobs::imported::{self as jobs, ImportedJob, NewSource, SourceRecord};
use crate::jobs::model::{JobFields, JobLanguage, JobStatus, Remote};
use crate::orgs::{ImportedEmployer, UnusableEmployer};
use crate::vocab::Place;

type Key = (String, String);

/// Writes one chunk of prepared ads in one transaction (run once more if it collides with another) and says what
/// it did.
pub async fn write_chunk(conn: &mut AsyncPgConnection, items: &[Item]) -> Result<ImportSummary, StoreError> {
    crate::db::transaction(conn, |conn| async move { Chunk::new(items).write(conn).await }.scope_boxed()).await
}

/// One chunk's ads and what has been decided for them so far.
struct Chunk<'a> {
    items: &'a [Item],
    summary: ImportSummary,
    known: HashMap<Key, SourceRecord>,
    /// New jobs not yet written, and their keys; written before an ad with one of those keys is looked at again.
    pending: Vec<ImportedJob>,
    pending_keys: HashSet<Key>,
    sources: Vec<NewSource>,
    fingerprints: Vec<NewFingerprint<'a>>,
    /// Open imported jobs a new ad might copy: those stored that share a band key with a new ad of this chunk,
    /// and the chunk's own new jobs; found through their band keys.
    candidates: Vec<(Uuid, String, AdFingerprint)>,
    by_band: HashMap<i64, Vec<usize>>,
    organizations: HashMap<String, Result<Uuid, UnusableEmployer>>,
    now: DateTime<Utc>,
}

impl<'a> Chunk<'a> {
    fn new(items: &'a [Item]) -> Self {
        Self {
            items,
            summary: ImportSummary::default(),
            known: HashMap::new(),
            pending: Vec::new(),
            pending_keys: HashSet::new(),
            sources: Vec::new(),
            fingerprints: Vec::new(),
            candidates: Vec::new(),
            by_band: HashMap::new(),
            organizations: HashMap::new(),
            now: Utc::now(),
        }
    }

    fn ads(&self) -> impl Iterator<Item = &'a Prepared> {
        self.items.iter().filter_map(|item| match item {
            Item::Ready(p) => Some(p.as_ref()),
            Item::Skipped(_) => None,
        })
    }

    async fn write(mut self, conn: &mut AsyncPgConnection) -> Result<ImportSummary, StoreError> {
        for item in self.items {
            if let Item::Skipped(s) = item {
                self.summary.skipped.push(s.clone());
            }
        }
        self.load_known(conn).await?;
        self.load_organizations(conn).await?;
        self.load_candidates(conn).await?;
        for ad in self.ads() {
            let key = key_of(&ad.ad);
            if self.pending_keys.contains(&key) {
                self.flush(conn).await?;
            }
            if self.will_write(ad) {
                if let Err(unusable) = self.organization_of(&ad.ad) {
                    let reason = format!("employer: {unusable}");
                    self.summary.skipped.push(Skipped { position: ad.position, reason });
                    continue;
                }
            }
            match self.known.get(&key).cloned() {
                Some(record) => self.existing(conn, ad, record).await?,
                None if ad.ad.removed => self.summary.unchanged += 1,
                None => self.new_ad(ad, key),
            }
        }
        self.flush(conn).await?;
        self.summary.skipped.sort_by_key(|s| s.position);
        Ok(self.summary)
    }

    async fn load_known(&mut self, conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
        let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
        for ad in self.ads() {
            by_source.entry(ad.ad.source.as_str()).or_default().push(ad.ad.external_id.as_str());
        }
        for (source, ids) in by_source {
            for record in jobs::sources(conn, source, &ids).await? {
                self.known.insert((source.to_owned(), record.external_id.clone()), record);
            }
        }
        Ok(())
    }

    /// The organisation of every ad that will write a job: found by organisation number or name, or created
    /// unclaimed. An ad naming no employer is filed under its board.
    async fn load_organizations(&mut self, conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
        let mut employers: Vec<ImportedEmployer<'a>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for ad in self.ads().filter(|ad| self.will_write(ad)) {
            let key = employer_key(&ad.ad);
            if keys.contains(&key) {
                continue;
            }
            keys.push(key);
            employers.push(employer_of(&ad.ad));
        }
        let ids = crate::orgs::find_or_create_unclaimed_many(conn, &employers).await?;
        debug_assert_eq!(ids.len(), keys.len());
        self.organizations = keys.into_iter().zip(ids).collect();
        Ok(())
    }

    /// Whether the ad will write a job: it is new, changed, or back after a withdrawal.
    fn will_write(&self, ad: &Prepared) -> bool {
        !ad.ad.removed
            && self.known.get(&key_of(&ad.ad)).is_none_or(|r| r.withdrawn || r.content_hash != ad.content_hash)
    }

    /// Imported jobs, still open, that share a band key with a new ad of this chunk: possible duplicates.
    async fn load_candidates(&mut self, conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
        let mut band_keys: Vec<i64> = self
            .ads()
            .filter(|ad| !ad.ad.removed && !self.known.contains_key(&key_of(&ad.ad)))
            .flat_map(|ad| ad.fingerprint.band_keys())
            .collect();
        band_keys.sort_unstable();
        band_keys.dedup();
        // A chunk from one board need not see that board's own jobs: they are never its duplicates.
        let mut sources = self.ads().map(|ad| ad.ad.source.as_str());
        let first = sources.next();
        let only = first.filter(|first| sources.all(|s| s == *first));
        let found = store::candidates(conn, &band_keys, only).await?;
        let mut ids: Vec<Uuid> = found.iter().map(|c| c.job_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let open: HashSet<Uuid> = jobs::open_jobs(conn, &ids).await?.into_iter().collect();
        let mut seen = HashSet::new();
        for c in found {
            if open.contains(&c.job_id) && seen.insert(c.job_id) {
                if let Ok(fingerprint) = AdFingerprint::from_bytes(&c.fingerprint) {
                    self.add_candidate(c.job_id, c.source, fingerprint);
                }
            }
        }
        Ok(())
    }

    fn add_candidate(&mut self, job_id: Uuid, source: String, fingerprint: AdFingerprint) {
        let index = self.candidates.len();
        for key in fingerprint.band_keys() {
            self.by_band.entry(key).or_default().push(index);
        }
        self.candidates.push((job_id, source, fingerprint));
    }

    /// The open job from another board (imported earlier, or new in this chunk) that the ad copies most closely;
    /// only jobs sharing a band key with it are compared.
    fn best_duplicate(&self, source: &str, fingerprint: &AdFingerprint) -> Option<Uuid> {
        let mut indexes: Vec<usize> =
            fingerprint.band_keys().iter().filter_map(|k| self.by_band.get(k)).flatten().copied().collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
            .into_iter()
            .map(|i| &self.candidates[i])
            .filter(|(_, s, _)| s != source)
            .map(|(id, _, f)| (*id, similarity(f, fingerprint)))
            .filter(|(_, similar)| similar.is_same_job())
            .max_by(|a, b| a.1.containment.total_cmp(&b.1.containment))
            .map(|(id, _)| id)
    }

    /// An ad never seen from its board: the same job as one from another board (merged), or a new job.
    fn new_ad(&mut self, ad: &'a Prepared, key: Key) {
        let source = ad.ad.source.as_str();
        let duplicate = self.best_duplicate(source, &ad.fingerprint);
        let job_id = match duplicate {
            Some(job_id) => {
                self.summary.merged += 1;
                job_id
            }
            None => {
                let job_id = Uuid::new_v4();
                self.pending.push(self.imported_job(job_id, ad));
                self.add_candidate(job_id, source.to_owned(), ad.fingerprint.clone());
                self.fingerprints.push(fingerprint_row(job_id, ad));
                self.summary.new += 1;
                self.summary.skills_found += ad.skills.len();
                job_id
            }
        };
        self.pending_keys.insert(key.clone());
        self.sources.push(NewSource {
            source: key.0.clone(),
            external_id: key.1.clone(),
            job_id,
            url: ad.ad.url.clone(),
            content_hash: ad.content_hash.clone(),
            changed_at: ad.ad.changed_at,
        });
        let primary = duplicate.is_none();
        self.known.insert(
            key,
            SourceRecord {
                external_id: ad.ad.external_id.clone(),
                job_id,
                content_hash: ad.content_hash.clone(),
                changed_at: ad.ad.changed_at,
                withdrawn: false,
                primary,
            },
        );
    }

    /// An ad seen before from its board: withdrawn, changed, or the same as last time.
    async fn existing(
        &mut self,
        conn: &mut AsyncPgConnection,
        ad: &'a Prepared,
        record: SourceRecord,
    ) -> Result<(), StoreError> {
        let (source, external_id) = (ad.ad.source.as_str(), ad.ad.external_id.as_str());
        let key = key_of(&ad.ad);
        // An event no newer than the last one applied (a stream window read twice) changes nothing.
        if ad.ad.changed_at.zip(record.changed_at).is_some_and(|(event, applied)| event <= applied) {
            self.summary.unchanged += 1;
            return Ok(());
        }
        let changed_at = ad.ad.changed_at.or(record.changed_at);
        if ad.ad.removed {
            if record.withdrawn {
                self.summary.unchanged += 1;
                return Ok(());
            }
            let url = ad.ad.url.as_deref();
            jobs::update_source(conn, source, external_id, url, &record.content_hash, changed_at, true).await?;
            if !jobs::still_published_anywhere(conn, record.job_id).await? {
                jobs::close_jobs(conn, &[record.job_id]).await?;
            }
            self.summary.withdrawn += 1;
            self.known.insert(key, SourceRecord { withdrawn: true, changed_at, ..record });
            return Ok(());
        }
        if !record.withdrawn && record.content_hash == ad.content_hash {
            self.summary.unchanged += 1;
            return Ok(());
        }
        let url = ad.ad.url.as_deref();
        jobs::update_source(conn, source, external_id, url, &ad.content_hash, changed_at, false).await?;
        if record.primary {
            jobs::update_job_from_ad(conn, &self.imported_job(record.job_id, ad)).await?;
            store::replace_fingerprint(conn, &fingerprint_row(record.job_id, ad)).await?;
            self.summary.skills_found += ad.skills.len();
        }
        self.summary.updated += 1;
        let content_hash = ad.content_hash.clone();
        self.known.insert(key, SourceRecord { content_hash, changed_at, withdrawn: false, ..record });
        Ok(())
    }

    /// Writes the new jobs, the boards' copies and the fingerprints decided so far.
    async fn flush(&mut self, conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
        jobs::insert_jobs(conn, &std::mem::take(&mut self.pending)).await?;
        jobs::insert_sources(conn, &std::mem::take(&mut self.sources)).await?;
        store::insert_fingerprints(conn, &std::mem::take(&mut self.fingerprints)).await?;
        self.pending_keys.clear();
        Ok(())
    }

    /// The organisation an ad's job belongs to, or why its employer cannot be one.
    fn organization_of(&self, ad: &Ad) -> Result<Uuid, UnusableEmployer> {
        self.organizations.get(&employer_key(ad)).cloned().unwrap_or(Err(UnusableEmployer::NoName))
    }

    fn imported_job(&self, id: Uuid, prepared: &Prepared) -> ImportedJob {
        let ad = &prepared.ad;
        let expired = ad.closes_at.is_some_and(|at| at <= self.now);
        let organization_id = self.organization_of(ad).unwrap_or_default();
        ImportedJob {
            id,
            organization_id,
            source: ad.source.clone(),
            external_id: ad.external_id.clone(),
            fields: JobFields {
                title: ad.title.clone(),
                description: ad.text.clone(),
                skills: Vec::new(),
                location: Place { city: ad.city.clone(), country: ad.country.clone() },
                remote: Remote::No,
                employment_type: ad.employment_type.clone(),
                sector: ad.sector.clone(),
                languages: ad.languages.iter().map(|code| JobLanguage { code: code.clone(), level: None }).collect(),
                apply_url: ad.apply_url.clone().or_else(|| ad.url.clone()),
                closes_at: ad.closes_at,
                status: if expired { JobStatus::Closed } else { JobStatus::Published },
            },
            skills: prepared.skills.clone(),
            published_at: Some(ad.published_at.unwrap_or(self.now)),
        }
    }
}

fn key_of(ad: &Ad) -> Key {
    (ad.source.clone(), ad.external_id.clone())
}

fn fingerprint_row(job_id: Uuid, ad: &Prepared) -> NewFingerprint<'_> {
    NewFingerprint {
        job_id,
        source: &ad.ad.source,
        fingerprint: ad.fingerprint.to_bytes(),
        band_keys: ad.fingerprint.band_keys(),
    }
}

/// Who an ad's employer is, for finding its organisation once per chunk.
fn employer_key(ad: &Ad) -> String {
    match &ad.employer {
        Some(e) => match &e.org_number {
            Some(n) => format!("number:{}", n.chars().filter(char::is_ascii_digit).collect::<String>()),
            None => format!("name:{}", crate::taxonomy::normalize(&e.name)),
        },
        None => format!("name:{}", crate::taxonomy::normalize(&ad.source)),
    }
}

fn employer_of(ad: &Ad) -> ImportedEmployer<'_> {
    let (name, org_number, website) = match &ad.employer {
        Some(e) => (e.name.as_str(), e.org_number.as_deref(), e.website.as_deref()),
        None => (ad.source.as_str(), None, None),
    };
    ImportedEmployer { name, org_number, city: &ad.city, country: &ad.country, website }
}
