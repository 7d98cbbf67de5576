//! A site cannot flood the user or starve other sites: one approval question per origin, denial
//! that survives reconnects, per-origin limits on waiting requests and queued bytes, and a page's
//! language that stays on its own connection.

use std::sync::Arc;
use std::time::Duration;

use futures_util::SinkExt;
use qoltanba::prompt::scripted::Event;
use qoltanba::prompt::Approval;
use qoltanba::server::{Admission, Config, Limits};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

const FLOODER: &str = "https://flood.example";

fn login_request() -> String {
    let challenge = b64(&[5u8; 32]).replace('+', "-").replace('/', "_");
    json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.login",
           "params": {"challenge": challenge.trim_end_matches('=')}})
    .to_string()
}

fn approvals_of(server: &TestServer, origin: &str) -> usize {
    server
        .prompt
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Approval { origin: o, .. } if o == origin))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_sockets_from_one_origin_get_one_question_and_do_not_starve_another_site() {
    in_process_only!("counts the questions its scripted prompt was asked");
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Once,
        key: key("individual_auth.p12"),
        // The scripted user takes a while over each prompt, so the flood piles up meanwhile.
        delay: Duration::from_millis(300),
        ..Setup::default()
    })
    .await;
    let mut flood = Vec::new();
    for _ in 0..200 {
        let mut ws = connect_from(&server, FLOODER).await;
        ws.send(Message::text(login_request())).await.expect("send");
        flood.push(ws);
    }
    let mut other = connect_from(&server, ORIGIN).await;
    let reply = ask(&mut other, &login_request()).await;
    assert!(reply.contains("qoltanba-login:2"), "{reply}");

    let mut busy = 0;
    for ws in &mut flood {
        let reply = next_text(ws).await;
        if reply.contains("\"busy\"") {
            busy += 1;
        } else {
            assert!(reply.contains("qoltanba-login:2"), "{reply}");
        }
    }
    assert!(busy > 0, "the flooding origin is limited");
    assert_eq!(approvals_of(&server, FLOODER), 1, "one question per origin");
    assert_eq!(approvals_of(&server, ORIGIN), 1);
    assert!(server
        .prompt
        .events()
        .iter()
        .any(|e| matches!(e, Event::Key { origin, .. } if origin == ORIGIN)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_origin_is_not_asked_again_after_reconnecting() {
    in_process_only!("its scripted user denies the origin");
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Deny,
        ..Setup::default()
    })
    .await;
    for _ in 0..3 {
        let mut ws = connect_from(&server, FLOODER).await;
        let reply = ask(&mut ws, &login_request()).await;
        assert!(reply.contains("origin_denied"), "{reply}");
    }
    assert_eq!(approvals_of(&server, FLOODER), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn flooding_large_documents_from_an_unapproved_origin_keeps_queued_bytes_under_the_bound() {
    in_process_only!("reads the server's memory bound from inside the process");
    const DOCUMENT: usize = 60 * 1024 * 1024;
    let limits = Limits::default();
    let admission = Arc::new(Admission::new(limits));
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Once,
        // The approval question stays on screen while the documents arrive.
        delay: Duration::from_secs(30),
        config: Config {
            keystore_dirs: vec![keystores_dir()],
            admission: Arc::clone(&admission),
            tsa: Some(local_tsa()),
            ..Config::default()
        },
        ..Setup::default()
    })
    .await;
    let header = json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign",
                        "params": {"format": "cms", "detached": true}})
    .to_string();
    let mut message = header.into_bytes();
    message.push(0);
    message.resize(message.len() + DOCUMENT, 0x42);
    let message = bytes::Bytes::from(message);
    let mut flood = Vec::new();
    for _ in 0..4 {
        let mut ws = connect_from(&server, FLOODER).await;
        let message = message.clone();
        // The service stops reading once the site's large-message slots are taken, so a send
        // may never finish: each runs on its own task.
        flood.push(tokio::spawn(async move {
            let _ = ws.send(Message::Binary(message)).await;
            let _ = next_text(&mut ws).await;
        }));
    }
    let held = limits.large_readers_per_origin;
    wait_for("the site's large messages to be queued", || {
        admission.waiting() == held
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        admission.waiting(),
        held,
        "no more are read than the site's slots"
    );
    assert_eq!(admission.queued_bytes(), held * message.len());
    assert!(admission.queued_bytes() <= limits.bytes_per_origin);
    // Another site's request is still read and queued, not refused.
    let mut other = connect_from(&server, ORIGIN).await;
    other
        .send(Message::text(login_request()))
        .await
        .expect("send");
    wait_for("the other site's request to be queued", || {
        admission.waiting() == held + 1
    })
    .await;
    for task in flood {
        task.abort();
    }
    drop(other);
    wait_for("the closed connections to give their bytes back", || {
        admission.queued_bytes() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn change_locale_changes_only_that_connections_prompts() {
    in_process_only!("reads the locale its scripted prompt was shown");
    let other_site = "https://other.example";
    let server = start(Setup {
        allow: vec![ORIGIN.to_string(), other_site.to_string()],
        key: key("individual_auth.p12"),
        ..Setup::default()
    })
    .await;
    let mut switched = connect(&server).await;
    let change = json!({"module": "kz.gov.pki.knca.commonUtils", "method": "changeLocale",
                        "args": ["kz"]});
    ask(&mut switched, &change.to_string()).await;
    let mut other = connect_from(&server, other_site).await;
    ask(&mut other, &login_request()).await;
    ask(&mut switched, &login_request()).await;
    let locales: Vec<(String, Option<String>)> = server
        .prompt
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Key { origin, locale, .. } => Some((origin, locale)),
            _ => None,
        })
        .collect();
    assert_eq!(
        locales,
        [
            (other_site.to_string(), None),
            (ORIGIN.to_string(), Some("kk".to_string()))
        ]
    );
}
