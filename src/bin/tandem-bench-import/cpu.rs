//! Where an import's CPU time goes, per ad, on one thread (as the import prepares ads): splitting the input into
//! ads, reading one into an [`Ad`](tandem::imports::model::Ad), extracting its skills, fingerprinting it, and the
//! whole of `Preparer::prepare` (which also hashes the ad for unchanged re-imports).

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use tandem::extract::{ListedSkill, SkillExtractor};
use tandem::imports::duplicates::AdFingerprint;
use tandem::imports::feed::each_ad;
use tandem::imports::jobtech::{self, Concepts};
use tandem::imports::prepare::Preparer;
use tandem::imports::Format;

/// Microseconds per ad of each step, and how long the extractor took to build.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Breakdown {
    pub ads: usize,
    pub labels_query_ms: f64,
    pub extractor_build_ms: f64,
    pub split_us: f64,
    pub read_us: f64,
    pub extract_us: f64,
    pub fingerprint_us: f64,
    /// `Preparer::prepare` as the import calls it: read, extract, fingerprint and hash together.
    pub prepare_us: f64,
}

impl Breakdown {
    /// Ads one preparing thread can do per second: the import's ceiling while it prepares on one thread.
    pub fn prepare_per_second(&self) -> f64 {
        1e6 / self.prepare_us.max(1e-9)
    }
}

/// Builds an extractor and concepts as `Importer::load` does (timing both), then times each step over the first
/// `limit` entries of `input`, a JobStream file.
pub async fn measure(conn: &mut AsyncPgConnection, input: Vec<u8>, limit: usize) -> anyhow::Result<Breakdown> {
    let started = Instant::now();
    let labels = tandem::taxonomy::extraction_labels(conn).await?;
    let concepts: Concepts = tandem::taxonomy::jobtech_concepts(conn)
        .await?
        .into_iter()
        .map(|(id, kind, label)| (id, (kind, label)))
        .collect();
    let labels_query = started.elapsed();
    let breakdown = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let extractor = Arc::new(SkillExtractor::new(labels)?);
        let build = started.elapsed();
        let mut breakdown = steps(&extractor, &concepts, &input, limit)?;
        breakdown.labels_query_ms = labels_query.as_secs_f64() * 1e3;
        breakdown.extractor_build_ms = build.as_secs_f64() * 1e3;
        let preparer = Preparer::new(extractor, Arc::new(concepts));
        breakdown.prepare_us = prepare(&preparer, &input, limit)?;
        anyhow::Ok(breakdown)
    })
    .await??;
    Ok(breakdown)
}

/// Times splitting, reading, extracting and fingerprinting, each on its own.
fn steps(extractor: &SkillExtractor, concepts: &Concepts, input: &[u8], limit: usize) -> anyhow::Result<Breakdown> {
    let (mut read, mut extract, mut fingerprint) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut ads, mut entries) = (0, 0);
    let started = Instant::now();
    each_ad(Format::Jobtech, input, |position, value| {
        entries += 1;
        if position >= limit {
            return;
        }
        ads += 1;
        let at = Instant::now();
        let ad = jobtech::read(value, concepts);
        read += at.elapsed();
        let Ok(ad) = ad else { return };
        if ad.removed {
            return;
        }
        let at = Instant::now();
        let listed: Vec<ListedSkill> = ad
            .listed_skills
            .iter()
            .map(|l| ListedSkill { concept_id: l.concept_id.clone(), label: l.label.clone() })
            .collect();
        std::hint::black_box(extractor.extract(&format!("{}\n{}", ad.title, ad.text), &listed));
        extract += at.elapsed();
        let at = Instant::now();
        std::hint::black_box(AdFingerprint::of(&ad.title, &ad.city, &ad.text));
        fingerprint += at.elapsed();
    })?;
    let total = started.elapsed();
    let per_ad = |d: Duration| d.as_secs_f64() * 1e6 / ads.max(1) as f64;
    // Every entry is split, even past the limit.
    let split = total.saturating_sub(read + extract + fingerprint);
    Ok(Breakdown {
        ads,
        split_us: split.as_secs_f64() * 1e6 / entries.max(1) as f64,
        read_us: per_ad(read),
        extract_us: per_ad(extract),
        fingerprint_us: per_ad(fingerprint),
        ..Breakdown::default()
    })
}

/// Microseconds per ad of `Preparer::prepare`, splitting not included.
fn prepare(preparer: &Preparer, input: &[u8], limit: usize) -> anyhow::Result<f64> {
    let mut spent = Duration::ZERO;
    let mut ads = 0;
    each_ad(Format::Jobtech, input, |position, value| {
        if position >= limit {
            return;
        }
        ads += 1;
        let at = Instant::now();
        std::hint::black_box(preparer.prepare(Format::Jobtech, position, value));
        spent += at.elapsed();
    })?;
    Ok(spent.as_secs_f64() * 1e6 / ads.max(1) as f64)
}
