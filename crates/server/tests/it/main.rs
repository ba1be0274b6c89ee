//! The server over real HTTP on 127.0.0.1: every guard, the API's
//! answers, and the OpenAPI document against the router.

#![allow(clippy::print_stdout, clippy::print_stderr, unreachable_pub)]

mod guards;
mod openapi;
mod pairing;
mod support;
