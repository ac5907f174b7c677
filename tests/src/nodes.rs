//! Several relay processes joined by a real `nats-server` on one PostgreSQL database (issue
//! 6): the stage of the cluster tests and of the cross-node benchmark.

use crate::clients::{AdviserClient, VisitorClient};
use crate::nats::NatsServer;
use crate::process::{add_adviser, free_port, relay_binary, RelayProcess};
use crate::Endpoint;
use std::time::Duration;

/// Three nodes, one NATS server, one PostgreSQL database with two advisers.
pub struct ThreeNodes {
    /// The NATS server they share.
    pub nats: NatsServer,
    /// The PostgreSQL URL they share.
    pub store: String,
    /// The nodes (`None`: stopped).
    pub nodes: Vec<Option<RelayProcess>>,
    /// The relay log level.
    log_filter: String,
    /// Flags every node is started with.
    extra: Vec<String>,
    dir: tempfile::TempDir,
}

impl ThreeNodes {
    /// On a new database of the tests' shared PostgreSQL, with advisers `lea` and `tom`:
    /// starts node 0 first and waits until it leads, then nodes 1 and 2.
    pub async fn start() -> anyhow::Result<ThreeNodes> {
        let store = crate::postgres::shared_cluster()?.create_database()?;
        add_adviser(&store, "lea", "Léa")?;
        add_adviser(&store, "tom", "Tom")?;
        Self::start_on(store, crate::process::DEFAULT_LOG, &[]).await
    }

    /// Three nodes on the database at `store`, logging at `log_filter`, each started with
    /// `extra` flags too.
    pub async fn start_on(
        store: String,
        log_filter: &str,
        extra: &[&str],
    ) -> anyhow::Result<ThreeNodes> {
        let mut cluster = ThreeNodes {
            nats: NatsServer::start()?,
            store,
            nodes: Vec::new(),
            log_filter: log_filter.to_owned(),
            extra: extra.iter().map(|flag| (*flag).to_owned()).collect(),
            dir: tempfile::tempdir()?,
        };
        for index in 0..3 {
            let node = cluster.start_node(index).await?;
            cluster.nodes.push(Some(node));
            if index == 0 {
                cluster
                    .wait_until(|roles| roles[0].contains("leads"))
                    .await?;
            }
        }
        cluster
            .wait_until(|roles| roles[1].contains("forwards") && roles[2].contains("forwards"))
            .await?;
        Ok(cluster)
    }

    /// Starts node `index` (again).
    pub async fn start_node(&self, index: usize) -> anyhow::Result<RelayProcess> {
        let log = self.dir.path().join(format!("node{index}.log"));
        let nats = self.nats.url();
        let mut flags = vec!["--cluster", &nats];
        flags.extend(self.extra.iter().map(String::as_str));
        RelayProcess::start_on_store(
            std::ffi::OsStr::new(&self.store),
            log,
            free_port()?,
            &flags,
            &self.log_filter,
        )
        .await
    }

    /// Node `index`; panics if it is stopped (a test's mistake).
    pub fn node(&self, index: usize) -> &RelayProcess {
        match self.nodes[index].as_ref() {
            Some(node) => node,
            None => panic!("node {index} is stopped"),
        }
    }

    /// What each node's health check says ("" for a node that is down).
    pub async fn roles(&self) -> Vec<String> {
        let mut roles = Vec::new();
        for node in &self.nodes {
            let role = match node {
                Some(node) => match reqwest::get(node.url("/healthz")).await {
                    Ok(answer) => answer.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                },
                None => String::new(),
            };
            roles.push(role);
        }
        roles
    }

    /// Waits (up to 15 s) until the nodes' roles satisfy `ready`.
    pub async fn wait_until(
        &self,
        ready: impl Fn(&[String]) -> bool,
    ) -> anyhow::Result<Vec<String>> {
        let mut roles = Vec::new();
        for _ in 0..150 {
            roles = self.roles().await;
            if ready(&roles) {
                return Ok(roles);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the nodes did not settle: {roles:?}\n{}", self.logs())
    }

    /// The index of the node that leads, once one does.
    pub async fn leader(&self) -> anyhow::Result<usize> {
        let roles = self
            .wait_until(|roles| {
                roles.iter().filter(|r| r.contains("leads")).count() == 1
                    && roles
                        .iter()
                        .all(|r| r.is_empty() || r.contains("leads") || r.contains("forwards"))
            })
            .await?;
        roles
            .iter()
            .position(|r| r.contains("leads"))
            .ok_or_else(|| anyhow::anyhow!("no leader"))
    }

    /// Every running node's log.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .flatten()
            .map(|node| node.log())
            .collect::<Vec<_>>()
            .join("\n----\n")
    }

    /// A new CRM API token.
    pub fn api_token(&self) -> anyhow::Result<String> {
        let out = std::process::Command::new(relay_binary()?)
            .args([
                "token",
                "create",
                "--name",
                "tests",
                "--scope",
                "admin",
                "--store",
                &self.store,
            ])
            .output()?;
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }
}

/// Connects a visitor to `node`, resuming `token` after `last_seq` if given; retries while
/// the cluster has no leader (503) for up to 15 s, as the widget does.
pub async fn visitor_on(
    node: &RelayProcess,
    token: Option<&str>,
    last_seq: u64,
) -> anyhow::Result<VisitorClient> {
    let mut last_error = None;
    for _ in 0..60 {
        match VisitorClient::connect(node, token, last_seq).await {
            Ok(visitor) => return Ok(visitor),
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no attempt")))
}

/// Logs an adviser in on `node`, retrying like [`visitor_on`].
pub async fn adviser_on(node: &RelayProcess, login: &str) -> anyhow::Result<AdviserClient> {
    let mut last_error = None;
    for _ in 0..60 {
        match AdviserClient::connect(node, login).await {
            Ok(adviser) => return Ok(adviser),
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no attempt")))
}

impl Drop for ThreeNodes {
    fn drop(&mut self) {
        // A failed test shows what each node said (`CLUSTER_LOGS=1` shows it always).
        if std::thread::panicking() || std::env::var_os("CLUSTER_LOGS").is_some() {
            eprintln!("the nodes' logs:\n{}", self.logs());
        }
    }
}
