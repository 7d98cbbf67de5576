//! Integration tests of the local WebSocket service: a real server, a real client.

mod common;
mod flood;
mod hostile;
mod malformed;
mod native;
mod ncalayer;
mod policy;
mod queue;
mod tls;
