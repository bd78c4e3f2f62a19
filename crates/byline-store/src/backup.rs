//! Consistent online copies of the embedded database.

use crate::{Backend, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a consistent snapshot of the embedded SQLite database into
    /// the new file `dest` while the server goes on serving: the copy is
    /// one read transaction (`VACUUM INTO`), and in WAL mode writers carry
    /// on beside it. Every commit acknowledged before the copy began is in
    /// it; nothing half-written is. PostgreSQL is backed up with its own
    /// tools (`pg_dump`), which give the same guarantee.
    pub async fn backup_sqlite_to(&self, dest: &Path) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let dest = dest.to_str().ok_or_else(|| {
                    StoreError::Config("the backup path must be valid UTF-8".into())
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(dest)
                    .execute(read)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(StoreError::Config(
                "this server keeps its data in PostgreSQL: back it up with pg_dump \
                 (see docs/RELIABILITY.md) and copy the attachments directory"
                    .into(),
            )),
        }
    }
}
