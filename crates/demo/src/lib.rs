//! The demo partnerships — medway, sefton, moray and sscp, one per seed procedure — as data:
//! `infra/demo/*.toml`, in the same format as any partnership's file, embedded in the build
//! and loaded with [`partnership::load`]. For trial deployments (`escalations-admin demo`),
//! the local stack and the journey tests.

use escalations_core::Catalogue;
use escalations_core::partnership::{self, PartnershipConfig};

/// The demo files, by name, as shipped.
pub const FILES: [(&str, &str); 4] = [
    (
        "infra/demo/medway.toml",
        include_str!("../../../infra/demo/medway.toml"),
    ),
    (
        "infra/demo/sefton.toml",
        include_str!("../../../infra/demo/sefton.toml"),
    ),
    (
        "infra/demo/moray.toml",
        include_str!("../../../infra/demo/moray.toml"),
    ),
    (
        "infra/demo/sscp.toml",
        include_str!("../../../infra/demo/sscp.toml"),
    ),
];

/// The demo partnerships, loaded and checked against the shipped procedures.
///
/// # Panics
/// If a shipped demo file (or procedure) does not load: a build defect, which this crate's
/// tests catch.
pub fn partnerships() -> Vec<PartnershipConfig> {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("shipped procedure: {e}"));
    FILES
        .iter()
        .map(|(file, text)| {
            partnership::load(file, text, &catalogue)
                .unwrap_or_else(|problems| panic!("{}", problems.join("\n")))
        })
        .collect()
}
