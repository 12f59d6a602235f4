//! The commands, each a function from parsed arguments to the text it prints.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use clap::{Parser, Subcommand};
use escalations_core::calendar::{self, GovUkBankHolidays};
use escalations_core::procedure::{self, ClockStart, Party, Subject};
use escalations_core::timescale::{ZONE, local_date};
use escalations_core::{Calendar, Catalogue, Division, Procedure, Timescale};

#[derive(Parser, Debug)]
#[command(
    name = "escalations",
    version,
    about = "Multi-agency escalation procedures for safeguarding children partnerships",
    long_about = "Multi-agency escalation procedures for safeguarding children partnerships: \
                  list and check procedures, compute due dates, list bank holidays."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the procedures shipped with the product, or show or check one.
    Procedures {
        #[command(subcommand)]
        action: Option<ProceduresAction>,
    },
    /// Print when a clock started at an instant falls due (last line: RFC 3339 UTC).
    Due {
        /// Procedure id, e.g. `sefton`.
        #[arg(long)]
        procedure: String,
        /// Stage id within the procedure, e.g. `step-2`.
        #[arg(long)]
        stage: String,
        /// Clock id within the stage; the stage's first clock when omitted.
        #[arg(long)]
        clock: Option<String>,
        /// The instant the clock started, RFC 3339 (e.g. 2026-12-23T15:00:00Z).
        #[arg(long, required_unless_present = "stated", conflicts_with = "stated")]
        from: Option<String>,
        /// For a clock that runs from a meeting or discussion ("within 72 hours of the
        /// meeting"): when it took place, RFC 3339.
        #[arg(long, value_name = "INSTANT")]
        stated: Option<String>,
        /// A partnership closure day (YYYY-MM-DD); repeat for several.
        #[arg(long = "closure-day", value_name = "YYYY-MM-DD")]
        closure_days: Vec<String>,
        /// A GOV.UK bank-holidays.json file whose years replace the built-in rules.
        #[arg(long, value_name = "FILE")]
        bank_holidays: Option<PathBuf>,
    },
    /// Print a year's bank holidays for a division, one per line: ISO date, then the name.
    Holidays {
        /// england-and-wales, scotland or northern-ireland.
        #[arg(long)]
        division: String,
        #[arg(long)]
        year: i32,
        /// A GOV.UK bank-holidays.json file whose years replace the built-in rules.
        #[arg(long, value_name = "FILE")]
        bank_holidays: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum ProceduresAction {
    /// Print a procedure's stages and clocks as a table.
    Show { id: String },
    /// Validate a procedure file; exits 1 with the problem if it is not valid.
    Check { file: PathBuf },
}

pub fn run(cli: Cli) -> Result<String, String> {
    match cli.command {
        Command::Procedures { action: None } => list_procedures(),
        Command::Procedures {
            action: Some(ProceduresAction::Show { id }),
        } => show_procedure(&id),
        Command::Procedures {
            action: Some(ProceduresAction::Check { file }),
        } => check_procedure(&file),
        Command::Due {
            procedure,
            stage,
            clock,
            from,
            stated,
            closure_days,
            bank_holidays,
        } => due(
            &procedure,
            &stage,
            clock.as_deref(),
            Start::of(from, stated),
            &closure_days,
            bank_holidays,
        ),
        Command::Holidays {
            division,
            year,
            bank_holidays,
        } => holidays(&division, year, bank_holidays),
    }
}

fn catalogue() -> Result<Catalogue, String> {
    Catalogue::builtin().map_err(|e| format!("a shipped procedure is invalid: {e}"))
}

fn choices<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().collect::<Vec<_>>().join(", ")
}

fn find<'c>(catalogue: &'c Catalogue, id: &str) -> Result<&'c Procedure, String> {
    catalogue.get(id).ok_or_else(|| {
        format!(
            "unknown procedure `{id}`: choose one of {}",
            choices(catalogue.ids())
        )
    })
}

fn list_procedures() -> Result<String, String> {
    let catalogue = catalogue()?;
    let rows: Vec<Vec<String>> = catalogue
        .iter()
        .map(|p| vec![p.id.to_string(), p.name.clone()])
        .collect();
    Ok(table(&["ID", "NAME"], &rows))
}

fn party(party: Party) -> &'static str {
    match party {
        Party::Raising => "raising agency",
        Party::Receiving => "receiving agency",
        Party::Partnership => "partnership",
    }
}

fn show_procedure(id: &str) -> Result<String, String> {
    let catalogue = catalogue()?;
    let p = find(&catalogue, id)?;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", p.id, p.name);
    let _ = writeln!(out, "Partnership: {}", p.partnership);
    let _ = writeln!(
        out,
        "Calendar:    {} bank holidays ({})",
        p.division.name(),
        p.division
    );
    let _ = writeln!(
        out,
        "About:       {}",
        match p.subject {
            Subject::Child => "one child",
            Subject::Practice => "multi-agency practice, not one child",
            Subject::Agency => "one agency's part in the partnership, not one child",
        }
    );
    let raised_by: Vec<String> = p
        .raised_by
        .iter()
        .map(|r| format!("{r:?}").to_lowercase())
        .collect();
    let _ = writeln!(out, "Raised by:   {}", raised_by.join(", "));
    if let Some(before) = &p.before {
        let _ = writeln!(out, "Before:      {}", one_line(before));
    }
    let _ = writeln!(out);

    let mut rows = Vec::new();
    for stage in &p.stages {
        if stage.clocks.is_empty() {
            rows.push(vec![
                stage.id.to_string(),
                "—".to_owned(),
                "no timescale".to_owned(),
                format!("{} ({})", stage.asked.role, party(stage.asked.party)),
                "respond".to_owned(),
            ]);
        }
        for clock in &stage.clocks {
            rows.push(vec![
                stage.id.to_string(),
                clock.id.to_string(),
                clock.timescale.to_string(),
                format!("{} ({})", clock.who, party(clock.owner)),
                clock.action.verb().to_owned(),
            ]);
        }
    }
    out.push_str(&table(
        &["STAGE", "CLOCK", "TIMESCALE", "WHO MUST ACT", "MET BY"],
        &rows,
    ));

    let _ = writeln!(out);
    for stage in &p.stages {
        let _ = writeln!(out, "{}: {}", stage.id, stage.name);
        let _ = writeln!(out, "  asked: {}", stage.asked.role);
        if let Some(level) = stage.asked.level {
            let _ = writeln!(out, "  answered by: a {} or above", level.label());
        }
        if let Some(level) = stage.escalated_by {
            let _ = writeln!(
                out,
                "  escalated by: a {} or above on the raising side",
                level.label()
            );
        }
        let line = (stage.asked.line.as_ref())
            .and_then(|line| p.line_management.iter().find(|l| &l.id == line));
        for (kind, role) in line.iter().flat_map(|line| &line.roles) {
            let _ = writeln!(out, "    {}: {role}", kind.label());
        }
        for (kind, role) in &stage.asked.by_agency {
            let _ = writeln!(out, "    {}: {role}", kind.label());
        }
        if !stage.requires.is_empty() {
            let required: Vec<&str> = stage.requires.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(out, "  needs first: {}", required.join(", "));
        }
        for mailbox in &stage.copy {
            if let Some(m) = p.mailboxes.get(mailbox) {
                let _ = writeln!(out, "  copy to: {} (mailbox `{mailbox}`)", m.name);
            }
        }
        for inform in &stage.inform {
            let when = match inform.when {
                procedure::InformWhen::Always => "always",
                procedure::InformWhen::ChildProtectionPlan => {
                    "if the child has a child protection plan"
                }
                procedure::InformWhen::InCare => "if the child is in care",
            };
            let _ = writeln!(out, "  inform: {} ({when})", inform.who);
        }
        if let Some(form) = stage.form.as_ref().and_then(|f| p.form(f)) {
            let _ = writeln!(out, "  form: {} ({} fields)", form.title, form.fields.len());
        }
    }
    if !p.reasons.is_empty() {
        let _ = writeln!(out, "\nReasons for escalation:");
        for reason in &p.reasons {
            let _ = writeln!(out, "  {}: {}", reason.id, reason.label);
        }
    }
    if !p.levels_of_need.is_empty() {
        let _ = writeln!(out, "\nLevels of need:");
        for level in &p.levels_of_need {
            let _ = writeln!(out, "  {}: {}", level.id, level.label);
        }
    }
    for form in &p.forms {
        let _ = writeln!(out, "\nForm {}: {}", form.id, form.title);
        if let Some(marking) = &form.marking {
            let _ = writeln!(
                out,
                "  marked {marking} at the top and bottom of every page"
            );
        }
        for field in &form.fields {
            let _ = writeln!(out, "  {}", describe_field(field));
            for column in &field.columns {
                let _ = writeln!(out, "    {}", describe_field(column));
            }
        }
    }
    Ok(out)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_procedure(file: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let p = procedure::load(&file.display().to_string(), &text).map_err(|e| e.to_string())?;
    let clocks: usize = p.stages.iter().map(|s| s.clocks.len()).sum();
    Ok(format!(
        "ok: {} — {} ({} stages, {clocks} clocks)\n",
        p.id,
        p.name,
        p.stages.len()
    ))
}

fn imported(path: Option<PathBuf>) -> Result<Option<GovUkBankHolidays>, String> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    GovUkBankHolidays::parse(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// When the clock started: `--from`, or `--stated` for a clock that runs from a meeting.
enum Start {
    From(String),
    Stated(String),
}

impl Start {
    fn of(from: Option<String>, stated: Option<String>) -> Start {
        match (from, stated) {
            (_, Some(stated)) => Start::Stated(stated),
            (from, None) => Start::From(from.unwrap_or_default()),
        }
    }
}

fn due(
    procedure_id: &str,
    stage_id: &str,
    clock_id: Option<&str>,
    start: Start,
    closure_days: &[String],
    bank_holidays: Option<PathBuf>,
) -> Result<String, String> {
    let catalogue = catalogue()?;
    let p = find(&catalogue, procedure_id)?;
    let stage = p.stage(stage_id).ok_or_else(|| {
        format!(
            "unknown stage `{stage_id}` in {}: choose one of {}",
            p.id,
            choices(p.stages.iter().map(|s| s.id.as_str()))
        )
    })?;
    let clock = match clock_id {
        None => stage.clocks.first().ok_or_else(|| {
            format!(
                "stage `{}` of {} has no timescale; stages with one: {}",
                stage.id,
                p.id,
                choices(
                    p.stages
                        .iter()
                        .filter(|s| !s.clocks.is_empty())
                        .map(|s| s.id.as_str())
                )
            )
        })?,
        Some(id) => stage.clock(id).ok_or_else(|| {
            if stage.clocks.is_empty() {
                format!("stage `{}` of {} has no clocks", stage.id, p.id)
            } else {
                format!(
                    "unknown clock `{id}` in stage `{}` of {}: choose one of {}",
                    stage.id,
                    p.id,
                    choices(stage.clocks.iter().map(|c| c.id.as_str()))
                )
            }
        })?,
    };
    let (option, from) = match start {
        Start::From(from) => ("--from", from),
        Start::Stated(stated) => {
            if !matches!(clock.starts, ClockStart::Stated { .. }) {
                return Err(format!(
                    "clock `{}` of stage `{}` does not run from a stated meeting or discussion: give --from, the instant it started",
                    clock.id, stage.id
                ));
            }
            ("--stated", stated)
        }
    };
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339(&from)
        .map_err(|e| {
            format!(
                "{option} `{from}` is not an RFC 3339 instant ({e}): write it like 2026-12-23T15:00:00Z"
            )
        })?
        .with_timezone(&Utc);
    let closures = closure_days
        .iter()
        .map(|d| {
            d.parse::<NaiveDate>()
                .map_err(|_| format!("--closure-day `{d}` is not a date: write it like 2026-12-29"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut calendar = Calendar::new(p.division).with_closure_days(closures);
    if let Some(file) = imported(bank_holidays)? {
        calendar = calendar.with_imported(file);
    }
    let due = clock
        .timescale
        .due(start, &calendar)
        .map_err(|e| e.to_string())?;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {}: {} ({} bank holidays{})",
        p.id,
        stage.id,
        clock.id,
        clock.timescale,
        p.division,
        if calendar.closure_days().is_empty() {
            String::new()
        } else {
            format!(", {} closure days", calendar.closure_days().len())
        }
    );
    let _ = writeln!(
        out,
        "started {} (local date {})",
        start.with_timezone(&ZONE).format("%a %-d %b %Y %H:%M %Z"),
        local_date(start)
    );
    let local_due = due.with_timezone(&ZONE).format("%a %-d %b %Y %H:%M %Z");
    if matches!(clock.timescale, Timescale::Hours(_)) {
        let _ = writeln!(out, "due     {local_due} (elapsed time)");
    } else {
        // Day-based clocks end at local midnight: name the last day, which is what people
        // mean by "due on".
        let last_day = local_date(due - chrono::Duration::seconds(1));
        let _ = writeln!(
            out,
            "due     end of {} (local midnight: {local_due})",
            last_day.format("%a %-d %b %Y")
        );
    }
    let _ = writeln!(out, "{}", due.to_rfc3339_opts(SecondsFormat::Secs, true));
    Ok(out)
}

fn holidays(division: &str, year: i32, bank_holidays: Option<PathBuf>) -> Result<String, String> {
    let division: Division = division
        .parse()
        .map_err(|e: calendar::UnknownDivision| e.to_string())?;
    let mut calendar = Calendar::new(division);
    if let Some(file) = imported(bank_holidays)? {
        calendar = calendar.with_imported(file);
    }
    let days = calendar.bank_holidays(year).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for day in days {
        let _ = writeln!(out, "{} {}", day.date, day.title);
    }
    Ok(out)
}

/// Left-aligned columns separated by two spaces.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One form field on a line: id, label, kind and what the procedure says of it.
fn describe_field(field: &procedure::Field) -> String {
    let mut notes = vec![field.kind.name().to_owned()];
    if field.required {
        notes.push("required".into());
    }
    if field.personal {
        notes.push("personal".into());
    }
    if !field.options.is_empty() {
        notes.push(format!("options: {}", field.options.join(" | ")));
    }
    if let Some(prefill) = &field.prefill {
        notes.push(format!("prefill: {prefill}"));
    }
    if let Some(side) = field.filled_by {
        let when = if field.after_closure {
            ", also after closure"
        } else {
            ""
        };
        notes.push(format!("filled by {}{when}", side.describe()));
    }
    format!("{}: {} [{}]", field.id, field.label, notes.join("; "))
}
