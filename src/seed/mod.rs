//! Data for trying Tandem out: `seed --demo`.

pub mod synthetic;

use crate::app::AppState;

pub async fn demo(_state: &AppState) -> anyhow::Result<()> {
    anyhow::bail!("the demo data set is not written yet")
}
