//! Several `serve` nodes over one PostgreSQL store: an import through one is searchable and
//! mined through the other; the leader killed while it mines hands the lead over, and the other
//! node finishes the work with no lead, queued lead or delivery lost or doubled.
//!
//! Needs a PostgreSQL server: `OPPGRAPH_PG=postgres://user@127.0.0.1:port/db` (`.ci/run` starts
//! one). Without it the test says so and checks nothing.

mod util;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::robots::Receivers;

const ADMIN: &str = "admin-token-nodes";

struct Node {
    child: Child,
    base: String,
    /// Lines the node logged, as they come.
    log: std::sync::mpsc::Receiver<String>,
}

impl Node {
    fn start(data: &Path, store: &str) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::create_dir_all(data).unwrap();
        std::fs::write(
            data.join("config.toml"),
            format!(
                "store = \"{store}\"\n[push]\nquiet_hours = \"\"\n\n[[token]]\ntoken = \"{ADMIN}\"\nrole = \"admin\"\nuser = \"管理员\"\n"
            ),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_oppgraph"))
            .arg("--data")
            .arg(data)
            .args(["serve", "--no-crawl", "--mine-every", "0", "--addr", &format!("127.0.0.1:{port}")])
            .env("OPPGRAPH_LOG", "warn,oppgraph=info")
            .env_remove(oppgraph::workspace::STORE_ENV)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, log) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let node = Node { child, base: format!("http://127.0.0.1:{port}"), log };
        node.wait_for("ready", |n| n.get("/readyz").0 == 200);
        node
    }

    fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.call(ureq_like::Method::Get, path, None)
    }

    fn call(
        &self,
        method: ureq_like::Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, serde_json::Value) {
        ureq_like::call(method, &format!("{}{path}", self.base), ADMIN, body)
    }

    fn wait_for(&self, what: &str, done: impl Fn(&Node) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while !done(self) {
            assert!(Instant::now() < deadline, "{} never {what}", self.base);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn import(&self, file: &Path) {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (status, body) = self.call(
            ureq_like::Method::Post,
            &format!("/api/import?name={name}"),
            Some(("text/csv", std::fs::read(file).unwrap())),
        );
        assert_eq!(status, 200, "{name}: {body}");
    }

    fn leads(&self) -> bool {
        self.get("/readyz").1["leader"] == true
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP call on a runtime of its own (reqwest is the crate's client).
mod ureq_like {
    pub enum Method {
        Get,
        Post,
    }

    pub fn call(
        method: Method,
        url: &str,
        token: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, serde_json::Value) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let request = match method {
                Method::Get => client.get(url),
                Method::Post => client.post(url),
            }
            .bearer_auth(token);
            let request = match body {
                Some((kind, bytes)) => request.header("content-type", kind).body(bytes),
                None => request,
            };
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let bytes = response.bytes().await.unwrap_or_default();
                    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
                }
                Err(_) => (0, serde_json::Value::Null),
            }
        })
    }
}

#[test]
fn two_nodes_share_one_store_and_the_lead_moves_when_the_leader_dies() {
    let Ok(server) = std::env::var("OPPGRAPH_PG") else {
        eprintln!("skipped: set OPPGRAPH_PG=postgres://… to run the multi-node test");
        return;
    };
    let schema = format!(
        "nodes_{:x}",
        std::process::id() as u64 * 1_000_003 + Instant::now().elapsed().as_nanos() as u64
    );
    let store = format!("{server}?options=-csearch_path%3D{schema}");
    let receivers = Receivers::start();
    let dir = tempfile::tempdir().unwrap();

    let a = Node::start(&dir.path().join("a"), &store);
    a.wait_for("leads", Node::leads);
    let b = Node::start(&dir.path().join("b"), &store);
    // B checks the lead at its first mining-loop pass; A holds it.
    std::thread::sleep(Duration::from_secs(2));
    assert!(!b.leads(), "one leader at a time");

    // An import through A (the fixture, with managers whose channels are the local receivers)...
    let managers = dir.path().join("managers.csv");
    std::fs::write(&managers, receivers.managers_csv()).unwrap();
    for name in ["enterprises.csv", "persons.csv", "relations.csv", "tenders.csv", "pledges.csv"] {
        a.import(&util::fixture_dir().join(name));
    }
    a.import(&managers);
    // ...is searchable through B (its own index catches up from the shared store)...
    b.wait_for("finds the import", |b| {
        let (_, hits) = b.get("/api/search?q=%E4%B8%AD%E6%A0%87");
        hits["total"].as_u64().unwrap_or(0) > 0
    });
    // ...and the leads A mined are listed by B and pushed once.
    b.wait_for("lists leads", |b| b.get("/api/opportunities").1.as_array().is_some_and(|l| !l.is_empty()));
    let first = b.get("/api/opportunities?limit=500").1.as_array().unwrap().len();
    // A's push of them is recorded before the next step (a leader killed mid-push sends its
    // unrecorded deliveries again, under the same ids: that is the push tests' case).
    let reader = oppgraph::store::Store::open_reader(&oppgraph::store::Location::parse(&store)).unwrap();
    let no_delivery_pending = |_: &Node| {
        !receivers.shown().is_empty()
            && reader.deliveries(Some(oppgraph::model::DeliveryState::Pending), 1).unwrap().is_empty()
    };
    b.wait_for("sees A's push recorded", no_delivery_pending);

    // More data through A; A is killed as soon as it starts mining it.
    let generated = dir.path().join("gen");
    let out = util::oppgraph(
        dir.path(),
        &["gen", "--enterprises", "3000", "--seed", "5", "--out", generated.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    while a.log.try_recv().is_ok() {}
    for name in ["enterprises.csv", "relations.csv", "tenders.csv", "pledges.csv"] {
        a.import(&generated.join(name));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line =
            a.log.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("A never mined");
        if line.contains("mining started") {
            break;
        }
    }
    let mut a = a;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let killed = Instant::now();

    b.wait_for("takes the lead", Node::leads);
    let takeover = killed.elapsed();
    assert!(takeover < Duration::from_secs(60), "took {takeover:?}");
    // B mines what A left (the change log says it was not mined) and pushes.
    b.wait_for("mines the rest", |_| {
        reader.mined_seq().unwrap() == Some(reader.graph_version().unwrap().seq)
    });
    let after = b.get("/api/opportunities?limit=5000").1.as_array().unwrap().len();
    assert!(after > first, "the generated data brought leads: {first} -> {after}");

    // Nothing doubled: each lead in at most one delivery, each shown once by its robot; nothing
    // lost: every live lead of a manager with a channel was shown.
    let live = reader.opportunities(&Default::default()).unwrap();
    let channelled: Vec<&str> = live
        .iter()
        .filter(|l| l.manager.as_deref().is_some_and(|m| ["m1", "m2", "m3", "m4"].contains(&m)))
        .map(|l| l.id.as_str())
        .collect();
    assert!(!channelled.is_empty());
    // Every such lead is shown, or still in the outbox: queued (behind the caps) or in a
    // delivery on its way (robots take 20 messages a minute, so B may still be sending).
    b.wait_for("pushes", |_| receivers.shown().len() > 1);
    let shown = receivers.shown();
    let mut outbox: Vec<String> =
        reader.queued_leads().unwrap().into_iter().map(|q| q.opportunity.id).collect();
    for delivery in reader.deliveries(Some(oppgraph::model::DeliveryState::Pending), 100_000).unwrap() {
        outbox.extend(delivery.leads);
    }
    let lost: Vec<&&str> = channelled
        .iter()
        .filter(|id| !shown.contains_key(**id) && !outbox.iter().any(|o| o == *id))
        .collect();
    assert!(lost.is_empty(), "leads neither shown nor in the outbox: {lost:?}");
    let mut in_deliveries: HashMap<String, usize> = HashMap::new();
    for delivery in reader.deliveries(None, 100_000).unwrap() {
        for lead in delivery.leads {
            *in_deliveries.entry(lead).or_default() += 1;
        }
    }
    assert!(in_deliveries.values().all(|&n| n == 1), "a lead in two deliveries: {in_deliveries:?}");
    let shown = receivers.shown();
    assert!(shown.values().all(|&n| n == 1), "a lead shown twice: {shown:?}");
    println!(
        "takeover {:.1} s; leads {first} -> {after}; {} pushed once each",
        takeover.as_secs_f64(),
        shown.len()
    );
}
