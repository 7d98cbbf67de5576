//! `qoltanba`: the command line over the core — list and inspect keystores, sign files, serve.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use qoltanba::keystore::{self, Entry, Keystore};
use qoltanba::server::cli as serve_cli;
use qoltanba::sign::{self, xml::XmlLayout, EntrySigner, SignOptions};
use time::OffsetDateTime;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "qoltanba",
    version,
    about = "Sign with NCA RK keystores (PKCS#12) for Kazakhstan e-government portals"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find and inspect keystores.
    #[command(subcommand)]
    Certs(CertsCommand),
    /// Sign a file with a keystore.
    Sign(SignArgs),
    /// Run the local WebSocket service portal pages talk to.
    Serve(serve_cli::ServeArgs),
    /// Manage the local CA for wss://.
    #[command(subcommand)]
    Tls(serve_cli::TlsCommand),
    /// The browser extension's native-messaging host (the browser starts it); install/uninstall
    /// write or remove its manifest.
    NativeHost(qoltanba::native_host::cli::NativeHostArgs),
}

#[derive(Subcommand)]
enum CertsCommand {
    /// List the keystore files (*.p12, *.pfx) in folders.
    List {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Look into sub-folders too.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Show the certificates of a keystore and their NCA classification.
    Show {
        file: PathBuf,
        #[command(flatten)]
        password: PasswordArgs,
        /// One JSON object per key entry instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct PasswordArgs {
    /// Read the password from this file (first line); otherwise ask on the terminal.
    #[arg(long, value_name = "F")]
    password_file: Option<PathBuf>,
}

#[derive(Args)]
struct SignArgs {
    format: Format,
    #[arg(long, value_name = "FILE")]
    keystore: PathBuf,
    #[command(flatten)]
    password: PasswordArgs,
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    #[arg(long = "out", value_name = "FILE")]
    output: PathBuf,
    /// CMS: leave the content out of the signature.
    #[arg(long)]
    detached: bool,
    /// Sign even though the certificate has expired.
    #[arg(long)]
    allow_expired: bool,
    /// CMS: write PEM (-----BEGIN CMS-----) instead of DER.
    #[arg(long)]
    pem: bool,
    /// CMS: add an RFC 3161 signature timestamp from this TSA (CAdES-T), e.g.
    /// http://tsp.pki.gov.kz; the signature is not written if the timestamp fails.
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// XML: layout of the ds:Signature element.
    #[arg(long, value_enum, default_value_t = Layout::Compact)]
    layout: Layout,
    /// Which key entry to use when the keystore holds several (its alias).
    #[arg(long)]
    alias: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// CMS SignedData (attached, or --detached).
    Cms,
    /// Enveloped XMLDSig appended to the document's root element.
    Xml,
    /// A bare signature: RSASSA-PKCS1-v1_5 SHA-256, or GOST 34.10-2015 r‖s (KZ byte order).
    Raw,
}

#[derive(Clone, Copy, ValueEnum)]
enum Layout {
    /// No whitespace inside ds:Signature (what egov.kz accepts).
    Compact,
    /// CRLF line breaks and base64 wrapped at 76 columns (NCALayer's signXml).
    Wrapped,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Certs(CertsCommand::List { dirs, recursive }) => list(&dirs, recursive),
        Command::Certs(CertsCommand::Show {
            file,
            password,
            json,
        }) => show(&file, &password, json),
        Command::Sign(args) => sign_file(&args),
        Command::Serve(args) => serve_cli::run_serve(args),
        Command::Tls(command) => serve_cli::run_tls(command),
        Command::NativeHost(args) => qoltanba::native_host::cli::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("qoltanba: {error:#}");
            let code = error
                .downcast_ref::<qoltanba::Error>()
                .map_or(1, qoltanba::Error::exit_code);
            ExitCode::from(code)
        }
    }
}

fn list(dirs: &[PathBuf], recursive: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for path in keystore::find(dirs, recursive) {
        writeln!(out, "{}", path.display())?;
    }
    Ok(())
}

fn read_password(args: &PasswordArgs) -> anyhow::Result<Zeroizing<String>> {
    let password = match &args.password_file {
        Some(file) => {
            let text =
                Zeroizing::new(std::fs::read_to_string(file).with_context(|| {
                    format!("cannot read the password file {}", file.display())
                })?);
            Zeroizing::new(text.lines().next().unwrap_or_default().to_string())
        }
        None => Zeroizing::new(
            rpassword::prompt_password("Password: ").context("cannot read the password")?,
        ),
    };
    Ok(password)
}

fn open(file: &Path, password: &PasswordArgs) -> anyhow::Result<Keystore> {
    let password = read_password(password)?;
    keystore::open(file, &password)
        .map_err(|e| anyhow::Error::new(e).context(file.display().to_string()))
}

fn show(file: &Path, password: &PasswordArgs, json: bool) -> anyhow::Result<()> {
    let store = open(file, password)?;
    let now = OffsetDateTime::now_utc();
    let mut out = std::io::stdout().lock();
    for entry in &store.entries {
        if json {
            writeln!(out, "{}", entry_json(file, entry, now))?;
        } else {
            write_entry_text(&mut out, entry, now)?;
        }
    }
    Ok(())
}

fn entry_json(file: &Path, entry: &Entry, now: OffsetDateTime) -> serde_json::Value {
    let mut value = serde_json::to_value(&entry.certificate.info).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("path".into(), file.display().to_string().into());
        object.insert("alias".into(), entry.alias.clone().into());
        object.insert(
            "expired".into(),
            entry.certificate.is_expired_at(now).into(),
        );
    }
    value
}

fn write_entry_text(
    out: &mut impl Write,
    entry: &Entry,
    now: OffsetDateTime,
) -> std::io::Result<()> {
    let info = &entry.certificate.info;
    let none = || "-".to_string();
    let date = |t| qoltanba::cert::format_date(t);
    let rows = [
        ("Owner", info.full_name.clone().unwrap_or_else(none)),
        ("IIN", info.iin.clone().unwrap_or_else(none)),
        ("BIN", info.bin.clone().unwrap_or_else(none)),
        (
            "Organisation",
            info.organization.clone().unwrap_or_else(none),
        ),
        ("E-mail", info.email.clone().unwrap_or_else(none)),
        ("Purpose", format!("{:?}", info.purpose).to_uppercase()),
        (
            "Holder",
            format!(
                "{:?}{}",
                info.holder,
                info.role.map(|r| format!(" ({r:?})")).unwrap_or_default()
            ),
        ),
        ("Algorithm", info.algorithm.to_string()),
        (
            "Valid",
            format!(
                "{} to {}{}",
                date(info.not_before),
                date(info.not_after),
                if entry.certificate.is_expired_at(now) {
                    " (EXPIRED)"
                } else {
                    ""
                }
            ),
        ),
        ("Serial", info.serial.clone()),
        ("Issuer", info.issuer.clone()),
        ("SHA-256", info.sha256_fingerprint.clone()),
        ("Key usage", info.key_usage.join(", ")),
        ("Ext. key usage", info.ext_key_usage.join(", ")),
        ("Policies", info.policies.join(", ")),
        ("Alias", entry.alias.clone().unwrap_or_else(none)),
    ];
    for (label, value) in rows {
        writeln!(out, "{label:<15} {value}")?;
    }
    writeln!(out)
}

fn sign_file(args: &SignArgs) -> anyhow::Result<()> {
    let input = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let store = open(&args.keystore, &args.password)?;
    let entry = match &args.alias {
        Some(alias) => store
            .entries
            .iter()
            .find(|e| e.alias.as_deref() == Some(alias))
            .with_context(|| format!("no key with alias {alias} in the keystore"))?,
        None => store.entries.first().ok_or(qoltanba::Error::NoPrivateKey)?,
    };
    let options = SignOptions {
        now: OffsetDateTime::now_utc(),
        allow_expired: args.allow_expired,
    };
    let signer = EntrySigner::new(entry, options)?;
    let output = match args.format {
        Format::Raw | Format::Xml if args.tsa.is_some() => {
            anyhow::bail!("--tsa is only for cms signatures")
        }
        Format::Raw => sign::sign_raw(&signer, &input)?,
        Format::Cms => {
            let der =
                sign::cms::sign_cms(&signer, &input, args.detached, std::time::SystemTime::now())
                    .map_err(qoltanba::Error::from)?;
            let der = match &args.tsa {
                Some(url) => {
                    let tsa = qoltanba::protocol::Tsa::http(qoltanba::timestamp::TsaSettings {
                        url: url.clone(),
                        policy: None,
                    });
                    tsa.stamp(&der)
                        .map_err(|e| qoltanba::Error::Timestamp(e.to_string()))?
                }
                None => der,
            };
            if args.pem {
                sign::cms::to_pem(&der).into_bytes()
            } else {
                der
            }
        }
        Format::Xml => {
            let text = std::str::from_utf8(&input)
                .map_err(|_| qoltanba::Error::InvalidXml("the file is not UTF-8 text".into()))?;
            let layout = match args.layout {
                Layout::Compact => XmlLayout::Compact,
                Layout::Wrapped => XmlLayout::Wrapped,
            };
            sign::xml::sign_enveloped(text, &signer, layout)
                .map_err(qoltanba::Error::from)?
                .into_bytes()
        }
    };
    std::fs::write(&args.output, output)
        .with_context(|| format!("cannot write {}", args.output.display()))
}
