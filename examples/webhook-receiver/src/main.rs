//! What a company's side of Tandem's webhooks looks like: checks each body's signature,
//! ignores a delivery already seen (its id is the idempotency key) and prints the event.
//!
//! ```sh
//! WEBHOOK_SECRET=s cargo run -p webhook-receiver -- 127.0.0.1:9000
//! tandem-relay serve --webhook-url http://127.0.0.1:9000/hook --webhook-secret s
//! ```

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Receiver {
    secret: Arc<Vec<u8>>,
    seen: Arc<Mutex<HashSet<String>>>,
}

/// True when `header` is `sha256=<hex HMAC-SHA256(secret, body)>` (compared in constant time).
fn signed(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(digest) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(digest) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

async fn hook(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if !signed(&receiver.secret, &body, &header("x-tandem-signature")) {
        eprintln!("refused: bad signature");
        return StatusCode::UNAUTHORIZED;
    }
    let delivery = header("x-tandem-delivery");
    let first_time = receiver
        .seen
        .lock()
        .map(|mut seen| seen.insert(delivery.clone()))
        .unwrap_or(true);
    if !first_time {
        println!("{delivery} again (already handled)");
        return StatusCode::NO_CONTENT;
    }
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    println!(
        "{} {}",
        event["type"].as_str().unwrap_or("?"),
        event["data"]
    );
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".into());
    let secret = std::env::var("WEBHOOK_SECRET").map_err(|_| "set WEBHOOK_SECRET")?;
    let receiver = Receiver {
        secret: Arc::new(secret.into_bytes()),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("receiving Tandem webhooks on http://{addr}/hook");
    axum::serve(listener, app).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn only_the_right_signature_is_accepted() {
        // `printf '{"a":1}' | openssl dgst -sha256 -hmac secret`
        let good = "sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494";
        assert!(signed(b"secret", br#"{"a":1}"#, good));
        assert!(!signed(b"other", br#"{"a":1}"#, good));
        assert!(!signed(b"secret", br#"{"a":2}"#, good));
        assert!(!signed(b"secret", br#"{"a":1}"#, "sha256=zz"));
    }
}
