//! WebSocket connections from many loopback source addresses (127.0.0.1 to 127.0.0.N), so a
//! run can open more connections than one source address has ephemeral ports.

use crate::clients::connect_tcp;
use anyhow::Context;
use futures_util::stream::SplitStream;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

/// How many loopback source addresses connections are spread over.
pub const SOURCES: usize = 32;

/// A connection of the load generator.
pub type Socket = WebSocketStream<TcpStream>;
/// Its read half.
pub type Stream = SplitStream<Socket>;

/// Opens `url` from source address number `source` (127.0.0.{1 + source % SOURCES}), with
/// `cookie` if given.
pub async fn open(url: &str, cookie: Option<&str>, source: usize) -> anyhow::Result<Socket> {
    let last_octet = 1 + (source % SOURCES) as u8;
    let (request, tcp) = connect_tcp(url, cookie, |socket| {
        socket.bind(std::net::SocketAddr::from(([127, 0, 0, last_octet], 0)))
    })
    .await
    .with_context(|| format!("from 127.0.0.{last_octet}"))?;
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (stream, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
        .await
        .with_context(|| format!("WebSocket handshake with {url}"))?;
    Ok(stream)
}
