//! Statements that return nothing, run together at the end of a step of a
//! write. SQLite's driver runs every statement on the connection's own
//! thread, and each statement is a round trip to it (two thread wake-ups)
//! while the write lock is held: taken as one multi-statement query, a
//! ticket's history, audit event and jobs cost one round trip instead of
//! three. PostgreSQL's extended protocol takes one statement per message,
//! so there they run one after another, as before.

use crate::StoreError;
use sqlx::{PgConnection, SqliteConnection};

/// A value bound to one of the statements.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    /// An integer or NULL.
    Int(Option<i64>),
    /// Text or NULL.
    Text(Option<String>),
    /// Bytes.
    Blob(Vec<u8>),
}

/// Statements, each written with its own `$1`, `$2`, … and its values.
#[derive(Debug, Default)]
pub(crate) struct Joined {
    statements: Vec<(String, Vec<Bound>)>,
}

impl Joined {
    /// Adds a statement; `sql` numbers its own parameters from `$1`.
    pub(crate) fn push(&mut self, sql: impl Into<String>, values: Vec<Bound>) {
        self.statements.push((sql.into(), values));
    }

    /// The statements as one query, their parameters numbered on from one
    /// statement to the next (SQLite binds `$NNN` by number across the
    /// statements of one query), with all the values in order.
    fn as_one(&self) -> (String, Vec<&Bound>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (text, own) in &self.statements {
            sql.push_str(&renumbered(text, values.len()));
            sql.push_str(";\n");
            values.extend(own.iter());
        }
        (sql, values)
    }
}

/// `sql` with every `$n` made `$(n + offset)`. Our statements carry no
/// `$` inside string literals.
fn renumbered(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

macro_rules! bind_all {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                Bound::Int(i) => q.bind(*i),
                Bound::Text(t) => q.bind(t.as_deref()),
                Bound::Blob(b) => q.bind(&b[..]),
            };
        }
        q
    }};
}

/// Runs [`Joined`] statements on a connection of either backend.
pub(crate) trait RunJoined {
    /// Runs them, in order, inside the connection's open transaction.
    async fn run_joined(&mut self, joined: Joined) -> Result<(), StoreError>;

    /// Whether what a write reads stays true until it commits because
    /// nobody else writes meanwhile (SQLite's one writer). Otherwise a row
    /// read and then changed must be locked or checked again as it changes.
    fn sole_writer(&self) -> bool;
}

impl RunJoined for SqliteConnection {
    async fn run_joined(&mut self, joined: Joined) -> Result<(), StoreError> {
        if joined.statements.is_empty() {
            return Ok(());
        }
        let (sql, values) = joined.as_one();
        bind_all!(sqlx::query(&sql), values)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    fn sole_writer(&self) -> bool {
        true
    }
}

impl RunJoined for PgConnection {
    async fn run_joined(&mut self, joined: Joined) -> Result<(), StoreError> {
        for (sql, values) in &joined.statements {
            bind_all!(sqlx::query(sql), values)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    fn sole_writer(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_on_across_statements() {
        let mut j = Joined::default();
        j.push(
            "INSERT INTO a VALUES ($1, $2)",
            vec![Bound::Int(Some(1)), Bound::Int(None)],
        );
        j.push(
            "INSERT INTO b VALUES ($2, $1, $10)",
            vec![Bound::Int(Some(3)); 10],
        );
        let (sql, values) = j.as_one();
        assert_eq!(
            sql,
            "INSERT INTO a VALUES ($1, $2);\nINSERT INTO b VALUES ($4, $3, $12);\n"
        );
        assert_eq!(values.len(), 12);
        assert_eq!(renumbered("SELECT '$' || $1", 5), "SELECT '$' || $6");
    }
}
