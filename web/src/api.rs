//! The embeddable JavaScript API.
