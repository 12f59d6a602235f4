//! The procedures shipped with the product, embedded in the build, as a catalogue.

use super::{Procedure, ProcedureError, load};

/// The procedures shipped with the product, embedded in the build.
pub const BUILTIN: [(&str, &str); 7] = [
    ("medway.toml", include_str!("../../procedures/medway.toml")),
    (
        "medway-ppa.toml",
        include_str!("../../procedures/medway-ppa.toml"),
    ),
    ("sefton.toml", include_str!("../../procedures/sefton.toml")),
    ("moray.toml", include_str!("../../procedures/moray.toml")),
    (
        "sscp-mset.toml",
        include_str!("../../procedures/sscp-mset.toml"),
    ),
    (
        "sscp-mset-non-attendance.toml",
        include_str!("../../procedures/sscp-mset-non-attendance.toml"),
    ),
    (
        "sscp-mset-partner-non-attendance.toml",
        include_str!("../../procedures/sscp-mset-partner-non-attendance.toml"),
    ),
];

/// A set of procedures with unique ids.
#[derive(Clone, Debug)]
pub struct Catalogue {
    procedures: Vec<Procedure>,
}

impl Catalogue {
    /// The shipped procedures. Each is validated as it loads; tests keep them valid.
    pub fn builtin() -> Result<Catalogue, ProcedureError> {
        let procedures = BUILTIN
            .iter()
            .map(|(file, text)| load(file, text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalogue { procedures })
    }

    pub fn get(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Procedure> {
        self.procedures.iter()
    }

    pub fn ids(&self) -> Vec<&str> {
        self.procedures.iter().map(|p| p.id.as_str()).collect()
    }
}
