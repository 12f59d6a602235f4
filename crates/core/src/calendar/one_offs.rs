//! The one-off changes to the bank-holiday rules, made by royal proclamation for one year.

use super::rules::Rule;

/// A change made by proclamation for one year.
pub(super) enum OneOff {
    /// A regular holiday moved to another date (and possibly retitled).
    Moved {
        rule: Rule,
        to: (i32, u32, u32),
        title: &'static str,
    },
    /// An extra holiday in every division.
    Extra {
        on: (i32, u32, u32),
        title: &'static str,
    },
}

/// Royal proclamations since the rules began. GOV.UK's list starts in 2012; earlier entries
/// come from the proclamations themselves. New ones after a release arrive by GOV.UK import.
pub(super) const ONE_OFFS: &[OneOff] = &[
    OneOff::Moved {
        rule: Rule::EarlyMay,
        to: (1995, 5, 8),
        title: "Early May bank holiday (VE day)",
    },
    OneOff::Extra {
        on: (1999, 12, 31),
        title: "Millennium Day",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2002, 6, 4),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2002, 6, 3),
        title: "Golden Jubilee bank holiday",
    },
    OneOff::Extra {
        on: (2011, 4, 29),
        title: "Royal wedding",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2012, 6, 4),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2012, 6, 5),
        title: "Queen’s Diamond Jubilee",
    },
    OneOff::Moved {
        rule: Rule::EarlyMay,
        to: (2020, 5, 8),
        title: "Early May bank holiday (VE day)",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2022, 6, 2),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2022, 6, 3),
        title: "Platinum Jubilee bank holiday",
    },
    OneOff::Extra {
        on: (2022, 9, 19),
        title: "Bank Holiday for the State Funeral of Queen Elizabeth II",
    },
    OneOff::Extra {
        on: (2023, 5, 8),
        title: "Bank holiday for the coronation of King Charles III",
    },
];
