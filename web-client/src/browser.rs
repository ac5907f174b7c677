//! Small browser helpers.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A unique id for a message (retransmissions reuse it, so the relay stores it once), in
/// time order: see [`tandem_shared::ids::time_ordered_message_id`]. Made from the browser's
/// random UUID rather than with the `uuid` crate, whose code the widget would carry.
pub fn unique_id() -> String {
    let random = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("{:x}", (js_sys::Math::random() * 1e15) as u64));
    tandem_shared::ids::time_ordered_message_id(js_sys::Date::now() as u64, &random)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Reads a value from local storage (none when storage is blocked).
pub fn load(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Writes a value to local storage; ignored when storage is blocked.
pub fn save(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Removes a value from local storage.
pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Reads a value from session storage (this visit only; none when storage is blocked).
pub fn load_session(key: &str) -> Option<String> {
    session().and_then(|s| s.get_item(key).ok().flatten())
}

/// Writes a value to session storage; ignored when storage is blocked.
pub fn save_session(key: &str, value: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(key, value);
    }
}

/// Removes a value from session storage.
pub fn forget_session(key: &str) {
    if let Some(storage) = session() {
        let _ = storage.remove_item(key);
    }
}

/// Runs `f` once after `ms` milliseconds.
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

/// True while the page's tab is shown (not in the background, not minimised).
pub fn page_is_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Calls `f` with [`page_is_visible`] whenever the tab is shown or hidden, for as long as the
/// page lives (for components mounted once: the widget, the console).
pub fn on_visibility_change(f: impl Fn(bool) + 'static) {
    let on_change = Closure::<dyn Fn()>::new(move || f(page_is_visible()));
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_change.as_ref().unchecked_ref(),
        );
    }
    on_change.forget();
}

/// `HH:MM` of a timestamp (ms since the epoch), in the user's time zone.
pub fn clock(at_ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// `YYYY-MM-DD HH:MM` of a timestamp, in the user's time zone.
pub fn date_time(at_ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!(
        "{}-{:02}-{:02} {}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        clock(at_ms)
    )
}

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
