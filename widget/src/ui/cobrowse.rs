//! Co-browsing as the visitor sees it: the invitation, the frame and bar while the adviser
//! sees the page (with stop and the permission to fill in), the page the adviser proposes,
//! veils on what the adviser cannot see, the adviser's pointer and highlight.

use super::Ui;
use crate::chat::Chat;
use crate::cobrowse::view::OverlayLayer;
use leptos::prelude::*;

/// Where the visitor put the co-browsing bar (session storage: `top` when moved up).
const BAR_KEY: &str = "tandem.cobrowse.bar";

/// Everything co-browsing draws; nothing while it is not in use.
#[component]
pub(crate) fn CobrowseLayer() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let ui = expect_context::<Ui>();
    let cobrowse = chat.cobrowse;
    let texts = ui.texts;
    let adviser = Signal::derive(move || cobrowse.adviser.get());
    // The bar sits in a bottom corner, away from the site's menu; the visitor can move it to
    // the top when it covers something of theirs (remembered for the visit).
    let at_top = RwSignal::new(web_client::browser::load_session(BAR_KEY).is_some());
    let move_bar = move |_| {
        let top = !at_top.get_untracked();
        at_top.set(top);
        if top {
            web_client::browser::save_session(BAR_KEY, "top");
        } else {
            web_client::browser::forget_session(BAR_KEY);
        }
    };
    view! {
        {move || cobrowse.invite.get().map(|name| view! {
            <div class="cb-card" role="alertdialog" aria-labelledby="cb-invite-title" aria-describedby="cb-invite-text">
                <p id="cb-invite-title" class="cb-title">{texts.format("cobrowse.invite", &[("name", &name)])}</p>
                <p id="cb-invite-text">{texts.t("cobrowse.invite_privacy")}</p>
                <p class="cb-actions">
                    <button type="button" class="primary" data-cobrowse-accept="" on:click=move |_| cobrowse.answer(true)>{texts.t("cobrowse.accept")}</button>
                    <button type="button" class="secondary" data-cobrowse-decline="" on:click=move |_| cobrowse.answer(false)>{texts.t("cobrowse.decline")}</button>
                </p>
            </div>
        })}
        <Show when=move || cobrowse.active.get()>
            <div class="cb-frame" aria-hidden="true"></div>
            <div class="cb-bar" class:cb-top=move || at_top.get() role="status" data-cobrowse-bar="">
                <span class="cb-dot" aria-hidden="true"></span>
                <span>{move || texts.format("cobrowse.active", &[("name", &adviser.get())])}</span>
                <button type="button" data-cobrowse-control="" aria-pressed=move || cobrowse.control.get().to_string()
                    on:click=move |_| cobrowse.set_control(!cobrowse.control.get_untracked())>
                    {move || if cobrowse.control.get() { texts.t("cobrowse.take_back") } else { texts.t("cobrowse.let_fill") }}
                </button>
                <button type="button" class="cb-stop" data-cobrowse-stop="" on:click=move |_| cobrowse.stop()>{texts.t("cobrowse.stop")}</button>
                <button type="button" class="cb-move" data-cobrowse-move="" on:click=move_bar
                    aria-label=move || if at_top.get() { texts.t("cobrowse.move_down") } else { texts.t("cobrowse.move_up") }>
                    {move || if at_top.get() { "↓" } else { "↑" }}</button>
                {move || cobrowse.filled.get().map(|field| view! {
                    <span class="cb-filled">{texts.format("cobrowse.filled", &[("field", &field)])}</span>
                })}
                <Show when=move || cobrowse.too_large.get()>
                    <span class="cb-filled" data-cobrowse-too-large="">{texts.t("cobrowse.too_large")}</span>
                </Show>
                <Show when=move || cobrowse.lapsed.get()>
                    <span class="cb-filled">{texts.t("cobrowse.lapsed")}</span>
                </Show>
            </div>
            <OverlayLayer overlay=cobrowse.overlay adviser=adviser veil_text=texts.t("cobrowse.veil")/>
        </Show>
        <Show when=move || cobrowse.load_failed.get()>
            <div class="cb-card" role="alert" data-cobrowse-load-failed="">
                <p>{texts.t("cobrowse.load_failed")}</p>
                <p class="cb-actions">
                    <button type="button" class="secondary" on:click=move |_| cobrowse.load_failed.set(false)>{texts.t("widget.close")}</button>
                </p>
            </div>
        </Show>
        {move || cobrowse.proposal.get().map(|url| view! {
            <div class="cb-card" role="alertdialog" aria-labelledby="cb-proposal-title">
                <p id="cb-proposal-title" class="cb-title">{texts.t("cobrowse.proposal")}</p>
                <p class="cb-url">{url}</p>
                <p class="cb-actions">
                    <button type="button" class="primary" data-cobrowse-go="" on:click=move |_| cobrowse.follow_proposal(true)>{texts.t("cobrowse.go")}</button>
                    <button type="button" class="secondary" on:click=move |_| cobrowse.follow_proposal(false)>{texts.t("cobrowse.stay")}</button>
                </p>
            </div>
        })}
    }
}
