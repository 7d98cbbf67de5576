//! The portal's SQLite file: accounts, the refusal list, failed password attempts, sessions.

use rusqlite::{params, Connection, OptionalExtension};
use time::OffsetDateTime;

/// Schema applied on every start; `IF NOT EXISTS` keeps existing accounts across restarts.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    iin TEXT NOT NULL,
    bin TEXT NOT NULL DEFAULT '',
    entity TEXT NOT NULL,
    email TEXT NOT NULL,
    full_name TEXT,
    password_hash TEXT NOT NULL,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (iin, bin)
);
CREATE TABLE IF NOT EXISTS refusal_list (
    iin TEXT PRIMARY KEY,
    department TEXT NOT NULL CHECK (department IN ('psc', 'cls'))
);
CREATE TABLE IF NOT EXISTS failed_logins (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_documents (
    holder TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    issued TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempted_at INTEGER,
    sent_at INTEGER,
    error TEXT
);
CREATE TABLE IF NOT EXISTS login_locks (
    identifier TEXT PRIMARY KEY,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS logins (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('password', 'eds')),
    source TEXT NOT NULL,
    session_token TEXT,
    cert_serial TEXT,
    cert_not_before INTEGER,
    cert_not_after INTEGER
);
CREATE TABLE IF NOT EXISTS signed_documents (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    received_at INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    proven_time INTEGER
);
";

/// Opens (creating if missing) the database file and applies the schema.
pub fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")?;
    connection.execute_batch(SCHEMA)?;
    migrate(&connection)?;
    Ok(connection)
}

/// Columns added after the first release, with their types: files made before them gain them here.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("outbox", "attempted_at", "INTEGER"),
    ("outbox", "sent_at", "INTEGER"),
    ("outbox", "error", "TEXT"),
];

/// Adds each missing column of [`ADDED_COLUMNS`] (`CREATE TABLE IF NOT EXISTS` leaves old tables as they were).
fn migrate(db: &Connection) -> rusqlite::Result<()> {
    for (table, column, kind) in ADDED_COLUMNS {
        let present: i64 = db.query_row(
            &format!("SELECT count(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get(0),
        )?;
        if present == 0 {
            db.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// An account as the login flows need it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub iin: String,
    pub bin: String,
    pub password_hash: String,
    pub failed_count: i64,
    pub locked_until: Option<i64>,
}

const ACCOUNT_COLUMNS: &str = "id, iin, bin, password_hash, failed_count, locked_until";

fn account(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get(0)?,
        iin: row.get(1)?,
        bin: row.get(2)?,
        password_hash: row.get(3)?,
        failed_count: row.get(4)?,
        locked_until: row.get(5)?,
    })
}

/// The account a password login names: an individual's IIN, a legal entity's BIN, or an e-mail.
pub fn find_by_login(db: &Connection, login: &str) -> rusqlite::Result<Option<Account>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts
         WHERE (iin = ?1 AND bin = '') OR (bin = ?1 AND bin != '') OR lower(email) = lower(?1)
         ORDER BY id LIMIT 1"
    );
    db.query_row(&sql, [login], account).optional()
}

/// The account an EDS login names: the certificate's IIN, and BIN for a legal entity's certificate.
pub fn find_by_certificate(
    db: &Connection,
    iin: &str,
    bin: Option<&str>,
) -> rusqlite::Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE iin = ?1 AND bin = ?2");
    db.query_row(&sql, params![iin, bin.unwrap_or("")], account)
        .optional()
}

/// Which department a refused IIN must contact, if any.
pub fn refusal(db: &Connection, iin: &str) -> rusqlite::Result<Option<String>> {
    db.query_row(
        "SELECT department FROM refusal_list WHERE iin = ?1",
        [iin],
        |r| r.get(0),
    )
    .optional()
}

/// Puts an IIN on the refusal list (`psc` or `cls`).
pub fn add_refusal(db: &Connection, iin: &str, department: &str) -> rusqlite::Result<()> {
    db.execute(
        "INSERT OR REPLACE INTO refusal_list (iin, department) VALUES (?1, ?2)",
        params![iin, department],
    )?;
    Ok(())
}

/// A new account's fields.
pub struct NewAccount<'a> {
    pub iin: &'a str,
    pub bin: Option<&'a str>,
    pub entity: &'a str,
    pub email: &'a str,
    pub full_name: Option<&'a str>,
    pub password_hash: &'a str,
}

/// Inserts the account; `Ok(false)` when one exists for this IIN (and BIN) already.
pub fn create_account(
    db: &Connection,
    new: &NewAccount<'_>,
    now: OffsetDateTime,
) -> rusqlite::Result<bool> {
    let inserted = db.execute(
        "INSERT OR IGNORE INTO accounts (iin, bin, entity, email, full_name, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new.iin,
            new.bin.unwrap_or(""),
            new.entity,
            new.email,
            new.full_name,
            new.password_hash,
            now.unix_timestamp()
        ],
    )?;
    Ok(inserted == 1)
}

/// Records one failed password attempt: when, with which identifier, from where.
pub fn record_failure(
    db: &Connection,
    identifier: &str,
    source: &str,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO failed_logins (at, identifier, source) VALUES (?1, ?2, ?3)",
        params![now.unix_timestamp(), identifier, source],
    )?;
    Ok(())
}

/// The failure counter and lock (unix time) of a password-login identifier that names no account,
/// kept like an account's so that unknown identifiers are counted and blocked the same way.
pub fn identifier_lock(db: &Connection, identifier: &str) -> rusqlite::Result<(i64, Option<i64>)> {
    db.query_row(
        "SELECT failed_count, locked_until FROM login_locks WHERE identifier = ?1",
        [identifier],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map(|found| found.unwrap_or((0, None)))
}

/// Stores an unknown identifier's failure counter and lock.
pub fn set_identifier_lock(
    db: &Connection,
    identifier: &str,
    failed_count: i64,
    locked_until: Option<i64>,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO login_locks (identifier, failed_count, locked_until) VALUES (?1, ?2, ?3)
         ON CONFLICT (identifier) DO UPDATE SET failed_count = ?2, locked_until = ?3",
        params![identifier, failed_count, locked_until],
    )?;
    Ok(())
}

/// Stores the account's failure counter and lock.
pub fn set_lock_state(
    db: &Connection,
    id: i64,
    failed_count: i64,
    locked_until: Option<i64>,
) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE accounts SET failed_count = ?2, locked_until = ?3 WHERE id = ?1",
        params![id, failed_count, locked_until],
    )?;
    Ok(())
}

/// A successful login: who, how, from where, and the certificate an EDS login presented.
#[derive(Debug, Clone)]
pub struct Login {
    pub account_id: i64,
    pub method: LoginMethod,
    pub source: String,
    pub certificate: Option<CertificateDates>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    Password,
    Eds,
}

impl LoginMethod {
    fn column(self) -> &'static str {
        match self {
            LoginMethod::Password => "password",
            LoginMethod::Eds => "eds",
        }
    }

    fn from_column(value: &str) -> Self {
        if value == "eds" {
            LoginMethod::Eds
        } else {
            LoginMethod::Password
        }
    }
}

/// The serial and validity (unix times) of the certificate an EDS login was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDates {
    pub serial: String,
    pub not_before: i64,
    pub not_after: i64,
}

/// Creates the session (stored as `token_hash`, never the cookie's value) and records the login
/// it belongs to, in one transaction.
pub fn create_session(
    db: &Connection,
    token_hash: &str,
    login: &Login,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    let at = now.unix_timestamp();
    let tx = db.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO sessions (token, account_id, created_at) VALUES (?1, ?2, ?3)",
        params![token_hash, login.account_id, at],
    )?;
    let certificate = login.certificate.as_ref();
    tx.execute(
        "INSERT INTO logins (account_id, at, method, source, session_token,
                             cert_serial, cert_not_before, cert_not_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            login.account_id,
            at,
            login.method.column(),
            login.source,
            token_hash,
            certificate.map(|c| &c.serial),
            certificate.map(|c| c.not_before),
            certificate.map(|c| c.not_after),
        ],
    )?;
    tx.commit()
}

/// What the personal account page shows about the account behind a session.
#[derive(Debug, Clone)]
pub struct SessionAccount {
    pub account_id: i64,
    pub iin: String,
    pub bin: String,
    pub entity: String,
    pub email: String,
    pub full_name: Option<String>,
    pub method: LoginMethod,
    pub certificate: Option<CertificateDates>,
}

/// The account of a session (by its token's hash) created at or after `not_before` (unix time);
/// older ones have expired.
pub fn session_account(
    db: &Connection,
    token_hash: &str,
    not_before: i64,
) -> rusqlite::Result<Option<SessionAccount>> {
    db.query_row(
        "SELECT a.id, a.iin, a.bin, a.entity, a.email, a.full_name,
                l.method, l.cert_serial, l.cert_not_before, l.cert_not_after
         FROM sessions s
         JOIN accounts a ON a.id = s.account_id
         LEFT JOIN logins l ON l.session_token = s.token
         WHERE s.token = ?1 AND s.created_at >= ?2",
        params![token_hash, not_before],
        |r| {
            let method: Option<String> = r.get(6)?;
            let serial: Option<String> = r.get(7)?;
            let not_before: Option<i64> = r.get(8)?;
            let not_after: Option<i64> = r.get(9)?;
            let certificate = match (serial, not_before, not_after) {
                (Some(serial), Some(not_before), Some(not_after)) => Some(CertificateDates {
                    serial,
                    not_before,
                    not_after,
                }),
                _ => None,
            };
            Ok(SessionAccount {
                account_id: r.get(0)?,
                iin: r.get(1)?,
                bin: r.get(2)?,
                entity: r.get(3)?,
                email: r.get(4)?,
                full_name: r.get(5)?,
                method: LoginMethod::from_column(method.as_deref().unwrap_or("password")),
                certificate,
            })
        },
    )
    .optional()
}

/// Ends a session (by its token's hash); its login stays in the history without the token.
pub fn delete_session(db: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    let tx = db.unchecked_transaction()?;
    tx.execute(
        "UPDATE logins SET session_token = NULL WHERE session_token = ?1",
        [token_hash],
    )?;
    tx.execute("DELETE FROM sessions WHERE token = ?1", [token_hash])?;
    tx.commit()
}

/// Ends every session of the account except `keep` (a token hash): after a password change,
/// whoever knew the old password is logged out. Run it in the password change's transaction.
pub fn end_other_sessions(
    db: &Connection,
    account_id: i64,
    keep: Option<&str>,
) -> rusqlite::Result<usize> {
    db.execute(
        "UPDATE logins SET session_token = NULL
         WHERE account_id = ?1 AND session_token IS NOT NULL AND session_token IS NOT ?2",
        params![account_id, keep],
    )?;
    db.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND token IS NOT ?2",
        params![account_id, keep],
    )
}

/// One line of the account's history: when (unix time), how, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: i64,
    pub method: LoginMethod,
    pub source: String,
}

/// The account's latest successful logins, newest first.
pub fn recent_logins(
    db: &Connection,
    account_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut query = db.prepare(
        "SELECT at, method, source FROM logins WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = query.query_map(params![account_id, limit], |r| {
        let method: String = r.get(1)?;
        Ok(HistoryEntry {
            at: r.get(0)?,
            method: LoginMethod::from_column(&method),
            source: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// The latest failed password attempts naming this account (its IIN, BIN or e-mail), newest first.
pub fn recent_failures(
    db: &Connection,
    account: &SessionAccount,
    limit: i64,
) -> rusqlite::Result<Vec<HistoryEntry>> {
    let mut query = db.prepare(
        "SELECT at, source FROM failed_logins
         WHERE (identifier = ?1 AND ?2 = '') OR (identifier = ?2 AND ?2 != '')
            OR lower(identifier) = lower(?3)
         ORDER BY id DESC LIMIT ?4",
    )?;
    let rows = query.query_map(
        params![account.iin, account.bin, account.email, limit],
        |r| {
            Ok(HistoryEntry {
                at: r.get(0)?,
                method: LoginMethod::Password,
                source: r.get(1)?,
            })
        },
    )?;
    rows.collect()
}

/// The account of an individual (by IIN) or of a legal entity (by BIN), for password recovery.
pub fn find_holder(
    db: &Connection,
    legal: bool,
    id: &str,
) -> rusqlite::Result<Option<(Account, String)>> {
    let column = if legal { "bin" } else { "iin" };
    let extra = if legal { "" } else { " AND bin = ''" };
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS}, email FROM accounts WHERE {column} = ?1{extra} ORDER BY id LIMIT 1"
    );
    db.query_row(&sql, [id], |r| Ok((account(r)?, r.get(6)?)))
        .optional()
}

/// Records an identity document (individual: number and issue date) or a legal entity's
/// registration number (issue date empty), as the state registers would confirm them.
pub fn add_identity_document(
    db: &Connection,
    holder: &str,
    number: &str,
    issued: &str,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT OR REPLACE INTO identity_documents (holder, number, issued) VALUES (?1, ?2, ?3)",
        params![holder, number, issued],
    )?;
    Ok(())
}

/// True when the holder's recorded document matches what the user typed.
pub fn document_matches(
    db: &Connection,
    holder: &str,
    number: &str,
    issued: &str,
) -> rusqlite::Result<bool> {
    db.query_row(
        "SELECT count(*) FROM identity_documents WHERE holder = ?1 AND number = ?2 AND issued = ?3",
        params![holder, number, issued],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Replaces the password hash and lifts any password-login block.
pub fn set_password(db: &Connection, id: i64, password_hash: &str) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE accounts SET password_hash = ?2, failed_count = 0, locked_until = NULL WHERE id = ?1",
        params![id, password_hash],
    )?;
    Ok(())
}

/// Records an e-mail in the outbox (tests and operators read it) and answers its row id; with
/// `--smtp` it is also sent, and the row says how that went.
pub fn queue_mail(
    db: &Connection,
    recipient: &str,
    subject: &str,
    body: &str,
    now: OffsetDateTime,
) -> rusqlite::Result<i64> {
    db.execute(
        "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![recipient, subject, body, now.unix_timestamp()],
    )?;
    Ok(db.last_insert_rowid())
}

/// What an outbox row's body says once the message was sent: the body (today a new password) is
/// not kept.
pub const SENT_BODY: &str = "(sent; the body is not kept)";

/// The SMTP server accepted outbox message `id`: its body is dropped, since it may carry a password.
pub fn mark_mail_sent(db: &Connection, id: i64, now: OffsetDateTime) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE outbox SET attempted_at = ?2, sent_at = ?2, error = NULL, body = ?3 WHERE id = ?1",
        params![id, now.unix_timestamp(), SENT_BODY],
    )?;
    Ok(())
}

/// Sending outbox message `id` over SMTP failed with `error`; the message stays in the outbox.
pub fn mark_mail_failed(
    db: &Connection,
    id: i64,
    error: &str,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE outbox SET attempted_at = ?2, error = ?3 WHERE id = ?1",
        params![id, now.unix_timestamp(), error],
    )?;
    Ok(())
}

/// A signed document the portal accepted: what it proves about the signing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDocument {
    /// When the portal received it (unix time).
    pub received_at: i64,
    /// SHA-256 of the signed content, hex.
    pub content_sha256: String,
    /// The signer certificate's serial.
    pub cert_serial: String,
    /// The time a trusted TSA proves (unix time); `None` without a timestamp.
    pub proven_time: Option<i64>,
}

/// Records a verified signed document of the account.
pub fn record_signed_document(
    db: &Connection,
    account_id: i64,
    document: &SignedDocument,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO signed_documents (account_id, received_at, content_sha256, cert_serial, proven_time)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            account_id,
            document.received_at,
            document.content_sha256,
            document.cert_serial,
            document.proven_time
        ],
    )?;
    Ok(())
}

/// The account's most recently received signed document.
pub fn last_signed_document(
    db: &Connection,
    account_id: i64,
) -> rusqlite::Result<Option<SignedDocument>> {
    db.query_row(
        "SELECT received_at, content_sha256, cert_serial, proven_time FROM signed_documents
         WHERE account_id = ?1 ORDER BY id DESC LIMIT 1",
        [account_id],
        |r| {
            Ok(SignedDocument {
                received_at: r.get(0)?,
                content_sha256: r.get(1)?,
                cert_serial: r.get(2)?,
                proven_time: r.get(3)?,
            })
        },
    )
    .optional()
}
