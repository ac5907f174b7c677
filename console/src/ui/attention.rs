//! Calls the adviser back when the console's tab is hidden: a desktop notification (asked for
//! once, when the adviser turns them on) for a new chat and for each visitor message, and an
//! optional chime (for a new chat even in view). Both choices are remembered in the browser;
//! the tab's title counts what is unread (see the desk's `pending`).

use super::Ui;
use crate::desk::DeskHandle;
use crate::model::Attention;
use leptos::prelude::*;
use tandem_shared::i18n::Texts;
use web_client::browser::{forget, load, page_is_visible, save};

/// Where the adviser's choice of notifications is kept.
const NOTIFY_KEY: &str = "tandem.console.notify";
/// Where the adviser's choice of sound is kept.
const SOUND_KEY: &str = "tandem.console.sound";

/// The notification and sound switches, and what they do.
#[component]
pub(crate) fn AttentionSwitches() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let notify = RwSignal::new(load(NOTIFY_KEY).is_some() && permission_granted());
    let sound = RwSignal::new(load(SOUND_KEY).is_some());
    Effect::new(move |_| {
        let Some(attention) = handle.attention.get() else {
            return;
        };
        let hidden = !page_is_visible();
        let new_chat = matches!(attention, Attention::NewChat { .. });
        if sound.get_untracked() && (hidden || new_chat) {
            web_client::tone::play_tone();
        }
        if hidden && notify.get_untracked() {
            show_notification(texts, &attention);
        }
    });
    let toggle_notify = move |_| {
        if notify.get_untracked() {
            notify.set(false);
            forget(NOTIFY_KEY);
            return;
        }
        save(NOTIFY_KEY, "1");
        if permission_granted() {
            notify.set(true);
            return;
        }
        // Asked once, from the adviser's click; a refusal leaves the switch off.
        leptos::task::spawn_local(async move {
            if let Ok(promise) = web_sys::Notification::request_permission() {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            notify.set(permission_granted());
        });
    };
    let toggle_sound = move |_| {
        let on = !sound.get_untracked();
        sound.set(on);
        if on {
            save(SOUND_KEY, "1");
            web_client::tone::play_tone();
        } else {
            forget(SOUND_KEY);
        }
    };
    let pressed = |on: RwSignal<bool>| move || if on.get() { "true" } else { "false" };
    view! {
        <div class="attention" role="group">
            <button type="button" class="toggle icon-toggle" data-attention="notify"
                title=texts.t("notify.enable") aria-label=texts.t("notify.enable")
                aria-pressed=pressed(notify) on:click=toggle_notify>
                <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                    <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
            </button>
            <button type="button" class="toggle icon-toggle" data-attention="sound"
                title=texts.t("notify.sound") aria-label=texts.t("notify.sound")
                aria-pressed=pressed(sound) on:click=toggle_sound>
                <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                    <path d="M11 5 6 9H2v6h4l5 4V5zM15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
            </button>
        </div>
    }
}

fn permission_granted() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

/// A desktop notification; clicking it brings the console's tab back.
fn show_notification(texts: &Texts, attention: &Attention) {
    let (title, body) = match attention {
        Attention::NewChat { name, reason } => (
            texts.format("notify.new_chat", &[("name", name)]),
            reason.clone(),
        ),
        Attention::NewMessage { name, body } => (
            texts.format("notify.new_message", &[("name", name)]),
            body.clone(),
        ),
    };
    let options = web_sys::NotificationOptions::new();
    options.set_body(&body.chars().take(200).collect::<String>());
    options.set_tag("tandem-console");
    if let Ok(notification) = web_sys::Notification::new_with_options(&title, &options) {
        let on_click = wasm_bindgen::closure::Closure::once_into_js(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
        });
        notification.set_onclick(Some(wasm_bindgen::JsCast::unchecked_ref(&on_click)));
    }
}
