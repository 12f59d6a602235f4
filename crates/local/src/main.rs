//! `escalations-local`: the whole product on one localhost port, for demos and self-hosting
//! trials. See the README.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(
    about = "Run Escalations locally: the web page, API, embedded store, demo partnerships and users"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The embedded store's file.
    #[arg(long, default_value = ".local/escalations.db")]
    data: PathBuf,
    /// Where notices are written, one `.eml` file each [default: `outbox` beside the data file]
    #[arg(long)]
    outbox: Option<PathBuf>,
    /// Seconds between sweeps (0: only `POST /dev/sweep`).
    #[arg(long, default_value_t = 30)]
    sweep_every: u64,
    /// The built web page [default: the repository's `frontend/dist`]
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let outbox = args.outbox.clone().unwrap_or_else(|| {
        args.data
            .parent()
            .map_or_else(|| PathBuf::from("outbox"), |dir| dir.join("outbox"))
    });
    escalations_local::serve(escalations_local::Options {
        data_file: args.data,
        addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
        outbox,
        sweep_every: (args.sweep_every > 0)
            .then(|| std::time::Duration::from_secs(args.sweep_every)),
        site: args
            .site
            .unwrap_or_else(escalations_local::site::default_dir),
    })
    .await
}
