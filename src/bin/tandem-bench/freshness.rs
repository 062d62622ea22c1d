//! Change → searchable: with the real indexer thread running on the benchmark's index, profiles' headlines gain a
//! word no profile has, each in a transaction that also queues the change in the outbox (as a profile save does),
//! and the time from the commit until a free-text search for the word finds the profile is measured. The
//! headlines are put back (and reindexed) at the end.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tandem::outbox::{self, Entity};
use uuid::Uuid;

use crate::engine;
use crate::stats::Latency;

/// A change not searchable after this long counts as missed.
const GIVE_UP: Duration = Duration::from_secs(10);
/// How often the search is retried while waiting.
const POLL: Duration = Duration::from_millis(1);
/// The longest pause between changes: pauses are drawn up to it, so commits fall anywhere in the indexer's cycle.
const MAX_PAUSE_MS: u64 = 250;
/// How long the indexer may take to open the index and apply what was already queued.
const READY: Duration = Duration::from_secs(600);

#[derive(Clone, Debug, Serialize)]
pub struct Freshness {
    pub changes: usize,
    /// From each commit until the change was found (missed ones count at the give-up time).
    pub latency: Latency,
    /// Changes not found within the give-up time.
    pub missed: usize,
}

#[derive(QueryableByName)]
struct Picked {
    #[diesel(sql_type = SqlUuid)]
    candidate_id: Uuid,
    #[diesel(sql_type = Text)]
    headline: String,
}

/// Makes `changes` changes one after another and times each until it is searchable.
pub async fn measure(database_url: &str, index_dir: &Path, changes: usize) -> anyhow::Result<Freshness> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    let head = outbox::head(&mut conn).await?;
    eprintln!("freshness: starting the indexer on {}", index_dir.display());
    let (indexer, search) = engine::start_indexer(database_url, index_dir, head, READY).await?;
    let picked: Vec<Picked> = diesel::sql_query(
        "SELECT candidate_id, headline FROM seeker_profiles WHERE searchable ORDER BY md5(candidate_id::text) LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(changes as i64)
    .load(&mut conn)
    .await?;
    let run = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let rng = &mut ChaCha8Rng::seed_from_u64(11);
    let mut samples = Vec::with_capacity(picked.len());
    let mut missed = 0;
    for (i, profile) in picked.iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..=MAX_PAUSE_MS))).await;
        let word = unique_word(run, i as u64);
        set_headline(&mut conn, profile.candidate_id, &format!("{} {word}", profile.headline)).await?;
        let committed = Instant::now();
        loop {
            if engine::finds(&search, &word, profile.candidate_id)? {
                break;
            }
            if committed.elapsed() > GIVE_UP {
                missed += 1;
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        samples.push(committed.elapsed());
    }
    eprintln!("freshness: putting the {} headlines back", picked.len());
    for profile in &picked {
        set_headline(&mut conn, profile.candidate_id, &profile.headline).await?;
    }
    let head = outbox::head(&mut conn).await?;
    if !engine::wait_for(&search, head, READY).await {
        eprintln!("freshness: the indexer had not applied the restored headlines when it was stopped");
    }
    tokio::task::spawn_blocking(move || indexer.stop()).await?;
    Ok(Freshness { changes: samples.len(), latency: Latency::of(samples), missed })
}

/// A word no profile has and no stemmer changes: consonants from the run and the change number, ending in `x`.
fn unique_word(run: u64, n: u64) -> String {
    const LETTERS: &[u8] = b"bcdfghjklmnpqrstvwz";
    let mut value = run * 10_000 + n;
    let mut word = String::from("zq");
    while value > 0 {
        word.push(LETTERS[(value % LETTERS.len() as u64) as usize] as char);
        value /= LETTERS.len() as u64;
    }
    word.push('x');
    word
}

/// Sets the headline and queues the profile for the index in one transaction, as a profile save does.
async fn set_headline(conn: &mut AsyncPgConnection, candidate_id: Uuid, headline: &str) -> anyhow::Result<()> {
    let headline = headline.to_owned();
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        async move {
            diesel::sql_query("UPDATE seeker_profiles SET headline = $1, updated_at = now() WHERE candidate_id = $2")
                .bind::<Text, _>(headline)
                .bind::<SqlUuid, _>(candidate_id)
                .execute(conn)
                .await?;
            outbox::enqueue(conn, Entity::Candidate, candidate_id).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_gets_its_own_word_of_letters() {
        let (a, b) = (unique_word(1_764_000_000, 0), unique_word(1_764_000_000, 1));
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_lowercase()) && a.ends_with('x'), "{a}");
    }
}
