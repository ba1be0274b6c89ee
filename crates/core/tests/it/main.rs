//! distroflow-core's integration tests (one binary, so the suite links once).

mod conformance;
mod content;
