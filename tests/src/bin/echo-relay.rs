//! The load harness's ceiling: a bare tokio-tungstenite relay with no logic beyond pairing.
//! A connection's first text frame names its room (`join:NAME`, answered `joined`); every
//! later text frame goes to the room's other members. No storage, no checks, no limits.
//!
//! Usage: `echo-relay PORT` (0 picks a free port; the port is printed).

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

type Rooms = Arc<Mutex<HashMap<String, Vec<(u64, mpsc::UnboundedSender<Message>)>>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("echo relay listening on {}", listener.local_addr()?.port());
    let rooms: Rooms = Arc::default();
    let mut next_id = 0u64;
    loop {
        let (tcp, _) = listener.accept().await?;
        // As the relay and socket.io do: each frame goes out at once, not after the last ACK.
        tcp.set_nodelay(true)?;
        next_id += 1;
        tokio::spawn(serve(tcp, next_id, rooms.clone()));
    }
}

async fn serve(tcp: TcpStream, id: u64, rooms: Rooms) {
    let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });
    let mut room = None;
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        match &room {
            None => {
                let name = text.as_str().trim_start_matches("join:").to_owned();
                if let Ok(mut rooms) = rooms.lock() {
                    rooms
                        .entry(name.clone())
                        .or_default()
                        .push((id, tx.clone()));
                }
                let _ = tx.send(Message::Text("joined".into()));
                room = Some(name);
            }
            Some(name) => {
                if let Ok(rooms) = rooms.lock() {
                    for (member, peer) in rooms.get(name).into_iter().flatten() {
                        if *member != id {
                            let _ = peer.send(Message::Text(text.clone()));
                        }
                    }
                }
            }
        }
    }
    if let (Some(name), Ok(mut rooms)) = (room, rooms.lock()) {
        if let Some(members) = rooms.get_mut(&name) {
            members.retain(|(member, _)| *member != id);
        }
    }
    drop(tx);
    let _ = writer.await;
}
