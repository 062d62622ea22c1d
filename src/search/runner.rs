//! Where searches run: on blocking threads, as many at once as there are cores (tantivy work is CPU-bound, so
//! more only share the same cores and hold more memory), with a bounded queue; when the queue is full a search
//! answers 503 with Retry-After at once instead of waiting without end.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{SearchError, SearchIndex};
use crate::error::ApiError;

/// Searches that may wait for a core, per core: enough for a few hundred concurrent clients at a few
/// milliseconds each, while a wait stays well under a second.
const WAITING_PER_CORE: usize = 256;

/// Runs searches on a pool sized to the cores. Cheap to clone: clones share the pool.
#[derive(Clone, Debug)]
pub struct SearchRunner {
    /// One permit per search running.
    running: Arc<Semaphore>,
    /// One permit per search running or waiting to run.
    admitted: Arc<Semaphore>,
}

impl SearchRunner {
    /// `parallel` searches at once, and at most `waiting` more queued.
    pub fn new(parallel: usize, waiting: usize) -> Self {
        let parallel = parallel.max(1);
        Self { running: Arc::new(Semaphore::new(parallel)), admitted: Arc::new(Semaphore::new(parallel + waiting)) }
    }

    /// One search per core, [`WAITING_PER_CORE`] waiting per core.
    pub fn sized_to_cores() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * WAITING_PER_CORE)
    }

    /// Runs `f` on a blocking thread once a core is free; a full queue is a 503 at once.
    pub async fn run<T: Send + 'static>(
        &self,
        index: &SearchIndex,
        f: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let Ok(_admitted) = self.admitted.clone().try_acquire_owned() else {
            return Err(ApiError::Unavailable("too many searches at once; try again shortly".to_owned()));
        };
        // Closed only if dropped, which it never is while `self` lives.
        let running = self.running.clone().acquire_owned().await.map_err(|e| ApiError::Internal(e.to_string()))?;
        let index = index.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _running = running;
            f(&index)
        });
        Ok(done.await.map_err(|e| ApiError::Internal(e.to_string()))??)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_answers_unavailable_at_once_and_frees_with_the_searches() {
        let runner = SearchRunner::new(1, 0);
        let index = SearchIndex::new();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, is_running) = tokio::sync::oneshot::channel::<()>();
        let busy = {
            let runner = runner.clone();
            let index = index.clone();
            tokio::spawn(async move {
                runner
                    .run(&index, move |_| {
                        let _ = started.send(());
                        let _ = wait.recv();
                        Ok(1)
                    })
                    .await
            })
        };
        is_running.await.expect("the first search runs");
        let refused = runner.run(&index, |_| Ok(2)).await.expect_err("no room");
        assert_eq!(actix_web::ResponseError::status_code(&refused).as_u16(), 503);
        let response = actix_web::ResponseError::error_response(&refused);
        assert!(response.headers().contains_key("retry-after"), "a 503 says when to come back");
        release.send(()).expect("release");
        assert_eq!(busy.await.expect("joined").expect("ran"), 1);
        assert_eq!(runner.run(&index, |_| Ok(3)).await.expect("room again"), 3);
    }
}
