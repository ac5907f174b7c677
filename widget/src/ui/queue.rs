//! The visitor's place in the queue and an honest estimate of the wait.

use super::Ui;
use crate::chat::Chat;
use leptos::prelude::*;

/// Shows the queue position and estimated wait, updated live.
#[component]
pub(crate) fn QueueBanner() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let place = move || chat.model.with(|m| m.queue);
    view! {
        <div class="queue" role="status" aria-live="polite">
            {move || place().map(|place| {
                let position = if place.position <= 1 {
                    texts.t("queue.next").to_owned()
                } else {
                    texts.format("queue.position", &[("position", &place.position.to_string())])
                };
                let wait = match place.estimated_wait_secs {
                    None if place.advisers_online == 0 => texts.t("queue.no_adviser").to_owned(),
                    None => texts.t("queue.busy").to_owned(),
                    Some(0) => texts.t("queue.wait_soon").to_owned(),
                    Some(secs) => texts.format("queue.wait", &[("minutes", &secs.div_ceil(60).to_string())]),
                };
                view! { <p class="position">{position}</p> <p class="wait">{wait}</p> }
            })}
            <button type="button" class="secondary leave" on:click=move |_| chat.end()>
                {texts.t("queue.leave_message")}
            </button>
        </div>
    }
}
