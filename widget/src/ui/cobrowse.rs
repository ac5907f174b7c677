//! Co-browsing as the visitor sees it: the invitation, the frame and bar while the adviser
//! sees the page (with stop and the permission to fill in), the page the adviser proposes,
//! veils on what the adviser cannot see, the adviser's pointer and highlight. Their code is in
//! the co-browsing module, fetched when an invitation arrives (or a page loads inside a
//! session): a chat that never co-browses never downloads it, and the capture's code is
//! already here when the visitor accepts.

use super::dom::{child, element, listen, show_when};
use super::fetched::{draw_fetched_while, mount_in, Mounted};
use super::Ui;
use crate::chat::Chat;
use crate::cobrowse::view::OverlayLayer;
use crate::cobrowse::Cobrowse;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use tandem_shared::i18n::Texts;

/// Where the visitor put the co-browsing bar (session storage: `top` when moved up).
const BAR_KEY: &str = "tandem.cobrowse.bar";

/// Draws, at the end of `parent`, everything co-browsing shows; nothing (and no code fetched)
/// while it is not in use.
pub(crate) fn draw_cobrowse_layer(parent: &web_sys::Element) {
    let cobrowse = expect_context::<Chat>().cobrowse;
    let texts = expect_context::<Ui>().texts;
    let in_use = Memo::new(move |_| {
        cobrowse.invite.with(Option::is_some)
            || cobrowse.active.get()
            || cobrowse.proposal.with(Option::is_some)
    });
    draw_fetched_while(parent, in_use, None, failure_card, move |owner, slot| {
        layer_view(owner, slot, cobrowse, texts)
    });
    // The session ended because its module could not come on a new page.
    let (failed, close) = alert_card("data-cobrowse-load-failed", texts.t("widget.close"));
    listen(&close, "click", move |_| cobrowse.load_failed.set(false));
    show_when(parent, &failed, move || cobrowse.load_failed.get());
}

/// Says the co-browsing layer could not come, in a card over the page, with "Try again".
fn failure_card(slot: &web_sys::Element) -> web_sys::Element {
    let texts = expect_context::<Ui>().texts;
    let (card, try_again) = alert_card("data-cobrowse-layer-failed", texts.t("widget.try_again"));
    let _ = slot.append_child(&card);
    try_again
}

/// A card over the page saying co-browsing could not load, marked with the attribute
/// `marker`, with one button labelled `button` (given with the card, for its action).
fn alert_card(marker: &str, button: &str) -> (web_sys::Element, web_sys::Element) {
    let texts = expect_context::<Ui>().texts;
    let card = element(
        "div",
        &[("class", "cb-card"), ("role", "alert"), (marker, "")],
    );
    child(&card, "p", &[], texts.t("cobrowse.load_failed"));
    let actions = child(&card, "p", &[("class", "cb-actions")], "");
    let button = child(
        &actions,
        "button",
        &[("type", "button"), ("class", "secondary")],
        button,
    );
    (card, button)
}

/// The invitation, the session's frame, bar and overlay, and the page proposed: drawn once
/// the co-browsing module is here (the first call fetches it).
#[leptos::wasm_split::wasm_split(cobrowse, wasm_split_path = ::leptos::wasm_split, fallible)]
fn layer_view(
    owner: Owner,
    slot: web_sys::HtmlElement,
    cobrowse: Cobrowse,
    texts: &'static Texts,
) -> Result<Mounted, SplitLoaderError> {
    Ok(mount_in(
        owner,
        slot,
        move || view! { <SessionLayer cobrowse=cobrowse texts=texts/> },
    ))
}

/// What co-browsing draws while in use.
#[component]
fn SessionLayer(cobrowse: Cobrowse, texts: &'static Texts) -> impl IntoView {
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
