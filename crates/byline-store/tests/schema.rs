//! Both migration sets make the same database: the same tables, columns
//! (type spelling aside), keys, indexes and constraints. The differences a
//! dialect needs are named here, one by one.

use byline_store::testing::{Kind, Schema, TestDatabase, schema_of};

async fn migrated(kind: Kind) -> Option<(TestDatabase, Schema)> {
    let db = TestDatabase::new(kind).await?;
    let store = db.store().await;
    let schema = schema_of(&store).await;
    store.close().await;
    Some((db, schema))
}

#[tokio::test]
async fn both_migration_sets_make_the_same_schema() {
    let Some((_s, mut sqlite)) = migrated(Kind::Sqlite).await else {
        panic!("sqlite is always available");
    };
    let Some((_p, mut postgres)) = migrated(Kind::Postgres).await else {
        return;
    };
    // Full-text search: FTS5's virtual table and its shadow tables on
    // SQLite; a generated tsvector column with a GIN index on PostgreSQL.
    let fts: Vec<String> = sqlite
        .tables
        .keys()
        .filter(|t| t.starts_with("posts_fts") || t.starts_with("articles_fts"))
        .cloned()
        .collect();
    assert!(!fts.is_empty(), "SQLite searches with FTS5");
    for t in fts {
        sqlite.tables.remove(&t);
    }
    let posts = postgres.tables.get_mut("posts").expect("posts");
    assert_eq!(posts.columns.remove("search"), Some(("tsvector", true)));
    assert!(
        posts
            .indexes
            .remove(&(vec!["search".to_owned()], false, false))
    );
    let articles = postgres.tables.get_mut("articles").expect("articles");
    assert_eq!(articles.columns.remove("search"), Some(("tsvector", true)));
    assert!(
        articles
            .indexes
            .remove(&(vec!["search".to_owned()], false, false))
    );

    // The reading itself sees the whole schema (a reader that saw nothing
    // would find two empty schemas equal).
    let count = |s: &Schema, f: fn(&byline_store::testing::TableShape) -> usize| -> usize {
        s.tables.values().map(f).sum()
    };
    for s in [&sqlite, &postgres] {
        assert!(s.tables.len() >= 25, "{} tables", s.tables.len());
        assert!(count(s, |t| t.columns.len()) >= 150);
        assert!(count(s, |t| t.indexes.len()) >= 15);
        assert!(count(s, |t| t.foreign_keys.len()) >= 30);
        assert!(count(s, |t| t.checks) >= 10);
        assert!(s.tables.values().all(|t| !t.primary_key.is_empty()));
    }
    eprintln!(
        "schema: {} tables, {} columns, {} indexes, {} foreign keys, {} checks on each backend",
        sqlite.tables.len(),
        count(&sqlite, |t| t.columns.len()),
        count(&sqlite, |t| t.indexes.len()),
        count(&sqlite, |t| t.foreign_keys.len()),
        count(&sqlite, |t| t.checks)
    );
    let names = |s: &Schema| s.tables.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&sqlite), names(&postgres), "the same tables");
    let mut differences = Vec::new();
    for (table, lite) in &sqlite.tables {
        let pg = &postgres.tables[table];
        if lite.columns != pg.columns {
            differences.push(format!(
                "{table} columns:\n  sqlite   {:?}\n  postgres {:?}",
                lite.columns, pg.columns
            ));
        }
        if lite.primary_key != pg.primary_key {
            differences.push(format!(
                "{table} primary key: sqlite {:?}, postgres {:?}",
                lite.primary_key, pg.primary_key
            ));
        }
        if lite.indexes != pg.indexes {
            differences.push(format!(
                "{table} indexes:\n  sqlite   {:?}\n  postgres {:?}",
                lite.indexes, pg.indexes
            ));
        }
        if lite.foreign_keys != pg.foreign_keys {
            differences.push(format!(
                "{table} foreign keys:\n  sqlite   {:?}\n  postgres {:?}",
                lite.foreign_keys, pg.foreign_keys
            ));
        }
        if lite.checks != pg.checks {
            differences.push(format!(
                "{table} CHECK constraints: sqlite {}, postgres {}",
                lite.checks, pg.checks
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the migration sets disagree:\n{}",
        differences.join("\n")
    );
}
