//! Sites: the websites this relay serves. An adviser picks one, changes its allowed origins,
//! queues, look (colour, corner, launcher text, greeting) and proactive invitations, saves,
//! and copies the tag.

use super::Ui;
use crate::api;
use crate::api::QueueSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::site::{Corner, SiteSettings, Texts};

/// The sites page: the list, and the form of the site picked (or of a new one).
#[component]
pub(crate) fn SitesView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    let picked = RwSignal::new(None::<SiteSettings>);
    let new_key = RwSignal::new(String::new());
    // Queues are read afresh: one created since the console opened is offered too.
    let queues = RwSignal::new(Vec::<QueueSummary>::new());
    spawn_local(async move {
        queues.set(api::queues().await);
        let list = api::sites().await;
        picked.set(list.first().cloned());
        sites.set(list);
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = new_key.get_untracked().trim().to_owned();
        if !key.is_empty() {
            picked.set(Some(SiteSettings::new(&key, &key)));
            new_key.set(String::new());
        }
    };
    view! {
        <section class="sites">
            <h2>{texts.t("console.sites")}</h2>
            <p class="hint">{texts.t("console.sites_hint")}</p>
            <ul class="site-list">
                <For each=move || sites.get() key=|s| (s.key.clone(), s.name.clone()) children=move |site| {
                    let key = site.key.clone();
                    let current = key.clone();
                    view! {
                        <li><button type="button" class="link" data-site=key
                            aria-current=move || if picked.with(|p| p.as_ref().is_some_and(|p| p.key == current)) { "true" } else { "false" }
                            on:click=move |_| picked.set(Some(site.clone()))>{site.name.clone()}</button></li>
                    }
                }/>
            </ul>
            <form class="site-new" on:submit=create>
                <label for="site-new-key">{texts.t("console.site_new")}</label>
                <input id="site-new-key" placeholder="brico" prop:value=move || new_key.get()
                    on:input=move |ev| new_key.set(event_target_value(&ev))/>
                <button type="submit" class="secondary">{texts.t("console.site_create")}</button>
            </form>
            {move || picked.get().map(|site| view! { <SiteForm site=site sites=sites queues=queues/> })}
        </section>
    }
}

/// One text per language as two inputs.
fn text_pair(
    texts: &'static tandem_shared::i18n::Texts,
    id: &'static str,
    label_key: &'static str,
    value: RwSignal<Texts>,
) -> impl IntoView {
    let input = move |lang: &'static str| {
        let field_id = format!("{id}-{lang}");
        view! {
            <label for=field_id.clone()>{texts.t(label_key)}" ("{lang}")"</label>
            <input id=field_id
                prop:value=move || value.with(|t| t.get(lang).unwrap_or_default().to_owned())
                on:input=move |ev| {
                    let text = Some(event_target_value(&ev));
                    value.update(|t| if lang == "fr" { t.fr = text } else { t.en = text });
                }/>
        }
    };
    view! { {input("fr")} {input("en")} }
}

/// The form of one site, with its tag.
#[component]
fn SiteForm(
    site: SiteSettings,
    sites: RwSignal<Vec<SiteSettings>>,
    queues: RwSignal<Vec<QueueSummary>>,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let key = site.key.clone();
    let name = RwSignal::new(site.name.clone());
    let origins = RwSignal::new(site.origins.join("\n"));
    let offered = RwSignal::new(site.queues.clone());
    let color = RwSignal::new(site.appearance.color.clone());
    let left = RwSignal::new(site.appearance.position == Corner::Left);
    let launcher = RwSignal::new(site.appearance.launcher_text.clone());
    let greeting = RwSignal::new(site.appearance.greeting.clone());
    let invitations = RwSignal::new(site.invitations.clone());
    let verified_only = RwSignal::new(site.verified_only);
    let secret = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let relay = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let snippet = site.snippet(&relay);
    let copy_text = snippet.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut edited = SiteSettings::new(&key, &name.get_untracked());
        edited.origins = origins.get_untracked().lines().map(str::to_owned).collect();
        edited.queues = offered.get_untracked();
        edited.appearance.color = color.get_untracked();
        edited.appearance.position = if left.get_untracked() {
            Corner::Left
        } else {
            Corner::Right
        };
        edited.appearance.launcher_text = launcher.get_untracked();
        edited.appearance.greeting = greeting.get_untracked();
        edited.invitations = invitations.get_untracked();
        edited.verified_only = verified_only.get_untracked();
        let new_secret = secret.get_untracked().trim().to_owned();
        saved.set(false);
        spawn_local(async move {
            let mut outcome = api::save_site(&edited).await;
            if outcome.is_ok() && !new_secret.is_empty() {
                outcome = api::set_site_secret(&edited.key, &new_secret).await;
                if outcome.is_ok() {
                    secret.set(String::new());
                }
            }
            match outcome {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    sites.set(api::sites().await);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&copy_text);
        }
    };
    view! {
        <form class="site-form" data-editing=site.key.clone() on:submit=save>
            <h3>{site.key.clone()}</h3>
            <label for="site-name">{texts.t("console.site_name")}</label>
            <input id="site-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="site-origins">{texts.t("console.site_origins")}</label>
            <textarea id="site-origins" rows="3" placeholder="https://www.example.com"
                prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            <fieldset class="site-queues">
                <legend>{texts.t("console.site_queues")}</legend>
                <For each=move || queues.get() key=|q| q.key.clone() children=move |queue| {
                    let key = queue.key.clone();
                    let toggled = key.clone();
                    view! {
                        <label class="check"><input type="checkbox" value=key.clone()
                            prop:checked=move || offered.with(|o| o.contains(&key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                offered.update(|o| {
                                    o.retain(|k| k != &toggled);
                                    if on { o.push(toggled.clone()); }
                                });
                            }/>" "{queue.name(texts.locale().code()).to_owned()}</label>
                    }
                }/>
            </fieldset>
            <label for="site-color">{texts.t("console.site_color")}</label>
            <input id="site-color" type="color" prop:value=move || color.get()
                on:input=move |ev| color.set(event_target_value(&ev))/>
            <label for="site-position">{texts.t("console.site_position")}</label>
            <select id="site-position" prop:value=move || if left.get() { "left" } else { "right" }
                on:change=move |ev| left.set(event_target_value(&ev) == "left")>
                <option value="right">{texts.t("console.site_right")}</option>
                <option value="left">{texts.t("console.site_left")}</option>
            </select>
            {text_pair(texts, "site-launcher", "console.site_launcher", launcher)}
            {text_pair(texts, "site-greeting", "console.site_greeting", greeting)}
            <super::invitations::InvitationRules rules=invitations queues=queues/>
            <label class="check"><input type="checkbox" data-verified-only=""
                prop:checked=move || verified_only.get()
                on:change=move |ev| verified_only.set(event_target_checked(&ev))/>" "{texts.t("console.site_verified_only")}</label>
            <label for="site-secret">{texts.t("console.site_secret")}</label>
            <input id="site-secret" type="password" autocomplete="new-password" minlength="16" maxlength="200"
                prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))/>
            <button type="submit" class="primary">{texts.t("console.site_save")}</button>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <p class="saved" role="status">{move || saved.get().then(|| texts.t("console.site_saved"))}</p>
            <h4>{texts.t("console.site_snippet")}</h4>
            <pre class="snippet"><code>{snippet}</code></pre>
            <button type="button" class="secondary" on:click=copy>{texts.t("console.site_copy")}</button>
        </form>
    }
}
