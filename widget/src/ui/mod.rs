//! The widget's components. Each screen is its own file; this one holds the frame: the
//! launcher, the panel, its header and the connection banner.

mod cobrowse;
mod conversation;
mod ended;
mod form;
mod queue;
mod ticket;

use crate::chat::Chat;
use crate::cobrowse::Cobrowse;
use crate::config::WidgetConfig;
use crate::model::Screen;
use leptos::prelude::*;
use tandem_shared::i18n::{Locale, Texts};
use web_client::browser::{forget, load, save};
use web_client::ConnState;

/// Remembers across pages that the visitor left the panel open.
const OPEN_KEY: &str = "tandem.open";

/// The texts of the visitor's language, shared by every component.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub texts: &'static Texts,
}

/// The logged-in user's identity as the site signed it, sent with the pre-chat form.
#[derive(Clone)]
pub(crate) struct SiteIdentity(pub Option<tandem_shared::model::SignedIdentity>);

/// The whole widget: launcher button and chat panel.
#[component]
pub(crate) fn App(
    /// Settings from the loader.
    config: WidgetConfig,
    /// Open the panel at once.
    open: bool,
) -> impl IntoView {
    let texts = Texts::get(Locale::from_tag(&config.locale));
    let ui = Ui { texts };
    provide_context(ui);
    let chat = Chat::connect(&config.socket_url(), Cobrowse::new(config.privacy()));
    provide_context(chat);
    provide_context(SiteIdentity(config.identity()));
    let open = RwSignal::new(open || load(OPEN_KEY).is_some());
    Effect::new(move |_| {
        if open.get() {
            save(OPEN_KEY, "1")
        } else {
            forget(OPEN_KEY)
        }
    });
    let launcher_text = config
        .launcher_text
        .clone()
        .unwrap_or_else(|| texts.t("widget.launcher").to_owned());
    let screen = Memo::new(move |_| chat.model.with(|m| m.screen()));
    view! {
        <cobrowse::CobrowseLayer/>
        <Show when=move || !open.get()>
            <button type="button" class="launcher" data-tandem-launcher="" aria-haspopup="dialog"
                on:click=move |_| open.set(true)>
                {launcher_text.clone()}
            </button>
        </Show>
        <Show when=move || open.get()>
            <section class="panel" role="dialog" aria-modal="false" aria-labelledby="tandem-title">
                <header class="head">
                    <h2 id="tandem-title">{texts.t("widget.title")}</h2>
                    <button type="button" class="close" aria-label=texts.t("widget.close")
                        on:click=move |_| open.set(false)>"×"</button>
                </header>
                <ConnectionBanner/>
                <div class="body">
                    {move || match screen.get() {
                        Screen::Form => view! { <ticket::EarlierTickets/> <form::PreChatForm/> }.into_any(),
                        Screen::TicketLeft => view! { <ticket::Acknowledgement/> }.into_any(),
                        Screen::Waiting => view! { <queue::QueueBanner/> <conversation::Conversation/> }.into_any(),
                        Screen::Chatting => view! { <conversation::Conversation/> }.into_any(),
                        Screen::Ended => view! { <conversation::Messages/> <ended::EndedPanel/>
                            <Show when=move || chat.model.with(|m| m.acknowledged.is_some())><ticket::Acknowledgement/></Show> }.into_any(),
                    }}
                </div>
            </section>
        </Show>
    }
}

/// Says so when the connection is being (re)established.
#[component]
fn ConnectionBanner() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let ui = expect_context::<Ui>();
    move || {
        let text = match chat.conn.get() {
            ConnState::Open | ConnState::Closed => return None,
            ConnState::Connecting => ui.texts.t("conn.connecting"),
            ConnState::Reconnecting => ui.texts.t("conn.offline"),
        };
        Some(view! { <p class="banner" role="status">{text}</p> })
    }
}
