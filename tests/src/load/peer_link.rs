//! Joining a conversation's room on the peers: the echo relay (`join:NAME` → `joined`) and
//! socket.io 4.8 (Engine.IO v4 over WebSocket: open packet, namespace connect, then events).

use super::net::{self, Socket};
use super::server::{Kind, Server};
use super::wire::{next_text, send_text};
use anyhow::bail;

/// Opens a connection from source `source` and joins `room`.
pub async fn join(server: &Server, room: &str, source: usize) -> anyhow::Result<Socket> {
    match server.kind {
        Kind::Echo => {
            let mut socket = net::open(&server.ws_url("/"), None, source).await?;
            send_text(&mut socket, format!("join:{room}")).await?;
            if next_text(&mut socket).await? != "joined" {
                bail!("the echo relay did not confirm the room");
            }
            Ok(socket)
        }
        Kind::SocketIo => {
            let url = server.ws_url("/socket.io/?EIO=4&transport=websocket");
            let mut socket = net::open(&url, None, source).await?;
            if !next_text(&mut socket).await?.starts_with('0') {
                bail!("no Engine.IO open packet");
            }
            send_text(&mut socket, "40".to_owned()).await?;
            if !next_text(&mut socket).await?.starts_with("40") {
                bail!("socket.io refused the namespace");
            }
            send_text(
                &mut socket,
                format!("42{}", serde_json::json!(["join", room])),
            )
            .await?;
            loop {
                let text = next_text(&mut socket).await?;
                if text.starts_with("42[\"joined\"") {
                    return Ok(socket);
                }
                if text == "2" {
                    send_text(&mut socket, "3".to_owned()).await?;
                }
            }
        }
        Kind::Tandem | Kind::TandemPostgres => bail!("Tandem pairs through its queue, not rooms"),
    }
}
