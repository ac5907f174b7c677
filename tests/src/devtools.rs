//! Chrome DevTools Protocol commands sent through chromedriver (`goog/cdp/execute`): what a
//! WebDriver session cannot do by itself, such as blocking a URL or slowing the network.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};

/// One DevTools command for the session's current tab.
#[derive(Debug)]
struct DevToolsCommand {
    method: String,
    params: Value,
}

impl WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs the DevTools `method` (e.g. `Network.setBlockedURLs`) with `params` in the tab.
pub async fn devtools(client: &Client, method: &str, params: Value) -> anyhow::Result<Value> {
    let command = DevToolsCommand {
        method: method.to_owned(),
        params,
    };
    Ok(client.issue_cmd(command).await?)
}

/// Makes every request of the tab whose URL matches one of `patterns` (`*` as wildcard) fail,
/// as a dropped connection would.
pub async fn block_urls(client: &Client, patterns: &[&str]) -> anyhow::Result<()> {
    devtools(client, "Network.enable", json!({})).await?;
    devtools(
        client,
        "Network.setBlockedURLs",
        json!({ "urls": patterns }),
    )
    .await?;
    Ok(())
}
