//! The login form.

use super::{Auth, Ui};
use crate::account;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Login and password, and single sign-on when the relay offers it; a wrong pair, or a
/// sign-in the provider did not complete, is said plainly.
#[component]
pub(crate) fn LoginForm() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let auth = expect_context::<RwSignal<Auth>>();
    let methods = RwSignal::new((true, false));
    spawn_local(async move { methods.set(account::methods().await) });
    let sso_failed = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .is_some_and(|hash| hash == "#sso-failed");
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match account::log_in(&login.get_untracked(), &password.get_untracked()).await {
                Some(profile) => auth.set(Auth::LoggedIn(profile)),
                None => failed.set(true),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <div class="login-card">
            <h1>{texts.t("console.title")}</h1>
            <Show when=move || methods.get().1>
                <a class="primary sso" href="/api/v1/auth/oidc/start" data-sso="">{texts.t("console.sso")}</a>
            </Show>
            {sso_failed.then(|| view! { <p class="error" role="alert" data-sso-failed="">{texts.t("console.sso_failed")}</p> })}
            <Show when=move || methods.get().0>
            <form on:submit=submit>
                <label for="login">{texts.t("console.login")}</label>
                <input id="login" name="login" autocomplete="username" required
                    prop:value=move || login.get() on:input=move |ev| login.set(event_target_value(&ev))/>
                <label for="password">{texts.t("console.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p class="error" role="alert">{move || failed.get().then(|| texts.t("console.bad_login"))}</p>
                <button type="submit" class="primary" disabled=move || busy.get()>{texts.t("console.sign_in")}</button>
            </form>
            </Show>
            </div>
        </main>
    }
}
