//! Campaigns: a shared profile's publications grouped under a name, dates,
//! a budget and a goal, with the money spent, the clicks on their short
//! links and the results reported, rolled up into ROI per channel and
//! over time for management.

use crate::publishing::member;
use crate::{App, Caller, Error, now};
use byline_core::campaign::{self, CampaignInput, Figures, ResultRow};
use byline_core::policy::{Action, authorize};
use byline_store::profiles::Profile;
use byline_store::publishing::{CampaignRow, NewCampaign, PublicationRow, ResultsRow, SpendRow};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A profile's campaigns (members).
pub async fn list(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Vec<CampaignRow>), Error> {
    let (profile, _) = member(app, by, handle).await?;
    let rows = app.store.publishing().campaigns(profile.id).await?;
    Ok((profile, rows))
}

async fn writer(app: &App, by: &Caller, handle: &str) -> Result<Profile, Error> {
    let (profile, role) = member(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    Ok(profile)
}

async fn campaign_of(app: &App, profile: &Profile, id: i64) -> Result<CampaignRow, Error> {
    let row = app.store.publishing().campaign(id).await?;
    if row.profile_id != profile.id {
        return Err(Error::NotFound);
    }
    Ok(row)
}

fn dates(row: &CampaignRow) -> Result<(NaiveDate, NaiveDate), Error> {
    let parse = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::Internal(format!("stored campaign date '{s}'")))
    };
    Ok((parse(&row.starts_on)?, parse(&row.ends_on)?))
}

/// Starts a campaign (owners and editors).
pub async fn create(
    app: &App,
    by: &Caller,
    handle: &str,
    input: &CampaignInput,
) -> Result<CampaignRow, Error> {
    let profile = writer(app, by, handle).await?;
    let valid = campaign::validate_campaign(input)?;
    let (starts, ends) = (valid.starts_on.to_string(), valid.ends_on.to_string());
    let mut audit = by.audit("campaign.create", String::new());
    audit.profile_id = Some(profile.id);
    let id = app
        .store
        .publishing()
        .create_campaign(
            &NewCampaign {
                profile_id: profile.id,
                name: &valid.name,
                starts_on: &starts,
                ends_on: &ends,
                budget_cents: valid.budget_cents,
                goal: &valid.goal,
                created_by: by.user.id,
            },
            &audit,
            now(),
        )
        .await?;
    Ok(app.store.publishing().campaign(id).await?)
}

/// Finds a channel of the profile by name (results and spend name it as
/// people write it).
async fn channel_named(app: &App, profile: &Profile, name: &str) -> Result<i64, Error> {
    let channels = app.store.channels().channels(profile.id).await?;
    channels
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
        .map(|c| c.id)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "'{}' is not one of this profile's channels",
                name.trim()
            ))
        })
}

/// Records money spent (owners and editors), optionally on one channel.
pub async fn add_spend(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    spend: (&str, &str, &str, Option<&str>),
) -> Result<i64, Error> {
    let (on, amount, note, channel) = spend;
    let profile = writer(app, by, handle).await?;
    let row = campaign_of(app, &profile, id).await?;
    let (starts, ends) = dates(&row)?;
    let valid = campaign::validate_spend(on, amount, note, starts, ends)?;
    let channel_id = match channel.filter(|c| !c.trim().is_empty()) {
        Some(name) => Some(channel_named(app, &profile, name).await?),
        None => None,
    };
    let mut audit = by.audit("campaign.spend", format!("campaign:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "cents": valid.cents, "on": valid.on.to_string() }).to_string();
    Ok(app
        .store
        .publishing()
        .add_spend(
            id,
            channel_id,
            &valid.on.to_string(),
            valid.cents,
            &valid.note,
            by.user.id,
            &audit,
            now(),
        )
        .await?)
}

/// Where results came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Typed into the page.
    Hand,
    /// A CSV import.
    Csv,
    /// The API.
    Api,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Hand => "hand",
            Source::Csv => "csv",
            Source::Api => "api",
        }
    }
}

/// Records results (owners and editors): every row or, when one is bad,
/// none.
pub async fn add_results(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    rows: &[ResultRow],
    source: Source,
) -> Result<usize, Error> {
    let profile = writer(app, by, handle).await?;
    campaign_of(app, &profile, id).await?;
    let channels = app.store.channels().channels(profile.id).await?;
    let mut stored = Vec::with_capacity(rows.len());
    let mut unknown = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let channel_id = match &r.channel {
            Some(name) => match channels.iter().find(|c| c.name.eq_ignore_ascii_case(name)) {
                Some(c) => Some(c.id),
                None => {
                    unknown.push(format!(
                        "row {}: '{name}' is not one of this profile's channels",
                        i + 1
                    ));
                    None
                }
            },
            None => None,
        };
        stored.push((
            channel_id,
            r.on.to_string(),
            r.leads,
            r.conversions,
            r.revenue_cents,
        ));
    }
    if !unknown.is_empty() {
        return Err(Error::Invalid(format!(
            "{} rows name unknown channels; nothing was imported: {}",
            unknown.len(),
            unknown.join("; ")
        )));
    }
    if stored.is_empty() {
        return Err(Error::Invalid("there are no results to add".into()));
    }
    let mut audit = by.audit("campaign.results", format!("campaign:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "rows": stored.len(), "source": source.as_str() }).to_string();
    Ok(app
        .store
        .publishing()
        .add_results(id, &stored, source.as_str(), by.user.id, &audit, now())
        .await?)
}

/// Imports results from CSV (`date,channel,leads,conversions,revenue`):
/// every row's error is reported and nothing is stored unless all are good.
pub async fn import_csv(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    text: &str,
) -> Result<usize, Error> {
    writer(app, by, handle).await?;
    let rows = campaign::parse_results_csv(text).map_err(|e| Error::Invalid(e.to_string()))?;
    add_results(app, by, handle, id, &rows, Source::Csv).await
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What it is about (a channel's name, a day, "All").
    pub label: String,
    /// Its figures.
    pub figures: Figures,
}

/// A campaign's ROI report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The profile.
    pub profile: Profile,
    /// The campaign.
    pub campaign: CampaignRow,
    /// Everything together.
    pub total: Figures,
    /// Per channel (spend or results not tied to one channel under
    /// "Not by channel").
    pub by_channel: Vec<Line>,
    /// Per day, from the first figure to the last.
    pub by_day: Vec<Line>,
    /// The campaign's publications.
    pub publications: Vec<PublicationRow>,
    /// The spend entries.
    pub spend: Vec<SpendRow>,
    /// The results entries.
    pub results: Vec<ResultsRow>,
    /// Whether the viewer may add spend and results.
    pub may_write: bool,
}

/// A campaign's report (members).
pub async fn report(app: &App, by: &Caller, handle: &str, id: i64) -> Result<Report, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let row = campaign_of(app, &profile, id).await?;
    let store = app.store.publishing();
    let spend = store.spend(id).await?;
    let results = store.results(id).await?;
    let clicks = store.clicks(id).await?;
    let publications = store.campaign_publications(id).await?;
    let channels = app.store.channels().channels(profile.id).await?;
    let name_of = |c: Option<i64>| match c {
        Some(c) => channels.iter().find(|ch| ch.id == c).map_or_else(
            || format!("Channel {c} (disconnected)"),
            |ch| ch.name.clone(),
        ),
        None => "Not by channel".to_owned(),
    };
    let mut by_channel: BTreeMap<String, Figures> = BTreeMap::new();
    let mut by_day: BTreeMap<String, Figures> = BTreeMap::new();
    for s in &spend {
        let f = Figures {
            spend_cents: s.cents,
            ..Figures::default()
        };
        *by_channel.entry(name_of(s.channel_id)).or_default() += f;
        *by_day.entry(s.spent_on.clone()).or_default() += f;
    }
    for r in &results {
        let f = Figures {
            leads: r.leads,
            conversions: r.conversions,
            revenue_cents: r.revenue_cents,
            ..Figures::default()
        };
        *by_channel.entry(name_of(r.channel_id)).or_default() += f;
        *by_day.entry(r.result_on.clone()).or_default() += f;
    }
    for k in &clicks {
        let f = Figures {
            clicks: k.clicks,
            ..Figures::default()
        };
        *by_channel.entry(name_of(Some(k.channel_id))).or_default() += f;
        let day = chrono::DateTime::from_timestamp(k.day * 86_400, 0)
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default();
        *by_day.entry(day).or_default() += f;
    }
    let total: Figures = by_channel.values().copied().sum();
    Ok(Report {
        may_write: authorize(Some(&by.actor()), Action::WritePublication { role }).is_ok(),
        profile,
        campaign: row,
        total,
        by_channel: by_channel
            .into_iter()
            .map(|(label, figures)| Line { label, figures })
            .collect(),
        by_day: by_day
            .into_iter()
            .map(|(label, figures)| Line { label, figures })
            .collect(),
        publications,
        spend,
        results,
    })
}

fn money(cents: Option<i64>) -> String {
    cents.map_or_else(String::new, |c| {
        format!("{}.{:02}", c.div_euclid(100), c.rem_euclid(100))
    })
}

/// A report as CSV: one row per channel, one per day, and the total.
pub fn report_csv(report: &Report) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    w.write_record([
        "section",
        "label",
        "spend",
        "clicks",
        "cost_per_click",
        "leads",
        "conversions",
        "revenue",
        "roi_percent",
    ])
    .map_err(fail)?;
    let total = Line {
        label: "All".into(),
        figures: report.total,
    };
    let sections = report
        .by_channel
        .iter()
        .map(|l| ("channel", l))
        .chain(report.by_day.iter().map(|l| ("day", l)))
        .chain(std::iter::once(("total", &total)));
    for (section, line) in sections {
        let f = &line.figures;
        w.write_record([
            section.to_owned(),
            line.label.clone(),
            money(Some(f.spend_cents)),
            f.clicks.to_string(),
            money(f.cost_per_click_cents()),
            f.leads.to_string(),
            f.conversions.to_string(),
            money(Some(f.revenue_cents)),
            f.roi_percent()
                .map_or_else(String::new, |r| format!("{r:.1}")),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

/// Follows a short link: counts the click (a day and the link, nothing
/// about who) durably, then says where it leads.
pub async fn follow(app: &App, code: &str) -> Result<String, Error> {
    if !campaign::valid_short_code(code) {
        return Err(Error::NotFound);
    }
    let target = app.store.publishing().link_target(code).await?;
    app.store
        .publishing()
        .count_click(code, campaign::day_bucket(now().micros()))
        .await?;
    Ok(target)
}
