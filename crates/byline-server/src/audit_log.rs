//! Reading and exporting the audit log (admins), as JSON Lines or CSV.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use byline_core::Timestamp;
use byline_core::policy::{Action, authorize};
use byline_store::Store;
use byline_store::audit::AuditEvent;

/// Most events returned in one page.
pub const MAX_PAGE: u32 = 1000;

/// A page of events after `after`, for an admin.
pub async fn events(
    state: &AppState,
    by: &CurrentUser,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditEvent>, AppError> {
    authorize(Some(&by.actor()), Action::ReadAudit)?;
    let sealed = Sealed::load(&state.store).await?;
    let mut events = state.store.audit_events(after, limit).await?;
    events.iter_mut().for_each(|e| sealed.redact(e));
    Ok(events)
}

/// Hides who spoke as a sealed profile from readers of the audit log: the
/// policy promises that only an investigation reveals it, admins included.
/// The stored chain is untouched (`byline audit verify` and the operator's
/// export see everything); redacted events no longer match their hashes.
pub struct Sealed {
    profiles: std::collections::HashSet<i64>,
}

impl Sealed {
    /// The sealed profiles as they are now.
    pub async fn load(store: &Store) -> Result<Sealed, AppError> {
        Ok(Sealed {
            profiles: store.sealed_profile_ids().await?.into_iter().collect(),
        })
    }

    /// Removes the person and address from events that would reveal who
    /// acted or spoke as a sealed profile.
    pub fn redact(&self, e: &mut AuditEvent) {
        let speaking = ["post.", "acting.", "speak."]
            .iter()
            .any(|p| e.action.starts_with(p))
            && e.action != "acting.query";
        if speaking && e.profile_id.is_some_and(|p| self.profiles.contains(&p)) {
            e.user_id = None;
            e.source_address = "(sealed)".to_owned();
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One event as a JSON object (one line of the JSON Lines export).
pub fn to_json(e: &AuditEvent) -> serde_json::Value {
    let details: serde_json::Value =
        serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "seq": e.seq,
        "at": Timestamp(e.at).to_rfc3339(),
        "at_micros": e.at,
        "user_id": e.user_id.map(|v| v.to_string()),
        "profile_id": e.profile_id.map(|v| v.to_string()),
        "action": e.action,
        "target": e.target,
        "source_address": e.source_address,
        "details": details,
        "prev_hash": hex(&e.prev_hash),
        "hash": hex(&e.hash),
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The CSV header line.
pub const CSV_HEADER: &str =
    "seq,at,user_id,profile_id,action,target,source_address,details,prev_hash,hash\n";

/// One event as a CSV line.
pub fn to_csv(e: &AuditEvent) -> String {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{},{}\n",
        e.seq,
        Timestamp(e.at).to_rfc3339(),
        opt(e.user_id),
        opt(e.profile_id),
        csv_field(&e.action),
        csv_field(&e.target),
        csv_field(&e.source_address),
        csv_field(&e.details),
        hex(&e.prev_hash),
        hex(&e.hash)
    )
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    JsonLines,
    /// Comma-separated values with a header.
    Csv,
}

impl Format {
    /// Parses `jsonl` or `csv`.
    pub fn parse(s: &str) -> Result<Format, AppError> {
        match s {
            "jsonl" | "json-lines" => Ok(Format::JsonLines),
            "csv" => Ok(Format::Csv),
            _ => Err(AppError::Invalid("format is 'jsonl' or 'csv'".into())),
        }
    }
}

/// Writes every event to `out`, in batches; returns how many.
pub async fn export(
    store: &Store,
    format: Format,
    redact: Option<&Sealed>,
    out: &mut String,
) -> Result<u64, AppError> {
    if format == Format::Csv {
        out.push_str(CSV_HEADER);
    }
    let mut after = 0;
    let mut n = 0u64;
    loop {
        let batch = store.audit_events(after, MAX_PAGE).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            let mut e = e.clone();
            if let Some(sealed) = redact {
                sealed.redact(&mut e);
            }
            let e = &e;
            match format {
                Format::JsonLines => {
                    out.push_str(&to_json(e).to_string());
                    out.push('\n');
                }
                Format::Csv => out.push_str(&to_csv(e)),
            }
            n += 1;
        }
    }
    Ok(n)
}
