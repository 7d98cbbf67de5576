use clap::{Parser, Subcommand};

use qoltanba::server::cli::{self as serve_cli, ServeArgs, TlsCommand};

/// Qoltanba: signing client for Kazakhstan e-government portals.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local WebSocket service portal pages talk to.
    Serve(ServeArgs),
    /// Manage the local CA for wss://.
    #[command(subcommand)]
    Tls(TlsCommand),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve(args) => serve_cli::run_serve(args),
        Command::Tls(command) => serve_cli::run_tls(command),
    }
}
