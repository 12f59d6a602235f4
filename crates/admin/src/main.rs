//! `escalations-admin`: check a partnership's configuration file, and load it (or the demo
//! partnerships) into a deployment's DynamoDB table. AWS credentials and region come from the
//! usual places (environment, profile); `--endpoint-url` points at another endpoint (tests).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use escalations_core::Catalogue;
use escalations_core::ids::PartnershipId;
use escalations_core::partnership::{self, PartnershipConfig};
use escalations_store::{CaseFilter, Scope, Store, StoreError, drain_pages};
use escalations_store_dynamodb::DynamoStore;

#[derive(Parser)]
#[command(
    name = "escalations-admin",
    about = "Check and load partnership configuration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a partnership file (TOML) without storing anything.
    Check { file: PathBuf },
    /// Check a partnership file and store it. An existing, different configuration is
    /// replaced only with --replace.
    Put {
        #[command(flatten)]
        table: Table,
        #[arg(long)]
        replace: bool,
        file: PathBuf,
    },
    /// Print a stored partnership's configuration as JSON.
    Show {
        #[command(flatten)]
        table: Table,
        partnership: String,
    },
    /// After an upgrade that adds an index (this release's work queues and retention query),
    /// write every stored case's index entries again from the case itself. Changes no case and
    /// no chronology; safe to run again, and while people work (a case changed meanwhile has
    /// already been indexed by its change).
    Reindex {
        #[command(flatten)]
        table: Table,
        /// Only this partnership (every stored partnership when absent).
        #[arg(long)]
        partnership: Option<String>,
    },
    /// Store the demo partnerships (medway, sefton, moray, sscp) for a trial deployment.
    /// Partnerships already stored are left as they are.
    Demo {
        #[command(flatten)]
        table: Table,
    },
}

#[derive(Args)]
struct Table {
    /// The case table (the stack's CasesTableName output).
    #[arg(long)]
    table: String,
    /// Another DynamoDB endpoint (a local emulator).
    #[arg(long)]
    endpoint_url: Option<String>,
}

impl Table {
    async fn store(&self) -> DynamoStore {
        let mut config = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(url) = &self.endpoint_url {
            config = config.endpoint_url(url);
        }
        let config = config.load().await;
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), &self.table)
    }
}

type Failure = Box<dyn std::error::Error>;

/// Reads and checks a file: every problem, each on its own line, prefixed by the file.
fn read(file: &Path, catalogue: &Catalogue) -> Result<PartnershipConfig, Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| format!("{name}: {e}"))?;
    partnership::load(&name, &text, catalogue).map_err(|problems| problems.join("\n").into())
}

fn describe(config: &PartnershipConfig) -> String {
    format!(
        "{} ({}): {} procedure(s), {} agencies, {} people, {} closure day(s)",
        config.id,
        config.name,
        config.procedures.len(),
        config.agencies.len(),
        config.people.len(),
        config.closure_days.len()
    )
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let catalogue = Catalogue::builtin()?;
    match cli.command {
        Command::Check { file } => {
            let config = read(&file, &catalogue)?;
            println!("{}: ok: {}", file.display(), describe(&config));
        }
        Command::Put {
            table,
            replace,
            file,
        } => {
            let config = read(&file, &catalogue)?;
            let store = table.store().await;
            match store.partnership(&config.id).await? {
                Some(stored) if stored == config => {
                    println!("unchanged: {}", describe(&config));
                    return Ok(());
                }
                Some(_) if !replace => {
                    return Err(format!(
                        "{} is already stored with a different configuration; nothing was \
                         changed. Check the file against `escalations-admin show`, then run \
                         again with --replace",
                        config.id
                    )
                    .into());
                }
                _ => {}
            }
            store.put_partnership(&config).await?;
            println!("stored: {}", describe(&config));
        }
        Command::Show { table, partnership } => {
            let id = PartnershipId::parse(&partnership)?;
            let store = table.store().await;
            let config = store
                .partnership(&id)
                .await?
                .ok_or_else(|| format!("{id} is not stored in {}", table.table))?;
            println!("{}", serde_json::to_string_pretty(&config)?);
        }
        Command::Reindex { table, partnership } => {
            let store = table.store().await;
            let partnerships = match partnership {
                Some(id) => vec![PartnershipId::parse(&id)?],
                None => store.partnerships().await?,
            };
            for partnership in &partnerships {
                let cases = drain_pages(|page| {
                    let store = &store;
                    async move {
                        store
                            .list_cases(
                                partnership,
                                &Scope::Partnership,
                                &CaseFilter::default(),
                                &page,
                            )
                            .await
                    }
                })
                .await?;
                let (mut done, mut changed_meanwhile) = (0, 0);
                for case in &cases {
                    match store.reindex(partnership, &case.id).await {
                        Ok(true) => done += 1,
                        Ok(false) => {}
                        Err(StoreError::Conflict { .. }) => changed_meanwhile += 1,
                        Err(e) => return Err(e.into()),
                    }
                }
                println!(
                    "{partnership}: {done} case(s) re-indexed, {changed_meanwhile} changed meanwhile (indexed by their change)"
                );
            }
        }
        Command::Demo { table } => {
            let store = table.store().await;
            for config in escalations_demo::partnerships() {
                if store.partnership(&config.id).await?.is_some() {
                    println!("already stored, left as it is: {}", config.id);
                } else {
                    store.put_partnership(&config).await?;
                    println!("stored: {}", describe(&config));
                }
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
