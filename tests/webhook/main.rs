//! Webhook adapter tests over real HTTP on loopback: signatures, status codes, the hot-reloaded
//! subscriptions file and forwarding replies to another platform's outbox (`server`), and the
//! real `hermes gateway run` binary end to end with a fake Telegram as the target (`gateway`).

#[path = "../telegram/fake_api.rs"]
#[allow(dead_code)]
mod fake_api;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
mod server;
mod wizard;
