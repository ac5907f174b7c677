//! A relay started in-process for one test.

use crate::clients::{AdviserClient, VisitorClient};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;
use tandem_relay::app::AppState;
use tandem_relay::auth::password::hash_password;
use tandem_relay::auth::scope::TokenScope;
use tandem_relay::auth::secret::{random_token, token_hash};
use tandem_relay::config::{Config, Limits};
use tandem_relay::store::{NewAdviser, QueueRow, StoreLocation};
use tandem_relay::{server, time::now_ms};
use tandem_shared::access::AdviserRole;
use tandem_shared::AdviserId;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Something tests can connect to.
pub trait Endpoint {
    /// Where it listens.
    fn addr(&self) -> SocketAddr;

    /// `http://addr{path}`.
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }

    /// `ws://addr{path}`.
    fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr())
    }

    /// GETs `path` of the API with a bearer token; fails unless the answer is 2xx JSON.
    fn get_json(
        &self,
        path: &str,
        token: &str,
    ) -> impl std::future::Future<Output = anyhow::Result<serde_json::Value>> {
        let request = reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token);
        async move { Ok(request.send().await?.error_for_status()?.json().await?) }
    }

    /// The chat messages of session `id`'s CRM transcript, in order, read through the API.
    fn transcript_messages(
        &self,
        token: &str,
        id: &str,
    ) -> impl std::future::Future<Output = anyhow::Result<Vec<String>>> {
        let request = reqwest::Client::new()
            .get(self.url(&format!("/api/v1/sessions/{id}")))
            .bearer_auth(token);
        async move {
            let record: serde_json::Value =
                request.send().await?.error_for_status()?.json().await?;
            Ok(record["transcript"]
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter(|l| l["kind"] == "message")
                        .map(|l| l["text"].as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default())
        }
    }

    /// Logs in through the API.
    fn login(
        &self,
        login: &str,
        password: &str,
    ) -> impl std::future::Future<Output = anyhow::Result<reqwest::Response>> {
        let body = serde_json::json!({ "login": login, "password": password });
        let url = self.url("/api/v1/auth/login");
        async move { Ok(reqwest::Client::new().post(url).json(&body).send().await?) }
    }
}

impl Endpoint for TestRelay {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// The password every test adviser gets.
pub const TEST_PASSWORD: &str = "correct horse battery";

/// A running relay with its own database file.
pub struct TestRelay {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (store, hub), for assertions on the CRM.
    pub state: AppState,
    location: StoreLocation,
    _dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestRelay {
    /// A relay on a fresh database, serving the built widget (`dist/`) and the demo site.
    pub async fn spawn() -> anyhow::Result<TestRelay> {
        Self::spawn_configured(|_| {}).await
    }

    /// A relay on a fresh database with the given connection limits.
    pub async fn spawn_with(limits: Limits) -> anyhow::Result<TestRelay> {
        Self::spawn_configured(|config| config.limits = limits).await
    }

    /// A relay on a fresh database, its configuration adjusted by `adjust`.
    pub async fn spawn_configured(adjust: impl FnOnce(&mut Config)) -> anyhow::Result<TestRelay> {
        let dir = tempfile::tempdir().context("creating a temp dir")?;
        let location = test_store(&dir.path().join("tandem.db"))?;
        let mut config = test_config();
        adjust(&mut config);
        let mut relay =
            Self::start_at(&location, config, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        relay._dir = Some(dir);
        Ok(relay)
    }

    /// A relay on an existing database file (to test restarts).
    pub async fn start(db: &Path, config: Config) -> anyhow::Result<TestRelay> {
        Self::start_on(db, config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// A relay on an existing SQLite file, listening on `addr`.
    pub async fn start_on(
        db: &Path,
        config: Config,
        addr: SocketAddr,
    ) -> anyhow::Result<TestRelay> {
        Self::start_at(&StoreLocation::Sqlite(db.to_owned()), config, addr).await
    }

    /// A relay on the store at `location`, listening on `addr`.
    pub async fn start_at(
        location: &StoreLocation,
        config: Config,
        addr: SocketAddr,
    ) -> anyhow::Result<TestRelay> {
        let state = tandem_relay::app::prepare(location, config)
            .await
            .context("preparing the relay")?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .context("binding")?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = server::serve(listener, serving, shutdown).await {
                eprintln!("test relay stopped with an error: {error}");
            }
        });
        Ok(TestRelay {
            addr,
            state,
            location: location.clone(),
            _dir: None,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops this relay and starts a new one on the same database and port, as after a
    /// restart.
    pub async fn restart(mut self) -> anyhow::Result<TestRelay> {
        self.shutdown().await;
        let config = (*self.state.config).clone();
        let mut next = Self::start_at(&self.location, config, self.addr).await?;
        next._dir = self._dir.take();
        Ok(next)
    }

    /// The SQLite file, when the store is one.
    pub fn db_path(&self) -> Option<&Path> {
        match &self.location {
            StoreLocation::Sqlite(path) => Some(path),
            StoreLocation::Postgres(_) => None,
        }
    }

    /// Where the relay's CRM store is.
    pub fn store_location(&self) -> &StoreLocation {
        &self.location
    }

    /// Sets the retention period the relay will have after [`TestRelay::restart`].
    pub fn set_retention(&mut self, retention: std::time::Duration) {
        let mut config = (*self.state.config).clone();
        config.retention = Some(retention);
        self.state.config = std::sync::Arc::new(config);
    }

    /// Stops serving and waits for the server task (open sockets are dropped with it).
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            // A clean stop drains clients and closes the store (which stops webhook delivery).
            if tokio::time::timeout(std::time::Duration::from_secs(10), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }

    /// Creates an adviser account with [`TEST_PASSWORD`] (the first of the store is admin,
    /// the others advisers).
    pub async fn add_adviser(&self, login: &str, name: &str) -> anyhow::Result<AdviserId> {
        self.add_adviser_with_role(login, name, AdviserRole::Adviser)
            .await
    }

    /// Creates an adviser account with [`TEST_PASSWORD`] and a role (the first of the store
    /// is admin whatever is asked).
    pub async fn add_adviser_with_role(
        &self,
        login: &str,
        name: &str,
        role: AdviserRole,
    ) -> anyhow::Result<AdviserId> {
        let hash = hash_password(TEST_PASSWORD)?;
        let adviser = NewAdviser {
            login,
            display_name: name,
            password_hash: &hash,
            role,
        };
        let actor = tandem_relay::store::Actor::command_line();
        Ok(self
            .state
            .store
            .upsert_adviser(adviser, &actor, now_ms())
            .await?
            .id)
    }

    /// Creates one account of each role: `ada` (admin), `sam` (supervisor), `lea` (adviser,
    /// « Léa »), with [`TEST_PASSWORD`].
    pub async fn add_team(&self) -> anyhow::Result<()> {
        self.add_adviser_with_role("ada", "Ada", AdviserRole::Admin)
            .await?;
        self.add_adviser_with_role("sam", "Sam", AdviserRole::Supervisor)
            .await?;
        self.add_adviser_with_role("lea", "Léa", AdviserRole::Adviser)
            .await?;
        Ok(())
    }

    /// Creates an adviser account at a service level, serving `queues` (all when empty).
    pub async fn add_adviser_serving(
        &self,
        login: &str,
        name: &str,
        level: u8,
        queues: &[&str],
    ) -> anyhow::Result<AdviserId> {
        let id = self.add_adviser(login, name).await?;
        let queues: Vec<String> = queues.iter().map(|q| (*q).to_owned()).collect();
        self.state
            .store
            .set_adviser_service(&id, level, &queues)
            .await?;
        Ok(id)
    }

    /// Creates or changes a queue, as `PUT /api/v1/queues/{key}` does.
    pub async fn set_queue(&self, queue: QueueRow) -> anyhow::Result<()> {
        let actor = tandem_relay::store::Actor::command_line();
        let audit = tandem_relay::store::Audit::of(&actor, "queue.changed", "queue", &queue.key);
        self.state.store.upsert_queue(&queue, &audit).await?;
        self.state.hub.current().reload_queues().await?;
        Ok(())
    }

    /// The relay's CRM store, to check what it holds.
    pub fn store(&self) -> &tandem_relay::store::Store {
        &self.state.store
    }

    /// Creates a CRM API token of scope `admin`.
    pub async fn api_token(&self) -> anyhow::Result<String> {
        self.api_token_scoped(TokenScope::Admin).await
    }

    /// Creates a CRM API token of a scope.
    pub async fn api_token_scoped(&self, scope: TokenScope) -> anyhow::Result<String> {
        let token = random_token();
        self.state
            .store
            .create_api_token(
                "tests",
                scope,
                &token_hash(&token),
                &tandem_relay::store::Actor::command_line(),
                now_ms(),
            )
            .await?;
        Ok(token)
    }

    /// A visitor connection that has said hello (no conversation yet).
    pub async fn visitor(&self) -> anyhow::Result<VisitorClient> {
        VisitorClient::connect(self, None, 0).await
    }

    /// A console connection for a new adviser account, logged in and greeted.
    pub async fn adviser(&self, login: &str, name: &str) -> anyhow::Result<AdviserClient> {
        self.add_adviser(login, name).await?;
        AdviserClient::connect(self, login).await
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The limits of a test relay: the defaults, except the per-address quotas and caps, which
/// every client of a test would otherwise share (they all come from 127.0.0.1); the tests
/// of those limits set them.
pub fn test_limits() -> Limits {
    let plenty = std::num::NonZeroU32::new(1_000_000).unwrap_or(std::num::NonZeroU32::MAX);
    Limits {
        chats_per_ip_per_hour: plenty,
        tickets_per_ip_per_hour: plenty,
        uploads_per_ip_per_hour: plenty,
        sockets_per_ip: 1_000_000,
        tcp_per_ip: 1_000_000,
        ..Limits::default()
    }
}

/// The configuration of a test relay: [`test_limits`], the built widget (`dist/`) and the
/// demo site, no webhook, connector or mail.
pub fn test_config() -> Config {
    let root = crate::workspace_root();
    Config {
        limits: test_limits(),
        assets_dir: root.join("dist"),
        demo_dir: Some(root.join("examples/demo-site")),
        secure_cookies: false,
        allowed_origins: Vec::new(),
        trusted_proxies: Vec::new(),
        identity_secret: None,
        oidc: None,
        password_login: true,
        webhook: None,
        hubspot: None,
        salesforce: None,
        mail: None,
        abandon_after: std::time::Duration::from_secs(600),
        retention: None,
        audit_retention: None,
        cluster: None,
    }
}

/// The store a fresh test relay gets: the SQLite file `sqlite_file`, or, when the variable
/// `TANDEM_TEST_STORE` is `postgres`, a new database on the process's shared PostgreSQL
/// cluster (so the same relay tests check both engines).
pub fn test_store(sqlite_file: &Path) -> anyhow::Result<StoreLocation> {
    match std::env::var("TANDEM_TEST_STORE").as_deref() {
        Ok("postgres") => {
            let cluster = crate::postgres::shared_cluster()?;
            Ok(StoreLocation::Postgres(cluster.create_database()?))
        }
        Ok("sqlite") | Err(_) => Ok(StoreLocation::Sqlite(sqlite_file.to_owned())),
        Ok(other) => anyhow::bail!("TANDEM_TEST_STORE must be sqlite or postgres, not {other}"),
    }
}

/// A queue open around the clock, named after its key.
pub fn queue(key: &str) -> QueueRow {
    QueueRow {
        key: key.into(),
        name_en: format!("{key} (en)"),
        name_fr: format!("{key} (fr)"),
        hours: None,
        timezone: "Europe/Paris".into(),
        max_wait_secs: None,
        reply_within_hours: 24,
        position: 1,
    }
}
