//! Integration tests of the replicas, over real HTTP on 127.0.0.1.

mod client;
mod hackernews;
mod instagram;
mod mutate;
mod reddit;
mod x;
