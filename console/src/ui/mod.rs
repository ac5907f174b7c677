//! The console's components: the login screen, then the desk (header, queue and chats,
//! conversation with wrap-up, contact card).

mod articles;
mod attention;
mod audit;
mod canned;
mod chat;
mod cobrowse;
mod contact;
mod dashboard;
mod header;
mod invitations;
mod login;
mod pages;
mod records;
mod sidebar;
mod sites;
mod sketch;
mod supervise;
mod sync;
mod team;
mod teamwork;
mod tickets;
mod visit;
mod wrap_up;

use crate::account;
use crate::desk::DeskHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::i18n::{Locale, Texts};
use tandem_shared::model::AdviserProfile;

/// The texts of the adviser's language.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub texts: &'static Texts,
}

/// Where the login stands.
/// The queues (for transfers), loaded once.
#[derive(Clone, Copy)]
pub(crate) struct Queues(pub RwSignal<Vec<crate::api::QueueSummary>>);

/// The canned answers, loaded once and after each change.
#[derive(Clone, Copy)]
pub(crate) struct CannedAnswers(pub RwSignal<Vec<tandem_shared::desk::CannedAnswer>>);

/// The page of the console on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    /// Queue, chats and contact.
    Desk,
    /// Open tickets.
    Tickets,
    /// Canned answers.
    Canned,
    /// The dashboard.
    Dashboard,
    /// Contacts: search, and a contact's whole record.
    Contacts,
    /// The websites served: origins, queues, look, tag.
    Sites,
    /// The knowledge base suggested to visitors.
    Articles,
    /// The audit trail (admins).
    Audit,
    /// Accounts, roles and API tokens (admins).
    Team,
}

/// The logged-in account's role, changing only when it does (not at every frame of the desk).
#[derive(Clone, Copy)]
pub(crate) struct MyRole(Memo<Option<tandem_shared::access::AdviserRole>>);

/// True when the logged-in account's role includes `role` (the console shows each role what
/// it may do; the relay refuses the rest anyway).
pub(crate) fn role_allows(role: tandem_shared::access::AdviserRole) -> bool {
    use_context::<MyRole>().is_some_and(|mine| mine.0.get().is_some_and(|me| me.includes(role)))
}

/// The contact whose record the Contacts page opens on.
#[derive(Clone, Copy)]
pub(crate) struct OpenRecord(pub RwSignal<Option<String>>);

/// Whether the console's tab is shown (read receipts and attention depend on it).
#[derive(Clone, Copy)]
pub(crate) struct PageVisible(pub RwSignal<bool>);

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Auth {
    Checking,
    LoggedOut,
    LoggedIn(AdviserProfile),
}

/// The language: `?lang=` first, then the browser's.
fn locale() -> Locale {
    let window = web_sys::window();
    let from_query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("lang"));
    let tag = from_query
        .or_else(|| window.and_then(|w| w.navigator().language()))
        .unwrap_or_default();
    Locale::from_tag(&tag)
}

/// The console.
#[component]
pub(crate) fn App() -> impl IntoView {
    let texts = Texts::console(locale());
    provide_context(Ui { texts });
    let auth = RwSignal::new(Auth::Checking);
    provide_context(auth);
    spawn_local(async move {
        auth.set(match account::current().await {
            Some(profile) => Auth::LoggedIn(profile),
            None => Auth::LoggedOut,
        });
    });
    // Mounted once: the tab's visibility is followed for the page's whole life.
    let visible = RwSignal::new(web_client::browser::page_is_visible());
    web_client::browser::on_visibility_change(move |now| visible.set(now));
    provide_context(PageVisible(visible));
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(texts.t("console.title"));
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", texts.locale().code());
        }
    }
    move || match auth.get() {
        Auth::Checking => view! { <p class="loading">"…"</p> }.into_any(),
        Auth::LoggedOut => view! { <login::LoginForm/> }.into_any(),
        Auth::LoggedIn(_) => view! { <DeskView/> }.into_any(),
    }
}

/// The adviser's desk, once logged in.
#[component]
fn DeskView() -> impl IntoView {
    let handle = DeskHandle::connect();
    provide_context(handle);
    provide_context(MyRole(Memo::new(move |_| {
        handle.desk.with(|d| d.me.as_ref().map(|me| me.role))
    })));
    let page = RwSignal::new(Page::Desk);
    provide_context(page);
    provide_context(OpenRecord(RwSignal::new(None)));
    let visible = expect_context::<PageVisible>().0;
    Effect::new(move |_| {
        let away = !visible.get();
        handle.desk.update(|d| d.set_away(away));
    });
    let queues = RwSignal::new(Vec::new());
    provide_context(Queues(queues));
    let canned = RwSignal::new(Vec::new());
    provide_context(CannedAnswers(canned));
    spawn_local(async move {
        queues.set(crate::api::queues().await);
        canned.set(crate::api::canned_answers().await);
    });
    on_cleanup(move || handle.disconnect());
    let title = expect_context::<Ui>().texts.t("console.title");
    // The tab's title counts unread messages and waiting visitors, so a busy desk shows from
    // afar (and from another tab).
    Effect::new(move |_| {
        let pending = handle.desk.with(|d| d.pending());
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let text = if pending > 0 {
                format!("({pending}) {title}")
            } else {
                title.to_owned()
            };
            document.set_title(&text);
        }
    });
    view! {
        <div class="desk">
            <header::Header/>
            {move || match page.get() {
                Page::Desk => view! {
                    <main class="columns">
                        <sidebar::Sidebar/>
                        <chat::ChatPane/>
                        <contact::ContactPane/>
                    </main>
                }.into_any(),
                Page::Tickets => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Tickets/></main> }.into_any(),
                Page::Canned => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Canned/></main> }.into_any(),
                Page::Dashboard => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Dashboard/></main> }.into_any(),
                Page::Contacts => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Contacts/></main> }.into_any(),
                Page::Sites => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Sites/></main> }.into_any(),
                Page::Articles => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Articles/></main> }.into_any(),
                Page::Audit => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Audit/></main> }.into_any(),
                Page::Team => view! { <main class="page"><pages::Lazy page=pages::LazyPage::Team/></main> }.into_any(),
            }}
        </div>
    }
}
