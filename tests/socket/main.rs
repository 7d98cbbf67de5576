//! Integration tests of the local WebSocket service: a real server, a real client.

mod common;
mod flood;
mod hostile;
mod malformed;
mod native;
mod ncalayer;
#[path = "../support/openssl_tsa.rs"]
mod openssl_tsa;
mod policy;
mod queue;
mod timestamp;
mod tls;
