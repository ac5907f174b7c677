//! The Team page (admins): accounts with their role, enabled or not, a new account; the API
//! tokens with their scope, a new one (shown once), revoking one. The relay checks and audits
//! each change; its refusal (the last admin, a taken login) is shown as it says it.

use super::Ui;
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use tandem_shared::access::{AdviserRole, TeamMember, TokenSummary};

fn role_key(role: AdviserRole) -> &'static str {
    match role {
        AdviserRole::Adviser => "console.role_adviser",
        AdviserRole::Supervisor => "console.role_supervisor",
        AdviserRole::Admin => "console.role_admin",
    }
}

/// The page.
#[component]
pub(crate) fn TeamView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let team = RwSignal::new(Vec::<TeamMember>::new());
    let tokens = RwSignal::new(Vec::<TokenSummary>::new());
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match (crate::api::team().await, crate::api::tokens().await) {
            (Ok(members), Ok(listed)) => {
                team.set(members);
                tokens.set(listed);
            }
            (Err(message), _) | (_, Err(message)) => error.set(Some(message)),
        }
    });
    let apply = move |outcome: Result<Vec<TeamMember>, String>| match outcome {
        Ok(members) => {
            error.set(None);
            team.set(members);
        }
        Err(message) => error.set(Some(message)),
    };
    view! {
        <section class="team-page" data-team="">
            <h2>{texts.t("console.team_title")}</h2>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <table class="members">
                <thead><tr>
                    <th scope="col">{texts.t("console.team_login")}</th>
                    <th scope="col">{texts.t("console.team_name")}</th>
                    <th scope="col">{texts.t("console.team_role")}</th>
                    <th scope="col">{texts.t("console.team_access")}</th>
                </tr></thead>
                <tbody>
                    <For each=move || team.get() key=|m| (m.login.clone(), m.role, m.disabled) children=move |member| {
                        let login = member.login.clone();
                        let toggle_login = member.login.clone();
                        let enabled = member.disabled;
                        view! {
                            <tr data-member=member.login.clone()>
                                <td>{member.login.clone()}{member.single_sign_on.then(|| view! { " "<span class="tag">{texts.t("console.team_sso")}</span> })}</td>
                                <td>{member.display_name.clone()}</td>
                                <td>
                                    <select aria-label=texts.t("console.team_role") on:change=move |ev| {
                                        let role = event_target_value(&ev);
                                        let path = format!("/api/v1/team/{}/role", String::from(js_sys::encode_uri_component(&login)));
                                        spawn_local(async move {
                                            apply(crate::api::change_team(Request::put(&path), &json!({ "role": role })).await);
                                        });
                                    }>
                                        {AdviserRole::ALL.into_iter().map(|role| view! {
                                            <option value=role.as_str() selected=role == member.role>{texts.t(role_key(role))}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>
                                    {member.disabled.then(|| view! { <span class="tag">{texts.t("console.team_disabled")}</span>" " })}
                                    <button type="button" class="secondary" on:click=move |_| {
                                        let path = format!("/api/v1/team/{}/enabled", String::from(js_sys::encode_uri_component(&toggle_login)));
                                        spawn_local(async move {
                                            apply(crate::api::change_team(Request::put(&path), &json!({ "enabled": enabled })).await);
                                        });
                                    }>{texts.t(if enabled { "console.team_enable" } else { "console.team_disable" })}</button>
                                </td>
                            </tr>
                        }
                    }/>
                </tbody>
            </table>
            <NewMember apply/>
            <Tokens tokens error/>
        </section>
    }
}

/// A new account: login, name, password, role.
#[component]
fn NewMember(
    apply: impl Fn(Result<Vec<TeamMember>, String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let (login, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let role = RwSignal::new(AdviserRole::Adviser.as_str().to_owned());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({
            "login": login.get_untracked(),
            "name": name.get_untracked(),
            "password": password.get_untracked(),
            "role": role.get_untracked(),
        });
        spawn_local(async move {
            let outcome = crate::api::change_team(Request::post("/api/v1/team"), &body).await;
            if outcome.is_ok() {
                login.set(String::new());
                name.set(String::new());
                password.set(String::new());
            }
            apply(outcome);
        });
    };
    let field = move |id: &'static str,
                      key: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>| {
        view! {
            <label for=id>{texts.t(key)}</label>
            <input id=id type=kind autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };
    view! {
        <form class="new-member" on:submit=add>
            <h3>{texts.t("console.team_add")}</h3>
            {field("member-login", "console.team_login", "text", login)}
            {field("member-name", "console.team_name", "text", name)}
            {field("member-password", "console.team_password", "password", password)}
            <label for="member-role">{texts.t("console.team_role")}</label>
            <select id="member-role" on:change=move |ev| role.set(event_target_value(&ev))>
                {AdviserRole::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{texts.t(role_key(r))}</option> }).collect_view()}
            </select>
            <button type="submit" class="primary">{texts.t("console.team_add")}</button>
        </form>
    }
}

/// The API tokens: their scopes, a new one shown once, revoking one.
#[component]
fn Tokens(tokens: RwSignal<Vec<TokenSummary>>, error: RwSignal<Option<String>>) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("read".to_owned());
    let shown = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, s) = (name.get_untracked(), scope.get_untracked());
        spawn_local(async move {
            match crate::api::create_token(&n, &s).await {
                Ok(made) => {
                    error.set(None);
                    shown.set(made["token"].as_str().map(str::to_owned));
                    if let Ok(listed) = serde_json::from_value(made["tokens"].clone()) {
                        tokens.set(listed);
                    }
                    name.set(String::new());
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <h3>{texts.t("console.tokens")}</h3>
        <ul class="tokens">
            <For each=move || tokens.get() key=|t| t.id.clone() children=move |token| {
                let id = token.id.clone();
                view! {
                    <li>
                        <strong>{token.name.clone()}</strong>" "<span class="tag">{token.scope.clone()}</span>" "
                        <button type="button" class="secondary" on:click=move |_| {
                            let id = id.clone();
                            spawn_local(async move {
                                match crate::api::revoke_token(&id).await {
                                    Ok(listed) => tokens.set(listed),
                                    Err(message) => error.set(Some(message)),
                                }
                            });
                        }>{texts.t("console.token_revoke")}</button>
                    </li>
                }
            }/>
        </ul>
        <form class="new-token" on:submit=create>
            <label for="token-name">{texts.t("console.token_name")}</label>
            <input id="token-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="token-scope">{texts.t("console.token_scope")}</label>
            <select id="token-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                <option value="read">"read"</option>
                <option value="write">"write"</option>
                <option value="admin">"admin"</option>
            </select>
            <button type="submit" class="primary">{texts.t("console.token_create")}</button>
        </form>
        {move || shown.get().map(|token| view! {
            <p class="token-once" role="status">{texts.t("console.token_shown_once")}" "<code data-new-token="">{token}</code></p>
        })}
    }
}
