//! Campaigns: a shared profile's publications grouped under a name, dates
//! and a budget, with the spend and results entered against them. The rules
//! here need no I/O: checking what people type, reading a results file,
//! tagging links with UTM parameters, short codes and the sums of a ROI
//! report. Money is whole cents in an `i64`; the currency belongs to the
//! organisation and is not modelled here.

use crate::CoreError;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest campaign name, in characters.
pub const MOST_NAME_CHARS: usize = 120;
/// Longest campaign goal, in characters.
pub const MOST_GOAL_CHARS: usize = 500;
/// Longest campaign, in days between its first and last day.
pub const MOST_SPAN_DAYS: i64 = 366 * 2;
/// Largest amount of money accepted anywhere, in cents (1,000,000,000.00).
pub const MOST_CENTS: i64 = 100_000_000_000;
/// Longest note on a spend entry, in characters.
pub const MOST_NOTE_CHARS: usize = 200;
/// Days after a campaign's end a spend may still be dated.
pub const LATE_SPEND_DAYS: u64 = 30;
/// Largest number of leads or conversions on one result.
pub const MOST_COUNT: i64 = 10_000_000;
/// Most data rows one results file may hold.
pub const MOST_IMPORT_ROWS: usize = 10_000;
/// Longest slug, in characters.
pub const MOST_SLUG_CHARS: usize = 60;
/// The characters of a short code: no `0`, `1`, `l` or `o`, which people misread.
pub const SHORT_CODE_ALPHABET: &[u8; 32] = b"23456789abcdefghijkmnpqrstuvwxyz";
/// Length of a short code.
pub const SHORT_CODE_LEN: usize = 8;

/// How many characters of a refused input an error message repeats, so a
/// pasted paragraph does not become the message.
const MOST_ECHO_CHARS: usize = 40;
/// How many row errors `ImportErrors`' Display lists before summing up.
const MOST_LISTED_ERRORS: usize = 20;

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::InvalidCampaign(message.into())
}

/// Repeats some of what was typed, cut short when long.
fn echo(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MOST_ECHO_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MOST_ECHO_CHARS).collect();
        format!("{cut}…")
    }
}

// ---------------------------------------------------------------- campaigns

/// A campaign as typed into a form or sent to the API, before any checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CampaignInput {
    /// The campaign's name.
    pub name: String,
    /// First day, as `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day, as `YYYY-MM-DD`.
    pub ends_on: String,
    /// Budget as an amount of money, like `1,234.56`.
    pub budget: String,
    /// What the campaign is for, in free text; may be empty.
    pub goal: String,
}

/// A campaign whose fields passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCampaign {
    /// Trimmed name, 1 to 120 characters, no control characters.
    pub name: String,
    /// First day of the campaign.
    pub starts_on: NaiveDate,
    /// Last day of the campaign, on or after `starts_on`.
    pub ends_on: NaiveDate,
    /// Budget in cents, zero or more.
    pub budget_cents: i64,
    /// Trimmed goal, at most 500 characters, possibly empty.
    pub goal: String,
}

/// Checks a campaign's fields and turns them into domain values.
pub fn validate_campaign(input: &CampaignInput) -> Result<ValidCampaign, CoreError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("a campaign needs a name"));
    }
    let name_chars = name.chars().count();
    if name_chars > MOST_NAME_CHARS {
        return Err(invalid(format!(
            "a campaign's name is at most {MOST_NAME_CHARS} characters (this one has {name_chars})"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(
            "a campaign's name cannot hold control characters such as tabs or line breaks",
        ));
    }
    let starts_on = parse_date("the start date", &input.starts_on)?;
    let ends_on = parse_date("the end date", &input.ends_on)?;
    if ends_on < starts_on {
        return Err(invalid(format!(
            "a campaign ends on or after the day it starts ({ends_on} is before {starts_on})"
        )));
    }
    let span = (ends_on - starts_on).num_days();
    if span > MOST_SPAN_DAYS {
        return Err(invalid(format!(
            "a campaign lasts at most {MOST_SPAN_DAYS} days (from {starts_on} to {ends_on} is {span} days)"
        )));
    }
    let budget_cents = money("the budget", &input.budget)?;
    let goal = input.goal.trim();
    let goal_chars = goal.chars().count();
    if goal_chars > MOST_GOAL_CHARS {
        return Err(invalid(format!(
            "a campaign's goal is at most {MOST_GOAL_CHARS} characters (this one has {goal_chars})"
        )));
    }
    // A goal may run over several lines, so only the invisible rest is refused.
    if goal
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(
            "a campaign's goal cannot hold control characters other than line breaks and tabs",
        ));
    }
    Ok(ValidCampaign {
        name: name.to_owned(),
        starts_on,
        ends_on,
        budget_cents,
        goal: goal.to_owned(),
    })
}

/// Reads a day written strictly as `YYYY-MM-DD`.
fn parse_date(field: &str, text: &str) -> Result<NaiveDate, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(format!(
            "{field} is missing: write it as YYYY-MM-DD, like 2026-03-31"
        )));
    }
    // chrono alone would also take "2026-3-5"; one spelling keeps CSV files
    // from different spreadsheets from meaning different days.
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(invalid(format!(
            "{field} '{}' is not a date written as YYYY-MM-DD, like 2026-03-31",
            echo(text)
        )));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| invalid(format!("{field} '{text}' is not a day of the calendar")))
}

// -------------------------------------------------------------------- money

/// Why some text is not an amount of money.
enum MoneyFault {
    Empty,
    Negative,
    Decimals,
    Grouping,
    NotANumber,
    TooLarge,
}

/// Reads an amount of money as cents.
pub fn parse_money(text: &str) -> Result<i64, CoreError> {
    money("the amount", text)
}

/// Reads an amount of money, naming `field` when it is refused.
fn money(field: &str, text: &str) -> Result<i64, CoreError> {
    read_cents(text).map_err(|fault| {
        let got = echo(text);
        invalid(match fault {
            MoneyFault::Empty => format!("{field} is missing: write an amount like 1,234.56"),
            MoneyFault::Negative => format!("{field} cannot be negative (got '{got}')"),
            MoneyFault::Decimals => {
                format!("{field} has at most two decimals, for the cents (got '{got}')")
            }
            MoneyFault::Grouping => format!(
                "{field} uses ',' only between groups of three digits and '.' before the cents, like 1,234.56 (got '{got}')"
            ),
            MoneyFault::NotANumber => {
                format!("{field} is not an amount of money; write it like 1,234.56 (got '{got}')")
            }
            MoneyFault::TooLarge => {
                format!("{field} is at most {} (got '{got}')", format_money(MOST_CENTS))
            }
        })
    })
}

fn read_cents(text: &str) -> Result<i64, MoneyFault> {
    const SYMBOLS: [char; 3] = ['$', '€', '£'];
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(MoneyFault::Empty);
    }
    // "-$5" and "$-5" are both ways people write a refund.
    if rest.starts_with('-') {
        return Err(MoneyFault::Negative);
    }
    if let Some(after) = rest.strip_prefix(SYMBOLS) {
        rest = after.trim_start();
    }
    if rest.starts_with('-') {
        return Err(MoneyFault::Negative);
    }
    let (whole, fraction) = match rest.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (rest, None),
    };
    let units = read_whole(whole)?;
    let cents = match fraction {
        None => 0,
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(MoneyFault::NotANumber);
        }
        Some(f) if f.len() > 2 => return Err(MoneyFault::Decimals),
        Some(f) => {
            let value = f.bytes().fold(0, |n, b| n * 10 + i64::from(b - b'0'));
            // "12.5" is fifty cents, not five.
            if f.len() == 1 { value * 10 } else { value }
        }
    };
    units
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents))
        .filter(|c| *c <= MOST_CENTS)
        .ok_or(MoneyFault::TooLarge)
}

/// Reads digits, with commas allowed only as thousands separators.
fn read_whole(text: &str) -> Result<i64, MoneyFault> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(MoneyFault::NotANumber);
    }
    if text.contains(',') {
        // "1,5" is one and a half in much of Europe; reading it as fifteen
        // would silently multiply an amount, so only true grouping passes.
        let mut groups = text.split(',');
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return Err(MoneyFault::Grouping);
        }
    }
    text.bytes()
        .filter(u8::is_ascii_digit)
        .try_fold(0_i64, |n, b| {
            n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })
        .ok_or(MoneyFault::TooLarge)
}

/// Writes cents as an amount with thousands separators, like `1,234.56`.
pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    // Counting down rather than `i % 3` keeps to Rust 1.85 without the
    // lint that asks for the newer `is_multiple_of`.
    let mut until_comma = match units.len() % 3 {
        0 => 3,
        rest => rest,
    };
    for digit in units.chars() {
        if until_comma == 0 {
            grouped.push(',');
            until_comma = 3;
        }
        grouped.push(digit);
        until_comma -= 1;
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

// -------------------------------------------------------------------- spend

/// Money spent on a campaign on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spend {
    /// The day the money was spent (or invoiced).
    pub on: NaiveDate,
    /// The amount, in cents, more than zero.
    pub cents: i64,
    /// A trimmed note, at most 200 characters, possibly empty.
    pub note: String,
}

/// Checks a spend entry against the campaign's first and last day.
pub fn validate_spend(
    on: &str,
    amount: &str,
    note: &str,
    campaign_start: NaiveDate,
    campaign_end: NaiveDate,
) -> Result<Spend, CoreError> {
    let on = parse_date("the date of the spend", on)?;
    if on < campaign_start {
        return Err(invalid(format!(
            "a spend is dated on or after the campaign's first day ({on} is before {campaign_start})"
        )));
    }
    // Invoices for the last days of a campaign arrive after it ends.
    let latest = campaign_end
        .checked_add_days(Days::new(LATE_SPEND_DAYS))
        .unwrap_or(NaiveDate::MAX);
    if on > latest {
        return Err(invalid(format!(
            "a spend is dated at most {LATE_SPEND_DAYS} days after the campaign ends on {campaign_end} ({on} is after {latest})"
        )));
    }
    let cents = money("the amount spent", amount)?;
    if cents == 0 {
        return Err(invalid("the amount spent must be more than zero"));
    }
    let note = note.trim();
    let note_chars = note.chars().count();
    if note_chars > MOST_NOTE_CHARS {
        return Err(invalid(format!(
            "a spend's note is at most {MOST_NOTE_CHARS} characters (this one has {note_chars})"
        )));
    }
    if note.chars().any(char::is_control) {
        return Err(invalid(
            "a spend's note cannot hold control characters such as tabs or line breaks",
        ));
    }
    Ok(Spend {
        on,
        cents,
        note: note.to_owned(),
    })
}

// ------------------------------------------------------------------ results

/// Results of a campaign on one day, optionally for one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    /// The day the results came in.
    pub on: NaiveDate,
    /// The channel's name as written, trimmed; `None` when left empty.
    pub channel: Option<String>,
    /// Leads, 0 to 10,000,000.
    pub leads: i64,
    /// Conversions, 0 to 10,000,000.
    pub conversions: i64,
    /// Revenue in cents, zero or more.
    pub revenue_cents: i64,
}

/// Checks one result; empty leads, conversions or revenue count as zero.
pub fn validate_result(
    on: &str,
    channel: &str,
    leads: &str,
    conversions: &str,
    revenue: &str,
) -> Result<ResultRow, CoreError> {
    let on = parse_date("the date", on)?;
    let channel = channel.trim();
    let channel_chars = channel.chars().count();
    if channel_chars > crate::channel::MOST_NAME_CHARS {
        return Err(invalid(format!(
            "a channel's name is at most {} characters (this one has {channel_chars})",
            crate::channel::MOST_NAME_CHARS
        )));
    }
    if channel.chars().any(char::is_control) {
        return Err(invalid(
            "a channel's name cannot hold control characters such as tabs or line breaks",
        ));
    }
    let leads = count("the number of leads", leads)?;
    let conversions = count("the number of conversions", conversions)?;
    let revenue_cents = if revenue.trim().is_empty() {
        0
    } else {
        money("the revenue", revenue)?
    };
    if leads == 0 && conversions == 0 && revenue_cents == 0 {
        return Err(invalid(
            "a result needs some leads, conversions or revenue; this one has none",
        ));
    }
    Ok(ResultRow {
        on,
        channel: (!channel.is_empty()).then(|| channel.to_owned()),
        leads,
        conversions,
        revenue_cents,
    })
}

/// Reads a count of leads or conversions; empty is zero.
fn count(field: &str, text: &str) -> Result<i64, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    if text.starts_with('-') {
        return Err(invalid(format!(
            "{field} cannot be negative (got '{}')",
            echo(text)
        )));
    }
    let value = read_whole(text).map_err(|fault| {
        invalid(match fault {
            MoneyFault::TooLarge => format!("{field} is at most 10,000,000 (got '{}')", echo(text)),
            _ => format!(
                "{field} is a whole number, like 1,250 (got '{}')",
                echo(text)
            ),
        })
    })?;
    if value > MOST_COUNT {
        return Err(invalid(format!(
            "{field} is at most 10,000,000 (got '{}')",
            echo(text)
        )));
    }
    Ok(value)
}

/// One refused line of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file, counting the header as line 1.
    pub line: usize,
    /// Why the line was refused, as a sentence.
    pub message: String,
}

/// Every problem found in a results file; none of its rows were imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors {
    /// The problems, in the order of the file's lines.
    pub rows: Vec<RowError>,
}

impl ImportErrors {
    fn file(message: impl Into<String>) -> Self {
        Self {
            rows: vec![RowError {
                line: 1,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines: Vec<usize> = self.rows.iter().map(|r| r.line).collect();
        lines.dedup();
        match lines.len() {
            1 => write!(f, "1 line has errors; nothing was imported: ")?,
            n => write!(f, "{n} lines have errors; nothing was imported: ")?,
        }
        for (i, row) in self.rows.iter().take(MOST_LISTED_ERRORS).enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "line {}: {}", row.line, row.message)?;
        }
        if self.rows.len() > MOST_LISTED_ERRORS {
            write!(f, "; and {} more", self.rows.len() - MOST_LISTED_ERRORS)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl From<ImportErrors> for CoreError {
    fn from(errors: ImportErrors) -> Self {
        invalid(errors.to_string())
    }
}

/// Where each known column sits in a results file.
struct Columns {
    date: usize,
    channel: Option<usize>,
    leads: Option<usize>,
    conversions: Option<usize>,
    revenue: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, ImportErrors> {
        let mut problems = Vec::new();
        let mut date = None;
        let mut channel = None;
        let mut leads = None;
        let mut conversions = None;
        let mut revenue = None;
        for (i, name) in header.iter().enumerate() {
            let name = name.to_lowercase();
            let slot = match name.as_str() {
                "date" => &mut date,
                "channel" => &mut channel,
                "leads" => &mut leads,
                "conversions" => &mut conversions,
                "revenue" => &mut revenue,
                "" => {
                    problems.push(format!("column {} of the header has no name", i + 1));
                    continue;
                }
                // Refused rather than skipped: a misspelt "revenu" would
                // otherwise import rows with their revenue silently dropped.
                _ => {
                    problems.push(format!(
                        "the header names an unknown column '{}'; the columns are date, channel, leads, conversions and revenue",
                        echo(&name)
                    ));
                    continue;
                }
            };
            if slot.is_some() {
                problems.push(format!("the header names the column '{name}' twice"));
            }
            *slot = Some(i);
        }
        if date.is_none() {
            problems.push("the header names no 'date' column; every row needs its date".into());
        }
        if leads.is_none() && conversions.is_none() && revenue.is_none() {
            problems.push(
                "the header names none of the columns leads, conversions or revenue, so there are no results to import"
                    .into(),
            );
        }
        match date {
            Some(date) if problems.is_empty() => Ok(Self {
                date,
                channel,
                leads,
                conversions,
                revenue,
            }),
            _ => Err(ImportErrors {
                rows: problems
                    .into_iter()
                    .map(|message| RowError { line: 1, message })
                    .collect(),
            }),
        }
    }

    fn read(&self, record: &csv::StringRecord) -> Result<ResultRow, CoreError> {
        let field = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("");
        validate_result(
            field(Some(self.date)),
            field(self.channel),
            field(self.leads),
            field(self.conversions),
            field(self.revenue),
        )
    }
}

/// Reads a results file (CSV with a header row); any bad row refuses it all.
pub fn parse_results_csv(text: &str) -> Result<Vec<ResultRow>, ImportErrors> {
    // Spreadsheets often save UTF-8 with a byte order mark, which would
    // otherwise become part of the first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The header is read as an ordinary record so that, with `flexible`
    // off, every row is held to the header's number of fields.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(ImportErrors::file(
                "the file is empty; its first line names the columns, like date,channel,leads,conversions,revenue",
            ));
        }
        Some(Err(error)) => {
            return Err(ImportErrors::file(format!(
                "the header cannot be read as CSV: {error}"
            )));
        }
        Some(Ok(header)) => header,
    };
    let columns = Columns::from_header(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = 0_usize;
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                seen += 1;
                errors.push(RowError {
                    line: error_line(&error),
                    message: describe_csv_error(&error),
                });
                continue;
            }
        };
        // Spreadsheets leave rows of empty cells ("",,,,) below the data.
        if record.iter().all(str::is_empty) {
            continue;
        }
        seen += 1;
        if seen > MOST_IMPORT_ROWS {
            return Err(ImportErrors::file(format!(
                "a results file holds at most {MOST_IMPORT_ROWS} rows and this one has more; split it and import each part"
            )));
        }
        match columns.read(&record) {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(RowError {
                line: record.position().map_or(0, |p| line_of(p.line())),
                message: error.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ImportErrors { rows: errors });
    }
    if rows.is_empty() {
        return Err(ImportErrors::file(
            "the file has a header but no rows of results",
        ));
    }
    Ok(rows)
}

fn line_of(line: u64) -> usize {
    usize::try_from(line).unwrap_or(usize::MAX)
}

fn error_line(error: &csv::Error) -> usize {
    error.position().map_or(0, |p| line_of(p.line()))
}

fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        // The usual cause is an amount like 1,234.56 left unquoted.
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this line has {len} fields but the header has {expected_len}; an amount with a comma, like 1,234.56, needs quotes around it"
        ),
        _ => format!("this line cannot be read as CSV: {error}"),
    }
}

// -------------------------------------------------------------- UTM, links

/// The UTM parameters added to a campaign's links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    /// `utm_source`: where the visitor came from (the channel).
    pub source: String,
    /// `utm_medium`: the kind of traffic, like `social`.
    pub medium: String,
    /// `utm_campaign`: the campaign, usually its slug.
    pub campaign: String,
}

/// Turns a name into a lowercase ASCII slug of letters, digits and `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    // Only ASCII was pushed, so cutting at a byte count is safe.
    out.truncate(MOST_SLUG_CHARS);
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "campaign".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Byte ranges `(start, end)` of the http(s) links in free text.
pub fn find_links(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let scheme = scheme_len(&bytes[i..]);
        // "xhttp://" is not the start of a link.
        let inside_word = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if scheme == 0 || inside_word {
            i += 1;
            continue;
        }
        let body = i + scheme;
        let end = text[body..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .map_or(text.len(), |at| body + at);
        let link = trim_link_end(&text[i..end]);
        if link.len() > scheme {
            found.push((i, i + link.len()));
        }
        i = end.max(body);
    }
    found
}

/// Length of an `http://` or `https://` at the start of `bytes`, else 0.
fn scheme_len(bytes: &[u8]) -> usize {
    for scheme in [&b"https://"[..], &b"http://"[..]] {
        if bytes.len() >= scheme.len() && bytes[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return scheme.len();
        }
    }
    0
}

/// Drops the punctuation that ends a sentence rather than the link.
fn trim_link_end(mut link: &str) -> &str {
    while let Some(last) = link.chars().last() {
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' => true,
            // Kept when balanced, as in wiki/Rust_(programming_language).
            ')' => link.matches(')').count() > link.matches('(').count(),
            ']' => link.matches(']').count() > link.matches('[').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        link = &link[..link.len() - last.len_utf8()];
    }
    link
}

/// Adds the UTM parameters a link lacks; `None` unless it is an http(s) URL.
pub fn with_utm(url: &str, utm: &Utm) -> Option<String> {
    let mut parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    // A utm_* already on the link was put there on purpose by whoever
    // wrote the post; ours would only be a guess.
    let present: Vec<String> = parsed
        .query_pairs()
        .map(|(key, _)| key.to_ascii_lowercase())
        .collect();
    let missing: Vec<(&str, &str)> = [
        ("utm_source", utm.source.as_str()),
        ("utm_medium", utm.medium.as_str()),
        ("utm_campaign", utm.campaign.as_str()),
    ]
    .into_iter()
    .filter(|(key, value)| !value.is_empty() && !present.iter().any(|p| p == key))
    .collect();
    if !missing.is_empty() {
        let mut pairs = parsed.query_pairs_mut();
        for (key, value) in missing {
            pairs.append_pair(key, value);
        }
    }
    Some(parsed.into())
}

/// Replaces each link in `text` by what `shorten` gives for it, if anything.
pub fn rewrite_links(text: &str, mut shorten: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in find_links(text) {
        out.push_str(&text[copied..start]);
        let link = &text[start..end];
        match shorten(link) {
            Some(replacement) => out.push_str(&replacement),
            None => out.push_str(link),
        }
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

// -------------------------------------------------------------- short codes

/// A fresh short code for a `/r/{code}` link.
pub fn new_short_code(rng: &mut impl rand::Rng) -> String {
    (0..SHORT_CODE_LEN)
        .map(|_| char::from(SHORT_CODE_ALPHABET[rng.random_range(0..SHORT_CODE_ALPHABET.len())]))
        .collect()
}

/// Whether `s` could be a short code (so a bad one is refused before any lookup).
pub fn valid_short_code(s: &str) -> bool {
    s.len() == SHORT_CODE_LEN && s.bytes().all(|b| SHORT_CODE_ALPHABET.contains(&b))
}

// ---------------------------------------------------------------------- ROI

/// The sums behind a ROI report, for a campaign, a channel or a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Money spent, in cents.
    pub spend_cents: i64,
    /// Clicks on the short links.
    pub clicks: i64,
    /// Leads entered.
    pub leads: i64,
    /// Conversions entered.
    pub conversions: i64,
    /// Revenue entered, in cents.
    pub revenue_cents: i64,
}

impl Figures {
    /// Spend per click in cents, rounded half up; `None` without clicks.
    pub fn cost_per_click_cents(&self) -> Option<i64> {
        per(self.spend_cents, self.clicks)
    }

    /// Spend per conversion in cents, rounded half up; `None` without conversions.
    pub fn cost_per_conversion_cents(&self) -> Option<i64> {
        per(self.spend_cents, self.conversions)
    }

    /// Return on spend in percent, `(revenue - spend) / spend * 100`; `None` without spend.
    pub fn roi_percent(&self) -> Option<f64> {
        if self.spend_cents == 0 {
            return None;
        }
        let gain = i128::from(self.revenue_cents) - i128::from(self.spend_cents);
        Some(gain as f64 / self.spend_cents as f64 * 100.0)
    }
}

/// `cents / count` rounded half up, in i128 so large sums cannot overflow.
fn per(cents: i64, count: i64) -> Option<i64> {
    if count <= 0 {
        return None;
    }
    let (cents, count) = (i128::from(cents), i128::from(count));
    i64::try_from((2 * cents + count).div_euclid(2 * count)).ok()
}

impl std::ops::AddAssign for Figures {
    fn add_assign(&mut self, other: Self) {
        // Saturating: a report total must never panic a page.
        self.spend_cents = self.spend_cents.saturating_add(other.spend_cents);
        self.clicks = self.clicks.saturating_add(other.clicks);
        self.leads = self.leads.saturating_add(other.leads);
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.revenue_cents = self.revenue_cents.saturating_add(other.revenue_cents);
    }
}

impl std::iter::Sum for Figures {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let mut total = Self::default();
        for figures in iter {
            total += figures;
        }
        total
    }
}

/// Days since the Unix epoch (UTC) of a time in microseconds.
pub fn day_bucket(micros_since_epoch: i64) -> i64 {
    // Floor division, so the microsecond before the epoch is day -1, not 0.
    micros_since_epoch.div_euclid(86_400_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
    }

    fn message(error: CoreError) -> String {
        error.to_string()
    }

    fn input() -> CampaignInput {
        CampaignInput {
            name: "  Spring launch  ".into(),
            starts_on: "2026-03-01".into(),
            ends_on: "2026-03-31".into(),
            budget: "$1,500.50".into(),
            goal: " 200 sign-ups\nfrom the webinar ".into(),
        }
    }

    // ------------------------------------------------------------ campaign

    #[test]
    fn a_campaign_with_good_fields_is_accepted_and_trimmed() {
        let campaign = validate_campaign(&input()).expect("valid");
        assert_eq!(campaign.name, "Spring launch");
        assert_eq!(campaign.starts_on, day("2026-03-01"));
        assert_eq!(campaign.ends_on, day("2026-03-31"));
        assert_eq!(campaign.budget_cents, 150_050);
        assert_eq!(campaign.goal, "200 sign-ups\nfrom the webinar");
    }

    #[test]
    fn a_campaign_may_have_no_goal_and_a_zero_budget_and_last_one_day() {
        let campaign = validate_campaign(&CampaignInput {
            ends_on: "2026-03-01".into(),
            budget: "0".into(),
            goal: "   ".into(),
            ..input()
        })
        .expect("valid");
        assert_eq!(campaign.goal, "");
        assert_eq!(campaign.budget_cents, 0);
        assert_eq!(campaign.starts_on, campaign.ends_on);
    }

    #[test]
    fn a_campaign_name_is_1_to_120_characters_without_control_characters() {
        let named = |name: &str| {
            validate_campaign(&CampaignInput {
                name: name.into(),
                ..input()
            })
        };
        assert!(message(named("   ").expect_err("blank")).contains("needs a name"));
        assert!(named(&"é".repeat(120)).is_ok());
        let long = message(named(&"é".repeat(121)).expect_err("too long"));
        assert!(
            long.contains("at most 120 characters (this one has 121)"),
            "{long}"
        );
        assert!(message(named("Spring\tlaunch").expect_err("tab")).contains("control"));
    }

    #[test]
    fn a_campaign_ends_on_or_after_it_starts() {
        let error = validate_campaign(&CampaignInput {
            starts_on: "2026-12-05".into(),
            ends_on: "2026-12-01".into(),
            ..input()
        })
        .expect_err("backwards");
        assert_eq!(
            message(error),
            "a campaign ends on or after the day it starts (2026-12-01 is before 2026-12-05)"
        );
    }

    #[test]
    fn a_campaign_lasts_at_most_two_years_of_366_days() {
        let lasting = |ends_on: &str| {
            validate_campaign(&CampaignInput {
                starts_on: "2026-01-01".into(),
                ends_on: ends_on.into(),
                ..input()
            })
        };
        // 2026-01-01 + 732 days = 2028-01-03 (2028 is a leap year, 2026/27 are not).
        assert!(lasting("2028-01-03").is_ok());
        let error = message(lasting("2028-01-04").expect_err("too long"));
        assert!(error.contains("at most 732 days"), "{error}");
    }

    #[test]
    fn campaign_dates_are_strict_yyyy_mm_dd_days_of_the_calendar() {
        let starting = |starts_on: &str| {
            validate_campaign(&CampaignInput {
                starts_on: starts_on.into(),
                ..input()
            })
        };
        assert!(starting(" 2026-03-01 ").is_ok());
        for bad in ["2026-3-1", "01/03/2026", "2026-03-01T00:00", "tomorrow"] {
            let error = message(starting(bad).expect_err(bad));
            assert!(error.starts_with("the start date"), "{error}");
            assert!(error.contains("YYYY-MM-DD"), "{error}");
        }
        let error = message(starting("2026-02-30").expect_err("no such day"));
        assert_eq!(
            error,
            "the start date '2026-02-30' is not a day of the calendar"
        );
        let error = message(starting("").expect_err("missing"));
        assert!(error.starts_with("the start date is missing"), "{error}");
        let ending = validate_campaign(&CampaignInput {
            ends_on: "soon".into(),
            ..input()
        });
        assert!(message(ending.expect_err("bad end")).starts_with("the end date"));
    }

    #[test]
    fn a_campaign_budget_is_an_amount_named_in_its_error() {
        let budget = |budget: &str| {
            validate_campaign(&CampaignInput {
                budget: budget.into(),
                ..input()
            })
        };
        assert!(
            message(budget("-5").expect_err("negative"))
                .starts_with("the budget cannot be negative")
        );
        assert!(message(budget("").expect_err("empty")).starts_with("the budget is missing"));
    }

    #[test]
    fn a_campaign_goal_is_at_most_500_characters() {
        let goal = |goal: String| validate_campaign(&CampaignInput { goal, ..input() });
        assert!(goal("g".repeat(500)).is_ok());
        assert!(message(goal("g".repeat(501)).expect_err("long")).contains("at most 500"));
        assert!(goal("a\u{7}b".into()).is_err());
    }

    // --------------------------------------------------------------- money

    #[test]
    fn money_is_read_in_the_usual_spellings() {
        for (text, cents) in [
            ("1234", 123_400),
            ("1234.5", 123_450),
            ("1234.56", 123_456),
            ("1,234.56", 123_456),
            ("1,234,567.89", 123_456_789),
            ("$1,234.56", 123_456),
            ("€ 12", 1_200),
            ("£0.05", 5),
            ("  7.00 ", 700),
            ("0", 0),
            ("000,123", 12_300),
        ] {
            assert_eq!(parse_money(text), Ok(cents), "{text}");
        }
    }

    #[test]
    fn money_refuses_negative_amounts_in_any_spelling() {
        for text in ["-1", "-$1", "$-1", "$ -1.50"] {
            let error = message(parse_money(text).expect_err(text));
            assert!(
                error.starts_with("the amount cannot be negative"),
                "{error}"
            );
        }
    }

    #[test]
    fn money_refuses_more_than_two_decimals() {
        let error = message(parse_money("12.345").expect_err("three decimals"));
        assert_eq!(
            error,
            "the amount has at most two decimals, for the cents (got '12.345')"
        );
        assert!(parse_money("12.340").is_err());
    }

    #[test]
    fn money_refuses_commas_that_are_not_thousands_separators() {
        // In much of Europe "1,5" is one and a half, never fifteen.
        for text in [
            "1,5", "12,34", "1,2345", "1234,567", ",123", "1,,234", "1,234,56",
        ] {
            let error = message(parse_money(text).expect_err(text));
            assert!(error.contains("groups of three digits"), "{text}: {error}");
        }
    }

    #[test]
    fn money_refuses_what_is_not_a_number() {
        for text in [
            "abc", "$", "12.", ".5", "1.2.3", "12a", "1 234", "+5", "USD 5", "1e3", "12.x",
        ] {
            let error = message(parse_money(text).expect_err(text));
            assert!(error.contains("not an amount of money"), "{text}: {error}");
        }
        assert!(message(parse_money("   ").expect_err("blank")).contains("missing"));
    }

    #[test]
    fn money_stops_at_a_billion() {
        assert_eq!(parse_money("1,000,000,000.00"), Ok(MOST_CENTS));
        let error = message(parse_money("1,000,000,000.01").expect_err("too much"));
        assert!(error.contains("at most 1,000,000,000.00"), "{error}");
        // Far past i64: refused, not overflowed.
        assert!(parse_money(&"9".repeat(40)).is_err());
    }

    #[test]
    fn a_long_refused_amount_is_echoed_cut_short() {
        let error = message(parse_money(&"x".repeat(500)).expect_err("junk"));
        assert!(error.len() < 200, "{error}");
        assert!(error.contains('…'));
    }

    #[test]
    fn money_is_written_with_thousands_separators_and_cents() {
        for (cents, text) in [
            (0, "0.00"),
            (5, "0.05"),
            (99, "0.99"),
            (100, "1.00"),
            (123_456, "1,234.56"),
            (100_000, "1,000.00"),
            (99_999_999, "999,999.99"),
            (MOST_CENTS, "1,000,000,000.00"),
            (-123_456, "-1,234.56"),
            (i64::MIN, "-92,233,720,368,547,758.08"),
        ] {
            assert_eq!(format_money(cents), text);
        }
    }

    #[test]
    fn formatted_money_reads_back_as_the_same_cents() {
        for cents in [0, 1, 10, 999, 1_000, 123_456_789, MOST_CENTS] {
            assert_eq!(parse_money(&format_money(cents)), Ok(cents));
        }
    }

    // --------------------------------------------------------------- spend

    fn spend(on: &str, amount: &str, note: &str) -> Result<Spend, CoreError> {
        validate_spend(on, amount, note, day("2026-03-01"), day("2026-03-31"))
    }

    #[test]
    fn a_spend_within_the_campaign_is_accepted() {
        let entry = spend("2026-03-10", "250", "  ads on the trade site ").expect("valid");
        assert_eq!(
            entry,
            Spend {
                on: day("2026-03-10"),
                cents: 25_000,
                note: "ads on the trade site".into()
            }
        );
        assert!(spend("2026-03-01", "1", "").is_ok());
        assert!(spend("2026-03-31", "1", "").is_ok());
    }

    #[test]
    fn a_spend_may_come_up_to_30_days_after_the_end_but_not_before_the_start() {
        assert!(spend("2026-04-30", "1", "late invoice").is_ok());
        let late = message(spend("2026-05-01", "1", "").expect_err("too late"));
        assert!(late.contains("at most 30 days after"), "{late}");
        let early = message(spend("2026-02-28", "1", "").expect_err("too early"));
        assert!(early.contains("2026-02-28 is before 2026-03-01"), "{early}");
    }

    #[test]
    fn a_spend_is_more_than_zero() {
        assert!(
            message(spend("2026-03-10", "0.00", "").expect_err("zero")).contains("more than zero")
        );
        assert!(
            message(spend("2026-03-10", "-3", "").expect_err("negative"))
                .starts_with("the amount spent")
        );
        assert!(spend("2026-03-10", "", "").is_err());
    }

    #[test]
    fn a_spend_note_is_at_most_200_characters_on_one_line() {
        assert!(spend("2026-03-10", "1", &"n".repeat(200)).is_ok());
        assert!(
            message(spend("2026-03-10", "1", &"n".repeat(201)).expect_err("long"))
                .contains("at most 200")
        );
        assert!(spend("2026-03-10", "1", "two\nlines").is_err());
    }

    #[test]
    fn a_spend_date_is_checked() {
        let error = message(spend("10/03/2026", "1", "").expect_err("bad date"));
        assert!(error.starts_with("the date of the spend"), "{error}");
    }

    #[test]
    fn a_spend_near_the_end_of_time_does_not_panic() {
        let result = validate_spend("2026-03-10", "1", "", day("2026-03-01"), NaiveDate::MAX);
        assert!(result.is_ok());
    }

    // ------------------------------------------------------------- results

    #[test]
    fn a_result_is_read_with_empty_fields_as_zero_or_none() {
        let row = validate_result("2026-03-02", "  ", "12", "", "").expect("valid");
        assert_eq!(
            row,
            ResultRow {
                on: day("2026-03-02"),
                channel: None,
                leads: 12,
                conversions: 0,
                revenue_cents: 0
            }
        );
        let row =
            validate_result("2026-03-02", " Newsletter ", "1,200", "3", "$99.90").expect("valid");
        assert_eq!(row.channel.as_deref(), Some("Newsletter"));
        assert_eq!(
            (row.leads, row.conversions, row.revenue_cents),
            (1_200, 3, 9_990)
        );
    }

    #[test]
    fn a_result_needs_something_in_it() {
        let error =
            message(validate_result("2026-03-02", "Feed", "0", "", "0.00").expect_err("nothing"));
        assert!(
            error.contains("needs some leads, conversions or revenue"),
            "{error}"
        );
    }

    #[test]
    fn result_counts_are_whole_numbers_from_0_to_10_million() {
        assert!(validate_result("2026-03-02", "", "10,000,000", "10000000", "").is_ok());
        let error =
            message(validate_result("2026-03-02", "", "10000001", "", "").expect_err("many"));
        assert!(
            error.starts_with("the number of leads is at most 10,000,000"),
            "{error}"
        );
        let error = message(validate_result("2026-03-02", "", "", "-1", "").expect_err("negative"));
        assert!(
            error.starts_with("the number of conversions cannot be negative"),
            "{error}"
        );
        let error =
            message(validate_result("2026-03-02", "", "2.5", "", "").expect_err("fraction"));
        assert!(error.contains("whole number"), "{error}");
        assert!(validate_result("2026-03-02", "", "1,5", "", "").is_err());
        assert!(validate_result("2026-03-02", "", &"9".repeat(30), "", "").is_err());
    }

    #[test]
    fn result_revenue_is_money_and_the_date_is_required() {
        let error =
            message(validate_result("2026-03-02", "", "", "", "12.345").expect_err("decimals"));
        assert!(
            error.starts_with("the revenue has at most two decimals"),
            "{error}"
        );
        let error = message(validate_result("", "", "1", "", "").expect_err("no date"));
        assert!(error.starts_with("the date is missing"), "{error}");
    }

    #[test]
    fn a_result_channel_name_is_at_most_80_characters() {
        assert!(validate_result("2026-03-02", &"c".repeat(80), "1", "", "").is_ok());
        assert!(validate_result("2026-03-02", &"c".repeat(81), "1", "", "").is_err());
        assert!(validate_result("2026-03-02", "a\u{0}b", "1", "", "").is_err());
    }

    // ----------------------------------------------------------------- CSV

    #[test]
    fn a_results_file_is_read_in_any_column_order_and_case() {
        let text = "\u{feff} Revenue , DATE,leads, Channel ,conversions\n\
                    \"1,234.50\",2026-03-02,10,Newsletter,2\n\
                    ,2026-03-03,4,,\n";
        let rows = parse_results_csv(text).expect("valid");
        assert_eq!(
            rows,
            vec![
                ResultRow {
                    on: day("2026-03-02"),
                    channel: Some("Newsletter".into()),
                    leads: 10,
                    conversions: 2,
                    revenue_cents: 123_450
                },
                ResultRow {
                    on: day("2026-03-03"),
                    channel: None,
                    leads: 4,
                    conversions: 0,
                    revenue_cents: 0
                },
            ]
        );
    }

    #[test]
    fn a_results_file_may_leave_out_the_optional_columns() {
        let rows = parse_results_csv("date,revenue\r\n2026-03-02,10\r\n").expect("valid");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].channel, None);
        assert_eq!(rows[0].revenue_cents, 1_000);
        assert_eq!((rows[0].leads, rows[0].conversions), (0, 0));
    }

    #[test]
    fn blank_lines_and_rows_of_empty_cells_are_skipped() {
        let text = "date,channel,leads\n2026-03-02,Feed,1\n\n,,\n2026-03-03,Feed,2\n,,\n";
        let rows = parse_results_csv(text).expect("valid");
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn every_bad_row_is_reported_by_its_line_and_nothing_is_imported() {
        let text = "date,channel,leads,conversions,revenue\n\
                    2026-03-02,Feed,1,0,0\n\
                    2026-03-32,Feed,1,0,0\n\
                    2026-03-03,Feed,0,0,0\n\
                    2026-03-04,Feed,1,0,0\n\
                    2026-03-05,Feed,-2,0,0\n\
                    2026-03-06,Feed,1,0,1,234.00\n";
        let errors = parse_results_csv(text).expect_err("bad rows");
        let lines: Vec<usize> = errors.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7]);
        assert!(errors.rows[0].message.contains("not a day of the calendar"));
        assert!(errors.rows[1].message.contains("needs some leads"));
        assert!(errors.rows[2].message.contains("cannot be negative"));
        assert!(
            errors.rows[3].message.contains("needs quotes"),
            "{}",
            errors.rows[3].message
        );
        let shown = errors.to_string();
        assert!(
            shown.starts_with("4 lines have errors; nothing was imported: line 3: "),
            "{shown}"
        );
        assert!(
            shown.contains("; line 7: this line has 6 fields but the header has 5"),
            "{shown}"
        );
    }

    #[test]
    fn a_quoted_field_over_two_lines_keeps_later_line_numbers_right() {
        let text = "date,channel,leads\n2026-03-02,\"Feed\nsecond line\",1\n2026-03-03,Feed,x\n";
        let errors = parse_results_csv(text).expect_err("bad rows");
        let lines: Vec<usize> = errors.rows.iter().map(|r| r.line).collect();
        // The channel with a line break is refused on line 2; "x" sits on line 4.
        assert_eq!(lines, vec![2, 4]);
    }

    #[test]
    fn a_bad_header_is_reported_on_line_1() {
        let errors =
            parse_results_csv("day,leads,revenu\n2026-03-02,1,2\n").expect_err("bad header");
        assert!(errors.rows.iter().all(|r| r.line == 1));
        let shown = errors.to_string();
        assert!(
            shown.starts_with("1 line has errors; nothing was imported: line 1: "),
            "{shown}"
        );
        assert!(shown.contains("unknown column 'day'"), "{shown}");
        assert!(shown.contains("unknown column 'revenu'"), "{shown}");
        assert!(shown.contains("no 'date' column"), "{shown}");
    }

    #[test]
    fn a_header_needs_a_date_and_some_result_column_each_once() {
        let errors = parse_results_csv("date,channel\n2026-03-02,Feed\n").expect_err("no results");
        assert!(
            errors.rows[0]
                .message
                .contains("none of the columns leads, conversions or revenue")
        );
        let errors = parse_results_csv("date,leads,Leads\n2026-03-02,1,2\n").expect_err("twice");
        assert!(errors.rows[0].message.contains("'leads' twice"));
        let errors = parse_results_csv("date,,leads\n2026-03-02,,1\n").expect_err("unnamed");
        assert!(
            errors.rows[0]
                .message
                .contains("column 2 of the header has no name")
        );
    }

    #[test]
    fn an_empty_file_or_one_without_rows_is_refused() {
        for text in ["", "\u{feff}", "date,leads\n", "date,leads\n,\n"] {
            let errors = parse_results_csv(text).expect_err("nothing to import");
            assert_eq!(errors.rows.len(), 1, "{text:?}");
            assert_eq!(errors.rows[0].line, 1);
        }
    }

    #[test]
    fn a_results_file_holds_at_most_10_000_rows() {
        let mut text = String::from("date,leads\n");
        for _ in 0..MOST_IMPORT_ROWS {
            text.push_str("2026-03-02,1\n");
        }
        assert_eq!(
            parse_results_csv(&text).expect("at the limit").len(),
            MOST_IMPORT_ROWS
        );
        text.push_str("2026-03-02,1\n");
        let errors = parse_results_csv(&text).expect_err("over the limit");
        assert_eq!(errors.rows.len(), 1);
        assert_eq!(errors.rows[0].line, 1);
        assert!(errors.rows[0].message.contains("at most 10000 rows"));
    }

    #[test]
    fn a_long_list_of_errors_is_summed_up_in_its_display() {
        let mut text = String::from("date,leads\n");
        for _ in 0..25 {
            text.push_str("2026-03-02,0\n");
        }
        let errors = parse_results_csv(&text).expect_err("all bad");
        assert_eq!(errors.rows.len(), 25);
        let shown = errors.to_string();
        assert!(shown.starts_with("25 lines have errors"), "{shown}");
        assert!(shown.ends_with("; and 5 more"), "{shown}");
        assert!(
            shown.contains("line 21: ") && !shown.contains("line 22: "),
            "{shown}"
        );
        let core: CoreError = errors.into();
        assert!(matches!(core, CoreError::InvalidCampaign(m) if m == shown));
    }

    // ---------------------------------------------------------- UTM, links

    fn utm() -> Utm {
        Utm {
            source: "newsletter".into(),
            medium: "email".into(),
            campaign: "spring-launch".into(),
        }
    }

    #[test]
    fn slugs_are_lowercase_ascii_words_joined_by_single_dashes() {
        assert_eq!(slug("Spring Launch 2026!"), "spring-launch-2026");
        assert_eq!(slug("  --Hello__World--  "), "hello-world");
        assert_eq!(slug("a - b"), "a-b");
        assert_eq!(slug("Café crème"), "caf-cr-me");
        assert_eq!(slug(""), "campaign");
        assert_eq!(slug("!!! ééé"), "campaign");
    }

    #[test]
    fn slugs_are_at_most_60_characters_and_never_end_on_a_dash() {
        assert_eq!(slug(&"a".repeat(100)), "a".repeat(60));
        let text = format!("{} {}", "a".repeat(59), "b".repeat(10));
        assert_eq!(slug(&text), "a".repeat(59));
    }

    fn links(text: &str) -> Vec<&str> {
        find_links(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn links_are_found_in_free_text() {
        let text = "See https://example.com/a?b=1 and http://x.org, or HTTPS://Y.ORG/é.";
        assert_eq!(
            links(text),
            vec![
                "https://example.com/a?b=1",
                "http://x.org",
                "HTTPS://Y.ORG/é"
            ]
        );
        assert_eq!(find_links("at https://a.io")[0], (3, 15));
    }

    #[test]
    fn links_end_at_whitespace_angle_brackets_and_quotes() {
        assert_eq!(links("<https://a.io/x>"), vec!["https://a.io/x"]);
        assert_eq!(links("href=\"https://a.io/x\">"), vec!["https://a.io/x"]);
        assert_eq!(links("https://a.io/x\u{a0}next"), vec!["https://a.io/x"]);
        assert_eq!(
            links("https://a.io\nhttps://b.io"),
            vec!["https://a.io", "https://b.io"]
        );
    }

    #[test]
    fn trailing_sentence_punctuation_is_not_part_of_a_link() {
        assert_eq!(links("Go to https://a.io/x."), vec!["https://a.io/x"]);
        assert_eq!(links("(see https://a.io/x)"), vec!["https://a.io/x"]);
        assert_eq!(links("Really? https://a.io/x?!"), vec!["https://a.io/x"]);
        assert_eq!(links("[link](https://a.io/x)."), vec!["https://a.io/x"]);
        assert_eq!(links("[https://a.io/x]"), vec!["https://a.io/x"]);
        assert_eq!(links("'https://a.io/x';"), vec!["https://a.io/x"]);
        assert_eq!(links("https://a.io/x:;,."), vec!["https://a.io/x"]);
    }

    #[test]
    fn balanced_brackets_stay_in_a_link() {
        assert_eq!(
            links("(https://en.wikipedia.org/wiki/Rust_(programming_language))"),
            vec!["https://en.wikipedia.org/wiki/Rust_(programming_language)"]
        );
        assert_eq!(links("https://a.io/[1]."), vec!["https://a.io/[1]"]);
    }

    #[test]
    fn things_that_only_look_like_links_are_skipped() {
        assert!(links("https:// nothing").is_empty());
        assert!(links("https://.").is_empty());
        assert!(links("xhttps://a.io ftp://a.io mailto:a@b.io http:/a.io").is_empty());
        assert!(links("").is_empty());
        assert!(links("http").is_empty());
    }

    #[test]
    fn utm_parameters_are_added_after_the_existing_query() {
        assert_eq!(
            with_utm("https://example.com/p?ref=1#top", &utm()).as_deref(),
            Some(
                "https://example.com/p?ref=1&utm_source=newsletter&utm_medium=email&utm_campaign=spring-launch#top"
            )
        );
        assert_eq!(
            with_utm("http://example.com", &utm()).as_deref(),
            Some(
                "http://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring-launch"
            )
        );
    }

    #[test]
    fn utm_parameters_already_on_a_link_are_kept() {
        assert_eq!(
            with_utm("https://example.com/?utm_source=partner&x=%20y", &utm()).as_deref(),
            Some(
                "https://example.com/?utm_source=partner&x=%20y&utm_medium=email&utm_campaign=spring-launch"
            )
        );
        let all = "https://example.com/?UTM_SOURCE=a&utm_medium=b&utm_campaign=c";
        assert_eq!(with_utm(all, &utm()).as_deref(), Some(all));
    }

    #[test]
    fn utm_values_are_encoded_and_empty_ones_left_out() {
        let odd = Utm {
            source: "a&b c".into(),
            medium: String::new(),
            campaign: "été".into(),
        };
        assert_eq!(
            with_utm("https://example.com/", &odd).as_deref(),
            Some("https://example.com/?utm_source=a%26b+c&utm_campaign=%C3%A9t%C3%A9")
        );
    }

    #[test]
    fn utm_is_only_added_to_http_links() {
        assert_eq!(with_utm("not a url", &utm()), None);
        assert_eq!(with_utm("/relative/path", &utm()), None);
        assert_eq!(with_utm("ftp://example.com/f", &utm()), None);
        assert_eq!(with_utm("mailto:a@example.com", &utm()), None);
        assert_eq!(with_utm("javascript:alert(1)", &utm()), None);
    }

    #[test]
    fn links_are_rewritten_in_place_and_kept_when_not_shortened() {
        let text = "New: https://a.io/x. Old: https://b.io/y, done.";
        let mut seen = Vec::new();
        let rewritten = rewrite_links(text, |link| {
            seen.push(link.to_owned());
            link.contains("a.io")
                .then(|| "https://byline.test/r/abcd2345".to_owned())
        });
        assert_eq!(
            rewritten,
            "New: https://byline.test/r/abcd2345. Old: https://b.io/y, done."
        );
        assert_eq!(seen, vec!["https://a.io/x", "https://b.io/y"]);
        assert_eq!(
            rewrite_links("no links here", |_| Some("x".into())),
            "no links here"
        );
        assert_eq!(rewrite_links("", |_| Some("x".into())), "");
    }

    // --------------------------------------------------------- short codes

    #[test]
    fn short_codes_are_8_characters_without_look_alikes() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let codes: Vec<String> = (0..200).map(|_| new_short_code(&mut rng)).collect();
        for code in &codes {
            assert!(valid_short_code(code), "{code}");
            assert!(!code.contains(['0', '1', 'l', 'o']), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn short_codes_are_checked_exactly() {
        assert!(valid_short_code("abcd2345"));
        assert!(!valid_short_code("abcd234"));
        assert!(!valid_short_code("abcd23456"));
        assert!(!valid_short_code("ABCD2345"));
        assert!(!valid_short_code("abcd2340"));
        assert!(!valid_short_code("abcdl345"));
        assert!(!valid_short_code("abcd234é"));
        assert!(!valid_short_code(""));
        assert!(!valid_short_code("../admin"));
    }

    // ----------------------------------------------------------------- ROI

    #[test]
    fn cost_per_click_and_conversion_round_half_up() {
        let figures = Figures {
            spend_cents: 1_000,
            clicks: 3,
            leads: 0,
            conversions: 8,
            revenue_cents: 0,
        };
        // 333.33… and 125.
        assert_eq!(figures.cost_per_click_cents(), Some(333));
        assert_eq!(figures.cost_per_conversion_cents(), Some(125));
        let half = Figures {
            spend_cents: 5,
            clicks: 2,
            ..Figures::default()
        };
        assert_eq!(half.cost_per_click_cents(), Some(3));
        let under_half = Figures {
            spend_cents: 1_001,
            clicks: 6,
            ..Figures::default()
        };
        assert_eq!(under_half.cost_per_click_cents(), Some(167));
    }

    #[test]
    fn cost_per_click_is_none_without_clicks_and_does_not_overflow() {
        assert_eq!(Figures::default().cost_per_click_cents(), None);
        assert_eq!(Figures::default().cost_per_conversion_cents(), None);
        let huge = Figures {
            spend_cents: i64::MAX,
            clicks: 1,
            conversions: 2,
            ..Figures::default()
        };
        assert_eq!(huge.cost_per_click_cents(), Some(i64::MAX));
        assert_eq!(huge.cost_per_conversion_cents(), Some(i64::MAX / 2 + 1));
    }

    #[test]
    fn roi_is_gain_over_spend_in_percent_and_none_without_spend() {
        let roi = |spend_cents, revenue_cents| {
            Figures {
                spend_cents,
                revenue_cents,
                ..Figures::default()
            }
            .roi_percent()
        };
        assert_eq!(roi(0, 0), None);
        assert_eq!(roi(0, 50_000), None);
        assert_eq!(roi(10_000, 25_000), Some(150.0));
        assert_eq!(roi(10_000, 10_000), Some(0.0));
        assert_eq!(roi(10_000, 0), Some(-100.0));
        assert_eq!(roi(10_000, 5_000), Some(-50.0));
        let extreme = roi(1, i64::MIN).expect("spend");
        assert!(extreme.is_finite() && extreme < 0.0);
    }

    #[test]
    fn figures_add_up_without_panicking() {
        let one = Figures {
            spend_cents: 100,
            clicks: 2,
            leads: 3,
            conversions: 4,
            revenue_cents: 500,
        };
        let mut total = Figures::default();
        total += one;
        total += one;
        assert_eq!(
            total,
            Figures {
                spend_cents: 200,
                clicks: 4,
                leads: 6,
                conversions: 8,
                revenue_cents: 1_000
            }
        );
        assert_eq!([one, one].into_iter().sum::<Figures>(), total);
        total += Figures {
            clicks: i64::MAX,
            ..Figures::default()
        };
        assert_eq!(total.clicks, i64::MAX);
    }

    // ---------------------------------------------------------- day bucket

    #[test]
    fn clicks_are_bucketed_by_utc_day_with_floor_division() {
        const DAY: i64 = 86_400_000_000;
        assert_eq!(day_bucket(0), 0);
        assert_eq!(day_bucket(DAY - 1), 0);
        assert_eq!(day_bucket(DAY), 1);
        assert_eq!(day_bucket(-1), -1);
        assert_eq!(day_bucket(-DAY), -1);
        assert_eq!(day_bucket(-DAY - 1), -2);
        // 2026-03-02T12:00:00Z
        let noon = day("2026-03-02")
            .and_hms_opt(12, 0, 0)
            .expect("a time")
            .and_utc()
            .timestamp_micros();
        let days = (day("2026-03-02") - day("1970-01-01")).num_days();
        assert_eq!(day_bucket(noon), days);
        assert_eq!(day_bucket(i64::MIN), i64::MIN.div_euclid(DAY));
    }
}
