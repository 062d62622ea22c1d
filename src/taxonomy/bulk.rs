//! The taxonomy as bulk tools (the synthetic seed) read it: every skill at once, over a plain PostgreSQL client.

use tokio_postgres::Client;

/// A skill with its source (`esco`, `jobtech`, `curated`) and its display label (English, else Swedish, else id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillEntry {
    pub id: String,
    pub source: String,
    pub label: String,
}

/// Every skill of the taxonomy, in no particular order.
pub async fn every_skill(client: &Client) -> Result<Vec<SkillEntry>, tokio_postgres::Error> {
    let rows = client.query("SELECT id, source, coalesce(label_en, label_sv, id) FROM skills", &[]).await?;
    Ok(rows.iter().map(|r| SkillEntry { id: r.get(0), source: r.get(1), label: r.get(2) }).collect())
}
