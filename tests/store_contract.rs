//! The store contract: what every `Store` backend promises the server, written once as
//! functions that take a way to open a fresh, empty store. SQLite runs them below; another
//! backend (Postgres) adds one `contract_tests!` line with its own opener.

#[path = "store_contract/accounts.rs"]
mod accounts;
#[path = "store_contract/committer.rs"]
mod committer;
#[path = "store_contract/conversations.rs"]
mod conversations;
#[path = "store_contract/events_kb.rs"]
mod events_kb;
#[path = "store_contract/isolation.rs"]
mod isolation;
#[path = "store_contract/support.rs"]
mod support;

/// One `#[test]` per contract function, for one backend.
macro_rules! contract_tests {
    ($backend:ident, $open:expr, [$($module:ident::$name:ident),* $(,)?]) => {
        mod $backend {
            use super::*;
            $(
                #[test]
                fn $name() {
                    $module::$name($open)
                }
            )*
        }
    };
}

fn sqlite() -> support::Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = kefu::store::open(dir.path(), &Default::default()).unwrap();
    support::Fresh {
        store,
        _keep: Box::new(dir),
    }
}

contract_tests!(
    sqlite,
    sqlite,
    [
        accounts::agents_are_stored_and_found,
        accounts::agent_status_and_password,
        accounts::groups_and_members,
        accounts::tokens_expire_and_are_deleted,
        accounts::customers_and_external_ids,
        conversations::sessions_are_put_and_read,
        conversations::sessions_of_a_customer_newest_first,
        conversations::transcript_pages_by_seq,
        conversations::message_idempotency_key_is_unique,
        conversations::recovery_reads_back_only_the_latest_keys,
        events_kb::events_per_viewer,
        events_kb::oldest_event_id,
        events_kb::message_events_replay_the_stored_message,
        events_kb::knowledge_base_search_and_get,
        events_kb::quick_replies,
        events_kb::recover_returns_what_start_up_needs,
        isolation::a_savepoint_rolls_back_only_its_own_writes,
        isolation::a_failed_transaction_leaves_nothing,
        isolation::a_rolled_back_session_write_is_written_again,
        isolation::a_reader_sees_committed_writes_only,
        isolation::a_snapshot_does_not_move,
        isolation::read_pool_runs_jobs_on_committed_data,
        isolation::read_pool_refuses_when_full_and_drains_on_drop,
        committer::a_refused_job_is_rolled_back_alone,
        committer::after_commit_work_runs_after_commit_in_submission_order,
        committer::a_fatal_error_stops_the_writer_once,
        committer::the_backlog_counts_jobs_until_their_transaction_ends,
    ]
);
