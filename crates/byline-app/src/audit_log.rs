//! Reading and exporting the audit log (admins), as JSON Lines or CSV.

use crate::App;
use crate::Caller;
use crate::Error;
use byline_core::Timestamp;
use byline_core::policy::{Action, Actor, authorize};
use byline_core::shared_profile::{AttributionPolicy, PolicyHistory};
use byline_store::Store;
use byline_store::audit::AuditEvent;
use std::collections::{HashMap, HashSet};

/// Most events returned in one page.
pub const MAX_PAGE: u32 = 1000;

/// A page of events after `after`, for an admin.
pub async fn events(
    app: &App,
    by: &Caller,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditEvent>, Error> {
    authorize(Some(&by.actor()), Action::ReadAudit)?;
    let redaction = Redaction::for_reader(app, by).await?;
    let mut events = app.store.audit().audit_events(after, limit).await?;
    events.iter_mut().for_each(|e| redaction.redact(e));
    Ok(events)
}

/// Hides, from a reader of the audit log, who acted or spoke as a shared
/// profile whenever the policy would not show that reader the byline (a
/// sealed profile's, admins included: only an investigation reveals it).
/// The stored chain is untouched (`byline audit verify` and the operator's
/// export see everything); redacted events no longer match their hashes.
pub struct Redaction {
    actor: Actor,
    histories: HashMap<i64, PolicyHistory>,
    member_of: HashSet<i64>,
}

impl Redaction {
    /// The redaction for this reader, with every shared profile's policy
    /// history.
    pub async fn for_reader(app: &App, by: &Caller) -> Result<Redaction, Error> {
        Ok(Redaction {
            actor: by.actor(),
            histories: app.store.shared_profiles().policy_histories().await?,
            member_of: app
                .store
                .shared_profiles()
                .memberships_of(by.user.id, None)
                .await?
                .into_iter()
                .map(|m| m.profile_id)
                .collect(),
        })
    }

    /// Removes the person and address from an event that would reveal
    /// who acted or spoke as a profile whose byline the reader may not see.
    pub fn redact(&self, e: &mut AuditEvent) {
        let speaking = ["post.", "acting.", "speak.", "message."]
            .iter()
            .any(|p| e.action.starts_with(p))
            && !e.action.starts_with("acting.query");
        let Some(profile) = e.profile_id.filter(|_| speaking) else {
            return;
        };
        let Some(history) = self.histories.get(&profile) else {
            return;
        };
        // Words record the policy they were said under; other events
        // (acting sessions, refusals) fall under the policy in force when
        // they happened, never the policy now.
        let policy = serde_json::from_str::<serde_json::Value>(&e.details)
            .ok()
            .and_then(|d| d["policy"].as_str().and_then(AttributionPolicy::parse))
            .unwrap_or_else(|| history.at(Timestamp(e.at)));
        let visible = authorize(
            Some(&self.actor),
            Action::SeeByline {
                policy,
                member: self.member_of.contains(&profile),
                investigating: false,
            },
        )
        .is_ok();
        if !visible {
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
    pub fn parse(s: &str) -> Result<Format, Error> {
        match s {
            "jsonl" | "json-lines" => Ok(Format::JsonLines),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::Invalid("format is 'jsonl' or 'csv'".into())),
        }
    }
}

/// Every event as the reader may see it, in `format` (admins).
pub async fn export_for(app: &App, by: &Caller, format: Format) -> Result<String, Error> {
    authorize(Some(&by.actor()), Action::ReadAudit)?;
    let redaction = Redaction::for_reader(app, by).await?;
    let mut body = String::new();
    export(&app.store, format, Some(&redaction), &mut body).await?;
    Ok(body)
}

/// Checks the whole chain (admins).
pub async fn verify(app: &App, by: &Caller) -> Result<byline_store::audit::Verification, Error> {
    authorize(Some(&by.actor()), Action::ReadAudit)?;
    Ok(app.store.audit().verify_audit().await?)
}

/// Writes every event to `out`, in batches; returns how many.
pub async fn export(
    store: &Store,
    format: Format,
    redact: Option<&Redaction>,
    out: &mut String,
) -> Result<u64, Error> {
    if format == Format::Csv {
        out.push_str(CSV_HEADER);
    }
    let mut after = 0;
    let mut n = 0u64;
    loop {
        let batch = store.audit().audit_events(after, MAX_PAGE).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            let mut e = e.clone();
            if let Some(r) = redact {
                r.redact(&mut e);
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
