//! After the chat: a thank-you, the transcript to download, and a way to start again.

use super::Ui;
use crate::chat::Chat;
use crate::transcript;
use leptos::prelude::*;

/// Shown once the chat has ended.
#[component]
pub(crate) fn EndedPanel() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let href = move || {
        let text = chat
            .model
            .with(|m| transcript::text(texts, texts.t("widget.title"), &m.events));
        transcript::download_url(&text)
    };
    view! {
        <div class="ended" role="status">
            <p>{texts.t("chat.ended")}</p>
            <a class="transcript" href=href download="transcript.txt">{texts.t("chat.transcript")}</a>
            <button type="button" class="primary" on:click=move |_| chat.new_chat()>{texts.t("chat.new")}</button>
        </div>
    }
}
