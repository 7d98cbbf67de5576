//! Checks one `qoltanba.login` reply (JSON on stdin) for an origin and challenge, as a portal's
//! server would; prints the identity as JSON, or the reason on stderr with exit status 1.
//! Usage: check_login ORIGIN CHALLENGE CA_PEM [CRL_PEM]  (browser tests of the extension use it)

use std::io::Read;

use qoltanba_verify::{TrustStore, Verifier};

fn main() -> std::process::ExitCode {
    match run() {
        Ok(identity) => {
            println!("{identity}");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("check_login: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [origin, challenge, ca, rest @ ..] = args.as_slice() else {
        return Err("usage: check_login ORIGIN CHALLENGE CA_PEM [CRL_PEM]".into());
    };
    let mut trust = TrustStore::new();
    trust.add_ca_file(ca)?;
    if let Some(crl) = rest.first() {
        trust.add_crl_file(crl)?;
    }
    let mut reply = String::new();
    std::io::stdin().read_to_string(&mut reply)?;
    let identity = Verifier::new(origin.as_str(), trust).check_login(
        &reply,
        challenge,
        time::OffsetDateTime::now_utc(),
    )?;
    Ok(serde_json::to_string(&identity)?)
}
