//! A real `nats-server` (Debian's package) on an ephemeral loopback port, stopped on drop;
//! it can be stopped and started again on the same port, as an operator restarting it would.

use anyhow::{bail, Context};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running NATS server.
pub struct NatsServer {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    /// Starts `nats-server` on a free loopback port and waits until it accepts connections.
    pub fn start() -> anyhow::Result<NatsServer> {
        let dir = tempfile::tempdir()?;
        let mut server = NatsServer {
            child: None,
            port: crate::process::free_port()?,
            log: dir.path().join("nats.log"),
            _dir: dir,
        };
        server.start_again()?;
        Ok(server)
    }

    /// The URL nodes connect to.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL): every client loses its connection.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts the server again on the same port.
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("-l")
            .arg(&self.log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context(
                "starting nats-server (Debian package nats-server; scripts/setup.sh installs it)",
            )?;
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        for _ in 0..100 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "nats-server did not start; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
