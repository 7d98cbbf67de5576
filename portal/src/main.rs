//! `qoltanba-portal [--port N] [--db FILE] [--ca FILE --crl FILE | --no-revocation-check] [--signer-url URL] [--smtp URL]`: the reference portal on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use qoltanba_portal::revocation;
use qoltanba_verify::{SystemClock, TrustStore, Verifier};

/// How often clients whose rate limit has recovered are forgotten.
const RATE_LIMIT_PRUNING: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Parser)]
#[command(about = "Reference e-government portal with EDS login through Qoltanba")]
struct Args {
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// SQLite file (created if missing).
    #[arg(long, default_value = "portal.db")]
    db: PathBuf,
    /// This portal's origin as browsers send it (default http://localhost:PORT).
    #[arg(long)]
    origin: Option<String>,
    /// Trusted CA certificate file, PEM or DER (repeatable; default: the repository's test PKI).
    #[arg(long = "ca", value_name = "FILE")]
    cas: Vec<PathBuf>,
    /// CRL file checked for revocation (repeatable; read again whenever it changes). Required
    /// with --ca unless --no-revocation-check is given.
    #[arg(long = "crl", value_name = "FILE")]
    crls: Vec<PathBuf>,
    /// OCSP responder asked about every certificate (e.g. http://ocsp.pki.gov.kz), before the
    /// CRLs; `aia` asks the one named in each certificate. A revocation source like --crl.
    #[arg(long, value_name = "URL|aia")]
    ocsp: Option<String>,
    /// When a CRL has passed its nextUpdate, fetch the issuer's current CRL from the
    /// certificate's http:// CRL distribution point (used only if the issuer signed it and it is
    /// current); without it an out-of-date CRL refuses logins until the file is replaced.
    #[arg(long)]
    crl_from_cdp: bool,
    /// Trusted root of the TSAs whose CAdES-T timestamps are believed (repeatable).
    #[arg(long = "tsa-ca", value_name = "FILE")]
    tsa_cas: Vec<PathBuf>,
    /// Refuse signed documents (CMS) without a timestamp from a --tsa-ca TSA.
    #[arg(long, requires = "tsa_cas")]
    require_timestamp: bool,
    /// Start without any revocation source: revoked certificates are then accepted.
    /// Development only; the log warns about it.
    #[arg(long)]
    no_revocation_check: bool,
    /// Puts an IIN on the refusal list: IIN=psc or IIN=cls (repeatable).
    #[arg(long = "refuse", value_name = "IIN=DEPT")]
    refusals: Vec<String>,
    /// Records a document for password recovery by e-mail: IIN=NUMBER@YYYY-MM-DD (individual)
    /// or BIN=REGISTRATION_NUMBER (legal entity) (repeatable).
    #[arg(long = "document", value_name = "HOLDER=NUMBER[@DATE]")]
    documents: Vec<String>,
    /// Where the pages reach the local signing service (`qoltanba serve --port N --no-tls`
    /// answers at ws://127.0.0.1:N/).
    #[arg(long, value_name = "URL", default_value = qoltanba_portal::DEFAULT_SIGNER_URL)]
    signer_url: String,
    /// Also send the portal's mail (always recorded in the `outbox` table) through this SMTP
    /// server: smtp://HOST:PORT (plain, a local relay), smtp://USER:PASS@HOST:587?tls=required
    /// (STARTTLS), smtps://USER:PASS@HOST:465 (TLS).
    #[arg(
        long,
        value_name = "URL",
        env = "QOLTANBA_PORTAL_SMTP",
        hide_env_values = true
    )]
    smtp: Option<String>,
    /// Sender address of the portal's mail.
    #[arg(long, value_name = "ADDRESS", default_value = qoltanba_portal::mail::DEFAULT_FROM)]
    mail_from: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        args.signer_url.starts_with("ws://") || args.signer_url.starts_with("wss://"),
        "--signer-url must be a ws:// or wss:// URL"
    );
    let mailer = qoltanba_portal::mail::Mailer::from_options(args.smtp.as_deref(), &args.mail_from)
        .context("--smtp / --mail-from")?;
    let origin = args
        .origin
        .unwrap_or_else(|| format!("http://localhost:{}", args.port));
    let (cas, crls) = if args.cas.is_empty() {
        // A reference portal should work out of the box with the repository's test keystores.
        let test_ca = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../certs-test/ca");
        tracing::warn!("no --ca given: trusting the repository's TEST PKI only");
        let crls = if args.crls.is_empty() && !args.no_revocation_check {
            vec![test_ca.join("intermediate.crl")]
        } else {
            args.crls
        };
        (vec![test_ca.join("chain.pem")], crls)
    } else {
        (args.cas, args.crls)
    };
    // An OCSP responder is a revocation source as a CRL is.
    let sources = crls.len() + usize::from(args.ocsp.is_some());
    let revocation = revocation::policy(cas.len(), sources, args.no_revocation_check)?;
    if revocation == revocation::Revocation::Unchecked {
        tracing::warn!(
            "--no-revocation-check: certificates are NOT checked for revocation; \
             a revoked certificate can log in. Development only"
        );
    }
    let mut trust = TrustStore::new();
    for ca in &cas {
        trust.add_ca_file(ca)?;
    }
    for crl in &crls {
        trust
            .add_crl_file(crl)
            .with_context(|| format!("--crl {}", crl.display()))?;
    }
    if args.crl_from_cdp {
        trust.refresh_crls_from_cdp();
    }
    if let Some(ocsp) = &args.ocsp {
        let responder = (ocsp != "aia").then(|| ocsp.clone());
        trust.set_ocsp(Arc::new(qoltanba_verify::OcspChecker::new(responder)));
    }
    let mut verifier = Verifier::new(origin.clone(), trust);
    if !args.tsa_cas.is_empty() {
        let mut anchors = TrustStore::new();
        for ca in &args.tsa_cas {
            anchors
                .add_ca_file(ca)
                .with_context(|| format!("--tsa-ca {}", ca.display()))?;
        }
        verifier = verifier.with_timestamps(qoltanba_verify::TimestampTrust {
            anchors,
            required: args.require_timestamp,
        });
    }
    let db = qoltanba_portal::db::open(&args.db)
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    for refusal in &args.refusals {
        let (iin, department) = refusal
            .split_once('=')
            .filter(|(_, d)| *d == "psc" || *d == "cls")
            .context("--refuse takes IIN=psc or IIN=cls")?;
        qoltanba_portal::db::add_refusal(&db, iin, department)?;
    }
    for document in &args.documents {
        let (holder, rest) = document
            .split_once('=')
            .context("--document takes HOLDER=NUMBER[@DATE]")?;
        let (number, issued) = rest.split_once('@').unwrap_or((rest, ""));
        qoltanba_portal::db::add_identity_document(&db, holder, number, issued)?;
    }
    // The SMTP URL may carry the relay's password: say only whether mail goes out.
    let smtp = mailer.sends_smtp();
    let portal = qoltanba_portal::Portal::with_options(
        db,
        verifier,
        Arc::new(SystemClock),
        qoltanba_portal::Options {
            signer_url: args.signer_url,
            mailer,
            ..Default::default()
        },
    );
    let pruned = Arc::downgrade(&portal);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(RATE_LIMIT_PRUNING);
        while let Some(portal) = {
            every.tick().await;
            pruned.upgrade()
        } {
            portal.prune_rate_limits();
        }
    });
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    tracing::info!(%address, %origin, db = %args.db.display(), smtp, "portal listening");
    axum::serve(
        listener,
        qoltanba_portal::router(portal).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
