//! Single sign-on in Chromium against a real OpenID provider (oidc-provider, on a loopback
//! port): password login is off; Sam signs in at the provider as `chef` and lands on the desk
//! as a supervisor (the provider's role claim). Tried: a password login (refused), a callback
//! not started by this browser, and a provider login equal to a password account's (refused:
//! it never takes that account over).

use fantoccini::{Client, Locator};
use tandem_relay::auth::oidc::OidcConfig;
use tandem_tests::browser::{on_page, page_text, wait_for, wait_for_text, Browser};
use tandem_tests::oidc::{self, OidcProvider};
use tandem_tests::process::free_port;
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

/// At the provider: types `login` and any password, then agrees to share the profile.
async fn sign_in_at_provider(browser: &Client, login: &str) -> anyhow::Result<()> {
    on_page(browser, "input[name=login]")
        .await?
        .send_keys(login)
        .await?;
    on_page(browser, "input[name=password]")
        .await?
        .send_keys("any password")
        .await?;
    on_page(browser, "button[type=submit]")
        .await?
        .click()
        .await?;
    // The consent page: the same button, once more.
    wait_for("the consent page", || async {
        let text = browser.find(Locator::Css("body")).await?.text().await?;
        Ok(text.contains("Authorize").then_some(()))
    })
    .await?;
    on_page(browser, "button[type=submit]")
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_adviser_signs_in_through_the_provider_with_the_role_it_gives() -> anyhow::Result<()> {
    let provider_port = free_port()?;
    let relay = TestRelay::spawn_configured(|c| {
        c.oidc = Some(OidcConfig {
            issuer: oidc::issuer(provider_port),
            client_id: oidc::CLIENT_ID.into(),
            client_secret: oidc::CLIENT_SECRET.into(),
            role_claim: "tandem_role".into(),
            redirect_url: None,
        });
        c.password_login = false;
    })
    .await?;
    relay.add_adviser("ada", "Ada Admin").await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let _provider =
        OidcProvider::start(provider_port, &relay.url("/api/v1/auth/oidc/callback")).await?;

    // Tried: a password login while single sign-on is the only way in.
    let refused = relay.login("lea", TEST_PASSWORD).await?;
    assert_eq!(refused.status(), 403);
    // Tried: a callback this browser did not start (a login forced on someone else).
    let forced = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .get(relay.url("/api/v1/auth/oidc/callback?code=stolen&state=someone-elses"))
        .send()
        .await?;
    assert_eq!(
        forced.headers()["location"].to_str()?,
        "/console#sso-failed"
    );

    let mut browser = Browser::start().await?;
    let sam = browser.session(1400, 1000).await?;
    sam.goto(&relay.url("/console?lang=en")).await?;
    on_page(&sam, "[data-sso]").await?;
    assert!(
        sam.find(Locator::Css("#password")).await.is_err(),
        "no password form when it is turned off"
    );
    on_page(&sam, "[data-sso]").await?.click().await?;
    sign_in_at_provider(&sam, "chef").await?;
    wait_for_text("the desk", "Sam Chef", || page_text(&sam, "header.top")).await?;
    let tabs = page_text(&sam, "nav.pages").await?;
    assert!(
        tabs.contains("Dashboard") && !tabs.contains("Sites"),
        "a supervisor's pages: {tabs}"
    );
    on_page(&sam, "[data-live-chats]").await?;

    // The account is tied to the provider's subject, with the claimed role; the login is in
    // the audit trail as a single sign-on.
    let token = relay.api_token().await?;
    let trail = relay.get_json("/api/v1/audit?actor=chef", &token).await?;
    let actions: Vec<(&str, &str)> = trail
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["detail"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(actions.contains(&("login.succeeded", "sso")), "{actions:?}");
    assert!(
        actions.iter().any(|(a, _)| *a == "adviser.created"),
        "{actions:?}"
    );

    // A provider login equal to a password account's: refused, Léa's account untouched.
    let eve = browser.session(1400, 1000).await?;
    eve.goto(&relay.url("/console?lang=en")).await?;
    on_page(&eve, "[data-sso]").await?.click().await?;
    sign_in_at_provider(&eve, "lea").await?;
    on_page(&eve, "[data-sso-failed]").await?;
    assert!(eve
        .current_url()
        .await?
        .as_str()
        .ends_with("/console#sso-failed"));
    Ok(())
}
