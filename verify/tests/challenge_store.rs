//! The challenge store: random, single use, five minutes, safe under concurrent replay.

mod common;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::FakeClock;
use qoltanba_verify::challenge::IssueError;
use qoltanba_verify::{ChallengeStore, VerifyError};
use time::Duration;

#[test]
fn an_issued_challenge_is_32_random_bytes_in_base64url() {
    let store = ChallengeStore::new();
    let a = store.issue().unwrap();
    let b = store.issue().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    assert_ne!(a, b);
    assert_eq!(store.len(), 2);
}

#[test]
fn a_challenge_can_be_consumed_exactly_once() {
    let store = ChallengeStore::new();
    let challenge = store.issue().unwrap();
    store.consume(&challenge).unwrap();
    assert!(matches!(
        store.consume(&challenge),
        Err(VerifyError::UnknownOrReusedChallenge)
    ));
}

#[test]
fn a_challenge_the_store_never_issued_is_refused() {
    let store = ChallengeStore::new();
    assert!(matches!(
        store.consume("bm90LWlzc3VlZC1ieS10aGlzLXN0b3JlLWF0LWFsbC0hIQ"),
        Err(VerifyError::UnknownOrReusedChallenge)
    ));
}

#[test]
fn a_challenge_expires_after_five_minutes() {
    let clock = FakeClock::new();
    let store = clock.store();
    let fresh = store.issue().unwrap();
    let stale = store.issue().unwrap();
    clock.advance(Duration::minutes(5));
    store.consume(&fresh).unwrap();
    clock.advance(Duration::seconds(1));
    assert!(matches!(
        store.consume(&stale),
        Err(VerifyError::ChallengeExpired)
    ));
}

#[test]
fn expired_challenges_are_forgotten_when_new_ones_are_issued() {
    let clock = FakeClock::new();
    let store = clock.store();
    store.issue().unwrap();
    clock.advance(Duration::minutes(6));
    store.issue().unwrap();
    assert_eq!(store.len(), 1);
}

#[test]
fn concurrent_replays_of_one_challenge_succeed_exactly_once() {
    let store = Arc::new(ChallengeStore::new());
    let challenge = store.issue().unwrap();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let store = Arc::clone(&store);
            let challenge = challenge.clone();
            std::thread::spawn(move || store.consume(&challenge).is_ok())
        })
        .collect();
    let successes = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(successes, 1);
}

#[test]
fn a_flood_of_challenges_stops_at_the_cap_until_some_expire() {
    let clock = FakeClock::new();
    let store = ChallengeStore::with_capacity(Arc::new(clock.clone()), 3);
    for _ in 0..3 {
        store.issue().unwrap();
    }
    assert!(matches!(store.issue(), Err(IssueError::Full(3))));
    assert_eq!(store.len(), 3);
    clock.advance(Duration::minutes(6));
    store.issue().expect("expired challenges make room");
    assert_eq!(store.len(), 1);
}

#[test]
fn consuming_a_challenge_frees_its_place_under_the_cap() {
    let store = ChallengeStore::with_capacity(Arc::new(FakeClock::new()), 2);
    let first = store.issue().unwrap();
    store.issue().unwrap();
    store.consume(&first).unwrap();
    store
        .issue()
        .expect("a consumed challenge no longer counts");
    assert!(store.issue().is_err());
}

#[test]
fn issuing_and_consuming_many_challenges_keeps_the_store_small_and_working() {
    // Consumed challenges must not pile up in the expiry queue: the last one still works.
    let store = ChallengeStore::with_capacity(Arc::new(FakeClock::new()), 4);
    for _ in 0..10_000 {
        let challenge = store.issue().unwrap();
        store.consume(&challenge).unwrap();
    }
    let kept = store.issue().unwrap();
    assert_eq!(store.len(), 1);
    store.consume(&kept).unwrap();
}

#[test]
fn a_challenge_issued_later_outlives_the_expiry_of_older_ones() {
    let clock = FakeClock::new();
    let store = clock.store();
    store.issue().unwrap();
    clock.advance(Duration::minutes(3));
    let younger = store.issue().unwrap();
    clock.advance(Duration::minutes(3));
    store.issue().unwrap(); // expires the first
    assert_eq!(store.len(), 2);
    store.consume(&younger).unwrap();
}
