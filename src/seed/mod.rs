//! Data for trying Tandem out: `seed --demo`.

use crate::app::AppState;

pub async fn demo(_state: &AppState) -> anyhow::Result<()> {
    anyhow::bail!("the demo data set is not written yet")
}
