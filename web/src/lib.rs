//! netsnap in the browser.
//!
//! - [`api`]: the embeddable JavaScript API (wasm-bindgen exports): open a
//!   snapshot from bytes, render any netstat or ss command line, get the model as
//!   JSON.
//! - `app`: the yew UI (added with the UI work).
#![deny(missing_docs)]

pub mod api;
pub mod app;
