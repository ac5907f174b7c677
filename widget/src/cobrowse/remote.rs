//! The adviser's form help applied on the visitor's real page, with the events the site's
//! own scripts expect. Never into a private field, never a submit or a click on a button or
//! link, never into a field the site marks `data-tandem-no-remote`.

use super::privacy::{Privacy, NO_REMOTE_ATTR};
use wasm_bindgen::JsCast;
use web_sys::{Element, EventInit, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// Input types the adviser may type into.
const TYPABLE: [&str; 13] = [
    "text",
    "email",
    "tel",
    "number",
    "date",
    "url",
    "search",
    "month",
    "week",
    "time",
    "datetime-local",
    "color",
    "range",
];

/// Why a fill was not applied.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Private, marked not remotely fillable, disabled or read-only.
    NotAllowed,
    /// Not a field the adviser can fill this way (or no such option).
    NotAField,
}

fn allowed(element: &Element, privacy: &Privacy) -> Result<(), Refusal> {
    let marked = element.closest(NO_REMOTE_ATTR).ok().flatten().is_some();
    let disabled = element.has_attribute("disabled") || element.has_attribute("readonly");
    if privacy.is_private_field(element) || marked || disabled {
        return Err(Refusal::NotAllowed);
    }
    Ok(())
}

fn fire(element: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) = web_sys::Event::new_with_event_init_dict(kind, &init) {
        let _ = element.dispatch_event(&event);
    }
}

/// Types `value` into a text field, text area or select; returns the field's name.
pub fn fill(element: &Element, value: &str, privacy: &Privacy) -> Result<String, Refusal> {
    allowed(element, privacy)?;
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        if !TYPABLE.contains(&input.type_().as_str()) {
            return Err(Refusal::NotAField);
        }
        input.set_value(value);
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        let options = select.options();
        let exists = (0..options.length()).any(|i| {
            options
                .item(i)
                .and_then(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                .is_some_and(|o| o.value() == value)
        });
        if !exists {
            return Err(Refusal::NotAField);
        }
        select.set_value(value);
    } else {
        return Err(Refusal::NotAField);
    }
    fire(element, "input");
    fire(element, "change");
    Ok(field_name(element))
}

/// Ticks or unticks a checkbox, or ticks a radio button, as a click of the visitor would
/// (the site sees click, input and change); returns the field's name.
pub fn check(element: &Element, checked: bool, privacy: &Privacy) -> Result<String, Refusal> {
    allowed(element, privacy)?;
    let input = element
        .dyn_ref::<HtmlInputElement>()
        .filter(|i| matches!(i.type_().as_str(), "checkbox" | "radio"))
        .ok_or(Refusal::NotAField)?;
    if input.type_() == "radio" && !checked {
        return Err(Refusal::NotAField);
    }
    if input.checked() != checked {
        input.click();
    }
    Ok(field_name(element))
}

/// A field's name as a person reads it: its label, else its `aria-label`, `name` or `id`.
pub fn field_name(element: &Element) -> String {
    let label = element
        .dyn_ref::<HtmlInputElement>()
        .and_then(|i| i.labels())
        .or_else(|| element.dyn_ref::<HtmlSelectElement>().map(|s| s.labels()))
        .or_else(|| element.dyn_ref::<HtmlTextAreaElement>().map(|t| t.labels()))
        .and_then(|labels| labels.item(0))
        .and_then(|label| label.text_content())
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|text| !text.is_empty());
    label
        .or_else(|| element.get_attribute("aria-label"))
        .or_else(|| element.get_attribute("name"))
        .or_else(|| element.get_attribute("id").map(|id| format!("#{id}")))
        .unwrap_or_else(|| element.local_name())
}

/// True when `url` is a page of the site the visitor is on (the adviser may only propose
/// those).
pub fn is_same_site(url: &str) -> bool {
    let here = web_sys::window().and_then(|w| w.location().origin().ok());
    let there = web_sys::Url::new(url).ok().map(|u| u.origin());
    matches!((here, there), (Some(a), Some(b)) if a == b)
}
