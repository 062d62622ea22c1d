//! The index directory: `INDEX_DIR/CURRENT` names the generation in use (`INDEX_DIR/gen-...`). A rebuild writes a
//! fresh generation beside it and swaps `CURRENT` by an atomic rename, so a reader never sees half an index; a
//! server notices the swap on its next poll.

use std::io;
use std::path::{Path, PathBuf};

use tantivy::Index;

use super::fields::{self, Fields};

const POINTER: &str = "CURRENT";
const PREFIX: &str = "gen-";

#[derive(Clone, Debug)]
pub struct IndexDir {
    root: PathBuf,
}

/// Why the current generation cannot be used as it is; every case is cured by a rebuild, except a busy lock.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("there is no index yet")]
    Missing,
    #[error("another process is writing to the index at {0}")]
    Busy(PathBuf),
    #[error("the index is damaged or outdated: {0}")]
    Damaged(String),
}

impl IndexDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation `CURRENT` names, if any.
    pub fn current(&self) -> Option<PathBuf> {
        let name = std::fs::read_to_string(self.root.join(POINTER)).ok()?;
        let name = name.trim();
        (name.starts_with(PREFIX) && !name.contains('/')).then(|| self.root.join(name))
    }

    /// Makes an empty directory for a new generation.
    pub fn new_generation(&self) -> io::Result<PathBuf> {
        std::fs::create_dir_all(&self.root)?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
        let path = self.root.join(format!("{PREFIX}{stamp}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]));
        std::fs::create_dir(&path)?;
        Ok(path)
    }

    /// Points `CURRENT` at `generation`, atomically.
    pub fn make_current(&self, generation: &Path) -> io::Result<()> {
        let name = generation
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a generation directory"))?;
        let temporary = self.root.join(format!("{POINTER}.{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&temporary, name)?;
        std::fs::rename(&temporary, self.root.join(POINTER))
    }

    /// Deletes every generation except those in `keep`; failures are only logged (a later start tries again).
    pub fn remove_generations_except(&self, keep: &[&Path]) {
        let Ok(entries) = std::fs::read_dir(&self.root) else { return };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let is_generation = entry.file_name().to_str().is_some_and(|n| n.starts_with(PREFIX));
            if is_generation && !keep.iter().any(|k| *k == path) {
                if let Err(e) = std::fs::remove_dir_all(&path) {
                    tracing::warn!(path = %path.display(), error = %e, "could not remove an old index generation");
                }
            }
        }
    }
}

/// Creates an empty index in a fresh generation directory.
pub fn create(generation: &Path) -> tantivy::Result<Index> {
    let index = Index::create_in_dir(generation, Fields::schema())?;
    fields::register_analyzers(&index);
    Ok(index)
}

/// Opens a generation and checks that it has today's schema and intact files.
pub fn open(generation: &Path) -> Result<Index, OpenError> {
    if !generation.join("meta.json").exists() {
        return Err(OpenError::Missing);
    }
    let index = Index::open_in_dir(generation).map_err(|e| OpenError::Damaged(e.to_string()))?;
    if index.schema() != Fields::schema() {
        return Err(OpenError::Damaged("its schema is not this version's".to_owned()));
    }
    let corrupt = index.validate_checksum().map_err(|e| OpenError::Damaged(e.to_string()))?;
    if !corrupt.is_empty() {
        return Err(OpenError::Damaged(format!("{} files fail their checksum", corrupt.len())));
    }
    fields::register_analyzers(&index);
    Ok(index)
}

/// The outbox position a commit recorded.
pub fn committed_position(index: &Index) -> Result<i64, OpenError> {
    let metas = index.load_metas().map_err(|e| OpenError::Damaged(e.to_string()))?;
    match metas.payload.as_deref() {
        None => Ok(0),
        Some(p) => p.trim().parse().map_err(|_| OpenError::Damaged(format!("commit payload {p:?}"))),
    }
}
