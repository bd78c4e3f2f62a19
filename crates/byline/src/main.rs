//! `byline`: the workplace social platform where every shared voice keeps
//! its byline. One binary: server, migrations, administration, demo data.

mod backup;
mod config;
mod demo;
mod demo_content;

use anyhow::{Context, bail};
use byline_app::accounts::{self, Registration};
use byline_core::Role;
use byline_store::Store;
use byline_store::audit::AuditEntry;
use clap::{Parser, Subcommand};
use config::{Config, Layer};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "byline",
    version,
    about = "Byline: a workplace social platform where every shared voice keeps its byline.",
    long_about = "Byline: a workplace social platform where every shared voice keeps its byline.\n\n\
Settings come from flags, then BYLINE_* environment variables, then the TOML file given\n\
with --config (or BYLINE_CONFIG), then defaults. With no database URL, Byline keeps its\n\
data in an embedded SQLite database inside the data directory."
)]
struct Cli {
    /// TOML configuration file (keys as the long flags, with underscores)
    #[arg(long, global = true, env = "BYLINE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first)
    Serve {
        #[command(flatten)]
        settings: Layer,
        /// Seed the demo organisation if the database is empty, and print its sign-ins
        #[arg(long)]
        demo: bool,
        /// Print the effective configuration (secrets masked) and exit
        #[arg(long)]
        print_config: bool,
    },
    /// Apply pending database migrations and exit
    Migrate {
        #[command(flatten)]
        settings: Layer,
    },
    /// Manage accounts from the command line (with the machine owner's authority)
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check or export the tamper-evident audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check or rotate the credential vault's master key
    Vault {
        #[command(subcommand)]
        command: VaultCommand,
    },
    /// Copy the data (database and attachments) into a new directory while the server keeps serving
    Backup {
        /// The new directory to write the backup into
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[command(flatten)]
        settings: Layer,
    },
    /// Make an empty data directory (--data-dir) from a backup and check it
    Restore {
        /// The backup directory
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        #[command(flatten)]
        settings: Layer,
    },
    /// Create the demo organisation in an empty database
    SeedDemo {
        #[command(flatten)]
        settings: Layer,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole hash chain; names the first altered, missing or reordered event
    Verify {
        #[command(flatten)]
        settings: Layer,
    },
    /// Write every event to standard output (or --output) as JSON Lines or CSV
    Export {
        /// jsonl or csv
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Write to this file instead of standard output
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Layer,
    },
}

#[derive(Subcommand)]
enum VaultCommand {
    /// Check that every entry's data key opens under the master key (decrypts no secret)
    Verify {
        #[command(flatten)]
        settings: Layer,
    },
    /// Re-wrap every data key under a new master key while the server runs; resumable
    RotateKey {
        /// Seconds after the new key is in place before the last pass, so
        /// that no request still sealing under the old key is missed
        /// [default: the request timeout plus 5]
        #[arg(long)]
        grace_secs: Option<u64>,
        #[command(flatten)]
        settings: Layer,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user; prints a generated password unless --password-stdin is given
    CreateUser {
        /// Work email
        #[arg(long)]
        email: String,
        /// Display name
        #[arg(long)]
        name: String,
        /// Handle for the personal profile (default: from the email)
        #[arg(long)]
        handle: Option<String>,
        /// Make the user an administrator
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        settings: Layer,
    },
    /// Set a new password for a user and end their sessions
    ResetPassword {
        /// Work email of the user
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        settings: Layer,
    },
    /// Give a user the investigator right (for an organisation whose only
    /// admin would otherwise grant it to themselves); audited as the operator
    GrantInvestigator {
        /// Work email of the user
        #[arg(long)]
        email: String,
        #[command(flatten)]
        settings: Layer,
    },
}

/// The user an operator names by email, or a clear error.
async fn user_by_email(
    store: &byline_store::Store,
    email: &str,
) -> anyhow::Result<byline_store::users::User> {
    byline_app::operator::user_by_email(store, email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("byline: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("byline: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve {
            settings,
            demo,
            print_config,
        } => {
            let config = Config::resolve(settings, file)?;
            if print_config {
                print!("{}", config.to_masked_toml()?);
                return Ok(());
            }
            serve(config, demo).await
        }
        Command::Migrate { settings } => {
            let config = Config::resolve(settings, file)?;
            init_logging(&config);
            let store = open(&config).await?;
            let ran = store.migrate().await?;
            println!(
                "{ran} migration(s) applied; the {} database is up to date",
                store.backend_name()
            );
            store.close().await;
            Ok(())
        }
        Command::SeedDemo { settings } => {
            let config = Config::resolve(settings, file)?;
            init_logging(&config);
            let store = migrated(&config).await?;
            let seeded = demo::seed_if_empty(&store, config.vault_key(), byline_app::now()).await?;
            store.close().await;
            if !seeded {
                bail!("the database already has users; the demo is only seeded into an empty one");
            }
            print!("Demo organisation created.\n{}", demo::sign_in_table());
            Ok(())
        }
        Command::Backup { to, settings } => {
            let config = Config::resolve(settings, file)?;
            backup::backup(&config, &to).await
        }
        Command::Restore { from, settings } => {
            let config = Config::resolve(settings, file)?;
            backup::restore(&config, &from).await
        }
        Command::Admin { command } => admin(command, file).await,
        Command::Audit { command } => audit(command, file).await,
        Command::Vault { command } => vault(command, file).await,
    }
}

async fn vault(command: VaultCommand, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    match command {
        VaultCommand::Verify { settings } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let started = std::time::Instant::now();
            let report = byline_app::vault::verify(&store, &config.vault_key())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            if report.failed.is_empty() {
                println!(
                    "vault keys intact: {} entries open under their master key ({:.3} s; data keys only, no secret decrypted)",
                    report.opened, secs
                );
                Ok(())
            } else {
                for (id, why) in &report.failed {
                    eprintln!("entry {id}: {why}");
                }
                bail!(
                    "{} vault entries do not open ({} do)",
                    report.failed.len(),
                    report.opened
                )
            }
        }
        VaultCommand::RotateKey {
            grace_secs,
            settings,
        } => {
            let config = Config::resolve(settings, file)?;
            init_logging(&config);
            let store = migrated(&config).await?;
            let grace = std::time::Duration::from_secs(
                grace_secs.unwrap_or(config.request_timeout_secs.saturating_add(5)),
            );
            let started = std::time::Instant::now();
            let report = byline_app::vault::rotate_master_key(&store, &config.vault_key(), grace)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            // The rate is the re-wrapping's own: the grace waited out is
            // said apart.
            let secs = (started.elapsed() - report.waited).as_secs_f64().max(1e-9);
            if !report.waited.is_zero() {
                println!(
                    "waited {:.1} s after the new key went in place for requests still on the old one",
                    report.waited.as_secs_f64()
                );
            }
            println!(
                "{} master key {}: {} entries re-wrapped in {:.3} s ({:.0}/s); retired key(s) {} deleted",
                if report.resumed {
                    "rotation resumed; new"
                } else {
                    "new"
                },
                report.new_key,
                report.rewrapped,
                secs,
                report.rewrapped as f64 / secs,
                if report.retired.is_empty() {
                    "none".to_owned()
                } else {
                    report.retired.join(", ")
                },
            );
            Ok(())
        }
    }
}

async fn audit(command: AuditCommand, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { settings } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let started = std::time::Instant::now();
            let v = byline_app::operator::verify_audit(&store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            match v.first_break {
                None => {
                    println!(
                        "audit chain intact: {} events verified in {:.3} s ({:.0} events/s)",
                        v.checked,
                        secs,
                        v.checked as f64 / secs
                    );
                    Ok(())
                }
                Some(b) => bail!(
                    "audit chain BROKEN: {b} ({} events before it verified)",
                    v.checked
                ),
            }
        }
        AuditCommand::Export {
            format,
            output,
            settings,
        } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let format = byline_app::audit_log::Format::parse(&format)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut text = String::new();
            // The operator holds the database anyway: nothing is redacted here.
            let n = byline_app::audit_log::export(&store, format, None, &mut text)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("{n} events written to {}", path.display());
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(())
        }
    }
}

async fn admin(command: AdminCommand, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            handle,
            admin,
            password_stdin,
            settings,
        } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let (password, generated) = password_from(password_stdin)?;
            let registration = Registration {
                email,
                display_name: name,
                handle,
                password,
                role: if admin { Role::Admin } else { Role::Staff },
            };
            let audit = AuditEntry::new(None, "user.create", String::new(), "cli");
            let user = accounts::register(&store, registration, &audit, byline_app::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            println!(
                "created {} <{}> as @{} ({})",
                user.display_name,
                user.email,
                user.handle,
                user.role.as_str()
            );
            if let Some(pw) = generated {
                println!("password: {pw}\n(shown once; ask them to change it)");
            }
            Ok(())
        }
        AdminCommand::GrantInvestigator { email, settings } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let user = user_by_email(&store, &email).await?;
            byline_app::operator::grant_investigator(&store, &user, byline_app::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            println!(
                "{} may now open investigations; the owners of sealed profiles have been told",
                user.email
            );
            Ok(())
        }
        AdminCommand::ResetPassword {
            email,
            password_stdin,
            settings,
        } => {
            let config = Config::resolve(settings, file)?;
            let store = migrated(&config).await?;
            let user = user_by_email(&store, &email).await?;
            let (password, generated) = password_from(password_stdin)?;
            let audit = AuditEntry::new(
                None,
                "user.password_reset",
                format!("user:{}", user.id),
                "cli",
            );
            accounts::set_password(&store, user.id, password, &audit, byline_app::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            println!(
                "password replaced for {}; their sessions have ended",
                user.email
            );
            if let Some(pw) = generated {
                println!("password: {pw}\n(shown once)");
            }
            Ok(())
        }
    }
}

/// The password from stdin, or a generated one (returned twice so the
/// caller can show it once).
fn password_from(stdin: bool) -> anyhow::Result<(String, Option<String>)> {
    if stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        Ok((pw, None))
    } else {
        let pw = byline_core::secret_token::mint("")
            .plaintext
            .chars()
            .take(20)
            .collect::<String>();
        Ok((pw.clone(), Some(pw)))
    }
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    Store::connect(&config.store_options())
        .await
        .with_context(|| format!("cannot open the database ({})", describe_database(config)))
}

async fn migrated(config: &Config) -> anyhow::Result<Store> {
    let store = open(config).await?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

fn describe_database(config: &Config) -> String {
    match &config.database_url {
        Some(url) => config::mask_url_password(url),
        None => format!("embedded SQLite in {}", config.data_dir.display()),
    }
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BYLINE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log_format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    init_logging(&config);
    let store = migrated(&config).await?;
    // A missing or wrong vault key stops the start with the reason, rather
    // than failing every reveal later.
    let key_id = byline_app::vault::prepare(&store, &config.vault_key())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(key = %key_id, "vault master key loaded");
    let seeded = if demo {
        demo::seed_if_empty(&store, config.vault_key(), byline_app::now()).await?
    } else {
        false
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Byline is listening on http://{addr} ({})",
        describe_database(&config)
    )?;
    if demo {
        if seeded {
            writeln!(out, "Demo organisation created.")?;
        } else {
            writeln!(
                out,
                "Demo: the database already had users, so nothing was seeded."
            )?;
        }
        write!(out, "{}", demo::sign_in_table())?;
    }
    out.flush()?;
    drop(out);
    tracing::info!(%addr, backend = store.backend_name(), "listening");
    byline_server::serve(
        listener,
        store,
        config.settings()?,
        byline_server::shutdown_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}
