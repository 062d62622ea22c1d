//! Finding or making the unclaimed organisations of imported employers: one statement per thousand employers, safe
//! when several imports run at once because the unique keys, not a prior look, decide who inserts.

use diesel::sql_types::{Array, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::imported::{CleanEmployer, IMPORTED_SECTOR};
use crate::db::StoreError;

/// Employers per statement: big enough that a batch of ads costs a few round trips, small enough for one plan.
const CHUNK: usize = 1000;

/// Rounds for employers whose insert lost to another transaction's, which this statement's snapshot cannot see.
const ROUNDS: usize = 3;

/// Finds by organisation number (any organisation, claimed or not), else by name key among organisations imports
/// made (the one without a number first, then the oldest); inserts the rest as unclaimed. An insert that meets a
/// row another transaction committed meanwhile does nothing and leaves its employer's id NULL for the next round.
const FIND_OR_CREATE: &str = "
WITH keyed AS (
    SELECT i.*, normalized_org_number(i.org_number) AS number_key
    FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
        AS i(pos, new_id, name, name_key, org_number, city, country, website)
), by_number AS (
    SELECT k.pos, o.id FROM keyed k JOIN organizations o ON o.org_number_key = k.number_key
), by_name AS (
    SELECT DISTINCT ON (k.pos) k.pos, o.id
    FROM keyed k JOIN organizations o ON o.name_key = k.name_key
    WHERE k.number_key IS NULL
    ORDER BY k.pos, o.org_number_key IS NOT NULL, o.created_at, o.id
), found AS (
    SELECT pos, id FROM by_number UNION ALL SELECT pos, id FROM by_name
), inserted AS (
    INSERT INTO organizations (id, name, org_number, name_key, sector, website, city, country, claimed)
    SELECT k.new_id, k.name, k.org_number, k.name_key, $9, k.website, k.city, k.country, false
    FROM keyed k
    WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.pos = k.pos)
    -- One order for every import, so two of them never wait for each other's keys in opposite orders.
    ORDER BY k.number_key, k.name_key, k.pos
    ON CONFLICT DO NOTHING
    RETURNING id, org_number_key, name_key
)
SELECT k.pos, coalesce(f.id, by_key.id, by_name_key.id) AS id
FROM keyed k
LEFT JOIN found f ON f.pos = k.pos
LEFT JOIN inserted by_key ON by_key.org_number_key = k.number_key
LEFT JOIN inserted by_name_key
    ON k.number_key IS NULL AND by_name_key.org_number_key IS NULL AND by_name_key.name_key = k.name_key
";

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = Integer)]
    pos: i32,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
}

/// The organisation of each employer, in order. Needs READ COMMITTED (PostgreSQL's default): a later round must
/// see what a concurrent import committed.
pub async fn find_or_create(
    conn: &mut AsyncPgConnection,
    employers: &[CleanEmployer],
) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = Vec::with_capacity(employers.len());
    for chunk in employers.chunks(CHUNK) {
        ids.extend(find_or_create_chunk(conn, chunk).await?);
    }
    Ok(ids)
}

async fn find_or_create_chunk(
    conn: &mut AsyncPgConnection,
    employers: &[CleanEmployer],
) -> Result<Vec<Uuid>, StoreError> {
    let mut ids: Vec<Option<Uuid>> = vec![None; employers.len()];
    for _ in 0..ROUNDS {
        let missing: Vec<usize> = (0..employers.len()).filter(|&i| ids[i].is_none()).collect();
        if missing.is_empty() {
            break;
        }
        for found in run(conn, employers, &missing).await? {
            let slot = usize::try_from(found.pos).ok().and_then(|p| ids.get_mut(p));
            if let (Some(slot), Some(id)) = (slot, found.id) {
                *slot = Some(id);
            }
        }
    }
    ids.into_iter()
        .collect::<Option<Vec<Uuid>>>()
        .ok_or_else(|| StoreError::Contended("concurrent imports kept inserting the same employers".to_owned()))
}

/// The employers at `positions` as the statement's array parameters.
#[derive(Default)]
struct Columns {
    pos: Vec<i32>,
    new_ids: Vec<Uuid>,
    names: Vec<String>,
    name_keys: Vec<Option<String>>,
    org_numbers: Vec<Option<String>>,
    cities: Vec<String>,
    countries: Vec<String>,
    websites: Vec<Option<String>>,
}

impl Columns {
    fn of(employers: &[CleanEmployer], positions: &[usize]) -> Self {
        let mut c = Columns::default();
        for &i in positions {
            let e = &employers[i];
            // Positions are below CHUNK, so they fit an int.
            c.pos.push(i32::try_from(i).unwrap_or(i32::MAX));
            c.new_ids.push(Uuid::new_v4());
            c.names.push(e.name.clone());
            c.name_keys.push(e.name_key.clone());
            c.org_numbers.push(e.org_number.clone());
            c.cities.push(e.city.clone());
            c.countries.push(e.country.clone());
            c.websites.push(e.website.clone());
        }
        c
    }
}

/// One round over the employers at `positions`.
async fn run(
    conn: &mut AsyncPgConnection,
    employers: &[CleanEmployer],
    positions: &[usize],
) -> Result<Vec<Found>, StoreError> {
    let c = Columns::of(employers, positions);
    Ok(diesel::sql_query(FIND_OR_CREATE)
        .bind::<Array<Integer>, _>(c.pos)
        .bind::<Array<SqlUuid>, _>(c.new_ids)
        .bind::<Array<Text>, _>(c.names)
        .bind::<Array<Nullable<Text>>, _>(c.name_keys)
        .bind::<Array<Nullable<Text>>, _>(c.org_numbers)
        .bind::<Array<Text>, _>(c.cities)
        .bind::<Array<Text>, _>(c.countries)
        .bind::<Array<Nullable<Text>>, _>(c.websites)
        .bind::<Text, _>(IMPORTED_SECTOR)
        .load(conn)
        .await?)
}
