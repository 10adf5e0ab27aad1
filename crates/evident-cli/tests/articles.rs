//! End-to-end tests of articles through the `evident` binary, on SQLite and PostgreSQL: `ask --save`, users and tokens, review transitions and edits, reuse of approved articles, follow-ups and `audit verify`.

mod common;

use common::{evident, fails, ok};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const QUESTION: &str =
    "Next step for a presacral recurrence of rectal cancer after chemoradiation?";

/// Runs evident with the database options in `db` put after the subcommand (global options
/// are accepted there too).
fn run(data: &Path, db: &[String], args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(db.iter().map(String::as_str));
    evident(data, &all)
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).expect("JSON output")
}

fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().trim().to_string()
}

fn the_review_cycle(data: &Path, db: &[String]) {
    // A composed answer saved as a submitted article.
    let saved = json(&run(
        data,
        db,
        &["ask", "--save", "--format", "json", QUESTION],
    ));
    let slug = saved["article"]["slug"].as_str().expect("slug").to_string();
    assert_eq!(saved["article"]["status"], "submitted");
    assert_eq!(saved["article"]["pending_review"], true);
    let first_bottom_line = saved["bottom_line"]["text"].as_str().unwrap().to_string();

    let ana = last_line(&ok(&run(
        data,
        db,
        &["user", "add", "ana", "--role", "reviewer"],
    )));
    let ben = last_line(&ok(&run(
        data,
        db,
        &["user", "add", "ben", "--role", "editor"],
    )));
    let rita = last_line(&ok(&run(
        data,
        db,
        &["user", "add", "rita", "--role", "reader"],
    )));
    assert!(ana.starts_with("evd_") && ana.len() == 68, "{ana}");

    // Unapproved articles are not reused: the same question is composed afresh.
    let again = json(&run(data, db, &["ask", "--format", "json", QUESTION]));
    assert!(again.get("article").is_none(), "{again}");

    // Illegal or unauthorised moves are refused with a clear message.
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--token",
            &ana,
        ],
    ));
    assert!(err.contains("must be under review first"), "{err}");
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            &rita,
        ],
    ));
    assert!(err.contains("may not review"), "{err}");
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            "evd_nope",
        ],
    ));
    assert!(err.contains("unknown or revoked"), "{err}");
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "transition",
            "no-such-article",
            "--to",
            "under_review",
            "--token",
            &ana,
        ],
    ));
    assert!(err.contains("no article"), "{err}");

    ok(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--note",
            "taking it",
            "--token",
            &ana,
        ],
    ));
    ok(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--version",
            "1",
            "--token",
            &ana,
        ],
    ));

    // The same question, worded with other punctuation and case, is answered from the article.
    let reused = json(&run(
        data,
        db,
        &[
            "ask",
            "--format",
            "json",
            &QUESTION.to_lowercase().replace('?', ""),
        ],
    ));
    assert_eq!(reused["article"]["slug"], slug.as_str());
    assert_eq!(reused["article"]["reused"], true);
    assert_eq!(reused["article"]["pending_review"], false);
    assert_eq!(reused["bottom_line"]["text"], first_bottom_line.as_str());
    // A question that differs in a fact that matters is not.
    let other = json(&run(
        data,
        db,
        &[
            "ask",
            "--format",
            "json",
            "Next step for a presacral recurrence of rectal cancer with no prior radiation?",
        ],
    ));
    assert!(other.get("article").is_none(), "{other}");

    // An editor's edit: version 2 under review; readers keep seeing version 1.
    let shown = json(&run(
        data,
        db,
        &["review", "show", &slug, "--format", "json"],
    ));
    let mut edited = shown["version"]["answer"].clone();
    edited["bottom_line"]["text"] =
        Value::String("Confirm the recurrence by biopsy and restage before any treatment.".into());
    let file = data.join("edited.json");
    std::fs::write(&file, edited.to_string()).unwrap();
    let out = ok(&run(
        data,
        db,
        &[
            "review",
            "edit",
            &slug,
            "--answer",
            file.to_str().unwrap(),
            "--note",
            "shorter",
            "--token",
            &ben,
        ],
    ));
    assert!(
        out.contains("version 2") && out.contains("Under review"),
        "{out}"
    );
    let reused = json(&run(data, db, &["ask", "--format", "json", QUESTION]));
    assert_eq!(reused["bottom_line"]["text"], first_bottom_line.as_str());
    // Ben may not approve his own version (four-eyes); Ana may.
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--version",
            "2",
            "--token",
            &ben,
        ],
    ));
    assert!(err.contains("four-eyes"), "{err}");
    ok(&run(
        data,
        db,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--version",
            "2",
            "--token",
            &ana,
        ],
    ));
    let reused = json(&run(data, db, &["ask", "--format", "json", QUESTION]));
    assert!(
        reused["bottom_line"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Confirm the recurrence")
    );

    // An edit that cites a reference the answer lacks is refused before it is stored.
    edited["bottom_line"]["citations"] = serde_json::json!([99]);
    std::fs::write(&file, edited.to_string()).unwrap();
    let err = fails(&run(
        data,
        db,
        &[
            "review",
            "edit",
            &slug,
            "--answer",
            file.to_str().unwrap(),
            "--token",
            &ben,
        ],
    ));
    assert!(err.contains("[99]"), "{err}");

    // A follow-up flips the radiation fact for its own answer.
    let follow = json(&run(
        data,
        db,
        &[
            "followup",
            &slug,
            "--format",
            "json",
            "What if she had not received radiation?",
        ],
    ));
    assert_eq!(follow["follow_up"], 1);
    let facts = follow["answer"]["facts"].as_array().unwrap();
    assert!(
        facts
            .iter()
            .any(|f| f["concept"] == "radiotherapy" && f["status"] == "absent"),
        "{facts:?}"
    );
    assert!(
        !facts
            .iter()
            .any(|f| f["concept"] == "radiotherapy" && f["status"] == "present"),
        "{facts:?}"
    );

    let shown = json(&run(
        data,
        db,
        &["review", "show", &slug, "--format", "json"],
    ));
    assert_eq!(shown["article"]["status"], "approved");
    assert_eq!(shown["versions"].as_array().unwrap().len(), 2);
    assert_eq!(shown["reviews"].as_array().unwrap().len(), 3);
    assert_eq!(shown["follow_ups"].as_array().unwrap().len(), 1);
    let listed = ok(&run(data, db, &["review", "list", "--status", "approved"]));
    assert!(listed.contains(&slug), "{listed}");

    // Every change and failure is in the chained audit trail.
    let verified = ok(&run(data, db, &["audit", "verify"]));
    assert!(verified.contains("hash chain verified"), "{verified}");
    let log = ok(&run(data, db, &["audit", "log"]));
    for action in [
        "article_created",
        "status_changed",
        "version_proposed",
        "follow_up_added",
        "authentication_failed",
        "authorization_failed",
        "token_issued",
    ] {
        assert!(log.contains(action), "{action} missing from\n{log}");
    }
    assert!(
        !log.contains(&ana[4..]),
        "a token secret reached the audit log"
    );
}

#[test]
fn an_answer_is_saved_reviewed_reused_and_followed_up_on_sqlite() {
    let data = tempfile::tempdir().unwrap();
    the_review_cycle(data.path(), &[]);
    assert!(data.path().join("evident.db").exists());
}

#[test]
fn an_answer_is_saved_reviewed_reused_and_followed_up_on_postgresql() {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        eprintln!("skipping: DATABASE_URL is not set");
        return;
    };
    let name = format!("evident_cli_test_{}", std::process::id());
    let psql = |sql: &str| {
        Command::new("psql")
            .args([admin.as_str(), "-q", "-c", sql])
            .output()
    };
    match psql(&format!("CREATE DATABASE {name}")) {
        Ok(out) if out.status.success() => {}
        other => {
            eprintln!("skipping: cannot create a database with psql: {other:?}");
            return;
        }
    }
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let data = tempfile::tempdir().unwrap();
    let result = std::panic::catch_unwind(|| {
        the_review_cycle(data.path(), &["--database-url".to_string(), url.clone()]);
    });
    let _ = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert!(
        !data.path().join("evident.db").exists(),
        "PostgreSQL runs must not create SQLite files"
    );
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn the_four_eyes_rule_can_be_switched_off_for_a_single_reviewer() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let saved = json(&evident(
        d,
        &[
            "ask",
            "--save",
            "--format",
            "json",
            "Screening for abdominal aortic aneurysm in men who smoked?",
        ],
    ));
    let slug = saved["article"]["slug"].as_str().unwrap().to_string();
    let solo = last_line(&ok(&evident(
        d,
        &["user", "add", "solo", "--role", "admin"],
    )));
    ok(&evident(
        d,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            &solo,
        ],
    ));
    let shown = json(&evident(d, &["review", "show", &slug, "--format", "json"]));
    let file = d.join("edit.json");
    std::fs::write(&file, shown["version"]["answer"].to_string()).unwrap();
    ok(&evident(
        d,
        &[
            "review",
            "edit",
            &slug,
            "--answer",
            file.to_str().unwrap(),
            "--token",
            &solo,
        ],
    ));
    fails(&evident(
        d,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--version",
            "2",
            "--token",
            &solo,
        ],
    ));
    ok(&evident(
        d,
        &[
            "--no-four-eyes",
            "review",
            "transition",
            &slug,
            "--to",
            "approved",
            "--version",
            "2",
            "--token",
            &solo,
        ],
    ));
    // Revoked tokens stop working.
    let tokens = ok(&evident(d, &["token", "list", "solo"]));
    let id = tokens.split_whitespace().next().unwrap().to_string();
    ok(&evident(d, &["token", "revoke", &id]));
    let err = fails(&evident(
        d,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            &solo,
        ],
    ));
    assert!(err.contains("unknown or revoked"), "{err}");
}

#[test]
fn the_starter_documents_enter_review_as_submitted() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let listed = json(&evident(d, &["review", "documents", "--format", "json"]));
    let docs = listed.as_array().expect("a list");
    assert_eq!(docs.len(), 54, "{listed}");
    assert!(
        docs.iter().all(|doc| doc["status"] == "submitted"),
        "{listed}"
    );
    let id = "rectal-cancer-local-recurrence";
    let rectal = docs.iter().find(|doc| doc["doc_id"] == id).expect(id);
    assert_eq!(rectal["sha256"].as_str().unwrap().len(), 64);
    assert!(rectal["source"].is_string(), "{rectal}");
    // Listing again registers nothing new.
    let before = ok(&evident(d, &["audit", "log"])).lines().count();
    ok(&evident(d, &["review", "documents"]));
    assert_eq!(ok(&evident(d, &["audit", "log"])).lines().count(), before);

    let ana = last_line(&ok(&evident(
        d,
        &["user", "add", "ana", "--role", "reviewer"],
    )));
    let rita = last_line(&ok(&evident(
        d,
        &["user", "add", "rita", "--role", "reader"],
    )));
    let err = fails(&evident(
        d,
        &[
            "review",
            "document",
            id,
            "--to",
            "under_review",
            "--token",
            &rita,
        ],
    ));
    assert!(err.contains("may not review"), "{err}");
    let err = fails(&evident(
        d,
        &[
            "review", "document", id, "--to", "approved", "--token", &ana,
        ],
    ));
    assert!(err.contains("under review first"), "{err}");
    let out = ok(&evident(
        d,
        &[
            "review",
            "document",
            id,
            "--to",
            "under_review",
            "--note",
            "checking against the guideline",
            "--token",
            &ana,
        ],
    ));
    assert!(out.contains("Under review"), "{out}");
    let out = ok(&evident(
        d,
        &[
            "review",
            "document",
            &format!("{id}.md"),
            "--to",
            "approved",
            "--token",
            &ana,
        ],
    ));
    assert!(out.contains("Approved"), "{out}");

    let approved = json(&evident(
        d,
        &[
            "review",
            "documents",
            "--status",
            "approved",
            "--format",
            "json",
        ],
    ));
    let approved = approved.as_array().unwrap();
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["doc_id"], id);
    assert!(approved[0]["approved_at"].is_string());
    let submitted = json(&evident(
        d,
        &[
            "review",
            "documents",
            "--status",
            "submitted",
            "--format",
            "json",
        ],
    ));
    assert_eq!(submitted.as_array().unwrap().len(), 53);
    let log = ok(&evident(
        d,
        &["audit", "log", "--object", &format!("document:{id}")],
    ));
    for action in [
        "document_registered",
        "authorization_failed",
        "status_changed",
    ] {
        assert!(log.contains(action), "{action} missing from\n{log}");
    }
    let verified = ok(&evident(d, &["audit", "verify"]));
    assert!(verified.contains("hash chain verified"), "{verified}");
}
