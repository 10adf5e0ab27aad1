//! Progress reporting, kept behind a trait so the engine never depends on a terminal.

/// Receives progress of long operations (ingest, embedding). Implementations must be cheap.
pub trait Progress: Sync {
    /// A new phase begins; `total` is known for some phases.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current phase are done.
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// Discards all progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
