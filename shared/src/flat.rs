//! Reading tagged enums through one flat struct of optional fields.
//!
//! serde's internally tagged enums (`#[serde(tag = "…")]`) and `flatten` buffer the whole
//! object before choosing a variant, and ship that buffering machinery and a decoder per
//! variant to whoever reads them: in the widget it was a third of the WebAssembly. The types
//! the widget reads (frames to visitors, conversation events, the adviser's guidance) read
//! instead one struct whose fields are every field any variant has, then pick the variant by
//! the tag, with the same JSON, the same errors for a missing field, and the same tolerance
//! of unknown fields.

/// A field the chosen variant needs, or serde's "missing field" error.
pub(crate) fn required<T, E: serde::de::Error>(
    value: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}
