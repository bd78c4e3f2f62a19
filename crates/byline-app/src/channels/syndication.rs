//! A profile's feed for readers outside Byline: RSS 2.0, Atom and JSON
//! Feed 1.1 of its top-level posts outside communities, published only
//! when the profile's owners connect a feed channel that syndicates.
//! Items carry the profile as author, never the person behind a byline.

use byline_store::channels::FeedItem;
use chrono::{DateTime, FixedOffset};

/// Items in a feed document.
pub const FEED_ITEMS: i64 = 50;

/// A syndication format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RSS 2.0.
    Rss,
    /// Atom (RFC 4287).
    Atom,
    /// JSON Feed 1.1.
    Json,
}

impl Format {
    /// The format a file extension names (`rss`, `atom`, `json`).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "rss" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    /// Its media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// Who a feed is of, and where it lives.
pub struct FeedOf<'a> {
    /// The profile's handle.
    pub handle: &'a str,
    /// Its display name.
    pub name: &'a str,
    /// Its bio, if any.
    pub bio: &'a str,
    /// The server's address as readers reach it, no trailing slash.
    pub base_url: &'a str,
}

fn at(micros: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .fixed_offset()
}

/// A post's title: its first line as plain text, shortened.
fn title_of(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .trim_start_matches('#')
        .trim();
    let mut title: String = line.chars().take(100).collect();
    if line.chars().count() > 100 {
        title.push('…');
    }
    title
}

/// A post's HTML with its links made absolute: readers show it away from
/// Byline, where "/tags/x" means nothing.
fn absolute(html: &str, base: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{base}/"))
        .replace("src=\"/", &format!("src=\"{base}/"))
}

/// The feed document of `items` in `format`.
pub fn render(format: Format, of: &FeedOf<'_>, items: &[FeedItem]) -> String {
    let items: Vec<FeedItem> = items
        .iter()
        .map(|i| FeedItem {
            body_html: absolute(&i.body_html, of.base_url),
            ..i.clone()
        })
        .collect();
    let items = items.as_slice();
    let home = format!("{}/profiles/{}", of.base_url, of.handle);
    let self_url = format!("{home}/feed.{}", format.extension());
    let link = |id: i64| format!("{}/posts/{id}", of.base_url);
    let updated = items
        .iter()
        .map(|i| i.edited_at.unwrap_or(i.created_at))
        .max()
        .unwrap_or(0);
    let description = if of.bio.trim().is_empty() {
        format!("Posts of @{} on Byline", of.handle)
    } else {
        of.bio.trim().to_owned()
    };
    match format {
        Format::Rss => {
            let channel = rss::Channel {
                title: of.name.to_owned(),
                link: home,
                description,
                generator: Some("Byline".into()),
                last_build_date: Some(at(updated).to_rfc2822()),
                items: items
                    .iter()
                    .map(|i| rss::Item {
                        title: Some(title_of(&i.body)),
                        link: Some(link(i.id)),
                        description: Some(i.body_html.clone()),
                        guid: Some(rss::Guid {
                            value: link(i.id),
                            permalink: true,
                        }),
                        pub_date: Some(at(i.created_at).to_rfc2822()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            };
            channel.to_string()
        }
        Format::Atom => {
            let author = atom_syndication::Person {
                name: of.name.to_owned(),
                uri: Some(home.clone()),
                ..Default::default()
            };
            let feed = atom_syndication::Feed {
                title: atom_syndication::Text::plain(of.name),
                id: home.clone(),
                updated: at(updated),
                authors: vec![author.clone()],
                subtitle: Some(atom_syndication::Text::plain(description)),
                links: vec![
                    atom_syndication::Link {
                        href: home,
                        rel: "alternate".into(),
                        ..Default::default()
                    },
                    atom_syndication::Link {
                        href: self_url,
                        rel: "self".into(),
                        ..Default::default()
                    },
                ],
                entries: items
                    .iter()
                    .map(|i| atom_syndication::Entry {
                        title: atom_syndication::Text::plain(title_of(&i.body)),
                        id: link(i.id),
                        updated: at(i.edited_at.unwrap_or(i.created_at)),
                        published: Some(at(i.created_at)),
                        authors: vec![author.clone()],
                        links: vec![atom_syndication::Link {
                            href: link(i.id),
                            rel: "alternate".into(),
                            ..Default::default()
                        }],
                        content: Some(atom_syndication::Content {
                            value: Some(i.body_html.clone()),
                            content_type: Some("html".into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            };
            feed.to_string()
        }
        Format::Json => {
            let doc = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": of.name,
                "home_page_url": home,
                "feed_url": self_url,
                "description": description,
                "authors": [{ "name": of.name, "url": home }],
                "items": items.iter().map(|i| serde_json::json!({
                    "id": link(i.id),
                    "url": link(i.id),
                    "title": title_of(&i.body),
                    "content_html": i.body_html,
                    "content_text": i.body,
                    "date_published": at(i.created_at).to_rfc3339(),
                    "date_modified": at(i.edited_at.unwrap_or(i.created_at)).to_rfc3339(),
                })).collect::<Vec<_>>(),
            });
            doc.to_string()
        }
    }
}
