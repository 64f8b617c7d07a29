//! `events [--tenant ID] [--after CURSOR] [--follow] [--format text|jsonl]`:
//! the change feed on standard output, one record a line, oldest first.
//!
//! `jsonl` prints each record's wire shape (`ChangeRecord::to_json`, the
//! same JSON a webhook receives); `text` a readable line. With `--follow` it
//! waits for new records (woken by commits, PostgreSQL's `NOTIFY` across
//! processes) until SIGINT or SIGTERM. A closed pipe (`| head`) ends it
//! quietly.

use std::io::Write;
use std::sync::Arc;

use futures_util::StreamExt as _;
use scimkit_service::{ChangeFeed, ChangeRecord, Cursor, FeedQuery, TenantId};

use crate::cli::{EventsArgs, EventsFormat};

/// Prints the feed as asked.
pub(crate) async fn run(
    feed: Arc<dyn ChangeFeed>,
    args: &EventsArgs,
    member_ids: usize,
) -> Result<(), String> {
    let mut query = match &args.tenant {
        Some(t) => FeedQuery::tenant(TenantId::new(t)),
        None => FeedQuery::all(),
    };
    if let Some(after) = &args.after {
        let cursor: Cursor = after
            .parse()
            .map_err(|e| format!("--after {after:?}: {e}"))?;
        query = query.after(cursor);
    }
    let line = |r: &ChangeRecord| match args.format {
        EventsFormat::Jsonl => r.to_json().to_string(),
        EventsFormat::Text => text_line(r, member_ids),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout());
    if !args.follow {
        loop {
            let page = feed
                .read(&query)
                .await
                .map_err(|e| format!("cannot read the feed: {e}"))?;
            let Some(last) = page.records.last() else {
                break;
            };
            query = query.after(last.cursor.clone());
            for r in &page.records {
                if !write_line(&mut out, &line(r))? {
                    return Ok(());
                }
            }
        }
        return flush(&mut out).map(|_| ());
    }
    let records = scimkit_service::follow(feed, query);
    let mut records = std::pin::pin!(records);
    let stop = crate::serve::shutdown_signal();
    let mut stop = std::pin::pin!(stop);
    loop {
        let next = tokio::select! {
            next = records.next() => next,
            () = &mut stop => break,
        };
        match next {
            None => break,
            Some(Ok(r)) => {
                if !write_line(&mut out, &line(&r))? || !flush(&mut out)? {
                    return Ok(());
                }
            }
            // The stream reads again from the same cursor: nothing is
            // skipped.
            Some(Err(e)) => tracing::warn!(error = %e, "cannot read the feed; retrying"),
        }
    }
    flush(&mut out).map(|_| ())
}

/// One readable line: time, tenant, resource, version, what happened,
/// cursor.
fn text_line(r: &ChangeRecord, member_ids: usize) -> String {
    format!(
        "{time}  {tenant}  {rt}/{id}  v{version}  {kind}  cursor {cursor}",
        time = r.occurred_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        tenant = r.tenant,
        rt = r.resource_type,
        id = r.id,
        version = r.version.as_deref().unwrap_or("-"),
        kind = r.kind.summary(member_ids),
        cursor = r.cursor,
    )
}

/// Writes a line; `Ok(false)` when the reader went away.
fn write_line(out: &mut impl Write, line: &str) -> Result<bool, String> {
    match writeln!(out, "{line}") {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}

fn flush(out: &mut impl Write) -> Result<bool, String> {
    match out.flush() {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}
