//! The server driven over real HTTP on 127.0.0.1, on SQLite and (with
//! BYLINE_TEST_DATABASE_URL) PostgreSQL. One binary, many modules.

mod help_desk;
mod helpers;
mod investigations;
mod limits;
mod listening;
mod live;
mod matrix;
mod message_tickets;
mod messages;
mod moderation;

mod accounts;
mod articles;
mod attachments;
mod audit;
mod channels;
mod collision;
mod communities;
mod dashboard;
mod errors;
mod ops;
mod pages;
mod posts;
mod publishing;
mod reveals;
mod rosters;
mod search;
mod shared_profiles;
mod speaking;
mod ticket_tags;
mod tokens;
mod vault;
mod visibility;
