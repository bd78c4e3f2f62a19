//! Failed sign-ins, counted per email and per source address so repeated
//! guessing can be slowed down. Kept in the database so the limit holds
//! across restarts and across several server nodes.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;

/// Failures seen since some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentFailures {
    /// Failures for this email from any address.
    pub for_email: i64,
    /// Failures from this address for any email.
    pub from_address: i64,
    /// The oldest counted failure for the email (µs), to compute Retry-After.
    pub oldest_for_email: Option<i64>,
    /// The oldest counted failure from the address (µs).
    pub oldest_from_address: Option<i64>,
}

impl SignInFailures<'_> {
    /// Records one failed attempt and forgets attempts older than `forget_before`.
    pub async fn record_sign_in_failure(
        &self,
        email: &str,
        source_address: &str,
        audit: &AuditEntry,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
                .bind(forget_before.micros())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_failures (email, source_address, at) VALUES ($1, $2, $3)",
            )
            .bind(email)
            .bind(source_address)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Failures since `since` for the email and from the address.
    pub async fn recent_sign_in_failures(
        &self,
        email: &str,
        source_address: &str,
        since: Timestamp,
    ) -> Result<RecentFailures, StoreError> {
        let (for_email, oldest_for_email, from_address, oldest_from_address): (
            i64,
            Option<i64>,
            i64,
            Option<i64>,
        ) = read!(self, |pool| {
            sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at >= $3), \
                            (SELECT MIN(at) FROM sign_in_failures WHERE email = $1 AND at >= $3), \
                            (SELECT COUNT(*) FROM sign_in_failures WHERE source_address = $2 AND at >= $3), \
                            (SELECT MIN(at) FROM sign_in_failures WHERE source_address = $2 AND at >= $3)",
                )
                .bind(email)
                .bind(source_address)
                .bind(since.micros())
                .fetch_one(pool)
                .await?
        });
        Ok(RecentFailures {
            for_email,
            from_address,
            oldest_for_email,
            oldest_from_address,
        })
    }

    /// Forgets an email's failures after a successful sign-in.
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
                .bind(email)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}

capability!(
    /// The store's failed sign-ins, counted for throttling.
    SignInFailures,
    sign_in_failures
);
