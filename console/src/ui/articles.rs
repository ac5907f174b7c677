//! The knowledge base: advisers write short articles here; visitors are offered the ones that
//! match the reason they type, before they ask for an adviser.

use super::Ui;
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::faq::Article;
use tandem_shared::i18n::Locale;

/// The knowledge base page: the articles, and a form to write or change one.
#[component]
pub(crate) fn ArticlesView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let articles = RwSignal::new(Vec::<Article>::new());
    let refresh = move || spawn_local(async move { articles.set(api::articles().await) });
    refresh();
    let (id, locale, title, body) = (
        RwSignal::new(String::new()),
        RwSignal::new(texts.locale().code().to_owned()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let clear = move || {
        id.set(String::new());
        title.set(String::new());
        body.set(String::new());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let article = Article {
            id: id.get_untracked(),
            locale: locale.get_untracked(),
            title: title.get_untracked(),
            body: body.get_untracked(),
        };
        spawn_local(async move {
            match api::save_article(&article).await {
                Ok(()) => {
                    error.set(None);
                    clear();
                    refresh();
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="articles">
            <h2>{texts.t("console.articles")}</h2>
            <p class="hint">{texts.t("console.articles_hint")}</p>
            <ul class="article-list">
                <For each=move || articles.get() key=|a| (a.id.clone(), a.title.clone(), a.body.clone()) children=move |article| {
                    let edited = article.clone();
                    let removed = article.id.clone();
                    view! {
                        <li data-article=article.id.clone()>
                            <span class="tag">{article.locale.clone()}</span>" "<strong>{article.title.clone()}</strong>
                            <p>{article.body.clone()}</p>
                            <button type="button" class="link" on:click=move |_| {
                                id.set(edited.id.clone());
                                locale.set(edited.locale.clone());
                                title.set(edited.title.clone());
                                body.set(edited.body.clone());
                            }>{texts.t("console.article_edit")}</button>" "
                            <button type="button" class="link" on:click=move |_| {
                                let removed = removed.clone();
                                spawn_local(async move { api::delete_article(&removed).await; refresh(); });
                            }>{texts.t("console.article_delete")}</button>
                        </li>
                    }
                }/>
            </ul>
            <form class="article-form" on:submit=save>
                <label for="article-locale">{texts.t("console.canned_locale")}</label>
                <select id="article-locale" prop:value=move || locale.get() on:change=move |ev| locale.set(event_target_value(&ev))>
                    {Locale::ALL.iter().map(|l| view! { <option value=l.code()>{l.code()}</option> }).collect_view()}
                </select>
                <label for="article-title">{texts.t("console.article_title")}</label>
                <input id="article-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                <label for="article-body">{texts.t("console.article_body")}</label>
                <textarea id="article-body" rows="5" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <button type="submit" class="primary">{move || if id.get().is_empty() { texts.t("console.article_add") } else { texts.t("console.article_save") }}</button>
                <p class="field-error" role="alert">{move || error.get()}</p>
            </form>
        </section>
    }
}
