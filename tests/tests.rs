//! Integration tests: golden outputs over fixtures/.
