//! Failed sign-ins per client address: a source past its quota is refused (429) before its next token reaches the store, and the audit trail gets one row when a source first fails in a window and one summary when the window ends, not one fsync'd row per failure.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::WebError;

/// How long a window of failures lasts.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Most sources tracked at once; past it, new sources share one entry (`others`).
const MAX_SOURCES: usize = 10_000;

/// An audit row to write: the source (`client:ADDRESS`) and the note.
pub type Report = (String, String);

struct Window {
    start: Instant,
    count: u32,
    reported: u32,
    first: String,
}

/// Failed sign-ins per source, window by window.
pub struct AuthFailures {
    per_window: u32,
    sources: Mutex<HashMap<String, Window>>,
}

impl AuthFailures {
    /// Allows `per_minute` failures per source and window (at least 1).
    pub fn new(per_minute: u32) -> AuthFailures {
        AuthFailures {
            per_window: per_minute.max(1),
            sources: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses a source that used up its failures in this window: its token is not even
    /// looked up.
    pub fn check(&self, source: &str) -> Result<(), WebError> {
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        match sources.get(source) {
            Some(w) if w.count >= self.per_window && w.start.elapsed() < WINDOW => Err(
                WebError::RateLimited(WINDOW.saturating_sub(w.start.elapsed())),
            ),
            _ => Ok(()),
        }
    }

    /// Counts a failure from `source` with the token's `fingerprint`; returns the audit
    /// rows to write now: the first failure of a window, and the summaries of windows that
    /// ended.
    pub fn failed(&self, source: &str, fingerprint: &str) -> Vec<Report> {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let mut reports = sweep(&mut sources, false);
        let key = if sources.len() >= MAX_SOURCES && !sources.contains_key(source) {
            "others"
        } else {
            source
        };
        match sources.get_mut(key) {
            Some(w) => w.count = w.count.saturating_add(1),
            None => {
                sources.insert(
                    key.to_string(),
                    Window {
                        start: Instant::now(),
                        count: 1,
                        reported: 1,
                        first: fingerprint.to_string(),
                    },
                );
                reports.push((
                    format!("client:{key}"),
                    format!("failed sign-in with {fingerprint}"),
                ));
            }
        }
        reports
    }

    /// The summaries of every window with unreported failures (at shutdown).
    pub fn flush(&self) -> Vec<Report> {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        sweep(&mut sources, true)
    }
}

/// Removes ended windows (all with `all`) and reports those with failures not yet audited.
fn sweep(sources: &mut HashMap<String, Window>, all: bool) -> Vec<Report> {
    let mut reports = Vec::new();
    sources.retain(|source, w| {
        if !all && w.start.elapsed() < WINDOW {
            return true;
        }
        if w.count > w.reported {
            reports.push((
                format!("client:{source}"),
                format!(
                    "{} more failed sign-ins within {} s of the first (with {})",
                    w.count - w.reported,
                    WINDOW.as_secs(),
                    w.first
                ),
            ));
        }
        false
    });
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_audited_once_then_summarised_and_refused_past_its_quota() {
        let f = AuthFailures::new(3);
        assert_eq!(f.failed("10.0.0.1", "token:aaa").len(), 1);
        for _ in 0..2 {
            assert!(f.check("10.0.0.1").is_ok());
            assert!(f.failed("10.0.0.1", "token:bbb").is_empty());
        }
        assert!(
            f.check("10.0.0.1").is_err(),
            "three failures used the quota"
        );
        assert!(f.check("10.0.0.2").is_ok(), "per source");
        let summary = f.flush();
        assert_eq!(summary.len(), 1);
        assert!(
            summary[0].1.starts_with("2 more failed sign-ins"),
            "{summary:?}"
        );
        assert!(f.flush().is_empty());
    }

    #[test]
    fn the_sources_tracked_are_bounded() {
        let f = AuthFailures::new(1);
        for i in 0..(MAX_SOURCES + 50) {
            f.failed(&format!("addr{i}"), "token:x");
        }
        assert!(f.sources.lock().unwrap().len() <= MAX_SOURCES + 1);
    }
}
