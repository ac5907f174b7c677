//! The pages an adviser opens now and then (tickets, canned answers, dashboard, contacts, sites,
//! articles, audit, team), each in a WebAssembly module of its own that the console fetches the
//! first time the page is opened: the desk loads without their code. [`LazyView`] shows any
//! such view (the co-browsing mirror uses it too).

use super::Ui;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use web_client::lazy::LazyTexts;

#[leptos::wasm_split::wasm_split(tickets, wasm_split_path = ::leptos::wasm_split, fallible)]
fn tickets_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::tickets::TicketsView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(canned, wasm_split_path = ::leptos::wasm_split, fallible)]
fn canned_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::canned::CannedView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible)]
fn dashboard_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::dashboard::DashboardView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(contacts, wasm_split_path = ::leptos::wasm_split, fallible)]
fn contacts_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::records::RecordsView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(sites, wasm_split_path = ::leptos::wasm_split, fallible)]
fn sites_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::sites::SitesView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(articles, wasm_split_path = ::leptos::wasm_split, fallible)]
fn articles_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::articles::ArticlesView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(audit, wasm_split_path = ::leptos::wasm_split, fallible)]
fn audit_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::audit::AuditView/> }.into_any())
}

#[leptos::wasm_split::wasm_split(team, wasm_split_path = ::leptos::wasm_split, fallible)]
fn team_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <super::team::TeamView/> }.into_any())
}

/// A page whose code is fetched when it is first opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LazyPage {
    Tickets,
    Canned,
    Dashboard,
    Contacts,
    Sites,
    Articles,
    Audit,
    Team,
}

/// Shows `page` once its module is here (a light "loading" line meanwhile); when it cannot be
/// fetched, says so with "Try again".
#[component]
pub(super) fn Lazy(page: LazyPage) -> impl IntoView {
    view! { <LazyView load=move || page_view(page)/> }
}

/// The view of `page`, its module fetched first.
async fn page_view(page: LazyPage) -> Result<AnyView, SplitLoaderError> {
    match page {
        LazyPage::Tickets => tickets_page().await,
        LazyPage::Canned => canned_page().await,
        LazyPage::Dashboard => dashboard_page().await,
        LazyPage::Contacts => contacts_page().await,
        LazyPage::Sites => sites_page().await,
        LazyPage::Articles => articles_page().await,
        LazyPage::Audit => audit_page().await,
        LazyPage::Team => team_page().await,
    }
}

/// Shows the view `load` gives once the module it needs is here, in the console's words
/// (web_client's [`web_client::lazy::LazyView`]).
#[component]
pub(super) fn LazyView<Load, Loading>(load: Load) -> impl IntoView
where
    Load: Fn() -> Loading + Clone + Send + Sync + 'static,
    Loading: std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let texts = expect_context::<Ui>().texts;
    let texts = LazyTexts {
        loading: texts.t("console.page_loading"),
        failed: texts.t("console.page_failed"),
        try_again: texts.t("console.try_again"),
    };
    view! { <web_client::lazy::LazyView load=load texts=texts/> }
}
