//! The GUI `Prompt`: holds the one pending question and answers it from the window's commands.
//!
//! The server awaits `approve`/`choose_key`; the window reads the `View` and calls back with the
//! user's answer. A request that goes away (page closed, timeout) drops its future, which clears
//! the question and hides the window.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use qoltanba::cert::{CertInfo, KeyAlgorithm, Validity};
use qoltanba::keystore::Entry;
use qoltanba::prompt::{Approval, Candidate, KeyRequest, Prompt, PromptError};
use qoltanba::protocol::Task;
use serde::Serialize;
use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::i18n::Lang;
use crate::secrets::{keystore_account, Secrets};
use crate::settings::{KnownCertificate, SettingsStore};

/// Where the broker's changes go: the prompt window in the app, a recorder in tests.
pub trait Screen: Send + Sync + 'static {
    /// Shows `view` (brings the window to front when it asks something, hides it when not).
    fn changed(&self, view: &View);
}

/// What the prompt window shows.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub lang: Lang,
    pub screen: Option<ScreenView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ScreenView {
    Approval {
        id: u64,
        origin: String,
    },
    Key {
        id: u64,
        origin: String,
        /// Boxed: a task with a preview and a TSA host is the largest part of a screen.
        task: Box<Task>,
        keystores: Vec<KeystoreView>,
        selected: Option<PathBuf>,
        unlocked: Option<UnlockedView>,
        error: Option<ErrorView>,
    },
}

impl ScreenView {
    /// The question's number; a new number is a new question.
    pub fn id(&self) -> u64 {
        match self {
            ScreenView::Approval { id, .. } | ScreenView::Key { id, .. } => *id,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeystoreView {
    pub path: PathBuf,
    pub name: String,
    pub folder: PathBuf,
    pub recent: bool,
    pub remembered: bool,
}

impl KeystoreView {
    pub fn new(path: &Path, recent: bool, remembered: bool) -> Self {
        KeystoreView {
            path: path.to_path_buf(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            folder: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            recent,
            remembered,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UnlockedView {
    pub path: PathBuf,
    pub certificates: Vec<CandidateView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    pub index: usize,
    pub selectable: bool,
    /// Why it cannot be picked: "expired", "notYetValid" or "unsupported".
    pub reason: Option<&'static str>,
    pub info: CertInfo,
}

/// A failure the window shows inline; `kind` selects the translated sentence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorView {
    pub kind: &'static str,
    /// The core's English detail, shown small under the translated sentence.
    pub message: String,
}

impl ErrorView {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        ErrorView {
            kind,
            message: message.into(),
        }
    }

    /// The kind a keystore error maps to; wrong password is never "damaged file".
    pub fn from_core(error: &qoltanba::Error) -> Self {
        use qoltanba::Error as E;
        let kind = match error {
            E::WrongPassword => "wrongPassword",
            E::NotPkcs12 => "notAKeystore",
            E::Io { .. } => "unreadable",
            E::UnsupportedEncryption(_) => "unsupportedEncryption",
            E::NoPrivateKey => "noPrivateKey",
            E::UnsupportedKeyAlgorithm(_) => "unsupportedKey",
            _ => "damaged",
        };
        ErrorView::new(kind, error.to_string())
    }
}

/// A wrong command from the window (stale id, bad index): the window re-reads the view.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BrokerError {
    #[error("this request is no longer waiting")]
    Stale,
    #[error("that certificate cannot be used for this request")]
    NotSelectable,
}

struct Unlocked {
    path: PathBuf,
    candidates: Vec<Candidate>,
}

enum Pending {
    Approval {
        id: u64,
        origin: String,
        /// The language the asking page chose (NCALayer's changeLocale), for this question only.
        locale: Option<Lang>,
        reply: oneshot::Sender<Approval>,
    },
    Key {
        id: u64,
        request: Box<KeyRequest>,
        /// Files picked with Browse…, offered beside the configured ones.
        browsed: Vec<PathBuf>,
        selected: Option<PathBuf>,
        unlocked: Option<Unlocked>,
        error: Option<ErrorView>,
        reply: oneshot::Sender<Result<Entry, PromptError>>,
    },
}

impl Pending {
    fn id(&self) -> u64 {
        match self {
            Pending::Approval { id, .. } | Pending::Key { id, .. } => *id,
        }
    }
}

struct State {
    lang: Lang,
    pending: Option<Pending>,
}

/// The GUI prompt and the state its window shows.
pub struct Broker {
    state: Mutex<State>,
    screen: Box<dyn Screen>,
    settings: Arc<SettingsStore>,
    secrets: Arc<dyn Secrets>,
    next_id: AtomicU64,
}

impl Broker {
    pub fn new(
        lang: Lang,
        screen: Box<dyn Screen>,
        settings: Arc<SettingsStore>,
        secrets: Arc<dyn Secrets>,
    ) -> Self {
        Broker {
            state: Mutex::new(State {
                lang,
                pending: None,
            }),
            screen,
            settings,
            secrets,
            next_id: AtomicU64::new(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn view(&self) -> View {
        let state = self.lock();
        self.view_of(&state)
    }

    fn view_of(&self, state: &State) -> View {
        let screen = state.pending.as_ref().map(|pending| match pending {
            Pending::Approval { id, origin, .. } => ScreenView::Approval {
                id: *id,
                origin: origin.clone(),
            },
            Pending::Key {
                id,
                request,
                browsed,
                selected,
                unlocked,
                error,
                ..
            } => ScreenView::Key {
                id: *id,
                origin: request.origin.clone(),
                task: Box::new(request.task.clone()),
                keystores: self.keystores(request.keystores.iter().chain(browsed)),
                selected: selected.clone(),
                unlocked: unlocked.as_ref().map(|u| UnlockedView {
                    path: u.path.clone(),
                    certificates: u
                        .candidates
                        .iter()
                        .enumerate()
                        .map(|(index, c)| candidate_view(index, c, request))
                        .collect(),
                }),
                error: error.clone(),
            },
        });
        // A page's changeLocale applies to its own questions, never to the app or another site.
        let asked_in = state.pending.as_ref().and_then(|pending| match pending {
            Pending::Approval { locale, .. } => *locale,
            Pending::Key { request, .. } => request.locale.as_deref().and_then(Lang::from_tag),
        });
        View {
            lang: asked_in.unwrap_or(state.lang),
            screen,
        }
    }

    /// Recent keystores first (most recent first), then the rest in folder order.
    fn keystores<'a>(&self, paths: impl Iterator<Item = &'a PathBuf>) -> Vec<KeystoreView> {
        let settings = self.settings.get();
        let mut list: Vec<KeystoreView> = Vec::new();
        for path in paths {
            if list.iter().all(|k| &k.path != path) {
                list.push(KeystoreView::new(
                    path,
                    settings.recent.contains(path),
                    settings.remembered.contains(path),
                ));
            }
        }
        let rank = |k: &KeystoreView| {
            settings
                .recent
                .iter()
                .position(|p| p == &k.path)
                .unwrap_or(usize::MAX)
        };
        list.sort_by_key(rank);
        list
    }

    /// Sends the current view to the window.
    fn publish(&self, state: &State) {
        self.screen.changed(&self.view_of(state));
    }

    pub fn set_lang(&self, lang: Lang) {
        let mut state = self.lock();
        state.lang = lang;
        self.publish(&state);
    }

    /// Runs `change` on the pending key question `id`, then republishes.
    fn with_key<T>(
        &self,
        id: u64,
        change: impl FnOnce(&mut Pending) -> Result<T, BrokerError>,
    ) -> Result<T, BrokerError> {
        let mut state = self.lock();
        let result = match state.pending.as_mut() {
            Some(pending @ Pending::Key { .. }) if pending.id() == id => change(pending),
            _ => Err(BrokerError::Stale),
        };
        self.publish(&state);
        result
    }

    pub fn answer_approval(&self, id: u64, answer: Approval) -> Result<(), BrokerError> {
        let mut state = self.lock();
        match state.pending.take() {
            Some(Pending::Approval {
                id: current, reply, ..
            }) if current == id => {
                let _ = reply.send(answer);
                self.publish(&state);
                Ok(())
            }
            other => {
                state.pending = other;
                Err(BrokerError::Stale)
            }
        }
    }

    /// Ends the pending question as the user's cancel (deny for an approval).
    pub fn cancel(&self, id: u64) -> Result<(), BrokerError> {
        let mut state = self.lock();
        match state.pending.take() {
            Some(Pending::Approval {
                id: current, reply, ..
            }) if current == id => {
                let _ = reply.send(Approval::Deny);
            }
            Some(Pending::Key {
                id: current, reply, ..
            }) if current == id => {
                let _ = reply.send(Err(PromptError::Cancelled));
            }
            other => {
                state.pending = other;
                return Err(BrokerError::Stale);
            }
        }
        self.publish(&state);
        Ok(())
    }

    /// Cancels whatever is asked (the window was closed).
    pub fn cancel_current(&self) {
        let id = self.lock().pending.as_ref().map(Pending::id);
        if let Some(id) = id {
            let _ = self.cancel(id);
        }
    }

    /// Adds a file picked with Browse… and selects it.
    pub fn browsed(&self, id: u64, path: PathBuf) -> Result<(), BrokerError> {
        self.with_key(id, |pending| {
            if let Pending::Key {
                browsed,
                selected,
                unlocked,
                error,
                ..
            } = pending
            {
                if !browsed.contains(&path) {
                    browsed.push(path.clone());
                }
                *selected = Some(path);
                *unlocked = None;
                *error = None;
            }
            Ok(())
        })
    }

    /// Back from the certificate list to the keystore list.
    pub fn back(&self, id: u64) -> Result<(), BrokerError> {
        self.with_key(id, |pending| {
            if let Pending::Key {
                unlocked, error, ..
            } = pending
            {
                *unlocked = None;
                *error = None;
            }
            Ok(())
        })
    }

    /// Opens `path` for question `id` with the typed password, or the keychain's when `None`.
    ///
    /// Blocking (PBKDF work): call it off the UI thread. Errors the user can act on (wrong
    /// password, not a keystore) become the view's inline error, not an `Err`.
    pub fn unlock(
        &self,
        id: u64,
        path: &Path,
        password: Option<Zeroizing<String>>,
        remember: bool,
    ) -> Result<(), BrokerError> {
        let request = self.with_key(id, |pending| {
            let Pending::Key {
                request,
                selected,
                error,
                unlocked,
                ..
            } = pending
            else {
                return Err(BrokerError::Stale);
            };
            *selected = Some(path.to_path_buf());
            *error = None;
            *unlocked = None;
            Ok(request.clone())
        })?;
        let outcome = self.open(&request, path, password, remember);
        self.with_key(id, |pending| {
            if let Pending::Key {
                unlocked, error, ..
            } = pending
            {
                match outcome {
                    Ok(candidates) => {
                        *unlocked = Some(Unlocked {
                            path: path.to_path_buf(),
                            candidates,
                        })
                    }
                    Err(e) => *error = Some(e),
                }
            }
            Ok(())
        })
    }

    fn open(
        &self,
        request: &KeyRequest,
        path: &Path,
        password: Option<Zeroizing<String>>,
        remember: bool,
    ) -> Result<Vec<Candidate>, ErrorView> {
        let account = keystore_account(path);
        let from_keychain = password.is_none();
        let password = match password {
            Some(p) => p,
            None => self
                .secrets
                .get(&account)
                .map_err(|e| ErrorView::new("keychain", e.to_string()))?
                .ok_or_else(|| {
                    ErrorView::new("keychain", "the keychain has no password for this keystore")
                })?,
        };
        let candidates = request
            .unlock(path, &password)
            .map_err(|e| ErrorView::from_core(&e))?;
        self.remember_use(path, &candidates);
        if remember && !from_keychain {
            self.secrets
                .set(&account, &password)
                .map_err(|e| ErrorView::new("keychain", e.to_string()))?;
            self.update_settings(|s| {
                s.remembered.insert(path.to_path_buf());
            });
        }
        if candidates.is_empty() {
            return Err(ErrorView::new(
                "noMatchingCertificate",
                "no certificate in this keystore fits the request",
            ));
        }
        Ok(candidates)
    }

    /// Notes the keystore as recent and its certificates for expiry warnings.
    fn remember_use(&self, path: &Path, candidates: &[Candidate]) {
        self.update_settings(|settings| {
            settings.used(path);
            for candidate in candidates {
                settings.know(KnownCertificate::of(
                    &candidate.entry.certificate.info,
                    path,
                ));
            }
        });
    }

    fn update_settings(&self, change: impl FnOnce(&mut crate::settings::Settings)) {
        if let Err(e) = self.settings.update(change) {
            tracing::warn!(error = %e, "could not save the settings");
        }
    }

    /// The user picked certificate `index`: the request gets its key.
    pub fn choose(&self, id: u64, index: usize) -> Result<(), BrokerError> {
        let mut state = self.lock();
        let chosen = match &state.pending {
            Some(Pending::Key {
                id: current,
                unlocked: Some(unlocked),
                ..
            }) if *current == id => unlocked
                .candidates
                .get(index)
                .map(|c| c.selectable && supported(&c.entry.certificate.info.algorithm)),
            _ => return Err(BrokerError::Stale),
        };
        if chosen != Some(true) {
            return Err(BrokerError::NotSelectable);
        }
        if let Some(Pending::Key {
            unlocked: Some(unlocked),
            reply,
            ..
        }) = state.pending.take()
        {
            let entry = unlocked.candidates.into_iter().nth(index);
            if let Some(entry) = entry {
                let _ = reply.send(Ok(entry.entry));
            }
        }
        self.publish(&state);
        Ok(())
    }

    /// Shows `pending` and waits for its answer; the guard clears it if the request goes away.
    fn ask<T>(&self, make: impl FnOnce(u64, oneshot::Sender<T>) -> Pending) -> Ask<'_, T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        let mut state = self.lock();
        state.pending = Some(make(id, reply));
        self.publish(&state);
        Ask {
            broker: self,
            id,
            answer,
        }
    }
}

/// A question on screen; dropping it (page gone, timeout) takes it off the screen.
struct Ask<'a, T> {
    broker: &'a Broker,
    id: u64,
    answer: oneshot::Receiver<T>,
}

impl<T> Drop for Ask<'_, T> {
    fn drop(&mut self) {
        let mut state = self.broker.lock();
        if state.pending.as_ref().map(Pending::id) == Some(self.id) {
            state.pending = None;
            self.broker.publish(&state);
        }
    }
}

fn supported(algorithm: &KeyAlgorithm) -> bool {
    matches!(algorithm, KeyAlgorithm::Rsa | KeyAlgorithm::Gost2015)
}

fn candidate_view(index: usize, candidate: &Candidate, request: &KeyRequest) -> CandidateView {
    let certificate = &candidate.entry.certificate;
    let reason = if !supported(&certificate.info.algorithm) {
        Some("unsupported")
    } else if candidate.selectable {
        None
    } else {
        match certificate.validity_at(request.now) {
            Validity::NotYetValid => Some("notYetValid"),
            _ => Some("expired"),
        }
    };
    CandidateView {
        index,
        selectable: reason.is_none(),
        reason,
        info: certificate.info.clone(),
    }
}

impl Prompt for Broker {
    fn approve<'a>(&'a self, origin: &'a str, locale: Option<&'a str>) -> BoxFuture<'a, Approval> {
        async move {
            let mut ask = self.ask(|id, reply| Pending::Approval {
                id,
                origin: origin.to_string(),
                locale: locale.and_then(Lang::from_tag),
                reply,
            });
            (&mut ask.answer).await.unwrap_or(Approval::Deny)
        }
        .boxed()
    }

    fn choose_key<'a>(
        &'a self,
        request: &'a KeyRequest,
    ) -> BoxFuture<'a, Result<Entry, PromptError>> {
        async move {
            let mut ask = self.ask(|id, reply| Pending::Key {
                id,
                request: Box::new(request.clone()),
                browsed: Vec::new(),
                selected: None,
                unlocked: None,
                error: None,
                reply,
            });
            (&mut ask.answer)
                .await
                .unwrap_or(Err(PromptError::Cancelled))
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;
    use qoltanba::cert::Purpose;
    use qoltanba::protocol::{DataFormat, KeyFilter};

    /// Records what the window would have been told.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<View>>);

    impl Screen for Arc<Recorder> {
        fn changed(&self, view: &View) {
            self.0.lock().expect("lock").push(view.clone());
        }
    }

    struct Fixture {
        broker: Arc<Broker>,
        screen: Arc<Recorder>,
        secrets: Arc<MemorySecrets>,
        settings: Arc<SettingsStore>,
        _dir: tempfile::TempDir,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("dir");
        let settings = Arc::new(SettingsStore::load(dir.path()).expect("settings"));
        let secrets = Arc::new(MemorySecrets::default());
        let screen = Arc::new(Recorder::default());
        let broker = Arc::new(Broker::new(
            Lang::En,
            Box::new(Arc::clone(&screen)),
            Arc::clone(&settings),
            secrets.clone(),
        ));
        Fixture {
            broker,
            screen,
            secrets,
            settings,
            _dir: dir,
        }
    }

    fn keystore(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../certs-test/keystores")
            .join(name)
    }

    fn login_request() -> KeyRequest {
        KeyRequest {
            origin: "https://egov.kz".into(),
            task: Task::Login,
            filter: KeyFilter::for_purpose(Purpose::Auth),
            keystores: vec![keystore("individual_auth.p12")],
            now: time::OffsetDateTime::now_utc(),
            locale: None,
        }
    }

    fn sign_request() -> KeyRequest {
        KeyRequest {
            task: Task::sign_binary(DataFormat::Cms, &[4]),
            filter: KeyFilter::for_purpose(Purpose::Sign),
            keystores: vec![keystore("expired_sign.p12")],
            ..login_request()
        }
    }

    fn key_id(view: &View) -> u64 {
        match &view.screen {
            Some(ScreenView::Key { id, .. }) => *id,
            other => panic!("no key question on screen: {other:?}"),
        }
    }

    fn error_kind(view: &View) -> Option<&'static str> {
        match &view.screen {
            Some(ScreenView::Key { error, .. }) => error.as_ref().map(|e| e.kind),
            _ => None,
        }
    }

    fn password(p: &str) -> Option<Zeroizing<String>> {
        Some(Zeroizing::new(p.to_string()))
    }

    /// Polls the request's future until the window has something to act on.
    async fn shown(f: &Fixture) -> View {
        for _ in 0..100 {
            let view = f.broker.view();
            if view.screen.is_some() {
                return view;
            }
            tokio::task::yield_now().await;
        }
        panic!("nothing was shown");
    }

    #[tokio::test]
    async fn the_window_answers_the_site_approval_question() {
        let f = fixture();
        let broker = Arc::clone(&f.broker);
        let asked = tokio::spawn(async move { broker.approve("https://egov.kz", None).await });
        let view = shown(&f).await;
        let Some(ScreenView::Approval { id, origin }) = view.screen else {
            panic!("no approval question: {view:?}");
        };
        assert_eq!(origin, "https://egov.kz");
        f.broker
            .answer_approval(id, Approval::Always)
            .expect("answer");
        assert_eq!(asked.await.expect("join"), Approval::Always);
        assert!(f.broker.view().screen.is_none());
    }

    #[tokio::test]
    async fn wrong_password_is_an_inline_error_and_the_retry_signs_in() {
        let f = fixture();
        let broker = Arc::clone(&f.broker);
        let request = login_request();
        let asked = tokio::spawn(async move { broker.choose_key(&request).await });
        let id = key_id(&shown(&f).await);
        let path = keystore("individual_auth.p12");
        f.broker
            .unlock(id, &path, password("wrong"), false)
            .expect("unlock");
        assert_eq!(error_kind(&f.broker.view()), Some("wrongPassword"));
        f.broker
            .unlock(id, &path, password("Qwerty12"), false)
            .expect("unlock");
        assert_eq!(error_kind(&f.broker.view()), None);
        f.broker.choose(id, 0).expect("choose");
        let entry = asked.await.expect("join").expect("a key");
        assert_eq!(entry.certificate.info.purpose, Purpose::Auth);
        assert_eq!(f.settings.get().recent, [path]);
    }

    #[tokio::test]
    async fn an_expired_certificate_is_listed_with_its_reason_but_cannot_be_chosen() {
        let f = fixture();
        let broker = Arc::clone(&f.broker);
        let request = sign_request();
        let asked = tokio::spawn(async move { broker.choose_key(&request).await });
        let id = key_id(&shown(&f).await);
        f.broker
            .unlock(
                id,
                &keystore("expired_sign.p12"),
                password("Qwerty12"),
                false,
            )
            .expect("unlock");
        let Some(ScreenView::Key {
            unlocked: Some(unlocked),
            ..
        }) = f.broker.view().screen
        else {
            panic!("not unlocked");
        };
        assert_eq!(unlocked.certificates.len(), 1);
        assert!(!unlocked.certificates[0].selectable);
        assert_eq!(unlocked.certificates[0].reason, Some("expired"));
        assert_eq!(f.broker.choose(id, 0), Err(BrokerError::NotSelectable));
        f.broker.cancel(id).expect("cancel");
        assert!(matches!(
            asked.await.expect("join"),
            Err(PromptError::Cancelled)
        ));
    }

    #[tokio::test]
    async fn a_remembered_password_comes_from_the_keychain_and_never_reaches_the_view() {
        let f = fixture();
        let path = keystore("individual_auth.p12");
        for remember in [true, false] {
            let broker = Arc::clone(&f.broker);
            let request = login_request();
            let asked = tokio::spawn(async move { broker.choose_key(&request).await });
            let id = key_id(&shown(&f).await);
            let typed = if remember { password("Qwerty12") } else { None };
            f.broker.unlock(id, &path, typed, remember).expect("unlock");
            let json = serde_json::to_string(&f.broker.view()).expect("json");
            assert!(!json.contains("Qwerty12"), "password in the view");
            assert!(json.contains("\"remembered\":true"), "{json}");
            f.broker.choose(id, 0).expect("choose");
            asked.await.expect("join").expect("a key");
        }
        assert!(f
            .secrets
            .get(&keystore_account(&path))
            .expect("keychain")
            .is_some());
    }

    #[tokio::test]
    async fn a_request_that_goes_away_takes_its_question_off_the_screen() {
        let f = fixture();
        let request = login_request();
        {
            let asked = f.broker.choose_key(&request);
            // Polling once puts the question up; dropping it is the page closing.
            let _ = futures_util::poll!(Box::pin(asked));
        }
        assert!(f.broker.view().screen.is_none());
        let last = f.screen.0.lock().expect("lock").last().cloned();
        assert_eq!(last.map(|v| v.screen.is_none()), Some(true));
    }

    #[tokio::test]
    async fn answers_for_a_question_no_longer_asked_are_refused() {
        let f = fixture();
        assert_eq!(f.broker.choose(42, 0), Err(BrokerError::Stale));
        assert_eq!(f.broker.cancel(42), Err(BrokerError::Stale));
        assert_eq!(
            f.broker.answer_approval(42, Approval::Once),
            Err(BrokerError::Stale)
        );
    }

    #[tokio::test]
    async fn a_pages_locale_shows_its_own_question_in_that_language_only() {
        let f = fixture();
        let app_lang = f.broker.view().lang;
        let page_lang = if app_lang == Lang::Kk { "ru" } else { "kz" };
        let request = KeyRequest {
            locale: Some(page_lang.into()),
            ..login_request()
        };
        let broker = Arc::clone(&f.broker);
        let asked = tokio::spawn(async move { broker.choose_key(&request).await.is_ok() });
        let view = shown(&f).await;
        assert_eq!(Some(view.lang), Lang::from_tag(page_lang));
        f.broker.cancel(key_id(&view)).expect("cancel");
        assert!(!asked.await.expect("task"));
        assert_eq!(
            f.broker.view().lang,
            app_lang,
            "the app's language is unchanged"
        );
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_keystore_is_not_called_a_wrong_password() {
        let f = fixture();
        let broker = Arc::clone(&f.broker);
        let request = login_request();
        let _asked = tokio::spawn(async move { broker.choose_key(&request).await });
        let id = key_id(&shown(&f).await);
        f.broker
            .unlock(
                id,
                &keystore("not_a_keystore.p12"),
                password("Qwerty12"),
                false,
            )
            .expect("unlock");
        assert_eq!(error_kind(&f.broker.view()), Some("notAKeystore"));
    }
}
