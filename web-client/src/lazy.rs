//! A view whose code is in a WebAssembly module fetched when it is first shown (Leptos's
//! `wasm_split`): the widget's screens after the form, the console's occasional pages and
//! its co-browsing mirror.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use send_wrapper::SendWrapper;

/// What a lazily fetched view says while it comes and when it cannot come, in the reader's
/// language.
#[derive(Clone, Copy, Debug)]
pub struct LazyTexts {
    /// Shown while the module is fetched ("Loading…").
    pub loading: &'static str,
    /// Shown when it could not be fetched.
    pub failed: &'static str,
    /// The button that fetches it again.
    pub try_again: &'static str,
}

/// Shows the view `load` gives once the module it needs is here (a light status line
/// meanwhile); when the module cannot be fetched (the connection dropped, the relay was
/// updated), says so with a "Try again" button that fetches it again.
#[component]
pub fn LazyView<Load, Loading>(
    /// Fetches the module (at once when it is here) and gives the view.
    load: Load,
    /// The words shown meanwhile and on failure.
    texts: LazyTexts,
) -> impl IntoView
where
    Load: Fn() -> Loading + Clone + Send + Sync + 'static,
    Loading: std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    let loading = move || view! { <p class="hint" role="status">{texts.loading}</p> };
    view! {
        <Suspense fallback=loading>
            {move || {
                attempt.track();
                let load = load.clone();
                Suspend::new(SendWrapper::new(async move {
                    load().await.unwrap_or_else(|_| view! {
                        <p class="error" role="alert" data-page-failed="">
                            {texts.failed} " "
                            <button type="button" class="secondary" on:click=move |_| attempt.update(|n| *n += 1)>
                                {texts.try_again}
                            </button>
                        </p>
                    }.into_any())
                }))
            }}
        </Suspense>
    }
}
