//! Bulk loading of organisations (`seed --synthetic`): typed rows for `organizations`, their COPY, and the
//! removal and statistics of bulk-loaded ones, which are told apart by a range of ids.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

use crate::bulk::{copy, CopyBuffer, CopyError};

/// The columns, in the order [`Organizations::push`] writes them.
const ORGANIZATIONS: &str =
    "organizations (id, name, org_number, sector, website, description, city, country, network_member_since)";

/// One organisation.
pub struct OrganizationRow<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub org_number: Option<&'a str>,
    pub sector: &'a str,
    pub website: Option<&'a str>,
    pub description: Option<&'a str>,
    pub city: &'a str,
    pub country: &'a str,
    pub network_member_since: Option<DateTime<Utc>>,
}

/// Organisations waiting to be copied.
#[derive(Default)]
pub struct Organizations {
    organizations: CopyBuffer,
}

impl Organizations {
    pub fn push(&mut self, row: OrganizationRow<'_>) {
        let OrganizationRow { id, name, org_number, sector, website, description, city, country, network_member_since } =
            row;
        self.organizations
            .put(id)
            .put(name)
            .put(org_number)
            .put(sector)
            .put(website)
            .put(description)
            .put(city)
            .put(country)
            .put(network_member_since)
            .end_row();
    }

    pub fn rows(&self) -> u64 {
        self.organizations.rows()
    }

    /// The COPY stream as PostgreSQL would receive it: for tests that compare two loads.
    pub fn into_bytes(self) -> Vec<u8> {
        self.organizations.into_bytes()
    }

    /// Copies the organisations inside `tx`; returns the rows written.
    pub async fn copy(self, tx: &Transaction<'_>) -> Result<u64, CopyError> {
        copy(tx, ORGANIZATIONS, self.organizations).await
    }
}

/// Deletes the organisations with ids from `first` to `last`; foreign keys cascade to their jobs and members.
pub async fn delete_id_range(client: &Client, first: Uuid, last: Uuid) -> Result<u64, tokio_postgres::Error> {
    // Uuids travel as text: tokio-postgres binds `Uuid` only with its `with-uuid-1` feature.
    let (first, last) = (first.to_string(), last.to_string());
    client
        .execute("DELETE FROM organizations WHERE id BETWEEN $1::text::uuid AND $2::text::uuid", &[&first, &last])
        .await
}

/// Fresh statistics after a bulk load, so that the planner knows the table grew.
pub async fn analyze(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("ANALYZE organizations").await
}
