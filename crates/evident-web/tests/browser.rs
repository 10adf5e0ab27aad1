//! The pages in a real browser: headless Chromium driven through chromedriver (WebDriver) asks a question, signs in as a reviewer, starts the review of a starter document from the queue, approves the article through the review buttons, asks a follow-up and switches the audience, checking what the pages show and that the Content Security Policy blocked nothing; it saves screenshots for people to look at. Skips when Chromium or chromedriver is not installed.
#![cfg(unix)]

mod common;

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use common::{TestApp, app};
use evident_core::article::{PENDING_BANNER, Role};
use evident_web::WebConfig;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const QUESTION: &str =
    "Next step for a presacral recurrence of rectal cancer after chemoradiation?";
const FOLLOW_UP: &str = "What if she had not received radiation?";
/// How long one wait for the page may take.
const WAIT: Duration = Duration::from_secs(15);

/// chromedriver (and the browser it started, in the same process group), killed when the
/// test ends, also when it panics.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any browser process left behind.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The browser's console log (chromedriver's `se/log`), needs `goog:loggingPrefs`.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// Where screenshots go: `$EVIDENT_SCREENSHOTS`, else `target/screenshots` of the workspace.
fn screenshot_dir() -> PathBuf {
    let dir = match std::env::var_os("EVIDENT_SCREENSHOTS") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
    };
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    dir.canonicalize().unwrap_or(dir)
}

struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
    /// Console messages read so far.
    console: Vec<String>,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("no '{css}' on {}: {e}", self.path().await),
        }
    }

    async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
            .len()
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_default()
    }

    /// Waits until the address (path and query) satisfies `ok`.
    async fn wait_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let path = self.path().await;
            if ok(&path) {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "still at {path}: expected {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The viewport as `NAME.png`, and the whole page as `NAME-full.png` (the window made
    /// as tall as the page, then put back).
    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
        let (w, h) = self.client.get_window_size().await.expect("window size");
        self.full_page(&format!("{name}-full"), w as u32).await;
        self.client
            .set_window_size(w as u32, h as u32)
            .await
            .expect("resize back");
    }

    /// The whole page at `width` as `NAME.png`; leaves the window resized.
    async fn full_page(&self, name: &str, width: u32) {
        self.client
            .set_window_size(width, 900)
            .await
            .expect("resize");
        // The window is taller than its viewport by the (invisible) browser frame.
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];",
                vec![],
            )
            .await
            .expect("page height");
        let px = |i: usize| sizes[i].as_u64().unwrap_or(0) as u32;
        let height = (px(0) + px(1)).clamp(900, 14_000);
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Reads (and empties) the browser's console log into `console`; false when this
    /// driver cannot give it.
    async fn read_console(&mut self) -> bool {
        match self.client.issue_cmd(BrowserLog).await {
            Ok(Value::Array(entries)) => {
                for e in entries {
                    let level = e["level"].as_str().unwrap_or("?");
                    let message = e["message"].as_str().unwrap_or("");
                    self.console.push(format!("{level}: {message}"));
                }
                true
            }
            _ => false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_goes_from_asking_through_review_to_an_approved_article_in_chromium() {
    for tool in [CHROMEDRIVER, CHROMIUM] {
        if !Path::new(tool).exists() {
            eprintln!(
                "skipping the browser test: {tool} is not installed \
                 (apt-get install chromium chromium-driver)"
            );
            return;
        }
    }
    let started = Instant::now();

    let app = app(WebConfig {
        public_ask: true,
        ..WebConfig::default()
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(evident_web::serve_on(
        listener,
        app.state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));

    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile folder");
    let mut caps = fantoccini::wd::Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--hide-scrollbars",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url())
        .await
        .expect("a chromedriver session");

    let browser = Browser {
        client: client.clone(),
        base: format!("http://{addr}"),
        shots: screenshot_dir(),
        console: Vec::new(),
    };
    // A panic in the flow still ends the browser session before the driver is killed.
    let flow = tokio::spawn(flow(browser, app));
    let outcome = flow.await;
    let _ = client.close().await;
    drop(driver);
    let _ = stop.send(());
    let _ = server.await;
    match outcome {
        Ok(shots) => eprintln!(
            "browser test done in {:.1} s; screenshots in {}",
            started.elapsed().as_secs_f64(),
            shots.display()
        ),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the browser flow did not finish: {e}"),
    }
}

async fn flow(mut b: Browser, app: TestApp) -> PathBuf {
    // The ask page: type a question and submit it.
    b.goto("/").await;
    assert_eq!(
        b.text("label[for=audience]").await,
        "Which best describes you?"
    );
    b.find("#question").await.send_keys(QUESTION).await.unwrap();
    b.screenshot("ask").await;
    b.find("form.ask-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let path = b
        .wait_path("the article page", |p| p.starts_with("/articles/"))
        .await;
    let slug = path
        .trim_start_matches("/articles/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_string();

    // The article: the question as title, references, the pending banner.
    assert_eq!(b.text("h1").await, QUESTION);
    b.find("#ref-1").await;
    assert!(
        b.count("a.cite[href='#ref-1']").await > 0,
        "citation markers"
    );
    assert_eq!(b.text("p.banner").await, PENDING_BANNER);
    // The script's citation tooltip shows the supporting passage on focus.
    b.client
        .execute("document.querySelector('a.cite').focus();", vec![])
        .await
        .unwrap();
    let tip = b.find("#cite-tooltip").await;
    assert!(tip.is_displayed().await.unwrap(), "the citation tooltip");
    assert!(!tip.text().await.unwrap().is_empty());
    let png = b.client.screenshot().await.expect("screenshot");
    std::fs::write(b.shots.join("article-tooltip.png"), png).expect("write screenshot");
    b.client
        .execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    assert_eq!(
        b.text("li[aria-current=step] .step-label").await,
        "Submitted"
    );
    b.screenshot("article-pending").await;

    // A reviewer signs in with a token and finds the article in the queue.
    let token = app.token("rita", Role::Reviewer).await;
    b.goto("/login").await;
    b.find("#token").await.send_keys(&token).await.unwrap();
    b.find("form.login-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_path("the review queue", |p| p == "/review").await;
    b.screenshot("review-queue").await;
    // A starter document goes under review through its button in the queue's open group.
    let start = b
        .find("#documents-submitted button.decision-under_review")
        .await;
    assert_eq!(start.text().await.unwrap(), "Start review");
    start.click().await.unwrap();
    b.find("#documents-under_review button.decision-approved")
        .await;
    b.wait_path("the review queue", |p| p == "/review").await;
    let link = b.find(&format!("a[href='/review/{slug}']")).await;
    assert_eq!(link.text().await.unwrap(), QUESTION);
    link.click().await.unwrap();
    b.wait_path("the review view", |p| p == format!("/review/{slug}"))
        .await;
    assert!(
        b.count(".pair-evidence figure.passage mark").await > 0,
        "statements marked in their passages"
    );
    b.screenshot("review").await;

    // Under review, then approve, through the real buttons (the composer wrote version 1,
    // so four-eyes lets this reviewer approve it).
    let start = b.find("button.decision-under_review").await;
    assert_eq!(start.text().await.unwrap(), "Start review");
    start.click().await.unwrap();
    let approve = b.find("button.decision-approved").await;
    assert_eq!(approve.text().await.unwrap(), "Approve version 1");
    b.screenshot("review-under-review").await;
    approve.click().await.unwrap();
    b.find("p.meta .status-chip.status-approved").await;
    assert_eq!(b.count("p.error-message").await, 0, "a refused transition");

    // The article page: no banner, the stepper at Approved.
    b.goto(&format!("/articles/{slug}")).await;
    assert_eq!(b.text("h1").await, QUESTION);
    assert_eq!(
        b.text("li[aria-current=step] .step-label").await,
        "Approved"
    );
    assert_eq!(b.count("[aria-current=step]").await, 1);
    assert_eq!(b.count("p.banner").await, 0, "the pending banner is gone");

    // A follow-up through the form appears in the thread.
    b.find("#follow-up-question")
        .await
        .send_keys(FOLLOW_UP)
        .await
        .unwrap();
    b.find("form.follow-up-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let heading = b.text("#follow-up-1 h3").await;
    assert_eq!(heading, format!("Follow-up 1: {FOLLOW_UP}"));
    b.goto(&format!("/articles/{slug}")).await;
    b.find("#follow-up-1").await;
    b.screenshot("article-physician").await;

    // The audience selector without its script: choose patient, press "Show".
    b.client
        .execute(
            "document.getElementById('audience').value = 'patient';",
            vec![],
        )
        .await
        .unwrap();
    b.find("form.audience-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_path("the patient view", |p| p.ends_with("?audience=patient"))
        .await;
    let note = b.text("article.article p.notice").await;
    assert!(note.contains("for patient readers"), "{note}");
    assert!(
        b.text("p.evidence-status")
            .await
            .contains("Written for patient readers."),
    );
    b.screenshot("article-patient").await;
    let (w, h) = b.client.get_window_size().await.unwrap();
    b.full_page("article-patient-phone", 390).await;
    b.client.set_window_size(w as u32, h as u32).await.unwrap();

    // With the script, changing the select alone navigates.
    b.goto(&format!("/articles/{slug}")).await;
    b.find("#audience")
        .await
        .select_by_value("nurse")
        .await
        .unwrap();
    b.wait_path("the nurse view", |p| p.ends_with("?audience=nurse"))
        .await;
    assert!(
        b.text("article.article p.notice")
            .await
            .contains("for nurse readers")
    );

    // The Content Security Policy refused nothing on any page.
    if !b.read_console().await {
        eprintln!("chromedriver gave no console log: the CSP check is skipped");
    }
    for line in &b.console {
        eprintln!("browser console: {line}");
    }
    let csp: Vec<_> = b
        .console
        .iter()
        .filter(|l| l.contains("Content Security Policy") || l.contains("Content-Security-Policy"))
        .collect();
    assert!(csp.is_empty(), "CSP violations: {csp:#?}");
    b.shots.clone()
}
