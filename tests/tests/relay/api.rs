//! The HTTP side: health, the CRM API's access rules, login, and the loader's headers.

use serde_json::Value;
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn health_answers_when_the_relay_can_serve() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let response = reqwest::get(relay.url("/healthz")).await?;
    assert_eq!(response.status(), 200);
    Ok(())
}

#[tokio::test]
async fn the_crm_api_needs_a_valid_token() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let client = reqwest::Client::new();
    let none = client.get(relay.url("/api/v1/sessions")).send().await?;
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let body: Value = none.json().await?;
    assert_eq!(body["error"]["code"], "unauthorized");
    let forged = client
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth("forged")
        .send()
        .await?;
    assert_eq!(forged.status(), 401);

    let token = relay.api_token().await?;
    let missing = client
        .get(relay.url("/api/v1/sessions/nope"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    let contact = client
        .get(relay.url("/api/v1/contacts/nope"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(contact.status(), 404);
    let bad_page = client
        .get(relay.url("/api/v1/sessions?limit=0"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(bad_page.status(), 400);
    Ok(())
}

#[tokio::test]
async fn console_login_sets_a_protected_cookie_and_rejects_wrong_passwords() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa").await?;
    let wrong = relay.login("lea", "wrong password").await?;
    assert_eq!(wrong.status(), 401);
    let unknown = relay.login("nobody", TEST_PASSWORD).await?;
    assert_eq!(unknown.status(), 401);

    let ok = relay.login("lea", TEST_PASSWORD).await?;
    assert_eq!(ok.status(), 200);
    let cookie = ok.headers()["set-cookie"].to_str()?.to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap_or_default();
    let me: Value = reqwest::Client::new()
        .get(relay.url("/api/v1/auth/me"))
        .header("cookie", pair)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(me["display_name"], "Léa");
    Ok(())
}

#[tokio::test]
async fn the_loader_is_small_cacheable_and_usable_from_any_site() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let response = reqwest::get(relay.url("/widget.js")).await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let body = response.text().await?;
    assert!(!body.contains("__VERSION__"));
    // The version is a path segment: the widget's JS, its WebAssembly and the co-browsing
    // module it fetches relative to itself are all served under it, cached for a year.
    let console = reqwest::get(relay.url("/console")).await?.text().await?;
    let version = console
        .split("/assets/v-")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| anyhow::anyhow!("no versioned asset on the console page"))?;
    assert_eq!(version.len(), 16, "a version of 16 hex digits: {version}");
    assert!(
        body.contains(version),
        "the loader asks for the same version"
    );
    for file in [
        "widget.js",
        "widget_bg.wasm",
        "__wasm_split.js",
        "split_cobrowse.wasm",
    ] {
        let asset = reqwest::get(relay.url(&format!("/assets/v-{version}/widget/{file}"))).await?;
        assert_eq!(asset.status(), 200, "{file} is served under the version");
        assert_eq!(
            asset.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{file}"
        );
        assert_eq!(asset.headers()["timing-allow-origin"], "*", "{file}");
    }
    // What a browser downloads: brotli, under 2 KB (issue 9's budget).
    let compressed = reqwest::Client::new()
        .get(relay.url("/widget.js"))
        .header("accept-encoding", "br")
        .send()
        .await?;
    assert_eq!(compressed.headers()["content-encoding"], "br");
    let size = compressed.bytes().await?.len();
    assert!(size < 2048, "the loader stays tiny: {size} bytes brotli");
    Ok(())
}

#[tokio::test]
async fn another_sites_page_cannot_use_the_advisers_cookie() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa").await?;
    let forged = reqwest::Client::new()
        .post(relay.url("/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({ "login": "lea", "password": TEST_PASSWORD }))
        .send()
        .await?;
    assert_eq!(forged.status(), 403, "a cross-site login post is refused");

    let ok = relay.login("lea", TEST_PASSWORD).await?;
    let cookie = ok.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = relay.ws_url("/ws/adviser").into_client_request()?;
    request.headers_mut().insert("Cookie", cookie.parse()?);
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse()?);
    let hijack = tokio_tungstenite::connect_async(request)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        hijack.contains("403"),
        "cross-site WebSocket hijacking is refused: {hijack}"
    );
    let logout = reqwest::Client::new()
        .post(relay.url("/api/v1/auth/logout"))
        .header("origin", "https://evil.example")
        .header("cookie", &cookie)
        .send()
        .await?;
    assert_eq!(logout.status(), 403);
    Ok(())
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa").await?;
    for _ in 0..5 {
        assert_eq!(relay.login("lea", "guess").await?.status(), 401);
    }
    let throttled = relay.login("lea", "guess").await?;
    assert_eq!(
        throttled.status(),
        429,
        "the sixth attempt in a minute is refused"
    );
    assert_eq!(throttled.headers()["retry-after"], "60");
    let even_right = relay.login("lea", TEST_PASSWORD).await?;
    assert_eq!(
        even_right.status(),
        429,
        "the password is not even checked while throttled"
    );
    Ok(())
}
