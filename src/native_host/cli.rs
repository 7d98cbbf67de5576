//! `qoltanba native-host [install|uninstall]`: flags and the code that runs them.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use super::manifest::{self, Browser, ManifestError};

/// Flags of `qoltanba native-host`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct NativeHostArgs {
    #[command(subcommand)]
    pub action: Option<HostAction>,
    /// What the browser passes when it starts the host (the extension's origin, or Firefox's
    /// manifest path and extension id); informational only.
    #[arg(hide = true, allow_hyphen_values = true)]
    pub caller: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum HostAction {
    /// Write the host manifest so the Qoltanba extension can start this program.
    Install(Target),
    /// Remove the host manifest.
    Uninstall(Target),
}

#[derive(Debug, Args)]
pub struct Target {
    /// One browser (default: Chrome, Chromium, Edge and Firefox; with --profile, Chromium).
    #[arg(long, value_enum)]
    pub browser: Option<Browser>,
    /// A Chromium-family user data dir: the manifest goes into its own NativeMessagingHosts/.
    #[arg(long, value_name = "DIR")]
    pub profile: Option<PathBuf>,
}

impl Target {
    fn folders(&self) -> anyhow::Result<Vec<(Browser, PathBuf)>> {
        if let Some(profile) = &self.profile {
            let browser = self.browser.unwrap_or(Browser::Chromium);
            return Ok(vec![(browser, manifest::profile_dir(browser, profile)?)]);
        }
        let home = directories::BaseDirs::new()
            .map(|d| d.home_dir().to_path_buf())
            .ok_or(ManifestError::NoHome)?;
        let browsers = match self.browser {
            Some(browser) => vec![browser],
            None => Browser::ALL.to_vec(),
        };
        Ok(browsers
            .into_iter()
            .map(|b| (b, manifest::user_dir(b, &home)))
            .collect())
    }
}

/// Runs the host, or installs/uninstalls its manifest.
pub fn run(args: NativeHostArgs) -> anyhow::Result<()> {
    match args.action {
        None => super::run(),
        Some(HostAction::Install(target)) => {
            let qoltanba = std::env::current_exe().context("cannot find this program's path")?;
            for (browser, dir) in target.folders()? {
                let path = manifest::install(&dir, browser, &qoltanba)
                    .with_context(|| format!("cannot write the manifest into {}", dir.display()))?;
                println!("{browser:?}: {}", path.display());
            }
            println!("Restart the browser, then install the Qoltanba extension.");
            Ok(())
        }
        Some(HostAction::Uninstall(target)) => {
            for (browser, dir) in target.folders()? {
                let removed = manifest::uninstall(&dir).with_context(|| {
                    format!("cannot remove the manifest from {}", dir.display())
                })?;
                let what = if removed { "removed" } else { "not installed" };
                println!("{browser:?}: {what} ({})", dir.display());
            }
            Ok(())
        }
    }
}
