//! The login form.

use super::{Auth, Ui};
use crate::account;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Login and password; a wrong pair is said plainly.
#[component]
pub(crate) fn LoginForm() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let auth = expect_context::<RwSignal<Auth>>();
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
            <form on:submit=submit>
                <h1>{texts.t("console.title")}</h1>
                <label for="login">{texts.t("console.login")}</label>
                <input id="login" name="login" autocomplete="username" required
                    prop:value=move || login.get() on:input=move |ev| login.set(event_target_value(&ev))/>
                <label for="password">{texts.t("console.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p class="error" role="alert">{move || failed.get().then(|| texts.t("console.bad_login"))}</p>
                <button type="submit" class="primary" disabled=move || busy.get()>{texts.t("console.sign_in")}</button>
            </form>
        </main>
    }
}
