//! WebSocket connections from many loopback source addresses (127.0.0.1 to 127.0.0.N), so a
//! run can open more connections than one source address has ephemeral ports.

use anyhow::Context;
use futures_util::stream::SplitStream;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
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
    let mut request = url.into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("Cookie", cookie.parse()?);
    }
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .context("no host in the URL")?;
    let addr = tokio::net::lookup_host(host)
        .await?
        .next()
        .context("no address")?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    let last_octet = 1 + (source % SOURCES) as u8;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, last_octet], 0)))?;
    let tcp = socket
        .connect(addr)
        .await
        .with_context(|| format!("connecting to {addr} from 127.0.0.{last_octet}"))?;
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (stream, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
        .await
        .with_context(|| format!("WebSocket handshake with {url}"))?;
    Ok(stream)
}
