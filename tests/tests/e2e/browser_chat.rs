//! Written once the widget and console exist.
