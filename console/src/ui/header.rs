//! The header: who is logged in, availability, capacity, connection state, sign out.

use super::{Auth, Page, Ui};
use crate::account;
use crate::desk::DeskHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::access::AdviserRole;
use tandem_shared::limits::MAX_CHATS_PER_ADVISER;
use tandem_shared::model::Presence;
use web_client::ConnState;

/// The console's top bar.
#[component]
pub(crate) fn Header() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let auth = expect_context::<RwSignal<Auth>>();
    let handle = expect_context::<DeskHandle>();
    let page = expect_context::<RwSignal<Page>>();
    let tab = move |target: Page, key: &'static str| {
        view! {
            <button type="button" class="tab" data-page=key
                aria-current=move || if page.get() == target { "page" } else { "false" }
                on:click=move |_| page.set(target)>{texts.t(key)}</button>
        }
    };
    // Each role sees the pages it may use.
    let may = super::role_allows;
    let presence = move || handle.desk.with(|d| d.presence);
    let name = move || {
        handle
            .desk
            .with(|d| d.me.as_ref().map(|m| m.display_name.clone()))
    };
    let set_available = move |available: bool| {
        let max_chats = presence().map_or(2, |p| p.max_chats);
        handle.set_presence(Presence {
            available,
            max_chats,
        });
    };
    let set_capacity = move |value: String| {
        let available = presence().is_some_and(|p| p.available);
        if let Ok(max_chats) = value.parse::<u8>() {
            handle.set_presence(Presence {
                available,
                max_chats,
            });
        }
    };
    let sign_out = move |_| {
        handle.disconnect();
        spawn_local(async move {
            account::log_out().await;
            auth.set(Auth::LoggedOut);
        });
    };
    let offline = move || {
        matches!(
            handle.conn.get(),
            ConnState::Reconnecting | ConnState::Connecting
        )
        .then(|| texts.t("conn.offline"))
    };
    view! {
        <header class="top">
            <strong class="brand">"Tandem"</strong>
            <span class="me">{name}</span>
            <nav class="pages">
                {tab(Page::Desk, "console.desk")}
                {tab(Page::Tickets, "console.tickets")}
                {move || may(AdviserRole::Admin).then(|| tab(Page::Canned, "console.canned"))}
                {move || may(AdviserRole::Admin).then(|| tab(Page::Articles, "console.articles"))}
                {move || may(AdviserRole::Supervisor).then(|| tab(Page::Dashboard, "console.dashboard"))}
                {tab(Page::Contacts, "console.contacts")}
                {move || may(AdviserRole::Admin).then(|| tab(Page::Sites, "console.sites"))}
                {move || may(AdviserRole::Admin).then(|| tab(Page::Team, "console.team"))}
                {move || may(AdviserRole::Admin).then(|| tab(Page::Audit, "console.audit"))}
            </nav>
            <div class="presence" role="group" aria-label=texts.t("console.available")>
                <button type="button" class="toggle" data-presence="available"
                    aria-pressed=move || if presence().is_some_and(|p| p.available) { "true" } else { "false" }
                    on:click=move |_| set_available(true)>{texts.t("console.available")}</button>
                <button type="button" class="toggle" data-presence="away"
                    aria-pressed=move || if presence().is_some_and(|p| !p.available) { "true" } else { "false" }
                    on:click=move |_| set_available(false)>{texts.t("console.away")}</button>
            </div>
            <label class="capacity">{texts.t("console.capacity")}" "
                <select on:change=move |ev| set_capacity(event_target_value(&ev))
                    prop:value=move || presence().map_or(2, |p| p.max_chats).to_string()>
                    {(1..=MAX_CHATS_PER_ADVISER).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <super::attention::AttentionSwitches/>
            <span class="conn" role="status">{offline}</span>
            <button type="button" class="link" on:click=sign_out>{texts.t("console.sign_out")}</button>
        </header>
    }
}
