//! Open tickets (messages, callbacks, abandoned chats), most urgent first, each answered here.
//! The visitor reads the answer on their next visit, and by email when SMTP is configured.

use super::Ui;
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::desk::AdviserTicket;
use web_client::browser::date_time;

/// The tickets page.
#[component]
pub(crate) fn TicketsView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let tickets = RwSignal::new(Vec::<AdviserTicket>::new());
    let refresh = move || spawn_local(async move { tickets.set(api::open_tickets().await) });
    refresh();
    view! {
        <section class="tickets">
            <h2>{texts.t("console.tickets")}</h2>
            <Show when=move || !tickets.with(Vec::is_empty) fallback=move || view! { <p class="empty">{texts.t("console.tickets_empty")}</p> }>
                <ul class="ticket-list">
                    <For each=move || tickets.get() key=|t| t.id.clone() children=move |ticket| {
                        view! { <TicketItem ticket on_answered=move || refresh()/> }
                    }/>
                </ul>
            </Show>
        </section>
    }
}

/// One ticket with its answer form.
#[component]
fn TicketItem(
    ticket: AdviserTicket,
    on_answered: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let answer = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = ticket.id.clone();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, text, on_answered) = (id.clone(), answer.get_untracked(), on_answered.clone());
        spawn_local(async move {
            match api::answer_ticket(&id, &text).await {
                Ok(()) => on_answered(),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let when = match ticket.callback_at_ms {
        Some(at) => texts.format("console.ticket_callback", &[("date", &date_time(at))]),
        None => texts.format(
            "console.ticket_due",
            &[("date", &date_time(ticket.due_at_ms))],
        ),
    };
    let contact = [ticket.email.clone(), ticket.phone.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="ticket" data-kind=ticket.kind.as_str()>
            <header><strong>{ticket.name.clone()}</strong>" · "{contact}" · "<span class="tag">{ticket.queue.clone()}</span>" · "<span class="due">{when}</span></header>
            <p class="message">{ticket.message.clone()}</p>
            <form on:submit=send>
                <label class="sr-only" for=format!("answer-{}", ticket.id)>{texts.t("console.ticket_answer")}</label>
                <textarea id=format!("answer-{}", ticket.id) class="ticket-answer" rows="3"
                    on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
                <button type="submit" class="primary">{texts.t("console.ticket_send")}</button>
                <p class="field-error" role="alert">{move || error.get()}</p>
            </form>
        </li>
    }
}
