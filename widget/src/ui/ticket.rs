//! Tickets: the acknowledgement of a message or callback just left, and the answers to
//! messages left on earlier visits.

use super::Ui;
use crate::chat::Chat;
use leptos::prelude::*;
use tandem_shared::desk::VisitorTicket;
use web_client::browser::date_time;

/// What the visitor is told when their message is saved: when they will be answered.
#[component]
pub(crate) fn Acknowledgement() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let ticket = move || chat.model.with(|m| m.acknowledged.clone());
    view! {
        <div class="ticket-ack" role="status">
            {move || ticket().map(|t| view! { <Promise ticket=t/> })}
            <button type="button" class="secondary" on:click=move |_| chat.dismiss_acknowledgement()>
                {texts.t("ticket.back")}
            </button>
        </div>
    }
}

/// "We have your message; we will answer by ..." (or call you on ...).
#[component]
fn Promise(ticket: VisitorTicket) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let when = match ticket.callback_at_ms {
        Some(at) => texts.format("ticket.callback_at", &[("date", &date_time(at))]),
        None => texts.format(
            "ticket.answer_by",
            &[("date", &date_time(ticket.due_at_ms))],
        ),
    };
    view! {
        <p class="received">{texts.t("ticket.received")}</p>
        <p class="promise">{when}</p>
    }
}

/// The visitor's earlier messages: the answer when given, else a reminder of the promise.
#[component]
pub(crate) fn EarlierTickets() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let tickets = move || chat.model.with(|m| m.tickets.clone());
    view! {
        <For each=tickets key=|t| (t.id.clone(), t.answer.is_some()) children=move |ticket| {
            match ticket.answer.clone() {
                Some(answer) => view! {
                    <section class="ticket-answer" aria-live="polite">
                        <h3>{texts.t("ticket.answer_title")}</h3>
                        <blockquote class="asked">{ticket.message.clone()}</blockquote>
                        <p class="answer">{answer}</p>
                        <p class="by">{ticket.answered_by.clone().unwrap_or_default()}</p>
                    </section>
                }.into_any(),
                None => view! {
                    <p class="ticket-pending">
                        {texts.format("ticket.waiting", &[("date", &date_time(ticket.created_at_ms))])}
                    </p>
                }.into_any(),
            }
        }/>
    }
}
