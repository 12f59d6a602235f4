//! Calendar feeds: a person's deadlines as an iCalendar file (RFC 5545) their calendar
//! (Outlook, Google) subscribes to through a secret, revocable URL, and one case's deadline as
//! a downloaded `.ics`.
//!
//! What a feed holds is the work queue (`queue.rs`): one event per move the person must make
//! by a due instant, one per case in which their agency owns open agreed actions. An event
//! says the case reference, the procedure and stage by name, what is due in the procedure's
//! words, by when, and links to the case page — never the child's name, date of birth or
//! address, nor any text a person typed (least data, as notices).
//!
//! The URL's token is `{partnership}.{person}.{secret}`: the ids find the feed, the secret
//! (32 random bytes, base64url) proves it. The store keeps only the secret's SHA-256 hash,
//! compared in constant time; an unknown, replaced or revoked token all answer "no such feed".

use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use escalations_core::access::{CasePart, Principal};
use escalations_core::case::Actor;
use escalations_core::ids::{CaseId, ClockId, PartnershipId, PersonId, StageId};
use escalations_core::procedure::Action;
use escalations_core::timescale::ZONE;
use escalations_core::words::{due_day, due_words};
use escalations_store::{CalendarFeed, PartnershipConfig, StoreError};
use icalendar::{Calendar, Component, Event, EventLike};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::view::ViewError;
use crate::{App, NotSetUp, ProcedureMissing};

/// The secret of a feed URL, before encoding.
const SECRET_BYTES: usize = 32;

/// A calendar feed's token, as its URL carries it: `{partnership}.{person}.{secret}`. Ids are
/// kebab case and base64url has no `.`, so the three parts split unambiguously.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken {
    partnership: PartnershipId,
    person: PersonId,
    secret: String,
}

impl FeedToken {
    /// A new token for `who`, from 32 fresh random bytes.
    fn generate(partnership: &PartnershipId, person: &PersonId) -> FeedToken {
        let mut bytes = [0u8; SECRET_BYTES];
        // Two version-4 UUIDs come from the operating system's generator (getrandom): 244
        // random bits, as the partnership's match secret.
        for (chunk, uuid) in bytes
            .chunks_mut(16)
            .zip([uuid::Uuid::new_v4(), uuid::Uuid::new_v4()])
        {
            chunk.copy_from_slice(uuid.as_bytes());
        }
        FeedToken {
            partnership: partnership.clone(),
            person: person.clone(),
            secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// The token of a URL; `None` for anything not shaped like one.
    pub fn parse(token: &str) -> Option<FeedToken> {
        let mut parts = token.split('.');
        let (p, person, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(secret)
            .ok()?;
        if decoded.len() != SECRET_BYTES {
            return None;
        }
        Some(FeedToken {
            partnership: PartnershipId::parse(p).ok()?,
            person: PersonId::parse(person).ok()?,
            secret: secret.to_owned(),
        })
    }

    /// What the store keeps: SHA-256 of the secret.
    fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.secret.as_bytes()).into()
    }

    /// The token as the URL carries it. Never log it.
    pub fn expose(&self) -> String {
        format!("{}.{}.{}", self.partnership, self.person, self.secret)
    }
}

/// Debug never shows the secret.
impl std::fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedToken")
            .field("partnership", &self.partnership)
            .field("person", &self.person)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// Unknown, replaced or revoked, or its person no longer in the partnership: all alike.
    #[error("no such calendar feed")]
    NoSuchFeed,
    /// The case has no running clock: nothing falls due.
    #[error("nothing in this case falls due now")]
    NoDeadline,
    #[error(transparent)]
    View(#[from] ViewError),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    ProcedureMissing(#[from] ProcedureMissing),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] crate::QueueError),
}

/// When a deadline falls: a whole local day (a clock due at the end of a day, an agreed action
/// due on a date), or an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl When {
    /// A due instant at local midnight ends a day clock: it is that day, all day.
    pub fn of_due(due: DateTime<Utc>) -> When {
        if due.with_timezone(&ZONE).time() == NaiveTime::MIN {
            When::Day(due_day(due))
        } else {
            When::At(due)
        }
    }
}

/// One event of a calendar, in words already free of child data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// Stable per case and clock (or per case and agency for agreed actions), so a calendar
    /// updates an event rather than adding another.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub when: When,
    /// The case page, where the site's address is known.
    pub url: Option<String>,
}

/// What a move's action makes due, in words: "response due".
fn due_noun(action: Option<&Action>) -> &'static str {
    match action {
        Some(Action::Submit) => "submission due",
        Some(Action::Respond) => "response due",
        Some(Action::Escalate) => "escalation due",
        Some(Action::Resolve) => "decision due",
        None => "due",
    }
}

/// The facts of a move the caller must make by `due`: ids and the procedure's words only.
pub struct MoveFacts<'a> {
    pub partnership: &'a PartnershipId,
    pub case: &'a CaseId,
    pub procedure_name: &'a str,
    pub stage: &'a StageId,
    pub stage_name: &'a str,
    pub clock: Option<&'a ClockId>,
    pub action: Option<&'a Action>,
    pub who: &'a str,
    pub task: &'a str,
    pub due: DateTime<Utc>,
}

fn case_url(site: Option<&str>, case: &CaseId) -> Option<String> {
    site.map(|site| format!("{}/cases/{case}", site.trim_end_matches('/')))
}

impl Deadline {
    /// A move due by an instant: "Case c-1: response due (Step 2 — Manager to manager …)".
    pub fn for_move(facts: &MoveFacts<'_>, site: Option<&str>) -> Deadline {
        let clock = facts.clock.map(ClockId::as_str).unwrap_or("move");
        let url = case_url(site, facts.case);
        let mut description = format!(
            "{}\n{}\nWho: {}\nWhat: {}\nDue: {}",
            facts.procedure_name,
            facts.stage_name,
            facts.who,
            facts.task,
            due_words(facts.due)
        );
        if let Some(url) = &url {
            description.push_str(&format!("\nOpen the case: {url}"));
        }
        Deadline {
            uid: format!(
                "{}.{}.{}.{clock}@{}.escalations",
                facts.case, "move", facts.stage, facts.partnership
            ),
            summary: format!(
                "Case {}: {} ({})",
                facts.case,
                due_noun(facts.action),
                facts.stage_name
            ),
            description,
            when: When::of_due(facts.due),
            url,
        }
    }

    /// Agreed actions an agency owns in a case, the earliest due on `due`.
    pub fn for_actions(
        partnership: &PartnershipId,
        case: &CaseId,
        procedure_name: &str,
        agency_name: &str,
        due: NaiveDate,
        site: Option<&str>,
    ) -> Deadline {
        let url = case_url(site, case);
        let mut description = format!(
            "{procedure_name}\n{agency_name} owns agreed actions in this case; the earliest is \
             due on {}. The case page lists them.",
            due.format("%A %-d %B %Y")
        );
        if let Some(url) = &url {
            description.push_str(&format!("\nOpen the case: {url}"));
        }
        Deadline {
            uid: format!("{case}.actions@{partnership}.escalations"),
            summary: format!("Case {case}: agreed actions due ({agency_name})"),
            description,
            when: When::Day(due),
            url,
        }
    }
}

/// The calendar of `deadlines`, as RFC 5545 text (CRLF line ends, long lines folded, text
/// escaped: the `icalendar` crate's). `now` stamps every event (DTSTAMP).
pub fn ics(name: &str, deadlines: &[Deadline], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(("VERSION", "2.0"));
    calendar.append_property(("PRODID", "-//Escalations//Calendar feed//EN"));
    calendar.append_property(("CALSCALE", "GREGORIAN"));
    calendar.append_property(("METHOD", "PUBLISH"));
    calendar.name(name);
    // Calendar apps poll a subscription; hourly is what Outlook and Google honour at best.
    calendar.ttl(&Duration::hours(1));
    for deadline in deadlines {
        let mut event = Event::new();
        event
            .uid(&deadline.uid)
            .timestamp(now)
            .summary(&deadline.summary)
            .description(&deadline.description);
        match deadline.when {
            When::Day(day) => {
                event.starts(day).ends(day + Duration::days(1));
            }
            // A deadline is an instant: no DTEND, which RFC 5545 reads as ending when it
            // starts.
            When::At(at) => {
                event.starts(at);
            }
        }
        if let Some(url) = &deadline.url {
            event.url(url);
        }
        calendar.push(event.done());
    }
    calendar.to_string()
}

/// The caller as the configuration knows them now: a feed acts for its person with their
/// current agency and role, and stops when they leave the partnership.
fn principal_of(
    config: &PartnershipConfig,
    partnership: &PartnershipId,
    person: &PersonId,
) -> Option<Principal> {
    let person = config.person(person)?;
    let mut actor = Actor::new(person.id.clone(), person.agency.clone(), person.role);
    actor.level = person.level;
    Some(Principal {
        partnership: partnership.clone(),
        actor,
    })
}

impl App {
    /// Creates the caller's calendar feed, replacing any before it (whose URL stops working):
    /// the token is returned this once and never stored.
    pub async fn create_calendar_feed(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<FeedToken, CalendarError> {
        let token = FeedToken::generate(&who.partnership, &who.actor.person);
        let feed = CalendarFeed {
            secret_hash: token.hash(),
            created_at: now,
        };
        self.store
            .put_calendar_feed(&who.partnership, &who.actor.person, &feed)
            .await?;
        tracing::info!(person = %who.actor.person, "calendar feed created");
        Ok(token)
    }

    /// The caller's calendar feed, if they have one (never its secret: only when it was made).
    pub async fn calendar_feed_of(
        &self,
        who: &Principal,
    ) -> Result<Option<CalendarFeed>, CalendarError> {
        Ok(self
            .store
            .calendar_feed(&who.partnership, &who.actor.person)
            .await?)
    }

    /// Stops the caller's calendar feed; stopping none is not an error.
    pub async fn revoke_calendar_feed(&self, who: &Principal) -> Result<(), CalendarError> {
        self.store
            .delete_calendar_feed(&who.partnership, &who.actor.person)
            .await?;
        tracing::info!(person = %who.actor.person, "calendar feed revoked");
        Ok(())
    }

    /// The feed behind a token: the person's deadlines and agreed actions as a calendar.
    /// `site` is the web page's address, for links to case pages.
    pub async fn calendar_feed(
        &self,
        token: &str,
        now: DateTime<Utc>,
        site: Option<&str>,
    ) -> Result<String, CalendarError> {
        let token = FeedToken::parse(token).ok_or(CalendarError::NoSuchFeed)?;
        let stored = self
            .store
            .calendar_feed(&token.partnership, &token.person)
            .await?
            .ok_or(CalendarError::NoSuchFeed)?;
        if !bool::from(stored.secret_hash.ct_eq(&token.hash())) {
            return Err(CalendarError::NoSuchFeed);
        }
        let config = self
            .store
            .partnership(&token.partnership)
            .await?
            .ok_or(CalendarError::NoSuchFeed)?;
        let who = principal_of(&config, &token.partnership, &token.person)
            .ok_or(CalendarError::NoSuchFeed)?;
        let work = self.queue(&who, now).await?;
        let mut deadlines = Vec::new();
        for item in &work.moves {
            let Some(due) = item.due else { continue };
            let procedure = self.procedure_of(&item.procedure)?;
            let stage_name = procedure
                .stage(item.stage.as_str())
                .map_or(item.stage.as_str(), |s| s.name.as_str());
            deadlines.push(Deadline::for_move(
                &MoveFacts {
                    partnership: &who.partnership,
                    case: &item.case,
                    procedure_name: &procedure.name,
                    stage: &item.stage,
                    stage_name,
                    clock: item.clock.as_ref(),
                    action: item.actions.first(),
                    who: &item.who,
                    task: &item.task,
                    due,
                },
                site,
            ));
        }
        let agency_name = config
            .agency(&who.actor.agency)
            .map_or(who.actor.agency.as_str(), |a| a.name.as_str());
        for actions in &work.actions {
            let procedure = self.procedure_of(&actions.procedure)?;
            deadlines.push(Deadline::for_actions(
                &who.partnership,
                &actions.case,
                &procedure.name,
                agency_name,
                actions.due,
                site,
            ));
        }
        tracing::info!(
            person = %who.actor.person,
            partnership = %who.partnership,
            events = deadlines.len(),
            "calendar feed read"
        );
        Ok(ics(
            &format!("Escalations deadlines ({})", config.name),
            &deadlines,
            now,
        ))
    }

    /// One case's running deadline as a calendar of one event, for a reader who may view it.
    pub async fn case_deadline(
        &self,
        who: &Principal,
        id: &CaseId,
        now: DateTime<Utc>,
        site: Option<&str>,
    ) -> Result<String, CalendarError> {
        let case = self.read_case(who, id, CasePart::Deadline, now).await?;
        let procedure = self.procedure_of(&case.procedure)?;
        let next = case.next_move(procedure).ok_or(CalendarError::NoDeadline)?;
        let due = next.due.ok_or(CalendarError::NoDeadline)?;
        let stage_name = procedure
            .stage(next.stage.as_str())
            .map_or(next.stage.as_str(), |s| s.name.as_str());
        let deadline = Deadline::for_move(
            &MoveFacts {
                partnership: &who.partnership,
                case: &case.id,
                procedure_name: &procedure.name,
                stage: &next.stage,
                stage_name,
                clock: next.clock.as_ref(),
                action: next.actions.first(),
                who: &next.who,
                task: &next.task,
                due,
            },
            site,
        );
        Ok(ics(&format!("Case {}", case.id), &[deadline], now))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use icalendar::{CalendarComponent, DatePerhapsTime};

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn facts_due(due: DateTime<Utc>) -> String {
        let (p, case, stage, clock) = (
            PartnershipId::parse("sefton-scp").unwrap(),
            CaseId::parse("c-12").unwrap(),
            StageId::parse("step-2").unwrap(),
            ClockId::parse("response").unwrap(),
        );
        let facts = MoveFacts {
            partnership: &p,
            case: &case,
            procedure_name: "Sefton SCP escalation and resolution procedure",
            stage: &stage,
            stage_name: "Step 2 — Manager to manager discussion",
            clock: Some(&clock),
            action: Some(&Action::Respond),
            who: "The other professional's line manager",
            task: "Manager to manager discussion and a mutually agreed plan of action, including \
                   timescales; commas, semicolons and a backslash \\ are escaped",
            due,
        };
        let actions = Deadline::for_actions(
            &p,
            &case,
            "Sefton SCP escalation and resolution procedure",
            "Sefton Council Children's Social Care",
            NaiveDate::from_ymd_opt(2027, 1, 8).unwrap(),
            Some("https://escalations.example.org/"),
        );
        ics(
            "Escalations: test",
            &[
                Deadline::for_move(&facts, Some("https://escalations.example.org")),
                actions,
            ],
            at("2026-12-23T15:00:00Z"),
        )
    }

    #[test]
    fn a_feed_is_rfc_5545_text_that_parses_back_with_each_deadline() {
        let text = facts_due(at("2026-12-30T00:00:00Z"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
        assert!(
            text.split("\r\n").all(|line| line.len() <= 75),
            "lines are folded at 75 octets: {text}"
        );
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        let calendar = icalendar::Calendar::from_str(&text).unwrap();
        let events: Vec<_> = calendar
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 2);
        let due = events[0];
        assert_eq!(
            due.get_summary(),
            Some("Case c-12: response due (Step 2 — Manager to manager discussion)")
        );
        assert_eq!(
            due.get_uid(),
            Some("c-12.move.step-2.response@sefton-scp.escalations")
        );
        // Due at midnight ending Tuesday 29 December: that day, all day.
        assert_eq!(
            due.get_start(),
            Some(DatePerhapsTime::Date(
                NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()
            ))
        );
        assert_eq!(
            due.get_end(),
            Some(DatePerhapsTime::Date(
                NaiveDate::from_ymd_opt(2026, 12, 30).unwrap()
            ))
        );
        assert_eq!(
            due.get_url(),
            Some("https://escalations.example.org/cases/c-12")
        );
        let description = due.get_description().unwrap();
        assert!(description.contains("Due: end of Tuesday 29 December 2026"));
        assert!(
            description.contains("a backslash \\ are escaped"),
            "{description}"
        );
        let actions = events[1];
        assert_eq!(
            actions.get_uid(),
            Some("c-12.actions@sefton-scp.escalations")
        );
        assert_eq!(
            actions.get_url(),
            Some("https://escalations.example.org/cases/c-12")
        );
        assert_eq!(
            actions.get_start(),
            Some(DatePerhapsTime::Date(
                NaiveDate::from_ymd_opt(2027, 1, 8).unwrap()
            ))
        );
    }

    #[test]
    fn an_hour_clock_is_an_instant_in_utc() {
        let text = facts_due(at("2026-07-01T13:30:00Z"));
        assert!(text.contains("DTSTART:20260701T133000Z\r\n"), "{text}");
        let calendar = icalendar::Calendar::from_str(&text).unwrap();
        let Some(CalendarComponent::Event(event)) = calendar.components.first() else {
            panic!("an event first: {text}");
        };
        assert_eq!(
            event.get_start(),
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
                at("2026-07-01T13:30:00Z")
            )))
        );
    }

    #[test]
    fn a_token_round_trips_and_anything_else_is_no_token() {
        let token = FeedToken::generate(
            &PartnershipId::parse("sefton-scp").unwrap(),
            &PersonId::parse("pat").unwrap(),
        );
        let text = token.expose();
        assert_eq!(FeedToken::parse(&text), Some(token.clone()));
        assert_eq!(
            text.split('.').nth(2).unwrap().len(),
            43,
            "32 bytes, base64url"
        );
        assert!(!format!("{token:?}").contains(&token.secret));
        for bad in [
            "",
            "sefton-scp.pat",
            "sefton-scp.pat.short",
            &format!("{text}.more"),
            &format!("Sefton.pat.{}", token.secret),
        ] {
            assert_eq!(FeedToken::parse(bad), None, "{bad}");
        }
        let other = FeedToken::generate(
            &PartnershipId::parse("sefton-scp").unwrap(),
            &PersonId::parse("pat").unwrap(),
        );
        assert_ne!(other.hash(), token.hash());
    }
}
