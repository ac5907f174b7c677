//! Sharing the page by phone: the code the visitor reads out to the adviser they are calling,
//! until the adviser types it (then the conversation and the consent to co-browse follow).

use super::Ui;
use crate::chat::Chat;
use crate::model::PhoneShare;
use leptos::prelude::*;
use tandem_shared::share_code::spaced;

/// The code, big and spaced, how long it works, and a way out (or a new code once it lapsed).
#[component]
pub(crate) fn ShareCode() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let share = move || chat.model.with(|m| m.phone_share.clone());
    let code = move || match share() {
        Some(PhoneShare::Code(code, _)) => code,
        _ => String::new(),
    };
    let lapsed = move || share() == Some(PhoneShare::Lapsed);
    // One line says where things stand: the relay's refusal, else the step.
    let status = move || {
        let refused = chat.model.with(|m| m.error.clone());
        match (refused, share()) {
            (Some((_, _, message)), _) => message,
            (None, Some(PhoneShare::Code(..))) => texts.t("share.read_code").to_owned(),
            (None, Some(PhoneShare::Lapsed)) => texts.t("share.expired").to_owned(),
            (None, _) => texts.t("share.asking").to_owned(),
        }
    };
    view! {
        <div class="share">
            <h3>{texts.t("share.title")}</h3>
            <p role="status">{status}</p>
            <p class="code" data-share-code="">{move || spaced(&code())}</p>
            <p class="hint">{texts.t("share.valid")}</p>
            <button type="button" class="secondary"
                on:click=move |_| if lapsed() { chat.ask_share_code() } else { chat.cancel_share() }>
                {move || texts.t(if lapsed() { "share.new_code" } else { "share.cancel" })}
            </button>
        </div>
    }
}
