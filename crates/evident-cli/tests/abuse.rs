//! An abuse run against `evident serve` on loopback, in bounded loops: limits under header games, 1,000 bogus tokens (audit growth bounded, legitimate latency unchanged within noise; figures printed), session expiry and sign-out, and a forged-row copy of the database refused by `audit verify`. Attackers and users connect from different loopback addresses (127.0.0.2, 127.0.0.1), as they would from different hosts.

mod common;
#[path = "support/forge.rs"]
mod forge;

use common::{evident, fails, ok};
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evident"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--public-ask",
            "--ask-per-minute",
            "5",
            "--session-idle-secs",
            "1",
        ])
        .env_remove("EVIDENT_DATABASE_URL")
        .env_remove("EVIDENT_AUDIT_KEY")
        .env_remove("EVIDENT_MODEL_DIR")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start evident serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Evident serving on http://") {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // Keep draining its standard error so that it never blocks.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// One HTTP/1.1 request from `from` (a loopback address); the status and the head.
async fn send(server: SocketAddr, from: &str, head: &str, body: &str) -> (u16, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let request = format!(
        "{head}\r\nHost: {server}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string();
    (status, head)
}

fn set_cookie(head: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

fn p(latencies: &mut [Duration], q: f64) -> Duration {
    latencies.sort();
    latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)]
}

async fn legit(server: SocketAddr, token: &str, n: usize) -> Vec<Duration> {
    let head = format!("GET /api/v1/documents HTTP/1.1\r\nAuthorization: Bearer {token}");
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, _) = send(server, "127.0.0.1", &head, "").await;
        out.push(t.elapsed());
        assert_eq!(status, 200);
    }
    out
}

fn failed_rows(data: &std::path::Path) -> usize {
    ok(&evident(data, &["audit", "log"]))
        .lines()
        .filter(|l| l.contains("authentication_failed"))
        .count()
}

#[test]
fn evident_serve_holds_up_under_abuse() {
    let data = tempfile::tempdir().unwrap();
    let added = ok(&evident(
        data.path(),
        &["user", "add", "ana", "--role", "reviewer"],
    ));
    let token = added.lines().last().unwrap().trim().to_string();
    let server = serve(data.path());
    let addr = server.addr;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Header games: a junk Authorization and a made-up X-Forwarded-For per request buy no
    // fresh quota (5 asks per minute per address).
    let passed = rt.block_on(async {
        let mut passed = 0;
        for i in 0..30 {
            let head = format!(
                "POST /api/v1/ask HTTP/1.1\r\nContent-Type: application/json\r\n\
                 Authorization: Basic r{i}\r\nX-Forwarded-For: 10.1.2.{i}"
            );
            let (status, _) = send(addr, "127.0.0.3", &head, r#"{"question": ""}"#).await;
            if status != 429 {
                passed += 1;
            }
        }
        passed
    });
    eprintln!("header games: {passed} of 30 asks passed the limiter");
    assert_eq!(passed, 5);

    // 1,000 bogus tokens from one address while a user works from another.
    let rows_before = failed_rows(data.path());
    let (mut baseline, mut during, statuses, attack_time) = rt.block_on(async {
        legit(addr, &token, 20).await; // warm up
        let baseline = legit(addr, &token, 300).await;
        let attack = tokio::spawn(async move {
            let t = Instant::now();
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            for i in 0..1000 {
                let head = format!(
                    "GET /api/v1/documents HTTP/1.1\r\nAuthorization: Bearer evd_bogus{i:04}"
                );
                *statuses
                    .entry(send(addr, "127.0.0.2", &head, "").await.0)
                    .or_default() += 1;
            }
            (statuses, t.elapsed())
        });
        let during = legit(addr, &token, 300).await;
        let (statuses, attack_time) = attack.await.unwrap();
        (baseline, during, statuses, attack_time)
    });
    let rows_after = failed_rows(data.path());
    let (b50, b99) = (p(&mut baseline, 0.5), p(&mut baseline, 0.99));
    let (d50, d99) = (p(&mut during, 0.5), p(&mut during, 0.99));
    eprintln!(
        "1,000 bogus tokens in {attack_time:.2?}: statuses {statuses:?}; \
         authentication_failed rows +{}",
        rows_after - rows_before
    );
    eprintln!(
        "legitimate GET /api/v1/documents, 300 each: baseline p50 {b50:.2?} p99 {b99:.2?}; during the attack p50 {d50:.2?} p99 {d99:.2?}"
    );
    assert_eq!(statuses.get(&401), Some(&20), "{statuses:?}");
    assert_eq!(statuses.get(&429), Some(&980), "{statuses:?}");
    assert!(rows_after - rows_before <= 2, "audit growth bounded");
    assert!(
        d99 <= b99 * 3 + Duration::from_millis(25),
        "p99 {d99:?} during the attack vs {b99:?}"
    );

    // Sessions: sign in, sign out, and idle expiry (1 s here).
    rt.block_on(async {
        let login = "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin";
        let body = format!("token={token}");
        let (status, head) = send(addr, "127.0.0.1", login, &body).await;
        assert_eq!(status, 303, "{head}");
        assert!(!head.contains(&token), "the token never sits in a cookie");
        let cookie = set_cookie(&head);
        let review = format!("GET /review HTTP/1.1\r\nCookie: {cookie}");
        assert_eq!(send(addr, "127.0.0.1", &review, "").await.0, 200);
        let logout = format!("POST /logout HTTP/1.1\r\nCookie: {cookie}\r\nSec-Fetch-Site: same-origin");
        assert_eq!(send(addr, "127.0.0.1", &logout, "").await.0, 303);
        assert_eq!(send(addr, "127.0.0.1", &review, "").await.0, 303, "signed out");

        let (_, head) = send(addr, "127.0.0.1", login, &body).await;
        let review = format!("GET /review HTTP/1.1\r\nCookie: {}", set_cookie(&head));
        assert_eq!(send(addr, "127.0.0.1", &review, "").await.0, 200);
        tokio::time::sleep(Duration::from_millis(2200)).await;
        assert_eq!(send(addr, "127.0.0.1", &review, "").await.0, 303, "idle expiry");
    });
    drop(server);

    // A copy of the database with a forged row and a recomputed chain is refused.
    ok(&evident(data.path(), &["audit", "verify"]));
    let key = std::fs::read_to_string(data.path().join("audit.key")).unwrap();
    let copy = tempfile::tempdir().unwrap();
    forge::copy_db(data.path(), copy.path());
    rt.block_on(forge::forge(&copy.path().join("evident.db"), 2, None));
    let err = fails(&evident(
        copy.path(),
        &["--audit-key", key.trim(), "audit", "verify"],
    ));
    eprintln!("forged copy: {}", err.trim());
    assert!(err.contains("audit trail broken"), "{err}");
}
