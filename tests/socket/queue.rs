//! One prompt at a time: concurrent requests queue, closed connections cancel their prompts.

use std::time::Duration;

use qoltanba::prompt::scripted::{Event, KeyAnswer};
use qoltanba::server::{Admission, Limits};
use serde_json::json;

use crate::common::*;

fn cms_request() -> String {
    json!({"module": "kz.gov.pki.knca.commonUtils", "method": "createCMSSignatureFromBase64",
           "args": ["PKCS12", "SIGNATURE", "AAAA", true]})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_connections_are_prompted_one_at_a_time_and_all_answered() {
    in_process_only!("measures its scripted prompt's concurrency");
    let server = start(Setup {
        delay: Duration::from_millis(10),
        config: qoltanba::server::Config {
            keystore_dirs: vec![keystores_dir()],
            // One site's limit raised to fifty: this test is about the one screen, not the limit.
            admission: std::sync::Arc::new(Admission::new(Limits {
                requests_per_origin: 50,
                ..Limits::default()
            })),
            tsa: Some(local_tsa()),
            ..qoltanba::server::Config::default()
        },
        ..Setup::default()
    })
    .await;
    let mut clients = Vec::new();
    for _ in 0..50 {
        let mut ws = connect(&server).await;
        clients.push(tokio::spawn(
            async move { ask(&mut ws, &cms_request()).await },
        ));
    }
    for client in clients {
        let reply = client.await.expect("client task");
        assert!(
            reply.starts_with(r#"{"code":"200","responseObject":""#),
            "{reply}"
        );
    }
    assert_eq!(server.prompt.max_concurrent(), 1);
    let prompts = server
        .prompt
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Key { .. }))
        .count();
    assert_eq!(prompts, 50);
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_the_connection_cancels_its_visible_and_queued_prompts() {
    in_process_only!("its scripted prompt waits and records cancellations");
    let server = start(Setup {
        key: KeyAnswer::Hang,
        ..Setup::default()
    })
    .await;
    // The first request's prompt is on screen; the second one waits behind it.
    let mut first = connect(&server).await;
    let mut second = connect(&server).await;
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    first
        .send(Message::text(cms_request()))
        .await
        .expect("send");
    wait_for("the first prompt", || server.prompt.max_concurrent() == 1).await;
    second
        .send(Message::text(cms_request()))
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(second);
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(first);
    wait_for("the visible prompt to be cancelled", || {
        server.prompt.events().contains(&Event::Cancelled)
    })
    .await;
    let cancelled = server
        .prompt
        .events()
        .iter()
        .filter(|e| **e == Event::Cancelled)
        .count();
    assert_eq!(cancelled, 1, "the queued request was never shown");

    // The screen is free again: a new request is prompted and answered.
    server.prompt.set_key(key("individual_sign.p12"));
    let mut third = connect(&server).await;
    let reply = ask(&mut third, &cms_request()).await;
    assert!(reply.starts_with(r#"{"code":"200""#), "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_queue_answers_busy_at_once() {
    in_process_only!("its scripted prompt holds the queue full");
    let server = start(Setup {
        key: KeyAnswer::Hang,
        config: qoltanba::server::Config {
            keystore_dirs: vec![keystores_dir()],
            // The request on screen and one more.
            admission: std::sync::Arc::new(Admission::new(Limits {
                requests: 2,
                ..Limits::default()
            })),
            tsa: Some(local_tsa()),
            ..qoltanba::server::Config::default()
        },
        ..Setup::default()
    })
    .await;
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut shown = connect(&server).await;
    shown
        .send(Message::text(cms_request()))
        .await
        .expect("send");
    wait_for("the first prompt", || server.prompt.max_concurrent() == 1).await;
    let mut queued = connect(&server).await;
    queued
        .send(Message::text(cms_request()))
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut refused = connect(&server).await;
    let reply = ask(&mut refused, &json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign", "params": {"format": "raw", "data": "AAAA"}}).to_string()).await;
    assert_eq!(
        reply,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32007,"message":"Too many requests are waiting","data":{"reason":"busy"}}}"#
    );
}
